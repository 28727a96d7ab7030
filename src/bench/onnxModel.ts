import { onnx } from '../loaders/onnx/proto';
import { Tensor } from '../engine/tensor';
import { LAYER_NORM_EPSILON, outputShape } from './workloads';
import type { Activation, LayerSpec, Workload } from './workloads';

/** ONNX TensorProto.DataType.FLOAT and INT64. */
const FLOAT = 1;
const INT64 = 7;
/** The opset the graph is written for: 17 is the first with LayerNormalization. */
const OPSET = 17;

/**
 * A workload as ONNX ModelProto bytes (and the name of its output value), for onnxruntime-node and
 * onnxruntime-web: the same ops and the same weights as the engine model, in NCHW like the engine. GELU is
 * written out as x·½·(1 + erf(x/√2)), which ONNX Runtime fuses into one kernel.
 */
export function onnxModel(w: Workload): { readonly bytes: Uint8Array; readonly output: string } {
  const nodes: onnx.INodeProto[] = [];
  const initializer: onnx.ITensorProto[] = [];
  let x = 'x';
  const node = (name: string, opType: string, inputs: string[], attribute: onnx.IAttributeProto[] = [], tag = opType): string => {
    const out = `${name}/${tag}`;
    nodes.push({ name: out, opType, input: inputs, output: [out], attribute });
    x = out;
    return out;
  };
  const weight = (name: string, t: Tensor): string => {
    initializer.push(tensorProto(name, t));
    return name;
  };
  const constants = new Map<string, string>();
  const scalar = (value: number): string => {
    const name = `const/${value}`;
    if (!constants.has(name)) constants.set(name, weight(name, Tensor.from([], [value])));
    return name;
  };
  const int64s = (name: string, values: number[]): string => {
    initializer.push({ name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) });
    return name;
  };
  const ints = (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
  const int = (name: string, i: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const float = (name: string, f: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });
  const activation = (name: string, a: Activation): void => {
    if (a === 'relu') node(name, 'Relu', [x]);
    if (a === 'gelu') {
      const input = x;
      node(name, 'Div', [input, scalar(Math.SQRT2)], [], 'gelu.div');
      node(name, 'Erf', [x], [], 'gelu.erf');
      node(name, 'Add', [x, scalar(1)], [], 'gelu.add');
      node(name, 'Mul', [input, x], [], 'gelu.mul');
      node(name, 'Mul', [x, scalar(0.5)], [], 'gelu.half');
    }
  };
  const layer = (l: LayerSpec): void => {
    const input = x;
    switch (l.kind) {
      case 'dense':
        node(l.name, 'MatMul', [x, weight(`${l.name}.kernel`, l.kernel)]);
        node(l.name, 'Add', [x, weight(`${l.name}.bias`, l.bias)]);
        activation(l.name, l.activation);
        break;
      case 'conv': {
        const p = l.pad;
        node(l.name, 'Conv', [x, weight(`${l.name}.kernel`, l.kernel), weight(`${l.name}.bias`, l.bias)], [
          ints('kernel_shape', [...l.kernel.shape.slice(2)]), ints('pads', [p, p, p, p]), ints('strides', [l.stride, l.stride]), int('group', l.group),
        ]);
        activation(l.name, l.activation);
        break;
      }
      case 'maxPool':
        node(l.name, 'MaxPool', [x], [ints('kernel_shape', [l.size, l.size]), ints('strides', [l.size, l.size])]);
        break;
      case 'globalAvgPool':
        node(l.name, 'GlobalAveragePool', [x]);
        break;
      case 'flatten':
        node(l.name, 'Flatten', [x], [int('axis', 1)]);
        break;
      case 'matmul':
        node(l.name, 'MatMul', [x, weight(`${l.name}.b`, l.b)]);
        break;
      case 'layerNorm':
        node(l.name, 'LayerNormalization', [x, weight(`${l.name}.scale`, l.scale), weight(`${l.name}.bias`, l.bias)],
          [int('axis', -1), float('epsilon', LAYER_NORM_EPSILON)]);
        break;
      case 'attention': {
        const d = l.wq.shape[0];
        const dh = d / l.heads;
        const splitShape = int64s(`${l.name}.split_shape`, [0, 0, l.heads, dh]);
        const heads = (role: string, wt: Tensor, b: Tensor, perm: number[]): string => {
          node(l.name, 'MatMul', [input, weight(`${l.name}.w${role}`, wt)], [], `${role}.matmul`);
          node(l.name, 'Add', [x, weight(`${l.name}.b${role}`, b)], [], `${role}.add`);
          node(l.name, 'Reshape', [x, splitShape], [], `${role}.reshape`);
          return node(l.name, 'Transpose', [x], [ints('perm', perm)], `${role}.transpose`);
        };
        const q = heads('q', l.wq, l.bq, [0, 2, 1, 3]);
        const k = heads('k', l.wk, l.bk, [0, 2, 3, 1]);
        const v = heads('v', l.wv, l.bv, [0, 2, 1, 3]);
        node(l.name, 'MatMul', [q, k], [], 'scores');
        node(l.name, 'Mul', [x, scalar(1 / Math.sqrt(dh))], [], 'scale');
        if (l.mask) node(l.name, 'Add', [x, weight(`${l.name}.mask`, l.mask)], [], 'mask');
        node(l.name, 'Softmax', [x], [int('axis', -1)]);
        node(l.name, 'MatMul', [x, v], [], 'context');
        node(l.name, 'Transpose', [x], [ints('perm', [0, 2, 1, 3])], 'merge.transpose');
        node(l.name, 'Reshape', [x, int64s(`${l.name}.merge_shape`, [0, 0, d])], [], 'merge.reshape');
        node(l.name, 'MatMul', [x, weight(`${l.name}.wo`, l.wo)], [], 'out.matmul');
        node(l.name, 'Add', [x, weight(`${l.name}.bo`, l.bo)], [], 'out.add');
        break;
      }
      case 'residual':
      case 'block':
        for (const child of l.body) layer(child);
        if (l.kind === 'residual') node(l.name, 'Add', [x, input], [], 'residual');
        break;
    }
  };
  for (const l of w.layers) layer(l);
  const graph: onnx.IGraphProto = {
    name: w.name,
    node: nodes,
    initializer,
    input: [valueInfo('x', w.inputShape)],
    output: [valueInfo(x, outputShape(w))],
  };
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'layerstep bench',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  };
  return { bytes: onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish(), output: x };
}

function tensorProto(name: string, t: Tensor): onnx.ITensorProto {
  const f = Float32Array.from(t.data as Float32Array);
  return { name, dims: [...t.shape], dataType: FLOAT, rawData: new Uint8Array(f.buffer) };
}

function valueInfo(name: string, shape: readonly number[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}
