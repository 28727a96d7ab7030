import { EngineError } from '../errors';
import { Tensor, allocate } from '../tensor';
import type { DType } from '../tensor';
import { fmtShape, normalizeAxis, prod } from './opArgs';

/** ONNX CumSum-14 and Trilu-14: running sums along an axis, and the triangles of matrices. */

/** Running sum along `axis`; `exclusive` leaves out the element itself, `reverse` sums from the end. */
export function cumSum<D extends DType>(x: Tensor<D>, axis: number, exclusive = false, reverse = false): Tensor<D> {
  const op = 'cumSum';
  if (x.dtype === 'bool') throw new EngineError(`input 'x' is bool; ${op} needs numbers`, op);
  if (x.rank === 0) throw new EngineError(`input 'x' must have rank ≥ 1, got a scalar`, op);
  const ax = normalizeAxis(op, axis, x.rank);
  const n = x.shape[ax];
  const inner = prod(x.shape, ax + 1);
  const outer = prod(x.shape, 0, ax);
  const out = allocate(x.dtype, x.size);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = 0;
      for (let s = 0; s < n; s++) {
        const k = reverse ? n - 1 - s : s;
        const at = (o * n + k) * inner + j;
        const v = x.data[at];
        if (exclusive) {
          out[at] = acc;
          acc += v;
        } else {
          acc += v;
          out[at] = acc;
        }
      }
    }
  }
  return new Tensor(x.dtype, x.shape, out);
}

/**
 * The upper (j − i ≥ k) or lower (j − i ≤ k) triangle of each matrix in the last two axes; the rest is zero.
 */
export function trilu<D extends DType>(x: Tensor<D>, k = 0, upper = true): Tensor<D> {
  if (x.rank < 2) throw new EngineError(`input must have rank ≥ 2, got ${fmtShape(x.shape)}`, 'trilu');
  const rows = x.shape[x.rank - 2];
  const cols = x.shape[x.rank - 1];
  const out = allocate(x.dtype, x.size);
  const mats = prod(x.shape, 0, x.rank - 2);
  for (let m = 0; m < mats; m++) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const at = (m * rows + i) * cols + j;
        if (upper ? j - i >= k : j - i <= k) out[at] = x.data[at];
      }
    }
  }
  return new Tensor(x.dtype, x.shape, out);
}
