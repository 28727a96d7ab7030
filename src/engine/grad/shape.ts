import { EngineError } from '../errors';
import { concat, split } from '../kernels/concat';
import { enumAttr, intAttr, intList, normalizeAxes, normalizeAxis, numberList, prod } from '../kernels/opArgs';
import { PAD_MODES, pad } from '../kernels/pad';
import { sliceRange } from '../kernels/slice';
import { transpose } from '../kernels/transpose';
import { stridesOf } from '../tensor';
import type { Tensor } from '../tensor';
import type { GradRule } from './types';
import { build, differentiable, gradOut, input, sumTo } from './util';

/**
 * Gradient rules for the ops that move elements without arithmetic. Each sends every output element's gradient
 * back to the input element it came from: a reshape relabels, transpose permutes back, slice and gather
 * scatter (gather adds, since an index may repeat), pad crops. Constant arguments (shapes, axes, indices,
 * starts) take no gradient.
 */

/** Rules whose output is the input's data under another shape: the gradient is g under the input's shape. */
const relabel = (op: string): GradRule => (ctx) => {
  const x = input(ctx, 0, op);
  if (!differentiable(x)) return ctx.inputs.map(() => undefined);
  const g = gradOut(ctx).data;
  return [build(x.shape, (i) => g[i]), ...ctx.inputs.slice(1).map(() => undefined)];
};

const transposeRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'transpose');
  if (!differentiable(x)) return [undefined];
  const perm = intList('transpose', 'perm', undefined, ctx.attrs.perm) ?? x.shape.map((_, i) => x.rank - 1 - i);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return [transpose(gradOut(ctx), inverse)];
};

const concatRule: GradRule = (ctx) => {
  const xs = ctx.inputs.map((_, i) => input(ctx, i, 'concat'));
  const axis = normalizeAxis('concat', intAttr('concat', ctx.attrs, 'axis', 0), xs[0].rank);
  const pieces = split(gradOut(ctx), axis, xs.map((t) => t.shape[axis]));
  return pieces.map((p, i) => (differentiable(xs[i]) ? p : undefined));
};

/** split: the outputs' gradients joined back along the axis; an output that does not reach the loss adds zeros. */
const splitRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'split');
  if (!differentiable(x)) return [undefined, undefined];
  const axis = normalizeAxis('split', intAttr('split', ctx.attrs, 'axis', 0), x.rank);
  return [concat(ctx.outputs.map((_, k) => gradOut(ctx, k)), axis), undefined];
};

/** slice: g written back to the positions the slice took, zeros elsewhere (positions never repeat). */
const sliceRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'slice');
  const none = ctx.inputs.slice(1).map(() => undefined);
  if (!differentiable(x)) return [undefined, ...none];
  const arg = (name: string, i: number): number[] | undefined => intList('slice', name, ctx.inputs[i], ctx.attrs[name]);
  const starts = arg('starts', 1);
  const ends = arg('ends', 2);
  if (starts === undefined || ends === undefined) {
    throw new EngineError(`needs 'starts' and 'ends' as inputs 1 and 2 or as attributes`, 'slice');
  }
  const axes = normalizeAxes('slice', arg('axes', 3) ?? starts.map((_, i) => i), x.rank);
  const steps = arg('steps', 4) ?? starts.map(() => 1);
  const first = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  const count = [...x.shape];
  axes.forEach((a, i) => {
    const r = sliceRange(x.shape[a], starts[i], ends[i], steps[i]);
    [first[a], step[a], count[a]] = [r.start, r.step, r.count];
  });
  const g = gradOut(ctx).data;
  const out = build(x.shape, () => 0);
  const strides = stridesOf(x.shape);
  const idx = count.map(() => 0);
  for (let o = 0; o < g.length; o++) {
    let off = 0;
    for (let a = 0; a < x.rank; a++) off += (first[a] + idx[a] * step[a]) * strides[a];
    out.data[off] = g[o];
    for (let a = x.rank - 1; a >= 0 && ++idx[a] === count[a]; a--) idx[a] = 0;
  }
  return [out, ...none];
};

/** gather (and so embedding lookups): g added into the rows the indices picked; a repeated index accumulates. */
const gatherRule: GradRule = (ctx) => {
  const data = input(ctx, 0, 'gather');
  const indices = input(ctx, 1, 'gather');
  if (!differentiable(data)) return [undefined, undefined];
  const ax = normalizeAxis('gather', intAttr('gather', ctx.attrs, 'axis', 0), data.rank);
  const dim = data.shape[ax];
  const outer = prod(data.shape, 0, ax);
  const inner = prod(data.shape, ax + 1);
  const ids = indices.data;
  const g = gradOut(ctx).data;
  const out = build(data.shape, () => 0);
  let o = 0;
  for (let b = 0; b < outer; b++) {
    for (let j = 0; j < ids.length; j++) {
      const k = ids[j] < 0 ? ids[j] + dim : ids[j];
      const base = (b * dim + k) * inner;
      for (let i = 0; i < inner; i++) out.data[base + i] += g[o++];
    }
  }
  return [out, undefined];
};

/**
 * pad, constant mode only: ∂x is g cropped back (padding g by the negated pads does exactly that, and turns a
 * crop into zeros); the constant value's gradient is the sum of g over the padded positions. The reflect, edge
 * and wrap modes send some gradients to several places and are not supported.
 */
const padRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'pad');
  const mode = enumAttr('pad', ctx.attrs, 'mode', PAD_MODES, 'constant');
  if (mode !== 'constant') throw new EngineError(`has no gradient rule for mode '${mode}'; only 'constant' is supported`, 'pad');
  const given = intList('pad', 'pads', ctx.inputs[1], ctx.attrs.pads);
  if (given === undefined) throw new EngineError(`needs 'pads' as input 1 or as an attribute`, 'pad');
  const axesList = intList('pad', 'axes', ctx.inputs[3], ctx.attrs.axes);
  let pads = given;
  if (axesList !== undefined) {
    const axes = normalizeAxes('pad', axesList, x.rank);
    pads = new Array<number>(2 * x.rank).fill(0);
    axes.forEach((a, i) => {
      pads[a] = given[i];
      pads[a + x.rank] = given[i + axes.length];
    });
  }
  const g = gradOut(ctx);
  const gx = pad(g, pads.map((p) => -p), 'constant', 0);
  const value = ctx.inputs[2];
  let gv: Tensor | undefined;
  if (differentiable(value) && numberList('pad', 'value', value, undefined)?.length === 1) {
    let s = 0;
    for (let i = 0; i < g.size; i++) s += g.data[i];
    for (let i = 0; i < gx.size; i++) s -= gx.data[i];
    gv = build(value.shape, () => s);
  }
  return [differentiable(x) ? gx : undefined, undefined, gv, undefined];
};

/** expand: g summed over the broadcast axes back to the input's shape. */
const expandRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'expand');
  if (!differentiable(x)) return [undefined, undefined];
  return [sumTo(gradOut(ctx), x.shape), undefined];
};

/** Rules for the shape and indexing ops, keyed by engine op name. */
export const shapeGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['reshape', relabel('reshape')],
  ['flatten', relabel('flatten')],
  ['squeeze', relabel('squeeze')],
  ['unsqueeze', relabel('unsqueeze')],
  ['expand', expandRule],
  ['transpose', transposeRule],
  ['concat', concatRule],
  ['split', splitRule],
  ['slice', sliceRule],
  ['gather', gatherRule],
  ['pad', padRule],
]);

