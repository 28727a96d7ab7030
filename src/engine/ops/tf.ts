import { EngineError } from '../errors';
import type { Attrs, OpDef } from '../registry';
import { Tensor } from '../tensor';
import { argMax } from '../kernels/reduce';
import { concat, split } from '../kernels/concat';
import { convTranspose } from '../kernels/convTranspose';
import { gather } from '../kernels/gather';
import { matmul } from '../kernels/matmul';
import { enumAttr, floatAttr, intAttr, intList, normalizeAxis, required } from '../kernels/opArgs';
import { pad } from '../kernels/pad';
import { squeeze, unsqueeze } from '../kernels/reshape';
import { resize } from '../kernels/resize';
import { gatherNd, sliceBySize, stridedSlice, whereIndices } from '../kernels/tfIndexing';
import { batchNormLastAxis, einsum, floorDiv, floorMod, nonMaxSuppression, squaredDifference } from '../kernels/tfMath';
import { knownShape, listGetItem, listReserve, listSetItem, listStack, unshaped } from '../kernels/tfList';
import { topK } from '../kernels/topK';
import { broadcasting, matmulShape, needShape, normAxis, ShapeError } from '../shapeRules';
import type { DType, Shape } from '../tensor';
import { transpose } from '../kernels/transpose';

/**
 * Ops with TensorFlow semantics, for TF.js graph models (docs/tfjs-graph.md): their operands (axes, sizes,
 * paddings) arrive as tensors at run time as TF passes them, images are channels-last, and integer results
 * are int32 as TensorFlow.js gives them.
 */

const ints = (op: string, name: string, t: Tensor | undefined): number[] => intList(op, name, required(op, [t], 0, name), undefined)!;
const scalar = (op: string, name: string, t: Tensor | undefined): number => {
  const v = ints(op, name, t);
  if (v.length !== 1) throw new EngineError(`'${name}' must be a scalar, got ${v.length} values`, op);
  return v[0];
};
const int32 = (t: Tensor): Tensor<'int32'> => new Tensor('int32', t.shape, Int32Array.from(t.data as ArrayLike<number>));
const flag = (op: string, attrs: Attrs, name: string): boolean => intAttr(op, attrs, name, 0) !== 0;

function def(name: string, doc: string, minInputs: number, maxInputs: number, run: OpDef['run'], shape?: OpDef['shape']): OpDef {
  return shape ? { name, doc, minInputs, maxInputs, run, shape } : { name, doc, minInputs, maxInputs, run };
}

/** Shape rules of the ops whose result shape follows from input shapes and attributes alone (the rest read operand values). */
const swapLast = (s: Shape, t: boolean): Shape => (t && s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : s);
const SHAPES: Readonly<Record<string, OpDef['shape']>> = {
  tfPack: (inputs, attrs) => {
    const s = needShape('tfPack', inputs, 0);
    const axis = normAxis(Number(attrs.axis ?? 0), s.length + 1);
    return [[...s.slice(0, axis), inputs.length, ...s.slice(axis)]];
  },
  tfUnpack: (inputs, attrs) => {
    const s = needShape('tfUnpack', inputs, 0);
    const axis = normAxis(Number(attrs.axis ?? 0), s.length);
    return new Array<Shape>(s[axis]).fill([...s.slice(0, axis), ...s.slice(axis + 1)]);
  },
  tfShape: (inputs) => [[needShape('tfShape', inputs, 0).length]],
  tfMatMul: (inputs, attrs) => [matmulShape(swapLast(needShape('tfMatMul', inputs, 0), attrs.transposeA === true), swapLast(needShape('tfMatMul', inputs, 1), attrs.transposeB === true))],
  tfFloorDiv: broadcasting('tfFloorDiv'),
  tfFloorMod: broadcasting('tfFloorMod'),
  tfSquaredDifference: broadcasting('tfSquaredDifference'),
  tfNotEqual: broadcasting('tfNotEqual'),
  tfListSetItem: (inputs) => {
    const list = needShape('tfListSetItem', inputs, 0);
    const item = needShape('tfListSetItem', inputs, 2);
    if (list.length === 0) throw new ShapeError('tfListSetItem needs a list of rank 1 or more');
    const element = list.slice(1);
    if (element.length === item.length && element.every((d, k) => d === item[k])) return [list];
    if (list.length === 2 && list[1] === 0) return [[list[0], ...item]];
    throw new ShapeError(`tfListSetItem: an item of shape [${item.join(', ')}] does not fit a list of shape [${list.join(', ')}]`);
  },
};

/** [N, H, W, C] → NCHW and back, around a channels-first kernel. */
const toNchw = (t: Tensor): Tensor => transpose(t, [0, 3, 1, 2]);
const toNhwc = (t: Tensor): Tensor => transpose(t, [0, 2, 3, 1]);

function resizeNhwc(images: Tensor, size: readonly number[], attrs: Attrs): Tensor {
  const op = 'tfResize';
  if (images.rank !== 4) throw new EngineError(`images must be [batch, height, width, channels], got rank ${images.rank}`, op);
  if (size.length !== 2 || size.some((s) => !Number.isInteger(s) || s <= 0)) throw new EngineError(`size must be two positive integers, got [${size.join(', ')}]`, op);
  const method = enumAttr(op, attrs, 'method', ['bilinear', 'nearest'], 'bilinear');
  const align = flag(op, attrs, 'alignCorners');
  const half = flag(op, attrs, 'halfPixelCenters');
  const [n, h, w, c] = images.shape;
  const out = [n, size[0], size[1], c];
  const scales = [1, size[0] / h, size[1] / w, 1];
  if (method === 'bilinear') {
    const mode = align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric';
    return resize(images.dtype === 'float32' ? images : Tensor.from(images.shape, images.data, 'float32'), out, scales, { mode: 'linear', coordinateTransformationMode: mode });
  }
  const mode = align ? 'align_corners' : half ? 'tf_half_pixel_for_nn' : 'asymmetric';
  return resize(images, out, scales, { mode: 'nearest', coordinateTransformationMode: mode, nearestMode: align ? 'round_prefer_ceil' : 'floor' });
}

/** Batched matmul with the last two axes of a or b transposed first (TF MatMul, BatchMatMulV2). */
function matmulT(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  const swap = (t: Tensor): Tensor => transpose(t, [...Array.from({ length: t.rank - 2 }, (_, i) => i), t.rank - 1, t.rank - 2]);
  return matmul(ta ? swap(a) : a, tb ? swap(b) : b);
}

const table: readonly OpDef[] = [
  def('tfTranspose', 'Permutes the axes by the perm tensor (TF Transpose).', 2, 2,
    (i) => [transpose(required('tfTranspose', i, 0, 'x'), ints('tfTranspose', 'perm', i[1]))]),
  def('tfConcat', 'Joins its inputs along the axis given as the last input (TF ConcatV2).', 2, Infinity, (i) => {
    const xs = i.slice(0, -1).map((t, k) => required('tfConcat', i, k, `values[${k}]`));
    return [concat(xs, normalizeAxis('tfConcat', scalar('tfConcat', 'axis', i[i.length - 1]), xs[0].rank))];
  }),
  def('tfPack', 'Stacks its inputs along a new axis (TF Pack).', 1, Infinity, (i, attrs) => {
    const xs = i.map((t, k) => required('tfPack', i, k, `values[${k}]`));
    const axis = normalizeAxis('tfPack', intAttr('tfPack', attrs, 'axis', 0), xs[0].rank + 1);
    return [concat(xs.map((x) => unsqueeze(x, [axis])), axis)];
  }),
  def('tfUnpack', 'Cuts the input along an axis into its slices, the axis dropped (TF Unpack).', 1, 1, (i, attrs) => {
    const x = required('tfUnpack', i, 0, 'value');
    const axis = normalizeAxis('tfUnpack', intAttr('tfUnpack', attrs, 'axis', 0), x.rank);
    return split(x, axis, new Array<number>(x.shape[axis]).fill(1)).map((p) => squeeze(p, [axis]));
  }),
  def('tfSplit', 'Cuts the second input into numSplit equal pieces along the axis given first (TF Split).', 2, 2, (i, attrs) => {
    const x = required('tfSplit', i, 1, 'value');
    const axis = normalizeAxis('tfSplit', scalar('tfSplit', 'axis', i[0]), x.rank);
    const n = intAttr('tfSplit', attrs, 'numSplit', 1);
    if (n < 1 || x.shape[axis] % n !== 0) throw new EngineError(`axis ${axis} of size ${x.shape[axis]} does not split into ${n} equal pieces`, 'tfSplit');
    return split(x, axis, new Array<number>(n).fill(x.shape[axis] / n));
  }),
  def('tfSplitV', 'Cuts the input into pieces of the given sizes (one may be -1) along an axis (TF SplitV).', 3, 3, (i) => {
    const x = required('tfSplitV', i, 0, 'value');
    const axis = normalizeAxis('tfSplitV', scalar('tfSplitV', 'axis', i[2]), x.rank);
    const sizes = ints('tfSplitV', 'size_splits', i[1]);
    const open = sizes.indexOf(-1);
    if (open >= 0) sizes[open] = x.shape[axis] - sizes.reduce((a, s, k) => (k === open ? a : a + s), 0);
    return split(x, axis, sizes);
  }),
  def('tfSlice', 'size[i] elements from begin[i] on each axis; -1 takes the rest (TF Slice).', 3, 3,
    (i) => [sliceBySize(required('tfSlice', i, 0, 'input'), ints('tfSlice', 'begin', i[1]), ints('tfSlice', 'size', i[2]))]),
  def('tfStridedSlice', 'NumPy-style slicing with begin, end and ellipsis, new-axis and shrink masks (TF StridedSlice).', 4, 4, (i, attrs) => {
    const m = (k: string): number => intAttr('tfStridedSlice', attrs, k, 0);
    return [stridedSlice(required('tfStridedSlice', i, 0, 'input'), ints('tfStridedSlice', 'begin', i[1]), ints('tfStridedSlice', 'end', i[2]), ints('tfStridedSlice', 'strides', i[3]),
      { beginMask: m('beginMask'), endMask: m('endMask'), ellipsisMask: m('ellipsisMask'), newAxisMask: m('newAxisMask'), shrinkAxisMask: m('shrinkAxisMask') })];
  }),
  def('tfGather', 'Picks slices of params along the axis given as the third input (TF GatherV2; batch_dims 0).', 2, 3, (i, attrs) => {
    if (intAttr('tfGather', attrs, 'batchDims', 0) !== 0) throw new EngineError('batch_dims other than 0 is not supported', 'tfGather');
    const params = required('tfGather', i, 0, 'params');
    const axis = i[2] ? normalizeAxis('tfGather', scalar('tfGather', 'axis', i[2]), params.rank) : 0;
    return [gather(params, required('tfGather', i, 1, 'indices'), axis)];
  }),
  def('tfGatherNd', 'The last axis of indices indexes the leading axes of params (TF GatherNd).', 2, 2,
    (i) => [gatherNd(required('tfGatherNd', i, 0, 'params'), required('tfGatherNd', i, 1, 'indices'))]),
  def('tfPad', 'Pads each axis by paddings [rank, 2]: constant (value from the third input), reflect or symmetric (TF Pad, PadV2, MirrorPad).', 2, 3, (i, attrs) => {
    const x = required('tfPad', i, 0, 'input');
    const p = ints('tfPad', 'paddings', i[1]);
    if (p.length !== 2 * x.rank) throw new EngineError(`paddings has ${p.length} values but an input of rank ${x.rank} needs ${2 * x.rank}`, 'tfPad');
    const mode = enumAttr('tfPad', attrs, 'mode', ['constant', 'reflect', 'symmetric'], 'constant');
    if (mode === 'symmetric') throw new EngineError('MirrorPad mode SYMMETRIC is not supported (REFLECT is)', 'tfPad');
    const pads = [...p.filter((_, k) => k % 2 === 0), ...p.filter((_, k) => k % 2 === 1)];
    return [pad(x, pads, mode, i[2] ? Number(i[2].data[0]) : 0)];
  }),
  def('tfResize', 'Bilinear or nearest resampling of NHWC images to size [h, w], with align_corners and half_pixel_centers (TF ResizeBilinear, ResizeNearestNeighbor).', 2, 2,
    (i, attrs) => [resizeNhwc(required('tfResize', i, 0, 'images'), ints('tfResize', 'size', i[1]), attrs)]),
  def('tfShape', 'The input shape as an int32 vector (TF Shape).', 1, 1, (i) => [new Tensor('int32', [required('tfShape', i, 0, 'input').rank], Int32Array.from(i[0]!.shape))]),
  def('tfFill', 'A tensor of shape dims filled with the scalar value (TF Fill).', 2, 2, (i) => {
    const dims = ints('tfFill', 'dims', i[0]);
    const v = required('tfFill', i, 1, 'value');
    if (v.size !== 1) throw new EngineError(`value must be a scalar, got ${v.size} elements`, 'tfFill');
    return [broadcastScalar(v, dims)];
  }),
  def('tfWhere', 'The coordinates of the true elements, [count, rank] int32 (TF Where with one input).', 1, 1, (i) => [whereIndices(required('tfWhere', i, 0, 'condition'))]),
  def('tfArgMax', 'Index of the largest element along the axis given as the second input, int32 (TF ArgMax).', 2, 2, (i) => {
    const x = required('tfArgMax', i, 0, 'input');
    return [int32(argMax(x, normalizeAxis('tfArgMax', scalar('tfArgMax', 'axis', i[1]), x.rank), false))];
  }),
  def('tfTopK', 'The k largest elements along the last axis and their int32 indices (TF TopKV2).', 2, 2, (i) => {
    const [v, k] = topK(required('tfTopK', i, 0, 'input'), scalar('tfTopK', 'k', i[1]), -1, true);
    return [v, int32(k)];
  }),
  def('tfNonMaxSuppression', 'Greedy non-max suppression of boxes by score: selected int32 indices, then (V5) their scores and (V4, V5) how many (TF NonMaxSuppressionV3/V4/V5).', 3, 6, (i, attrs) => {
    const op = 'tfNonMaxSuppression';
    const num = (k: number, name: string, fallback: number): number => (i[k] ? Number(required(op, i, k, name).data[0]) : fallback);
    if (num(5, 'soft_nms_sigma', 0) !== 0) throw new EngineError('soft non-max suppression (sigma other than 0) is not supported', op);
    const max = num(2, 'max_output_size', 0);
    const r = nonMaxSuppression(required(op, i, 0, 'boxes'), required(op, i, 1, 'scores'), max, num(3, 'iou_threshold', 0.5), num(4, 'score_threshold', -Infinity));
    const version = intAttr(op, attrs, 'version', 3);
    const padded = flag(op, attrs, 'padToMaxOutputSize');
    const count = r.indices.length;
    const idx = padded ? [...r.indices, ...new Array<number>(Math.max(0, max - count)).fill(0)] : r.indices;
    const scores = padded ? [...r.scores, ...new Array<number>(Math.max(0, max - count)).fill(0)] : r.scores;
    const indices = new Tensor('int32', [idx.length], Int32Array.from(idx));
    const valid = new Tensor('int32', [], Int32Array.of(count));
    if (version === 5) return [indices, new Tensor('float32', [scores.length], Float32Array.from(scores)), valid];
    return version === 4 ? [indices, valid] : [indices];
  }),
  def('tfBatchNorm', 'Inference batch normalisation over the last axis (NHWC) with stored mean and variance (TF FusedBatchNorm, V2, V3).', 5, 5, (i, attrs) => {
    const op = 'tfBatchNorm';
    const [x, scale, offset, mean, variance] = [0, 1, 2, 3, 4].map((k) => required(op, i, k, ['x', 'scale', 'offset', 'mean', 'variance'][k]));
    return [batchNormLastAxis(x, scale, offset, mean, variance, floatAttr(op, attrs, 'epsilon', 1e-3)), mean, variance, mean, variance, new Tensor('float32', [0], new Float32Array(0))];
  }),
  def('tfMatMul', 'Batched matrix product with either operand\'s last two axes transposed first (TF MatMul, BatchMatMulV2).', 2, 2, (i, attrs) =>
    [matmulT(required('tfMatMul', i, 0, 'a'), required('tfMatMul', i, 1, 'b'), flag('tfMatMul', attrs, 'transposeA'), flag('tfMatMul', attrs, 'transposeB'))]),
  def('tfConv2DBackpropInput', 'Transposed 2-D convolution of NHWC dy by a [h, w, out, in] filter to input_sizes (TF Conv2DBackpropInput).', 3, 3, (i, attrs) => {
    const op = 'tfConv2DBackpropInput';
    const sizes = ints(op, 'input_sizes', i[0]);
    const w = required(op, i, 1, 'filter');
    const dy = required(op, i, 2, 'out_backprop');
    if (sizes.length !== 4 || w.rank !== 4 || dy.rank !== 4) throw new EngineError('input_sizes, filter and out_backprop must describe rank-4 NHWC tensors', op);
    const strides = intList(op, 'strides', undefined, attrs.strides) ?? [1, 1];
    const dilations = intList(op, 'dilations', undefined, attrs.dilations) ?? [1, 1];
    const same = enumAttr(op, attrs, 'padding', ['SAME', 'VALID'], 'VALID') === 'SAME';
    const y = convTranspose(toNchw(dy), transpose(w, [3, 2, 0, 1]), undefined, {
      kernelShape: [w.shape[0], w.shape[1]], strides, dilations, autoPad: same ? 'SAME_UPPER' : 'NOTSET', outputShape: [sizes[1], sizes[2]],
    });
    return [toNhwc(y)];
  }),
  def('tfFloorDiv', 'floor(a / b), broadcast (TF FloorDiv).', 2, 2, (i) => [floorDiv(required('tfFloorDiv', i, 0, 'a'), required('tfFloorDiv', i, 1, 'b'))]),
  def('tfFloorMod', 'a − floor(a / b) · b, the sign of b, broadcast (TF FloorMod).', 2, 2, (i) => [floorMod(required('tfFloorMod', i, 0, 'a'), required('tfFloorMod', i, 1, 'b'))]),
  def('tfSquaredDifference', '(a − b)², broadcast (TF SquaredDifference).', 2, 2,
    (i) => [squaredDifference(required('tfSquaredDifference', i, 0, 'a'), required('tfSquaredDifference', i, 1, 'b'))]),
  def('tfNotEqual', 'a != b elementwise, broadcast; bool (TF NotEqual).', 2, 2, (i) => {
    const e = squaredDifference(required('tfNotEqual', i, 0, 'a'), required('tfNotEqual', i, 1, 'b'));
    return [new Tensor('bool', e.shape, Uint8Array.from(e.data as ArrayLike<number>, (v) => (v !== 0 ? 1 : 0)))];
  }),
  def('tfListReserve', 'A tensor list of n items of element_shape, zeros, as one tensor [n, ...element]; [n, 0] until an item is set when the shape is open (TF TensorListReserve).', 2, 2, (i, attrs) => {
    const es = required('tfListReserve', i, 0, 'element_shape');
    const dtype = enumAttr('tfListReserve', attrs, 'dtype', ['float32', 'int32', 'bool'], 'float32');
    return [listReserve(knownShape(ints('tfListReserve', 'element_shape', es), es.rank === 0), scalar('tfListReserve', 'num_elements', i[1]), dtype)];
  }),
  def('tfListSetItem', 'The list with item index replaced by item: a scatter of one slice along axis 0 (TF TensorListSetItem).', 3, 3,
    (i) => [listSetItem(required('tfListSetItem', i, 0, 'list'), scalar('tfListSetItem', 'index', i[1]), required('tfListSetItem', i, 2, 'item'))]),
  def('tfListGetItem', 'Item index of the list: a gather along axis 0 (TF TensorListGetItem).', 2, 3, (i) => {
    const es = i[2];
    return [listGetItem(required('tfListGetItem', i, 0, 'list'), scalar('tfListGetItem', 'index', i[1]), es ? knownShape(ints('tfListGetItem', 'element_shape', es), es.rank === 0) : undefined)];
  }),
  def('tfListStack', 'The items stacked along a new first axis: the list itself (TF TensorListStack).', 1, 2, (i, attrs) => {
    const es = i[1];
    return [listStack(required('tfListStack', i, 0, 'list'), es ? knownShape(ints('tfListStack', 'element_shape', es), es.rank === 0) : undefined, intAttr('tfListStack', attrs, 'numElements', -1))];
  }),
  def('tfListLength', 'The number of items of the list, an int32 scalar (TF TensorListLength).', 1, 1,
    (i) => [Tensor.scalar(required('tfListLength', i, 0, 'list').shape[0] ?? 0, 'int32')]),
  def('tfListElementShape', "The list's element shape as an int32 vector; -1 while it is open (TF TensorListElementShape).", 1, 1, (i) => {
    const list = required('tfListElementShape', i, 0, 'list');
    return [unshaped(list) ? Tensor.scalar(-1, 'int32') : new Tensor('int32', [list.rank - 1], Int32Array.from(list.shape.slice(1)))];
  }),
  def('tfEinsum', 'Einsum of one or two operands with an explicit output (TF Einsum).', 1, 2,
    (i, attrs) => [einsum(String(attrs.equation ?? ''), i.map((t, k) => required('tfEinsum', i, k, `inputs[${k}]`)))]),
];

export const tfOps: readonly OpDef[] = table.map((d) => (SHAPES[d.name] ? def(d.name, d.doc, d.minInputs, d.maxInputs, d.run, SHAPES[d.name]) : d));

/** A scalar tensor repeated to `dims`. */
function broadcastScalar<D extends DType>(t: Tensor<D>, dims: readonly number[]): Tensor<D> {
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new EngineError(`dims [${dims.join(', ')}] must be non-negative integers`, 'tfFill');
  const size = dims.reduce((a, d) => a * d, 1);
  if (size > 2 ** 31 - 1) throw new EngineError(`dims [${dims.join(', ')}] ask for ${size} elements, more than one tensor holds`, 'tfFill');
  const data = new (t.data.constructor as new (n: number) => Tensor<D>['data'])(size);
  data.fill(t.data[0] as never);
  return new Tensor(t.dtype, dims, data);
}
