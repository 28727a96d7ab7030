import { EngineError } from '../errors';
import { Tensor, allocate } from '../tensor';
import { sub } from './binary';
import { normalizeAxes } from './opArgs';
import { argMax, reduce } from './reduce';
import { abs, exp, log, neg, sqrt } from './unary';

/**
 * The reductions that ONNX defines beside Sum/Mean/Max/Min (ReduceL1, ReduceL2, ReduceSumSquare, ReduceProd,
 * ReduceLogSum, ReduceLogSumExp, opset 18) and ArgMin-13. They are built on the sum and max reductions of
 * ./reduce; only the product has its own loop. The results keep the input's dtype (integers truncate).
 */

export type ExtraReduceKind = 'l1' | 'l2' | 'sumSquare' | 'prod' | 'logSum' | 'logSumExp';

/** Squares elementwise, keeping the dtype (bool refused). */
function square(x: Tensor): Tensor {
  if (x.dtype === 'bool') throw new EngineError(`input 'x' is bool; the reduction needs numbers`, 'reduceSumSquare');
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < x.size; i++) out[i] = x.data[i] * x.data[i];
  return new Tensor(x.dtype, x.shape, out);
}

/** Float results of a float-only function back in x's dtype (integers truncate, as ONNX's integer kernels). */
function asDtypeOf(x: Tensor, t: Tensor): Tensor {
  if (t.dtype === x.dtype) return t;
  const out = allocate(x.dtype, t.size);
  for (let i = 0; i < t.size; i++) out[i] = Math.trunc(t.data[i]);
  return new Tensor(x.dtype, t.shape, out);
}

/** Reduces `x` over `axes` (all when empty) with one of the extra reductions. */
export function reduceExtra(kind: ExtraReduceKind, x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  switch (kind) {
    case 'l1': return reduce('sum', x.dtype === 'bool' ? x : abs(x), axes, keepdims);
    case 'sumSquare': return reduce('sum', square(x), axes, keepdims);
    case 'l2': return asDtypeOf(x, sqrt(reduce('sum', square(x), axes, keepdims)));
    case 'logSum': return asDtypeOf(x, log(reduce('sum', x, axes, keepdims)));
    case 'logSumExp': {
      // Stable: m + log(Σ e^(x − m)) with m the maximum; a row of -Inf (or an empty one) stays -Inf.
      const m = reduce('max', x, axes, true);
      const safe = Tensor.zeros(m.shape, m.dtype);
      for (let i = 0; i < m.size; i++) safe.data[i] = Number.isFinite(m.data[i]) ? m.data[i] : 0;
      const s = log(reduce('sum', exp(sub(x, safe)), axes, true));
      const out = allocate(x.dtype === 'bool' ? 'float32' : x.dtype, s.size);
      for (let i = 0; i < s.size; i++) out[i] = s.data[i] + safe.data[i];
      const kept = new Tensor(x.dtype === 'bool' ? 'float32' : x.dtype, s.shape, out);
      return keepdims ? kept : kept.reshape(dropAxes(x.shape, axes));
    }
    case 'prod': return reduceProd(x, axes, keepdims);
  }
}

function dropAxes(shape: readonly number[], axes: readonly number[]): number[] {
  const drop = new Set(axes.length ? normalizeAxes('reduce', axes, shape.length) : shape.map((_, i) => i));
  return shape.filter((_, i) => !drop.has(i));
}

/** Product over axes; the product of nothing is 1. */
function reduceProd(x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const op = 'reduceProd';
  if (x.dtype === 'bool') throw new EngineError(`input 'x' is bool; ${op} needs numbers`, op);
  const r = x.rank;
  const reduced = new Set(axes.length ? normalizeAxes(op, axes, r) : x.shape.map((_, i) => i));
  const keptShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  // Output stride of each input axis (0 for reduced ones).
  const outStride = new Array<number>(r).fill(0);
  for (let i = r - 1, acc = 1; i >= 0; i--) {
    outStride[i] = reduced.has(i) ? 0 : acc;
    acc *= keptShape[i];
  }
  const acc = new Float64Array(keptShape.reduce((a, d) => a * d, 1)).fill(1);
  const idx = new Array<number>(r).fill(0);
  let o = 0;
  for (let i = 0; i < x.size; i++) {
    acc[o] *= x.data[i];
    for (let k = r - 1; k >= 0; k--) {
      o += outStride[k];
      if (++idx[k] < x.shape[k]) break;
      o -= outStride[k] * x.shape[k];
      idx[k] = 0;
    }
  }
  const out = allocate(x.dtype, acc.length);
  out.set(acc);
  return new Tensor(x.dtype, keepdims ? keptShape : keptShape.filter((_, i) => !reduced.has(i)), out);
}

/**
 * ONNX ArgMin-13: the index of the smallest element along `axis` (int64), ties to the first index or, with
 * `selectLastIndex`, the last. Computed as the argMax of −x.
 */
export function argMin(x: Tensor, axis = 0, keepdims = true, selectLastIndex = false): Tensor<'int64'> {
  const negated = x.dtype === 'bool' ? new Tensor('float32', x.shape, Float32Array.from(x.data, (v) => -v)) : neg(x);
  return argMax(negated, axis, keepdims, selectLastIndex);
}
