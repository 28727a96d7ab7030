import { EngineError } from '../errors';
import { Tensor, allocate } from '../tensor';
import { broadcastPlan, forEachRun } from './broadcast';
import { normalizeAxes, normalizeAxis } from './opArgs';

/**
 * Reductions (ONNX ReduceSum/Mean/Max/Min-18) and ArgMax-13.
 *
 * The input is walked once in memory order. The kept-dims output broadcasts back onto the input shape, so a
 * broadcast plan of the input against it gives, for every contiguous run of input, where its results go and
 * whether the run folds into one output element (a reduced innermost axis) or runs alongside the output (a
 * kept one). Sums are accumulated in doubles. Max and min propagate NaN. Over an empty set sum is 0, mean
 * NaN, max -Inf and min +Inf (ONNX-18's identities for floats).
 */

export type ReduceKind = 'sum' | 'mean' | 'max' | 'min';

const OP_NAME: Readonly<Record<ReduceKind, string>> = { sum: 'reduceSum', mean: 'reduceMean', max: 'reduceMax', min: 'reduceMin' };
const START: Readonly<Record<ReduceKind, number>> = { sum: 0, mean: 0, max: -Infinity, min: Infinity };

/** Reduces `x` over `axes` (all axes when undefined or empty), keeping them as size-1 dims when `keepdims`. */
export function reduce(kind: ReduceKind, x: Tensor, axes?: readonly number[], keepdims = true): Tensor {
  const op = OP_NAME[kind];
  if (x.dtype === 'bool' && (kind === 'sum' || kind === 'mean')) throw new EngineError(`input 'x' is bool; ${op} needs numbers`, op);
  const reduced = new Array<boolean>(x.rank).fill(!axes || axes.length === 0);
  if (axes && axes.length > 0) for (const a of normalizeAxes(op, axes, x.rank)) reduced[a] = true;
  const keptShape = x.shape.map((d, i) => (reduced[i] ? 1 : d));
  const outShape = keepdims ? keptShape : x.shape.filter((_, i) => !reduced[i]);
  let outSize = 1;
  for (const d of keptShape) outSize *= d;
  const count = x.size / (outSize || 1);

  const acc = new Float64Array(outSize).fill(START[kind]);
  if (x.size > 0) accumulate(kind, x, keptShape, acc);
  const out = allocate(x.dtype, outSize);
  if (kind === 'mean') {
    const trunc = x.dtype === 'int64';
    for (let i = 0; i < outSize; i++) out[i] = trunc ? Math.trunc(acc[i] / count) : acc[i] / count;
  } else {
    out.set(acc);
  }
  return new Tensor(x.dtype, outShape, out);
}

function accumulate(kind: ReduceKind, x: Tensor, keptShape: readonly number[], acc: Float64Array): void {
  const plan = broadcastPlan(x.shape, [keptShape]);
  const stride = plan.strides[0][plan.dims.length - 1];
  const src = x.data;
  let i = 0;
  const isSum = kind === 'sum' || kind === 'mean';
  const isMax = kind === 'max';
  forEachRun(plan, (off, n) => {
    const o = off[0];
    if (stride === 1) {
      // A kept innermost axis: the run lines up with n output elements.
      if (isSum) for (let j = 0; j < n; j++) acc[o + j] += src[i + j];
      else if (isMax) for (let j = 0; j < n; j++) { const v = src[i + j]; if (v > acc[o + j] || v !== v) acc[o + j] = v; }
      else for (let j = 0; j < n; j++) { const v = src[i + j]; if (v < acc[o + j] || v !== v) acc[o + j] = v; }
    } else {
      // A reduced innermost axis: the whole run folds into acc[o].
      let a = acc[o];
      if (isSum) for (let j = 0; j < n; j++) a += src[i + j];
      else if (isMax) for (let j = 0; j < n; j++) { const v = src[i + j]; if (v > a || v !== v) a = v; }
      else for (let j = 0; j < n; j++) { const v = src[i + j]; if (v < a || v !== v) a = v; }
      acc[o] = a;
    }
    i += n;
  });
}

export function reduceSum(x: Tensor, axes?: readonly number[], keepdims = true): Tensor {
  return reduce('sum', x, axes, keepdims);
}

export function reduceMean(x: Tensor, axes?: readonly number[], keepdims = true): Tensor {
  return reduce('mean', x, axes, keepdims);
}

export function reduceMax(x: Tensor, axes?: readonly number[], keepdims = true): Tensor {
  return reduce('max', x, axes, keepdims);
}

export function reduceMin(x: Tensor, axes?: readonly number[], keepdims = true): Tensor {
  return reduce('min', x, axes, keepdims);
}

/**
 * Index of the largest element along `axis` (ONNX ArgMax-13), as int64. Ties go to the first index, or the
 * last with `selectLastIndex`; NaN counts as larger than any number (as in NumPy), so a row with a NaN
 * points at it.
 */
export function argMax(x: Tensor, axis = 0, keepdims = true, selectLastIndex = false): Tensor<'int64'> {
  const op = 'argMax';
  if (x.rank === 0) throw new EngineError(`input 'x' must have rank ≥ 1, got a scalar`, op);
  const ax = normalizeAxis(op, axis, x.rank);
  const n = x.shape[ax];
  if (n === 0) throw new EngineError(`axis ${axis} of 'x' [${x.shape.join(', ')}] is empty; there is no largest element`, op);
  let inner = 1;
  for (let i = ax + 1; i < x.rank; i++) inner *= x.shape[i];
  const outer = x.size / (n * inner);
  const out = new Float64Array(outer * inner);
  const src = x.data;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let at = o * n * inner + j;
      let best = src[at];
      let bestK = 0;
      for (let k = 1; k < n; k++) {
        at += inner;
        const v = src[at];
        const bestNaN = best !== best;
        const vNaN = v !== v;
        const greater = vNaN ? !bestNaN : !bestNaN && v > best;
        const equal = vNaN ? bestNaN : v === best;
        if (greater || (selectLastIndex && equal)) {
          best = v;
          bestK = k;
        }
      }
      out[o * inner + j] = bestK;
    }
  }
  const shape = x.shape.slice();
  if (keepdims) shape[ax] = 1;
  else shape.splice(ax, 1);
  return new Tensor('int64', shape, out);
}
