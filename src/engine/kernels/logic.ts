import { EngineError } from '../errors';
import { Tensor, allocate, sizeOf } from '../tensor';
import type { DType } from '../tensor';
import { promoteDtypes } from './binary';
import { binaryBroadcast, broadcastPlan, broadcastShapeN, forEachRun } from './broadcast';
import type { BinaryRun } from './broadcast';

/**
 * Comparisons, boolean logic and selection, as ONNX defines them (Equal-19, Greater-13, GreaterOrEqual-16,
 * Less-13, LessOrEqual-16, And-7, Or-7, Xor-7, Not-1, Where-16, IsNaN-20, IsInf-20). Inputs broadcast by NumPy
 * rules; results of comparisons and logic are `bool`. Operands of mixed numeric dtypes are compared by value
 * (ONNX requires equal types; exported graphs are consistent, hand-made ones need not be). Comparisons with
 * NaN are false, except `notEqual`-style results that ONNX does not define.
 */

export type CompareKind = 'equal' | 'greater' | 'greaterOrEqual' | 'less' | 'lessOrEqual';

const COMPARE: Readonly<Record<CompareKind, BinaryRun>> = {
  equal: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] === b[bi] ? 1 : 0;
  },
  greater: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] > b[bi] ? 1 : 0;
  },
  greaterOrEqual: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] >= b[bi] ? 1 : 0;
  },
  less: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] < b[bi] ? 1 : 0;
  },
  lessOrEqual: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] <= b[bi] ? 1 : 0;
  },
};

/** `a <kind> b` elementwise, broadcast, as bool. */
export function compare(kind: CompareKind, a: Tensor, b: Tensor): Tensor<'bool'> {
  return binaryBroadcast(a, b, 'bool', COMPARE[kind], kind);
}

export type LogicKind = 'and' | 'or' | 'xor';

const LOGIC: Readonly<Record<LogicKind, BinaryRun>> = {
  and: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] !== 0 && b[bi] !== 0 ? 1 : 0;
  },
  or: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] !== 0 || b[bi] !== 0 ? 1 : 0;
  },
  xor: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = (a[ai] !== 0) !== (b[bi] !== 0) ? 1 : 0;
  },
};

/** Boolean `a <kind> b`, broadcast; non-bool inputs count as true where nonzero. */
export function logic(kind: LogicKind, a: Tensor, b: Tensor): Tensor<'bool'> {
  return binaryBroadcast(a, b, 'bool', LOGIC[kind], kind);
}

/** Boolean negation; a non-bool input counts as true where nonzero. */
export function not(x: Tensor): Tensor<'bool'> {
  const out = new Uint8Array(x.size);
  const src = x.data;
  for (let i = 0; i < out.length; i++) out[i] = src[i] === 0 ? 1 : 0;
  return new Tensor('bool', x.shape, out);
}

/** True where x is NaN. */
export function isNaN(x: Tensor): Tensor<'bool'> {
  const out = new Uint8Array(x.size);
  const src = x.data;
  for (let i = 0; i < out.length; i++) out[i] = src[i] !== src[i] ? 1 : 0;
  return new Tensor('bool', x.shape, out);
}

/** True where x is +Inf (when `positive`) or -Inf (when `negative`). */
export function isInf(x: Tensor, negative = true, positive = true): Tensor<'bool'> {
  const out = new Uint8Array(x.size);
  const src = x.data;
  for (let i = 0; i < out.length; i++) {
    const v = src[i];
    out[i] = (positive && v === Infinity) || (negative && v === -Infinity) ? 1 : 0;
  }
  return new Tensor('bool', x.shape, out);
}

/**
 * ONNX Where: `x` where `condition` is true, else `y`, all three broadcast together. The result has the
 * dtype of x and y (the wider one when they differ).
 */
export function where(condition: Tensor, x: Tensor, y: Tensor): Tensor {
  const op = 'where';
  if (condition.dtype !== 'bool') throw new EngineError(`input 'condition' must be bool, got ${condition.dtype}`, op);
  const dtype: DType = promoteDtypes(x.dtype, y.dtype);
  const shape = broadcastShapeN([condition.shape, x.shape, y.shape], op, ['condition', 'x', 'y']);
  const out = allocate(dtype, sizeOf(shape));
  if (out.length === 0) return new Tensor(dtype, shape, out);
  const plan = broadcastPlan(shape, [condition.shape, x.shape, y.shape]);
  const last = plan.dims.length - 1;
  const [cs, xs, ys] = plan.strides.map((s) => s[last]);
  const c = condition.data;
  const xd = x.data;
  const yd = y.data;
  let o = 0;
  forEachRun(plan, (off, n) => {
    let ci = off[0];
    let xi = off[1];
    let yi = off[2];
    for (let i = 0; i < n; i++, ci += cs, xi += xs, yi += ys) out[o + i] = c[ci] !== 0 ? xd[xi] : yd[yi];
    o += n;
  });
  return new Tensor(dtype, shape, out);
}
