import { EngineError } from '../errors';
import { concat, split } from '../kernels/concat';
import { gather } from '../kernels/gather';
import { enumAttr, floatAttr, fmtShape, intAttr, intList, normalizeAxis } from '../kernels/opArgs';
import { pad } from '../kernels/pad';
import { resize } from '../kernels/resize';
import type { ResizeOptions } from '../kernels/resize';
import { gatherNd, sliceBySize, stridedSlice } from '../kernels/tfIndexing';
import { einsum } from '../kernels/tfMath';
import { transpose } from '../kernels/transpose';
import { Tensor } from '../tensor';
import { matmulGradRules } from './matmul';
import { broadcastRule, convTransposeGrad, routeBack, scatterAlong, total, unstackGrad, zeroRule } from './more';
import type { GradContext, GradRule } from './types';
import { differentiable, expandTo, gradOut, input } from './util';

/**
 * Gradient rules for the ops with TensorFlow semantics that TF.js graph models run (src/engine/ops/tf.ts). Their
 * operands (axes, perms, sizes, paddings, begin/end/strides, indices) arrive as tensors; those take no gradient.
 */

/** The integers of constant operand `i` (an axis, a perm, sizes). */
function ints(op: string, ctx: GradContext, i: number, name: string): number[] {
  return intList(op, name, input(ctx, i, op), undefined)!;
}

/** `t` with its last two axes swapped. */
function swapLast(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[t.rank - 2], perm[t.rank - 1]] = [t.rank - 1, t.rank - 2];
  return transpose(t, perm);
}

/**
 * tfMatMul: y = op(a)·op(b) with op a transpose of the last two axes when its flag is set. The matmul rule gives
 * ∂op(a) and ∂op(b) (batch axes summed back), which are transposed back for a flagged operand.
 */
const tfMatMulRule: GradRule = (ctx) => {
  const op = 'tfMatMul';
  const ta = intAttr(op, ctx.attrs, 'transposeA', 0) !== 0;
  const tb = intAttr(op, ctx.attrs, 'transposeB', 0) !== 0;
  const a = input(ctx, 0, op);
  const b = input(ctx, 1, op);
  const inputs = [ta ? swapLast(a) : a, tb ? swapLast(b) : b];
  const [ga, gb] = matmulGradRules.get('matmul')!({ inputs, outputs: ctx.outputs, attrs: {}, gradOutputs: [gradOut(ctx)] });
  return [ga && ta ? swapLast(ga) : ga, gb && tb ? swapLast(gb) : gb];
};

/** tfTranspose: g permuted by the inverse of the perm operand. */
const tfTransposeRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'tfTranspose');
  if (!differentiable(x)) return [undefined, undefined];
  const perm = ints('tfTranspose', ctx, 1, 'perm');
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return [transpose(gradOut(ctx), inverse), undefined];
};

/** tfConcat (ConcatV2): g cut back into the inputs' extents along the axis, the last operand. */
const tfConcatRule: GradRule = (ctx) => {
  const op = 'tfConcat';
  const xs = ctx.inputs.slice(0, -1).map((_, i) => input(ctx, i, op));
  const axis = normalizeAxis(op, ints(op, ctx, xs.length, 'axis')[0], xs[0].rank);
  const pieces = split(gradOut(ctx), axis, xs.map((t) => t.shape[axis]));
  return [...pieces.map((p, i) => (differentiable(xs[i]) ? p : undefined)), undefined];
};

/** tfPack: g cut along the new axis. */
const tfPackRule: GradRule = (ctx) => {
  const xs = ctx.inputs.map((_, i) => input(ctx, i, 'tfPack'));
  const axis = normalizeAxis('tfPack', intAttr('tfPack', ctx.attrs, 'axis', 0), xs[0].rank + 1);
  return unstackGrad('tfPack', xs, gradOut(ctx), axis);
};

/** tfUnpack: the outputs' gradients stacked back along the axis (zeros for an output that does not reach the loss). */
const tfUnpackRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'tfUnpack');
  if (!differentiable(x)) return [undefined];
  const axis = normalizeAxis('tfUnpack', intAttr('tfUnpack', ctx.attrs, 'axis', 0), x.rank);
  const slice = x.shape.map((d, i) => (i === axis ? 1 : d));
  return [concat(ctx.outputs.map((_, k) => gradOut(ctx, k).reshape(slice)), axis)];
};

/** tfSplit (axis first, value second) and tfSplitV (value, sizes, axis): the outputs' gradients joined back. */
const splitRule = (op: 'tfSplit' | 'tfSplitV'): GradRule => (ctx) => {
  const [v, a] = op === 'tfSplit' ? [1, 0] : [0, 2];
  const x = input(ctx, v, op);
  const grads: (Tensor | undefined)[] = ctx.inputs.map(() => undefined);
  if (!differentiable(x)) return grads;
  const axis = normalizeAxis(op, ints(op, ctx, a, 'axis')[0], x.rank);
  grads[v] = concat(ctx.outputs.map((_, k) => gradOut(ctx, k)), axis);
  return grads;
};

/** tfSlice: g written back to the positions the slice took, zeros elsewhere. */
const tfSliceRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'tfSlice');
  if (!differentiable(x)) return [undefined, undefined, undefined];
  const begin = ints('tfSlice', ctx, 1, 'begin');
  const size = ints('tfSlice', ctx, 2, 'size');
  return [routeBack('tfSlice', x, gradOut(ctx), (p) => sliceBySize(p, begin, size)), undefined, undefined];
};

/**
 * tfStridedSlice: every mask (begin, end, ellipsis, new-axis, shrink) and negative strides, since the forward
 * kernel itself maps each output element to its source; positions never repeat.
 */
const tfStridedSliceRule: GradRule = (ctx) => {
  const op = 'tfStridedSlice';
  const x = input(ctx, 0, op);
  if (!differentiable(x)) return [undefined, undefined, undefined, undefined];
  const [begin, end, strides] = [1, 2, 3].map((i) => ints(op, ctx, i, ['begin', 'end', 'strides'][i - 1]));
  const m = (k: string): number => intAttr(op, ctx.attrs, k, 0);
  const masks = { beginMask: m('beginMask'), endMask: m('endMask'), ellipsisMask: m('ellipsisMask'), newAxisMask: m('newAxisMask'), shrinkAxisMask: m('shrinkAxisMask') };
  return [routeBack(op, x, gradOut(ctx), (p) => stridedSlice(p, begin, end, strides, masks)), undefined, undefined, undefined];
};

/** tfGather (GatherV2, batch_dims 0): g added into the slices the indices picked; a repeated index accumulates. */
const tfGatherRule: GradRule = (ctx) => {
  const op = 'tfGather';
  const params = input(ctx, 0, op);
  const indices = input(ctx, 1, op);
  const none = ctx.inputs.slice(1).map(() => undefined);
  if (!differentiable(params)) return [undefined, ...none];
  if (intAttr(op, ctx.attrs, 'batchDims', 0) !== 0) throw new EngineError('has no gradient for batch_dims other than 0', op);
  const axis = ctx.inputs[2] ? normalizeAxis(op, ints(op, ctx, 2, 'axis')[0], params.rank) : 0;
  return [routeBack(op, params, gradOut(ctx), (p) => gather(p, indices, axis)), ...none];
};

/** tfGatherNd: g added into the slices the index tuples picked. */
const tfGatherNdRule: GradRule = (ctx) => {
  const params = input(ctx, 0, 'tfGatherNd');
  const indices = input(ctx, 1, 'tfGatherNd');
  if (!differentiable(params)) return [undefined, undefined];
  return [routeBack('tfGatherNd', params, gradOut(ctx), (p) => gatherNd(p, indices)), undefined];
};

/**
 * The [out × in] interpolation weights of one spatial axis (1: height, 2: width) of a bilinear tfResize, read off
 * the forward kernel: the identity resized along that axis alone, its basis vectors in the channel axis.
 */
function axisWeights(axis: 1 | 2, n: number, m: number, opts: ResizeOptions): Float32Array {
  const eye = Tensor.zeros(axis === 1 ? [1, n, 1, n] : [1, 1, n, n], 'float32');
  for (let k = 0; k < n; k++) eye.data[k * n + k] = 1;
  return resize(eye, axis === 1 ? [1, m, 1, n] : [1, 1, m, n], axis === 1 ? [1, m / n, 1, 1] : [1, 1, m / n, 1], opts).data as Float32Array;
}

/**
 * tfResize (ResizeBilinear, ResizeNearestNeighbor) with the forward's corner and centre conventions. Nearest:
 * each input pixel gets the sum of g over the output pixels that copy it. Bilinear is separable, out =
 * Wy·x·Wxᵀ per image and channel, so ∂x = Wyᵀ·g·Wx with the per-axis weights taken from the forward kernel.
 */
const tfResizeRule: GradRule = (ctx) => {
  const op = 'tfResize';
  const images = input(ctx, 0, op);
  if (!differentiable(images)) return [undefined, undefined];
  const method = enumAttr(op, ctx.attrs, 'method', ['bilinear', 'nearest'], 'bilinear');
  const [outH, outW] = ints(op, ctx, 1, 'size');
  const align = intAttr(op, ctx.attrs, 'alignCorners', 0) !== 0;
  const half = intAttr(op, ctx.attrs, 'halfPixelCenters', 0) !== 0;
  const [n, h, w, c] = images.shape;
  const g = gradOut(ctx);
  if (method === 'nearest') {
    const opts: ResizeOptions = {
      mode: 'nearest',
      coordinateTransformationMode: align ? 'align_corners' : half ? 'tf_half_pixel_for_nn' : 'asymmetric',
      nearestMode: align ? 'round_prefer_ceil' : 'floor',
    };
    return [routeBack(op, images, g, (p) => resize(p, [n, outH, outW, c], [1, outH / h, outW / w, 1], opts)), undefined];
  }
  const opts: ResizeOptions = { mode: 'linear', coordinateTransformationMode: align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric' };
  const wy = axisWeights(1, h, outH, opts);
  const wx = axisWeights(2, w, outW, opts);
  // t[b, a, j, k] = Σ_i Wy[i, a]·g[b, i, j, k], then ∂x[b, a, x, k] = Σ_j Wx[j, x]·t[b, a, j, k].
  const t = new Float32Array(n * h * outW * c);
  const dx = Tensor.zeros(images.shape, 'float32');
  const gd = g.data;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < outH; i++) {
      for (let a = 0; a < h; a++) {
        const wgt = wy[i * h + a];
        if (wgt === 0) continue;
        for (let jk = 0; jk < outW * c; jk++) t[(b * h + a) * outW * c + jk] += wgt * gd[(b * outH + i) * outW * c + jk];
      }
    }
    for (let a = 0; a < h; a++) {
      for (let j = 0; j < outW; j++) {
        for (let x = 0; x < w; x++) {
          const wgt = wx[j * w + x];
          if (wgt === 0) continue;
          for (let k = 0; k < c; k++) dx.data[((b * h + a) * w + x) * c + k] += wgt * t[((b * h + a) * outW + j) * c + k];
        }
      }
    }
  }
  return [dx, undefined];
};

/** tfTopK: the values' gradient goes back along the last axis to where the indices output says each came from. */
const tfTopKRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'tfTopK');
  if (!differentiable(x)) return [undefined, undefined];
  return [scatterAlong('tfTopK', x, gradOut(ctx), ctx.outputs[1], -1), undefined];
};

/** tfFill: a float value operand gets the sum of g, since every element is a copy of it. */
const tfFillRule: GradRule = (ctx) => {
  const value = input(ctx, 1, 'tfFill');
  return [undefined, differentiable(value) ? Tensor.from(value.shape, [total(gradOut(ctx))], 'float32') : undefined];
};

/**
 * tfPad (Pad, PadV2, MirrorPad REFLECT): each input element gets the gradient of every output element that
 * copies it (a reflected border copies some twice); the constant value, when it is a float operand, gets the
 * gradient of the border it fills.
 */
const tfPadRule: GradRule = (ctx) => {
  const op = 'tfPad';
  const x = input(ctx, 0, op);
  const p = ints(op, ctx, 1, 'paddings');
  if (p.length !== 2 * x.rank) throw new EngineError(`paddings has ${p.length} values but an input of rank ${x.rank} needs ${2 * x.rank}`, op);
  const mode = enumAttr(op, ctx.attrs, 'mode', ['constant', 'reflect', 'symmetric'], 'constant');
  if (mode === 'symmetric') throw new EngineError(`has no gradient for mode 'symmetric'`, op);
  const pads = [...p.filter((_, k) => k % 2 === 0), ...p.filter((_, k) => k % 2 === 1)];
  const g = gradOut(ctx);
  const gx = routeBack(op, x, g, (t) => pad(t, pads, mode, 0));
  const value = ctx.inputs[2];
  const gv = differentiable(value) && mode === 'constant' ? Tensor.from(value.shape, [total(g) - total(gx)], 'float32') : undefined;
  return [differentiable(x) ? gx : undefined, undefined, ...(ctx.inputs.length > 2 ? [gv] : [])];
};

/** tfFloorMod: a − floor(a/b)·b, so ∂a = g and ∂b = −floor(a/b)·g between the steps of the floor. */
const tfFloorModRule = broadcastRule('tfFloorMod', (a, b, _y, g) => [g, -Math.floor(a / b) * g]);

/** tfSquaredDifference: (a − b)², so ∂a = 2(a − b)·g and ∂b = −2(a − b)·g, each summed to its operand's shape. */
const tfSquaredDifferenceRule = broadcastRule('tfSquaredDifference', (a, b, _y, g) => [2 * (a - b) * g, -2 * (a - b) * g]);

/**
 * tfBatchNorm (inference FusedBatchNorm, channels last): y = scale·(x − mean)/√(var + ε) + offset, so
 * ∂x = g·scale/√(var + ε), ∂scale = Σ g·(x − mean)/√(var + ε), ∂offset = Σ g. The moving mean and variance
 * are statistics, not trained weights: they get a zero gradient (so a training step leaves them as they are),
 * and the outputs that pass them through carry no gradient back.
 */
const tfBatchNormRule: GradRule = (ctx) => {
  const op = 'tfBatchNorm';
  const [x, scale, offset, mean, variance] = [0, 1, 2, 3, 4].map((i) => input(ctx, i, op));
  const c = x.shape[x.rank - 1];
  for (const [name, t] of [['scale', scale], ['offset', offset], ['mean', mean], ['variance', variance]] as const) {
    if (t.size !== c) throw new EngineError(`${name} has ${t.size} elements but the input ${fmtShape(x.shape)} has ${c} channels`, op);
  }
  const eps = floatAttr(op, ctx.attrs, 'epsilon', 1e-3);
  const g = gradOut(ctx).data;
  const dx = Tensor.zeros(x.shape, 'float32');
  const ds = Tensor.zeros(scale.shape, 'float32');
  const db = Tensor.zeros(offset.shape, 'float32');
  const inv = Array.from({ length: c }, (_, k) => 1 / Math.sqrt(Number(variance.data[k]) + eps));
  for (let i = 0; i < x.size; i++) {
    const k = i % c;
    dx.data[i] = g[i] * Number(scale.data[k]) * inv[k];
    ds.data[k] += g[i] * (Number(x.data[i]) - Number(mean.data[k])) * inv[k];
    db.data[k] += g[i];
  }
  const zero = (t: Tensor): Tensor | undefined => (differentiable(t) ? Tensor.zeros(t.shape, 'float32') : undefined);
  return [differentiable(x) ? dx : undefined, differentiable(scale) ? ds : undefined, differentiable(offset) ? db : undefined, zero(mean), zero(variance)];
};

/** [N, H, W, C] → NCHW and back. */
const toNchw = (t: Tensor): Tensor => transpose(t, [0, 3, 1, 2]);
const toNhwc = (t: Tensor): Tensor => transpose(t, [0, 2, 3, 1]);

/**
 * tfConv2DBackpropInput: the forward is the input-gradient of a conv2d of an image of input_sizes by the filter,
 * so its own gradients are that conv2d's forward and weight gradient: ∂out_backprop = conv2d(g, filter) and
 * ∂filter = the conv weight gradient with g as the image and out_backprop as the output gradient, both with
 * the forward's strides, dilations and padding: the convTranspose rule in NHWC.
 */
const tfConv2DBackpropInputRule: GradRule = (ctx) => {
  const op = 'tfConv2DBackpropInput';
  const sizes = ints(op, ctx, 0, 'input_sizes');
  const w = input(ctx, 1, op);
  const dy = input(ctx, 2, op);
  if (sizes.length !== 4 || w.rank !== 4 || dy.rank !== 4) throw new EngineError('input_sizes, filter and out_backprop must describe rank-4 NHWC tensors', op);
  if (!differentiable(w) && !differentiable(dy)) return [undefined, undefined, undefined];
  const same = enumAttr(op, ctx.attrs, 'padding', ['SAME', 'VALID'], 'VALID') === 'SAME';
  // The forward's convTranspose in NCHW: out_backprop is its input and the filter [h, w, in, out] its [out, in, h, w] weight.
  const { dx, dw } = convTransposeGrad(op, toNchw(dy), transpose(w, [3, 2, 0, 1]), toNchw(gradOut(ctx)) as Tensor<'float32'>, {
    strides: intList(op, 'strides', undefined, ctx.attrs.strides) ?? [1, 1],
    dilations: intList(op, 'dilations', undefined, ctx.attrs.dilations) ?? [1, 1],
    autoPad: same ? 'SAME_UPPER' : 'NOTSET',
    outputShape: sizes.slice(1, 3),
  });
  return [undefined, differentiable(w) ? transpose(dw, [2, 3, 1, 0]) : undefined, differentiable(dy) ? toNhwc(dx) : undefined];
};

/**
 * tfEinsum with one or two operands: ∂A = einsum(out,B->A) (or einsum(out->A) alone), the usual rule for a sum of
 * products. A label only A has was summed over, so its gradient is computed without it and broadcast back. A
 * label repeated inside the differentiated operand or the output (a diagonal) is refused.
 */
const tfEinsumRule: GradRule = (ctx) => {
  const op = 'tfEinsum';
  const eq = String(ctx.attrs.equation ?? '').replace(/\s+/g, '');
  const m = /^([a-zA-Z]*)(?:,([a-zA-Z]*))?->([a-zA-Z]*)$/.exec(eq);
  if (!m) throw new EngineError(`has no gradient for equation '${eq}' (one or two operands and an explicit output are read)`, op);
  const terms = m[2] === undefined ? [m[1]] : [m[1], m[2]];
  const out = m[3];
  const g = gradOut(ctx);
  return terms.map((term, k) => {
    const x = input(ctx, k, op);
    if (!differentiable(x)) return undefined;
    for (const t of [term, out]) {
      if (new Set(t).size !== t.length) throw new EngineError(`has no gradient for the repeated label in '${t}' of equation '${eq}'`, op);
    }
    const others = terms.length === 2 ? [1 - k] : [];
    const seen = out + others.map((j) => terms[j]).join('');
    const kept = [...term].filter((l) => seen.includes(l)).join('');
    const r = einsum(`${[out, ...others.map((j) => terms[j])].join(',')}->${kept}`, [g, ...others.map((j) => input(ctx, j, op))]);
    return expandTo(r.reshape(x.shape.map((d, i) => (kept.includes(term[i]) ? d : 1))), x.shape, op);
  });
};

/** The rules of this file, keyed by engine op name; merged into the full table by ./index. */
export const tfGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['tfMatMul', tfMatMulRule],
  ['tfTranspose', tfTransposeRule],
  ['tfConcat', tfConcatRule],
  ['tfPack', tfPackRule],
  ['tfUnpack', tfUnpackRule],
  ['tfSplit', splitRule('tfSplit')],
  ['tfSplitV', splitRule('tfSplitV')],
  ['tfSlice', tfSliceRule],
  ['tfStridedSlice', tfStridedSliceRule],
  ['tfGather', tfGatherRule],
  ['tfPad', tfPadRule],
  ['tfSquaredDifference', tfSquaredDifferenceRule],
  ['tfBatchNorm', tfBatchNormRule],
  ['tfConv2DBackpropInput', tfConv2DBackpropInputRule],
  ['tfEinsum', tfEinsumRule],
  ['tfGatherNd', tfGatherNdRule],
  ['tfResize', tfResizeRule],
  ['tfTopK', tfTopKRule],
  ['tfFill', tfFillRule],
  // Shapes, comparisons, arg-max and floor division are locally constant in their float inputs. (tfjs gives
  // FloorDiv the gradient of a real division instead; the floor is flat between its steps.)
  ['tfShape', zeroRule],
  ['tfNotEqual', zeroRule],
  ['tfArgMax', zeroRule],
  ['tfFloorDiv', zeroRule],
  ['tfFloorMod', tfFloorModRule],
]);
