import { EngineError } from '../errors';
import { broadcastShapes } from '../kernels/broadcast';
import { split } from '../kernels/concat';
import { conv } from '../kernels/conv';
import { readWindowOptions, transposeWindow } from '../kernels/convGeometry';
import type { TransposeWindowOptions } from '../kernels/convGeometry';
import { tile } from '../kernels/generate';
import { SELU_ALPHA, SELU_GAMMA } from '../kernels/activations';
import { enumAttr, floatAttr, intAttr, intList, normalizeAxis, numberList, prod } from '../kernels/opArgs';
import { reduceExtra } from '../kernels/reduceMore';
import { COORDINATE_MODES, NEAREST_MODES, RESIZE_MODES, resize } from '../kernels/resize';
import { cumSum, trilu } from '../kernels/scan';
import { resizeTarget } from '../ops/resize';
import { Tensor } from '../tensor';
import type { Attrs } from '../registry';
import { convGrad, convGradRules } from './conv';
import { reduceGradRules, reduceStart } from './reduce';
import type { GradRule } from './types';
import { asFloat32, build, differentiable, expandTo, gradOut, input, sumTo } from './util';

/**
 * Gradient rules for the rest of the common ops: conversions, variadic and binary elementwise ops, more
 * activations and math functions, more reductions, tile, where, stack and cumSum. Also the helpers the TF
 * rules (./tf) share: a broadcasting binary rule and {@link routeBack} for ops that only move elements.
 */

// ---- helpers ------------------------------------------------------------------------------------------------

/**
 * The gradient of an op that only moves or copies elements of `x` (slices, pads, tiles, gathers): `move` is the
 * op's own kernel with its arguments, run here on the positions of x (1-based; 0 marks an element the op made
 * up, such as a constant border). g is then added to the element each output came from, so repeats
 * accumulate and every mode the kernel supports is covered.
 */
export function routeBack(op: string, x: Tensor, g: Tensor<'float32'>, move: (positions: Tensor<'int32'>) => Tensor): Tensor<'float32'> {
  if (x.size >= 2 ** 31 - 1) throw new EngineError(`the gradient cannot track ${x.size} input elements`, op);
  const pos = new Int32Array(x.size);
  for (let i = 0; i < pos.length; i++) pos[i] = i + 1;
  const from = move(new Tensor('int32', x.shape, pos)).data;
  if (from.length !== g.size) throw new EngineError(`the output gradient has ${g.size} elements but the output ${from.length}`, op);
  const out = Tensor.zeros(x.shape, 'float32');
  for (let o = 0; o < from.length; o++) if (from[o] > 0) out.data[Number(from[o]) - 1] += g.data[o];
  return out;
}

/** Σ of every element of `t`. */
export function total(t: Tensor): number {
  let s = 0;
  for (let i = 0; i < t.size; i++) s += Number(t.data[i]);
  return s;
}

/** ∂out/∂a and ∂out/∂b at one element, given a, b, the output y and the incoming gradient g. */
export type Partials = (a: number, b: number, y: number, g: number) => readonly [number, number];

/** A rule for a broadcasting binary op: partials at the broadcast shape, each summed back to its operand. */
export function broadcastRule(op: string, partials: Partials): GradRule {
  return (ctx) => {
    const a = input(ctx, 0, op);
    const b = input(ctx, 1, op);
    if (!differentiable(a) && !differentiable(b)) return [undefined, undefined];
    const shape = broadcastShapes(a.shape, b.shape, op);
    const g = gradOut(ctx).data;
    const av = expandTo(a, shape, op).data;
    const bv = expandTo(b, shape, op).data;
    const y = expandTo(ctx.outputs[0], shape, op).data;
    const ga = Tensor.zeros(shape, 'float32');
    const gb = Tensor.zeros(shape, 'float32');
    for (let i = 0; i < g.length; i++) [ga.data[i], gb.data[i]] = partials(av[i], bv[i], y[i], g[i]);
    return [differentiable(a) ? sumTo(ga, a.shape) : undefined, differentiable(b) ? sumTo(gb, b.shape) : undefined];
  };
}

/** dy/dx at one element from x, y and the node's attributes. */
type Derivative = (x: number, y: number, attrs: Attrs) => number;

function unaryRule(op: string, derivative: Derivative): GradRule {
  return (ctx) => {
    const x = input(ctx, 0, op);
    if (!differentiable(x)) return ctx.inputs.map(() => undefined);
    const g = gradOut(ctx).data;
    const y = ctx.outputs[0].data;
    return [build(x.shape, (i) => g[i] * derivative(x.data[i], y[i], ctx.attrs)), ...ctx.inputs.slice(1).map(() => undefined)];
  };
}

/**
 * Ops whose output is locally constant in their float inputs (rounding, signs, comparisons, shapes):
 * a zero gradient for each float input, as tfjs gives, so a path through them adds nothing.
 */
export const zeroRule: GradRule = (ctx) => ctx.inputs.map((t) => (differentiable(t) ? Tensor.zeros(t.shape, 'float32') : undefined));

/** Whether x is the chosen extreme y (NaN wins, so a NaN extreme is chosen by the NaN elements). */
const isPick = (x: number, y: number): boolean => x === y || (x !== x && y !== y);

// ---- conversions and pass-through ops -----------------------------------------------------------------------

/** cast and castLike: a float32 result passes the gradient; an integer or bool result cuts it (zeros). */
const castRule = (op: string): GradRule => (ctx) => {
  const x = input(ctx, 0, op);
  const rest = ctx.inputs.slice(1).map(() => undefined);
  if (!differentiable(x)) return [undefined, ...rest];
  if (ctx.outputs[0].dtype !== 'float32') return [Tensor.zeros(x.shape, 'float32'), ...rest];
  return [gradOut(ctx), ...rest];
};

/** dropout at inference (the forward refuses training mode): the identity on the data; ratio and mode are constants. */
const dropoutRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'dropout');
  return [differentiable(x) ? gradOut(ctx) : undefined, ...ctx.inputs.slice(1).map(() => undefined)];
};

// ---- variadic and binary elementwise ops --------------------------------------------------------------------

/** sum and mean of any number of inputs, broadcast: g (divided by the count for mean) summed to each input. */
const variadicSumRule = (op: 'sum' | 'mean'): GradRule => (ctx) => {
  const xs = ctx.inputs.map((_, i) => input(ctx, i, op));
  const g = gradOut(ctx);
  const scaled = op === 'mean' ? build(g.shape, (i) => g.data[i] / xs.length) : g;
  return xs.map((x) => (differentiable(x) ? sumTo(scaled, x.shape) : undefined));
};

/**
 * maxN and minN (and the binary max and min): g goes to the inputs equal to the result, split evenly between
 * ties, as reduceMax splits it (a subgradient; tfjs's maximum gives a tie wholly to the first operand).
 */
const extremeRule = (op: string): GradRule => (ctx) => {
  const xs = ctx.inputs.map((_, i) => input(ctx, i, op));
  const y = ctx.outputs[0];
  const g = gradOut(ctx).data;
  const hits = xs.map((x) => {
    const v = expandTo(x, y.shape, op).data;
    return build(y.shape, (i) => (isPick(v[i], y.data[i]) ? 1 : 0)).data;
  });
  const ties = build(y.shape, (i) => hits.reduce((n, h) => n + h[i], 0)).data;
  return xs.map((x, k) => (differentiable(x) ? sumTo(build(y.shape, (i) => (hits[k][i] ? g[i] / ties[i] : 0)), x.shape) : undefined));
};

/** prelu: g where x ≥ 0 (the forward uses x there), g·slope below; the slope gets g·x below zero. */
const preluRule = broadcastRule('prelu', (x, s, _y, g) => (x < 0 ? [g * s, g * x] : [g, 0]));

/** where: g to x where the condition holds and to y elsewhere, each summed to its own shape. */
const whereRule: GradRule = (ctx) => {
  const [c, x, y] = [0, 1, 2].map((i) => input(ctx, i, 'where'));
  const shape = ctx.outputs[0].shape;
  const cv = expandTo(c, shape, 'where').data;
  const g = gradOut(ctx).data;
  const pick = (take: boolean): Tensor<'float32'> => build(shape, (i) => ((cv[i] !== 0) === take ? g[i] : 0));
  return [undefined, differentiable(x) ? sumTo(pick(true), x.shape) : undefined, differentiable(y) ? sumTo(pick(false), y.shape) : undefined];
};

/**
 * clip: g where min ≤ x ≤ max (the bounds themselves included, as tfjs's clipByValue), none outside. A bound
 * given as a float input gets the gradient of the elements it replaced.
 */
const clipRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'clip');
  const bound = (name: 'min' | 'max', i: number, fallback: number): number => {
    const v = numberList('clip', name, ctx.inputs[i], ctx.attrs[name]);
    return v === undefined ? fallback : v[0];
  };
  const lo = bound('min', 1, -Infinity);
  const hi = bound('max', 2, Infinity);
  const g = gradOut(ctx).data;
  let below = 0;
  let above = 0;
  const gx = build(x.shape, (i) => {
    const v = x.data[i];
    if (v < lo) below += g[i];
    else if (v > hi) above += g[i];
    return v >= lo && v <= hi ? g[i] : 0;
  });
  const side = (i: number, s: number): Tensor | undefined => {
    const t = ctx.inputs[i];
    return differentiable(t) ? build(t.shape, () => s) : undefined;
  };
  return [differentiable(x) ? gx : undefined, side(1, below), side(2, above)];
};

// ---- activations and math functions -------------------------------------------------------------------------

const sigmoidOf = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const softplusOf = (v: number): number => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0);

const UNARY: readonly [string, Derivative][] = [
  // The kink at 0 takes the left slope, as the forward's "at or below zero" branch.
  ['selu', (x, _y, a) => floatAttr('selu', a, 'gamma', SELU_GAMMA) * (x > 0 ? 1 : floatAttr('selu', a, 'alpha', SELU_ALPHA) * Math.exp(x))],
  ['celu', (x, _y, a) => (x > 0 ? 1 : Math.exp(x / floatAttr('celu', a, 'alpha', 1)))],
  ['thresholdedRelu', (x, _y, a) => (x > floatAttr('thresholdedRelu', a, 'alpha', 1) ? 1 : 0)],
  // Zero where the clamp is active, alpha on the open ramp.
  ['hardSigmoid', (x, _y, a) => {
    const v = floatAttr('hardSigmoid', a, 'alpha', 0.2) * x + floatAttr('hardSigmoid', a, 'beta', 0.5);
    return v > 0 && v < 1 ? floatAttr('hardSigmoid', a, 'alpha', 0.2) : 0;
  }],
  // x·clamp(x/6 + ½, 0, 1): 0 below −3, 1 above 3, (2x + 3)/6 between.
  ['hardSwish', (x) => (x < -3 ? 0 : x > 3 ? 1 : (2 * x + 3) / 6)],
  // tanh(sp) + x·σ(x)·(1 − tanh²(sp)) with sp = softplus(x).
  ['mish', (x) => {
    const t = Math.tanh(softplusOf(x));
    return t + x * sigmoidOf(x) * (1 - t * t);
  }],
  ['softsign', (x) => 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x)))],
  ['erf', (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)],
  ['sin', (x) => Math.cos(x)],
  ['cos', (x) => -Math.sin(x)],
  ['tan', (_x, y) => 1 + y * y],
  ['asin', (x) => 1 / Math.sqrt(1 - x * x)],
  ['acos', (x) => -1 / Math.sqrt(1 - x * x)],
  ['atan', (x) => 1 / (1 + x * x)],
  ['sinh', (x) => Math.cosh(x)],
  ['cosh', (x) => Math.sinh(x)],
  ['asinh', (x) => 1 / Math.sqrt(x * x + 1)],
  ['acosh', (x) => 1 / Math.sqrt(x * x - 1)],
  ['atanh', (x) => 1 / (1 - x * x)],
];

// ---- reductions ---------------------------------------------------------------------------------------------

/** Per-group facts some reductions need: elements equal to the result, zero elements, product of the non-zero ones. */
interface ReduceGroup {
  readonly ties: number;
  readonly zeros: number;
  readonly nonZeroProd: number;
}

/** ∂y/∂x at one element from x, the reduced result y of its group, and that group's facts. */
type ReduceDerivative = (x: number, y: number, group: ReduceGroup) => number;

function reduceRule(op: string, derivative: ReduceDerivative): GradRule {
  return (ctx) => {
    const start = reduceStart(op, ctx);
    if ('answer' in start) return start.answer;
    const { x, kept, full } = start;
    const gFull = full(gradOut(ctx));
    const yFull = full(ctx.outputs[0]);
    const perGroup = (f: (i: number) => number): Float32Array => full(sumTo(build(x.shape, f), kept));
    const ties = op === 'reduceMin' ? perGroup((i) => (isPick(x.data[i], yFull[i]) ? 1 : 0)) : undefined;
    const zeros = op === 'reduceProd' ? perGroup((i) => (x.data[i] === 0 ? 1 : 0)) : undefined;
    const axes = kept.flatMap((d, i) => (d === 1 ? [i] : []));
    const nonZero = op === 'reduceProd' ? full(reduceExtra('prod', build(x.shape, (i) => x.data[i] || 1), axes, true)) : undefined;
    const group = (i: number): ReduceGroup => ({ ties: ties?.[i] ?? 1, zeros: zeros?.[i] ?? 0, nonZeroProd: nonZero?.[i] ?? 1 });
    return [build(x.shape, (i) => gFull[i] * derivative(x.data[i], yFull[i], group(i))), undefined];
  };
}

const REDUCE: readonly [string, ReduceDerivative][] = [
  // Ties split evenly, as reduceMax.
  ['reduceMin', (x, y, s) => (isPick(x, y) ? 1 / s.ties : 0)],
  ['reduceL1', (x) => Math.sign(x)],
  // x/‖x‖, and 0 for an all-zero group (a subgradient; the norm has no derivative there).
  ['reduceL2', (x, y) => (y === 0 ? 0 : x / y)],
  ['reduceSumSquare', (x) => 2 * x],
  ['reduceLogSum', (_x, y) => Math.exp(-y)],
  ['reduceLogSumExp', (x, y) => Math.exp(x - y)],
  // The product of the others: y/x without zeros, the other factors' product at a lone zero, else 0.
  ['reduceProd', (x, y, s) => (x !== 0 ? y / x : s.zeros === 1 ? s.nonZeroProd : 0)],
];

/** softmax / logSoftmax over the flattened axes from `axis` on (ONNX < 13): the axis-13 rule on a 2-D view. */
const coercedRule = (op: string, inner: 'softmax' | 'logSoftmax'): GradRule => (ctx) => {
  const x = input(ctx, 0, op);
  if (!differentiable(x)) return [undefined];
  const a = intAttr(op, ctx.attrs, 'axis', 1);
  const at = a < 0 ? a + x.rank : a;
  const flat = [prod(x.shape, 0, at), prod(x.shape, at)];
  const rule = reduceGradRules.get(inner)!;
  const [gx] = rule({ inputs: [x.reshape(flat)], outputs: [ctx.outputs[0].reshape(flat)], attrs: { axis: 1 }, gradOutputs: [gradOut(ctx).reshape(flat)] });
  return [gx!.reshape(x.shape)];
};

// ---- shape ops ----------------------------------------------------------------------------------------------

/** tile: each input element gets the sum of g over its copies. */
const tileRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'tile');
  if (!differentiable(x)) return [undefined, undefined];
  const repeats = intList('tile', 'repeats', ctx.inputs[1], ctx.attrs.repeats);
  if (repeats === undefined) throw new EngineError(`needs 'repeats' as input 1 or as an attribute`, 'tile');
  return [routeBack('tile', x, gradOut(ctx), (p) => tile(p, repeats)), undefined];
};

/** stack (and TF Pack): g cut along the new axis, each piece under its input's shape. */
export function unstackGrad(op: string, xs: readonly Tensor[], g: Tensor<'float32'>, axis: number): (Tensor | undefined)[] {
  const pieces = split(g, axis, xs.map(() => 1));
  return xs.map((x, k) => (differentiable(x) ? pieces[k].reshape(x.shape) : undefined));
}

const stackRule: GradRule = (ctx) => {
  const xs = ctx.inputs.map((_, i) => input(ctx, i, 'stack'));
  const axis = normalizeAxis('stack', intAttr('stack', ctx.attrs, 'axis', 0), xs[0].rank + 1);
  return unstackGrad('stack', xs, gradOut(ctx), axis);
};

/** cumSum: the cumulative sum of g run the other way (exclusive stays exclusive). */
const cumSumRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'cumSum');
  if (!differentiable(x)) return [undefined, undefined];
  const axis = intList('cumSum', 'axis', ctx.inputs[1], ctx.attrs.axis);
  if (axis === undefined || axis.length !== 1) throw new EngineError(`needs one 'axis' as input 1 or as an attribute`, 'cumSum');
  const exclusive = intAttr('cumSum', ctx.attrs, 'exclusive', 0) !== 0;
  const reverse = intAttr('cumSum', ctx.attrs, 'reverse', 0) !== 0;
  return [cumSum(gradOut(ctx), normalizeAxis('cumSum', axis[0], x.rank), exclusive, !reverse), undefined];
};

// ---- transposed convolution --------------------------------------------------------------------------------

/**
 * Gradients of y = convTranspose(x, w) (NCHW, w [C, M/group, ...k]) for ∂y = g. convTranspose is the
 * input-gradient of the conv with weight w that maps y's shape back to x's, so ∂x is that conv of g and ∂w is
 * its weight gradient with g as the image and x as the output gradient. Pads come from the window geometry
 * the forward uses; an end pad the forward left negative (rows the conv never reads) is 0 here.
 */
export function convTransposeGrad(op: string, x: Tensor, w: Tensor, g: Tensor<'float32'>, opts: TransposeWindowOptions & { group?: number }):
  { dx: Tensor<'float32'>; dw: Tensor } {
  const win = transposeWindow(op, x.shape.slice(2), w.shape.slice(2), opts);
  const lead = 3 - win.rank;
  const [kernel, strides, dilations, begin] = [win.kernel, win.strides, win.dilations, win.padBegin].map((t) => t.slice(lead));
  const end = begin.map((b, i) => Math.max(0, (x.shape[i + 2] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - g.shape[i + 2] - b));
  const attrs = { kernelShape: kernel, strides, dilations, pads: [...begin, ...end], group: opts.group ?? 1 };
  const dx = conv(g, w, undefined, attrs);
  if (dx.shape.join() !== x.shape.join()) throw new EngineError(`the gradient's geometry does not fit the input ${JSON.stringify(x.shape)}`, op);
  const dw = convGrad({ inputs: [g, w], outputs: [], attrs, gradOutputs: [asFloat32(x)] })[1]!;
  return { dx, dw };
}

/** convTranspose: ∂x and ∂w by {@link convTransposeGrad}; ∂b = Σ g over the batch and space per channel. */
const convTransposeRule: GradRule = (ctx) => {
  const op = 'convTranspose';
  const x = input(ctx, 0, op);
  const w = input(ctx, 1, op);
  const b = ctx.inputs[2];
  const g = gradOut(ctx);
  const { dx, dw } = convTransposeGrad(op, x, w, g, {
    ...readWindowOptions(op, ctx.attrs),
    outputPadding: intList(op, 'outputPadding', undefined, ctx.attrs.outputPadding),
    outputShape: intList(op, 'outputShape', undefined, ctx.attrs.outputShape),
    group: intAttr(op, ctx.attrs, 'group', 1),
  });
  const grads: (Tensor | undefined)[] = [differentiable(x) ? dx : undefined, differentiable(w) ? dw : undefined];
  if (ctx.inputs.length > 2) grads.push(differentiable(b) ? sumTo(g, [1, g.shape[1], ...g.shape.slice(2).map(() => 1)]).reshape(b.shape) : undefined);
  return grads;
};

// ---- selections: triangles, nearest resampling, top-k, max-pool indices ------------------------------------

/** trilu: g where the triangle kept x, zeros where it wrote zeros. */
const triluRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'trilu');
  if (!differentiable(x)) return ctx.inputs.map(() => undefined);
  const k = intList('trilu', 'k', ctx.inputs[1], ctx.attrs.k)?.[0] ?? 0;
  const upper = intAttr('trilu', ctx.attrs, 'upper', 1) !== 0;
  return [routeBack('trilu', x, gradOut(ctx), (p) => trilu(p, k, upper)), ...ctx.inputs.slice(1).map(() => undefined)];
};

/**
 * resize in nearest mode: each input element gets the sum of g over the output elements that copy it. Linear
 * and cubic modes blend neighbours and are refused rather than approximated.
 */
const resizeRule: GradRule = (ctx) => {
  const op = 'resize';
  const x = input(ctx, 0, op);
  const none = ctx.inputs.slice(1).map(() => undefined);
  const mode = enumAttr(op, ctx.attrs, 'mode', RESIZE_MODES, 'nearest');
  if (mode !== 'nearest') throw new EngineError(`has no gradient rule for mode '${mode}'; only 'nearest' is supported`, op);
  if (!differentiable(x)) return [undefined, ...none];
  const nonEmpty = (t: Tensor | undefined): Tensor | undefined => (t !== undefined && t.size > 0 ? t : undefined);
  const scales = numberList(op, 'scales', nonEmpty(ctx.inputs.length === 2 ? ctx.inputs[1] : ctx.inputs[2]), ctx.attrs.scales);
  const sizes = intList(op, 'sizes', nonEmpty(ctx.inputs[3]), ctx.attrs.sizes);
  const target = resizeTarget(x.shape, scales?.length ? scales : undefined, sizes?.length ? sizes : undefined, ctx.attrs);
  const opts = {
    mode,
    coordinateTransformationMode: enumAttr(op, ctx.attrs, 'coordinateTransformationMode', COORDINATE_MODES, 'half_pixel'),
    nearestMode: enumAttr(op, ctx.attrs, 'nearestMode', NEAREST_MODES, 'round_prefer_floor'),
  };
  return [routeBack(op, x, gradOut(ctx), (p) => resize(p, target.outShape, target.scales, opts)), ...none];
};

/** g (of the top-k values' shape) added back at the positions along `axis` that `indices` names. */
export function scatterAlong(op: string, x: Tensor, g: Tensor<'float32'>, indices: Tensor, axis: number): Tensor<'float32'> {
  const ax = normalizeAxis(op, axis, x.rank);
  const dim = x.shape[ax];
  const k = indices.shape[ax];
  const inner = prod(x.shape, ax + 1);
  const outer = prod(x.shape, 0, ax);
  const out = Tensor.zeros(x.shape, 'float32');
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < inner; i++) {
        const at = (o * k + j) * inner + i;
        out.data[(o * dim + Number(indices.data[at])) * inner + i] += g.data[at];
      }
    }
  }
  return out;
}

/** topK: the values' gradient goes back to where the indices output says each value came from. */
const topKRule: GradRule = (ctx) => {
  const x = input(ctx, 0, 'topK');
  if (!differentiable(x)) return ctx.inputs.map(() => undefined);
  const axis = intAttr('topK', ctx.attrs, 'axis', -1);
  return [scatterAlong('topK', x, gradOut(ctx), ctx.outputs[1], axis), ...ctx.inputs.slice(1).map(() => undefined)];
};

/** maxPoolWithIndices: the maxPool rule for Y (the indices output carries no gradient). */
const maxPoolWithIndicesRule: GradRule = (ctx) =>
  convGradRules.get('maxPool')!({ ...ctx, outputs: ctx.outputs.slice(0, 1), gradOutputs: ctx.gradOutputs.slice(0, 1) });

/** The rules of this file, keyed by engine op name; merged into the full table by ./index. */
export const moreGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['cast', castRule('cast')],
  ['castLike', castRule('castLike')],
  ['dropout', dropoutRule],
  ['sum', variadicSumRule('sum')],
  ['mean', variadicSumRule('mean')],
  ['max', extremeRule('max')],
  ['min', extremeRule('min')],
  ['maxN', extremeRule('maxN')],
  ['minN', extremeRule('minN')],
  ['prelu', preluRule],
  ['where', whereRule],
  ['clip', clipRule],
  ...UNARY.map(([op, d]): [string, GradRule] => [op, unaryRule(op, d)]),
  ...['floor', 'ceil', 'round', 'sign', 'shape', 'size', 'equal', 'greater', 'greaterOrEqual', 'less', 'lessOrEqual', 'isNaN',
    'isInf'].map((op): [string, GradRule] => [op, zeroRule]),
  ...REDUCE.map(([op, d]): [string, GradRule] => [op, reduceRule(op, d)]),
  ['softmaxCoerced', coercedRule('softmaxCoerced', 'softmax')],
  ['logSoftmaxCoerced', coercedRule('logSoftmaxCoerced', 'logSoftmax')],
  ['tile', tileRule],
  ['stack', stackRule],
  ['cumSum', cumSumRule],
  ['convTranspose', convTransposeRule],
  ['trilu', triluRule],
  ['resize', resizeRule],
  ['topK', topKRule],
  ['maxPoolWithIndices', maxPoolWithIndicesRule],
]);
