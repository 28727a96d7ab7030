import type { AttrValue } from '../../engine/registry';
import { convKernel, convKernelShape, depthwiseKernel, depthwiseKernelShape } from '../tfjs/layout';
import type { Lower, Lowering } from './lowering';
import { UnsupportedUse } from './lowering';

/**
 * TF op → engine nodes (docs/tfjs-graph.md). Channels-last data stays channels-last: convolutions and pools
 * move their input to NCHW, run the engine's op and move the result back, inside a module named after the TF
 * node; filters are converted to the engine's layout when the weights are read. Operands that TF passes as
 * tensors (axes, shapes, paddings) stay tensors, read by the `tf*` ops (src/engine/ops/tf.ts) at run time.
 */

const same = (op: string, attrs: (l: Lowering) => Record<string, AttrValue | undefined> = () => ({})): Lower =>
  (l) => l.finish(op, l.inputs, attrs(l), op);

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

function checkNhwc(l: Lowering): void {
  const format = l.str('data_format', 'NHWC');
  if (format !== 'NHWC') throw new UnsupportedUse(`data_format ${format} is not supported (NHWC is)`);
}

/** The spatial [h, w] of a 4-D NHWC attribute such as strides [1, h, w, 1]. */
function spatial(l: Lowering, key: string): number[] {
  const v = l.ints(key, [1, 1, 1, 1]);
  return v.length === 4 ? [v[1], v[2]] : v.length === 2 ? v : [1, 1];
}

function padding(l: Lowering): Record<string, AttrValue> {
  const p = l.str('padding', 'VALID');
  if (p === 'SAME') return { autoPad: 'SAME_UPPER' };
  if (p === 'VALID') return { autoPad: 'VALID' };
  if (p === 'EXPLICIT') {
    const e = l.ints('explicit_paddings', []);
    if (e.length !== 8) throw new UnsupportedUse(`explicit_paddings has ${e.length} values; expected 8`);
    return { pads: [e[2], e[4], e[3], e[5]] };
  }
  throw new UnsupportedUse(`padding '${p}' is not SAME, VALID or EXPLICIT`);
}

/** The activation fused into a _Fused* op, applied to `y`; `alpha` is the Prelu slope operand. */
function activation(l: Lowering, kind: string, y: string, alpha: string | undefined): string {
  switch (kind) {
    case 'Relu': return l.emit('relu', [y], {}, 'relu')[0];
    case 'Relu6': return l.emit('clip', [y], { min: 0, max: 6 }, 'relu6')[0];
    case 'Elu': return l.emit('elu', [y], { alpha: 1 }, 'elu')[0];
    case 'Selu': return l.emit('selu', [y], {}, 'selu')[0];
    case 'LeakyRelu': return l.emit('leakyRelu', [y], { alpha: l.num('leakyrelu_alpha', 0.2) }, 'leakyRelu')[0];
    case 'Sigmoid': return l.emit('sigmoid', [y], {}, 'sigmoid')[0];
    case 'Tanh': return l.emit('tanh', [y], {}, 'tanh')[0];
    case 'Prelu':
      if (!alpha) throw new UnsupportedUse('its fused Prelu has no slope operand');
      return l.emit('prelu', [y, alpha], {}, 'prelu')[0];
    default: throw new UnsupportedUse(`the fused activation '${kind}' is not supported`);
  }
}

/** Emits what follows a fused product: bias (unless folded), batch norm, then the activation; the last result is the node's. */
function fusedTail(l: Lowering, y: string, biasFolded: boolean): void {
  const ops = l.strings('fused_ops');
  const args = l.inputs.slice(2);
  let at = 0;
  for (const op of ops) {
    if (op === 'BiasAdd' || op === 'Add') {
      if (!biasFolded) y = l.emit('add', [y, args[at]], {}, 'bias_add')[0];
      at += 1;
    } else if (op === 'FusedBatchNorm') {
      y = l.emit('tfBatchNorm', [y, ...args.slice(at, at + 4)], { epsilon: l.num('epsilon', 1e-3) }, 'batch_norm')[0];
      at += 4;
    } else y = activation(l, op, y, args[at]);
  }
  l.seal(y);
}

/** Conv2D, DepthwiseConv2dNative and their fused forms: NHWC → NCHW, conv (bias folded in), → NHWC, then the fused tail. */
function conv(depthwise: boolean): Lower {
  return (l) => {
    checkNhwc(l);
    const filter = l.input(1);
    const shape = l.ctx.constShape(filter);
    let w: string;
    let group = 1;
    if (depthwise) {
      if (!shape || shape.length !== 4) throw new UnsupportedUse('its filter is not a constant [h, w, in, multiplier] weight');
      group = shape[2];
      w = l.ctx.convertedWeight(filter, 'depthwise', depthwiseKernel, depthwiseKernelShape)!;
    } else {
      w = l.ctx.convertedWeight(filter, 'oihw', convKernel, convKernelShape) ?? l.emit('transpose', [filter], { perm: [3, 2, 0, 1] }, 'filter_oihw')[0];
    }
    const ops = l.strings('fused_ops');
    const biasFolded = ops[0] === 'BiasAdd';
    const x = l.emit('transpose', [l.input(0)], { perm: TO_NCHW }, 'to_nchw')[0];
    const attrs: Record<string, AttrValue> = { strides: spatial(l, 'strides'), dilations: spatial(l, 'dilations'), group, ...padding(l) };
    if (shape?.length === 4) attrs.kernelShape = [shape[0], shape[1]];
    const y = l.emit('conv', biasFolded ? [x, w, l.input(2)] : [x, w], attrs, depthwise ? 'depthwise' : 'conv')[0];
    fusedTail(l, l.emit('transpose', [y], { perm: TO_NHWC }, 'to_nhwc')[0], biasFolded);
  };
}

function pool(op: 'maxPool' | 'averagePool'): Lower {
  return (l) => {
    checkNhwc(l);
    const x = l.emit('transpose', [l.input(0)], { perm: TO_NCHW }, 'to_nchw')[0];
    const y = l.emit(op, [x], { kernelShape: spatial(l, 'ksize'), strides: spatial(l, 'strides'), ...padding(l) }, op)[0];
    l.finish('transpose', [y], { perm: TO_NHWC }, 'to_nhwc');
  };
}

const fusedMatMul: Lower = (l) => {
  const y = l.emit('tfMatMul', [l.input(0), l.input(1)], { transposeA: l.bool('transpose_a'), transposeB: l.bool('transpose_b') }, 'matmul')[0];
  fusedTail(l, y, false);
};

const reduce = (op: string): Lower => (l) => l.finish(op, [l.input(0), l.input(1)], { keepdims: l.bool('keep_dims') ? 1 : 0, noopWithEmptyAxes: 1 }, op);

const resize = (method: string): Lower => same('tfResize', (l) => ({ method, alignCorners: l.bool('align_corners'), halfPixelCenters: l.bool('half_pixel_centers') }));

const nms = (version: number): Lower => same('tfNonMaxSuppression', (l) => ({ version, padToMaxOutputSize: l.bool('pad_to_max_output_size') }));

const CONTROL_FLOW = ['Switch', 'Merge', 'Enter', 'Exit', 'NextIteration', 'LoopCond', 'RefSwitch', 'RefMerge', 'RefEnter', 'RefExit', 'RefNextIteration'];

/** TF op → its lowering. */
const TABLE: Readonly<Record<string, Lower>> = {
  Identity: same('identity'), StopGradient: same('identity'), Snapshot: same('identity'), PreventGradient: same('identity'),
  // products and convolutions
  Conv2D: conv(false), _FusedConv2D: conv(false), DepthwiseConv2dNative: conv(true), FusedDepthwiseConv2dNative: conv(true),
  Conv2DBackpropInput: (l) => {
    checkNhwc(l);
    l.finish('tfConv2DBackpropInput', l.inputs, { strides: spatial(l, 'strides'), dilations: spatial(l, 'dilations'), padding: l.str('padding', 'VALID') });
  },
  MatMul: same('tfMatMul', (l) => ({ transposeA: l.bool('transpose_a'), transposeB: l.bool('transpose_b') })),
  BatchMatMul: same('tfMatMul', (l) => ({ transposeA: l.bool('adj_x'), transposeB: l.bool('adj_y') })),
  BatchMatMulV2: same('tfMatMul', (l) => ({ transposeA: l.bool('adj_x'), transposeB: l.bool('adj_y') })),
  _FusedMatMul: fusedMatMul,
  Einsum: same('tfEinsum', (l) => ({ equation: l.str('equation', '') })),
  MaxPool: pool('maxPool'), AvgPool: pool('averagePool'),
  FusedBatchNorm: same('tfBatchNorm', (l) => ({ epsilon: l.num('epsilon', 1e-3) })),
  FusedBatchNormV2: same('tfBatchNorm', (l) => ({ epsilon: l.num('epsilon', 1e-3) })),
  FusedBatchNormV3: same('tfBatchNorm', (l) => ({ epsilon: l.num('epsilon', 1e-3) })),
  // elementwise
  BiasAdd: (l) => {
    checkNhwc(l);
    l.finish('add', l.inputs, {}, 'add');
  },
  Add: same('add'), AddV2: same('add'), AddN: same('sum'), Sub: same('sub'), Mul: same('mul'), RealDiv: same('div'), Div: same('div'),
  Maximum: same('max'), Minimum: same('min'), Pow: same('pow'), FloorDiv: same('tfFloorDiv'), FloorMod: same('tfFloorMod'),
  SquaredDifference: same('tfSquaredDifference'),
  Rsqrt: (l) => l.finish('reciprocal', [l.emit('sqrt', [l.input(0)], {}, 'sqrt')[0]], {}, 'reciprocal'),
  Square: (l) => l.finish('mul', [l.input(0), l.input(0)], {}, 'mul'),
  Sqrt: same('sqrt'), Exp: same('exp'), Log: same('log'), Neg: same('neg'), Abs: same('abs'), Reciprocal: same('reciprocal'),
  Floor: same('floor'), Ceil: same('ceil'), Round: same('round'), Sign: same('sign'), Erf: same('erf'),
  Sin: same('sin'), Cos: same('cos'), Tan: same('tan'),
  Relu: same('relu'), Relu6: same('clip', () => ({ min: 0, max: 6 })), Elu: same('elu', () => ({ alpha: 1 })), Selu: same('selu'),
  LeakyRelu: same('leakyRelu', (l) => ({ alpha: l.num('alpha', 0.2) })), Sigmoid: same('sigmoid'), Tanh: same('tanh'),
  Softplus: same('softplus'), Softsign: same('softsign'), Prelu: same('prelu'),
  Softmax: same('softmax', () => ({ axis: -1 })), LogSoftmax: same('logSoftmax', () => ({ axis: -1 })),
  // reductions and selection
  Mean: reduce('reduceMean'), Sum: reduce('reduceSum'), Max: reduce('reduceMax'), Min: reduce('reduceMin'), Prod: reduce('reduceProd'),
  ArgMax: same('tfArgMax'), TopKV2: same('tfTopK'),
  NonMaxSuppressionV3: nms(3), NonMaxSuppressionV4: nms(4), NonMaxSuppressionV5: nms(5),
  // shapes and indexing
  Reshape: same('reshape'),
  Squeeze: same('squeeze', (l) => {
    const axes = l.ints('squeeze_dims', l.ints('axis', []));
    return axes.length ? { axes } : {};
  }),
  ExpandDims: same('unsqueeze'), Transpose: same('tfTranspose'),
  ConcatV2: same('tfConcat'), Concat: (l) => l.finish('tfConcat', [...l.inputs.slice(1), l.input(0)], {}, 'tfConcat'),
  Pack: same('tfPack', (l) => ({ axis: l.num('axis', 0) })), Unpack: same('tfUnpack', (l) => ({ axis: l.num('axis', 0) })),
  Split: same('tfSplit', (l) => ({ numSplit: l.num('num_split', 1) })), SplitV: same('tfSplitV'),
  Slice: same('tfSlice'),
  StridedSlice: same('tfStridedSlice', (l) => ({
    beginMask: l.num('begin_mask', 0), endMask: l.num('end_mask', 0), ellipsisMask: l.num('ellipsis_mask', 0),
    newAxisMask: l.num('new_axis_mask', 0), shrinkAxisMask: l.num('shrink_axis_mask', 0),
  })),
  Gather: same('tfGather'), GatherV2: same('tfGather', (l) => ({ batchDims: l.num('batch_dims', 0) })), GatherNd: same('tfGatherNd'),
  Pad: same('tfPad'), PadV2: same('tfPad'),
  MirrorPad: same('tfPad', (l) => ({ mode: l.str('mode', 'REFLECT').toLowerCase() })),
  ResizeBilinear: resize('bilinear'), ResizeNearestNeighbor: resize('nearest'),
  Shape: same('tfShape'), Fill: same('tfFill'), Range: same('range'), Tile: same('tile'),
  Cast: (l) => l.finish('cast', [l.input(0)], { to: l.dtype('DstT') }, 'cast'),
  // logic
  Select: same('where'), SelectV2: same('where'), Where: same('tfWhere'),
  Less: same('less'), LessEqual: same('lessOrEqual'), Greater: same('greater'), GreaterEqual: same('greaterOrEqual'),
  Equal: same('equal'), NotEqual: same('tfNotEqual'), LogicalAnd: same('and'), LogicalOr: same('or'), LogicalNot: same('not'),
  // tensor lists, one tensor with the list on its first axis (src/engine/kernels/tfList.ts)
  TensorListReserve: same('tfListReserve', (l) => ({ dtype: l.dtype('element_dtype') })),
  TensorListSetItem: (l) => l.finish('tfListSetItem', [l.input(0), l.input(1), l.input(2)], {}, 'tfListSetItem'),
  TensorListGetItem: same('tfListGetItem'),
  TensorListStack: same('tfListStack', (l) => ({ numElements: l.num('num_elements', -1) })),
  TensorListFromTensor: (l) => l.finish('identity', [l.input(0)], {}, 'identity'),
  TensorListLength: same('tfListLength'),
  TensorListElementShape: same('tfListElementShape'),
};

/** The lowering of a TF op, or the reason it has none (control flow, strings, an op the table lacks). */
export function loweringOf(op: string): Lower | string {
  const rule = TABLE[op];
  if (rule) return rule;
  if (CONTROL_FLOW.includes(op)) return 'TF1 control flow outside a well-formed loop frame (a TF1 conditional, or a loop missing a part) is not supported';
  if (/^(TensorList|TensorArray)/.test(op)) return 'this tensor list or tensor array op is not supported';
  if (/String|^(Substr|DecodeBase64|EncodeBase64|StaticRegex|Unicode)/.test(op)) return 'string tensors are not supported';
  return 'TF.js graph models with this op are not supported yet';
}

/** Every TF op the table maps, sorted, plus those the loader handles itself: Const, Placeholder, NoOp, and control flow (./frames.ts, ./functions.ts). */
export function supportedTfOps(): string[] {
  return [
    ...Object.keys(TABLE), 'Const', 'Placeholder', 'PlaceholderWithDefault', 'NoOp',
    'While', 'StatelessWhile', 'If', 'StatelessIf', 'Enter', 'Merge', 'Switch', 'Exit', 'NextIteration', 'LoopCond',
  ].sort();
}
