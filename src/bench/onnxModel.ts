import { onnx } from '../loaders/onnx/proto';
import type { Tensor } from '../engine/tensor';
import { outputShape } from './workloads';
import type { Workload } from './workloads';

/** ONNX TensorProto.DataType.FLOAT. */
const FLOAT = 1;
/** The opset the graph is written for; every op used has had its current form since opset 13 or earlier. */
const OPSET = 13;

/**
 * A workload as ONNX ModelProto bytes (and the name of its output value), for onnxruntime-node: the same ops (MatMul, Add, Relu, Conv, MaxPool,
 * Flatten) and the same weights as the engine model, in NCHW like the engine.
 */
export function onnxModel(w: Workload): { readonly bytes: Uint8Array; readonly output: string } {
  const nodes: onnx.INodeProto[] = [];
  const initializer: onnx.ITensorProto[] = [];
  let x = 'x';
  const node = (name: string, opType: string, inputs: string[], attribute: onnx.IAttributeProto[] = []): void => {
    const out = `${name}/${opType}`;
    nodes.push({ name: out, opType, input: inputs, output: [out], attribute });
    x = out;
  };
  const weight = (name: string, t: Tensor): string => {
    initializer.push(tensorProto(name, t));
    return name;
  };
  const ints = (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
  for (const l of w.layers) {
    switch (l.kind) {
      case 'dense':
        node(l.name, 'MatMul', [x, weight(`${l.name}.kernel`, l.kernel)]);
        node(l.name, 'Add', [x, weight(`${l.name}.bias`, l.bias)]);
        if (l.relu) node(l.name, 'Relu', [x]);
        break;
      case 'conv': {
        const p = l.pad;
        node(l.name, 'Conv', [x, weight(`${l.name}.kernel`, l.kernel), weight(`${l.name}.bias`, l.bias)], [
          ints('kernel_shape', [...l.kernel.shape.slice(2)]), ints('pads', [p, p, p, p]), ints('strides', [1, 1]),
        ]);
        if (l.relu) node(l.name, 'Relu', [x]);
        break;
      }
      case 'maxPool':
        node(l.name, 'MaxPool', [x], [ints('kernel_shape', [l.size, l.size]), ints('strides', [l.size, l.size])]);
        break;
      case 'flatten':
        node(l.name, 'Flatten', [x], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]);
        break;
      case 'matmul':
        node(l.name, 'MatMul', [x, weight(`${l.name}.b`, l.b)]);
        break;
    }
  }
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
