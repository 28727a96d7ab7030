import { EngineError } from '../errors';
import { allocate, stridesOf, Tensor } from '../tensor';
import type { DType } from '../tensor';
import { normalizeAxes } from './opArgs';

/** Start, step and element count along one axis, after ONNX clamping. */
interface AxisRange {
  start: number;
  step: number;
  count: number;
}

/**
 * The range ONNX Slice-13 takes along an axis of length `dim`: negative start/end count from the end, then
 * both are clamped to [0, dim] for a positive step and to [0, dim-1] / [-1, dim-1] for a negative one.
 */
export function sliceRange(dim: number, start: number, end: number, step: number): AxisRange {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), dim);
    end = Math.min(Math.max(end, 0), dim);
  } else {
    start = Math.min(Math.max(start, 0), dim - 1);
    end = Math.min(Math.max(end, -1), dim - 1);
  }
  const count = Math.max(0, Math.ceil((end - start) / step));
  return { start, step, count };
}

/**
 * ONNX Slice-13. `axes` defaults to 0..starts.length-1 and `steps` to ones; an axis may appear once; a step
 * may be negative but not zero. Ends beyond the axis (such as INT64_MAX) are clamped.
 */
export function slice<D extends DType>(
  x: Tensor<D>,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
  steps?: readonly number[],
): Tensor<D> {
  const n = starts.length;
  const lengths = [`'ends' has ${ends.length}`, axes && `'axes' has ${axes.length}`, steps && `'steps' has ${steps.length}`];
  if (ends.length !== n || (axes && axes.length !== n) || (steps && steps.length !== n)) {
    throw new EngineError(`'starts' has ${n} values but ${lengths.filter(Boolean).join(', ')}; they must match`, 'slice');
  }
  const ax = normalizeAxes('slice', axes ?? starts.map((_, i) => i), x.rank);
  const ranges: AxisRange[] = x.shape.map((d) => ({ start: 0, step: 1, count: d }));
  ax.forEach((a, i) => {
    const step = steps ? steps[i] : 1;
    if (step === 0) throw new EngineError(`'steps' must not be 0 (axis ${a})`, 'slice');
    ranges[a] = sliceRange(x.shape[a], starts[i], ends[i], step);
  });
  const outShape = ranges.map((r) => r.count);
  const out = allocate(x.dtype, outShape.reduce((a, b) => a * b, 1));
  if (out.length === 0) return new Tensor(x.dtype, outShape, out);

  // Trailing axes taken whole are one contiguous run; merge them into a single innermost axis.
  let k = x.rank;
  while (k > 0 && ranges[k - 1].start === 0 && ranges[k - 1].step === 1 && ranges[k - 1].count === x.shape[k - 1]) k--;
  const inner = x.shape.slice(k).reduce((a, b) => a * b, 1);
  const strides = stridesOf(x.shape);
  const rs = ranges.slice(0, k);
  const src = x.data;

  if (k === 0) {
    out.set(src as ArrayLike<number>);
    return new Tensor(x.dtype, outShape, out);
  }
  // Innermost partial axis: k-1. Outer axes 0..k-2 advance by odometer.
  const last = rs[k - 1];
  const lastStride = strides[k - 1];
  const idx = new Array<number>(k - 1).fill(0);
  let base = 0;
  for (let a = 0; a < k - 1; a++) base += rs[a].start * strides[a];
  const contiguous = last.step === 1;
  let o = 0;
  for (;;) {
    let s = base + last.start * lastStride;
    if (contiguous) {
      const len = last.count * inner;
      if (len < 16) for (let j = 0; j < len; j++) out[o++] = src[s + j];
      else {
        out.set(src.subarray(s, s + len) as ArrayLike<number>, o);
        o += len;
      }
    } else if (inner === 1) {
      for (let j = 0; j < last.count; j++, s += last.step) out[o++] = src[s];
    } else {
      for (let j = 0; j < last.count; j++, s += last.step * lastStride) {
        out.set(src.subarray(s, s + inner) as ArrayLike<number>, o);
        o += inner;
      }
    }
    let a = k - 2;
    for (; a >= 0; a--) {
      base += rs[a].step * strides[a];
      if (++idx[a] < rs[a].count) break;
      base -= rs[a].step * strides[a] * rs[a].count;
      idx[a] = 0;
    }
    if (a < 0) break;
  }
  return new Tensor(x.dtype, outShape, out);
}
