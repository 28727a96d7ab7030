import { intAttr, intList, normalizeAxes, normalizeAxis } from '../kernels/opArgs';
import type { Shape, Tensor } from '../tensor';
import type { GradContext, GradRule } from './types';
import { build, differentiable, expandTo, gradOut, input, sumTo } from './util';

/**
 * Gradient rules for the reductions (reduceSum, reduceMean, reduceMax) and for softmax / logSoftmax, the ops
 * whose output mixes many input elements along axes.
 */

/** The reduced input's shape with the reduced axes kept as 1, read as the forward op reads its arguments. */
function keptShape(op: string, ctx: GradContext, x: Tensor): number[] | undefined {
  const given = intList(op, 'axes', ctx.inputs[1], ctx.attrs.axes) ?? [];
  if (given.length === 0 && intAttr(op, ctx.attrs, 'noopWithEmptyAxes', 0) !== 0) return undefined;
  const axes = given.length ? normalizeAxes(op, given, x.rank) : x.shape.map((_, i) => i);
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

type ReduceKind = 'sum' | 'mean' | 'max';

/**
 * What every reduction's rule starts from: its input, the reduced shape with kept axes, and a way to spread a
 * reduced tensor back over the input's shape; or the answer itself when there is nothing to reduce (an integer
 * input takes no gradient; noopWithEmptyAxes with no axes was the identity).
 */
export function reduceStart(op: string, ctx: GradContext):
  | { readonly answer: (Tensor | undefined)[] }
  | { readonly x: Tensor; readonly kept: Shape; readonly full: (t: Tensor) => Float32Array } {
  const x = input(ctx, 0, op);
  if (!differentiable(x)) return { answer: [undefined, undefined] };
  const kept = keptShape(op, ctx, x);
  if (kept === undefined) {
    const g = gradOut(ctx);
    return { answer: [build(x.shape, (i) => g.data[i]), undefined] };
  }
  return { x, kept, full: (t) => expandTo(t.reshape(kept), x.shape, op).data as Float32Array };
}

function reduceRule(op: string, kind: ReduceKind): GradRule {
  return (ctx) => {
    const start = reduceStart(op, ctx);
    if ('answer' in start) return start.answer;
    const { x, kept, full } = start;
    const gFull = full(gradOut(ctx));
    if (kind === 'sum') return [build(x.shape, (i) => gFull[i]), undefined];
    if (kind === 'mean') {
      const count = x.size / kept.reduce((a, d) => a * d, 1);
      return [build(x.shape, (i) => gFull[i] / count), undefined];
    }
    // max: the gradient goes to the elements equal to the maximum, split evenly between ties (a subgradient;
    // tfjs instead gives every tied element the whole gradient). A NaN maximum goes to the NaN elements.
    const yFull = full(ctx.outputs[0]);
    const xv = x.data;
    const hit = build(x.shape, (i) => (xv[i] === yFull[i] || (xv[i] !== xv[i] && yFull[i] !== yFull[i]) ? 1 : 0));
    const ties = expandTo(sumTo(hit, kept), x.shape, op).data;
    return [build(x.shape, (i) => (hit.data[i] ? gFull[i] / ties[i] : 0)), undefined];
  };
}

/**
 * softmax: ∂x = y·(g − Σ g·y); logSoftmax: ∂x = g − softmax(x)·Σ g, with softmax(x) = e^y. Sums run along the
 * op's one axis (ONNX-13 semantics; older opsets' flattening reaches the engine as reshapes around the op).
 */
function softmaxRule(op: 'softmax' | 'logSoftmax'): GradRule {
  return (ctx) => {
    const x = input(ctx, 0, op);
    if (!differentiable(x)) return [undefined];
    const g = gradOut(ctx).data;
    const y = ctx.outputs[0].data;
    const out = build(x.shape, () => 0);
    if (x.rank === 0 || x.size === 0) return [out];
    const ax = normalizeAxis(op, intAttr(op, ctx.attrs, 'axis', -1), x.rank);
    const n = x.shape[ax];
    const inner = x.shape.slice(ax + 1).reduce((a, d) => a * d, 1);
    const outer = x.size / (n * inner);
    const d = out.data;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        const base = o * n * inner + j;
        let s = 0;
        for (let k = 0, p = base; k < n; k++, p += inner) s += op === 'softmax' ? g[p] * y[p] : g[p];
        for (let k = 0, p = base; k < n; k++, p += inner) d[p] = op === 'softmax' ? y[p] * (g[p] - s) : g[p] - Math.exp(y[p]) * s;
      }
    }
    return [out];
  };
}

/** Rules for reductions and softmax, keyed by engine op name. */
export const reduceGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['reduceSum', reduceRule('reduceSum', 'sum')],
  ['reduceMean', reduceRule('reduceMean', 'mean')],
  ['reduceMax', reduceRule('reduceMax', 'max')],
  ['softmax', softmaxRule('softmax')],
  ['logSoftmax', softmaxRule('logSoftmax')],
]);
