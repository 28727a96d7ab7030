import { EngineError } from '../errors';
import { Tensor, allocate } from '../tensor';
import type { DType } from '../tensor';
import { fmtShape, normalizeAxis, prod } from './opArgs';

/**
 * ONNX TopK-11: the k largest (or smallest) elements along `axis` and their int64 indices. Ties go to the
 * lower index, as the spec asks. NaN counts as larger than any number (as NumPy sorts it last).
 * With `sorted` false the spec allows any order; we return them sorted anyway.
 */
export function topK<D extends DType>(x: Tensor<D>, k: number, axis = -1, largest = true): [Tensor<D>, Tensor<'int64'>] {
  const op = 'topK';
  if (x.rank === 0) throw new EngineError(`input 'x' must have rank ≥ 1, got a scalar`, op);
  const ax = normalizeAxis(op, axis, x.rank);
  const n = x.shape[ax];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new EngineError(`'k' must be between 0 and ${n} (axis ${ax} of ${fmtShape(x.shape)}), got ${k}`, op);
  }
  const inner = prod(x.shape, ax + 1);
  const outer = prod(x.shape, 0, ax);
  const shape = [...x.shape];
  shape[ax] = k;
  const values = allocate(x.dtype, outer * k * inner);
  const indices = new Float64Array(outer * k * inner);
  const src = x.data;
  const order = new Array<number>(n);
  const key = new Float64Array(n);
  // Larger first when `largest`; NaN is the largest value of all.
  const before = (a: number, b: number): number => {
    const va = key[a];
    const vb = key[b];
    if (va !== vb) {
      const aNaN = va !== va;
      const bNaN = vb !== vb;
      if (aNaN !== bNaN) return (aNaN ? -1 : 1) * (largest ? 1 : -1);
      if (!aNaN) return (va > vb ? -1 : 1) * (largest ? 1 : -1);
    }
    return a - b;
  };
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      for (let i = 0; i < n; i++) {
        order[i] = i;
        key[i] = src[base + i * inner];
      }
      order.sort(before);
      const outBase = o * k * inner + j;
      for (let i = 0; i < k; i++) {
        values[outBase + i * inner] = key[order[i]];
        indices[outBase + i * inner] = order[i];
      }
    }
  }
  return [new Tensor(x.dtype, shape, values), new Tensor('int64', shape, indices)];
}
