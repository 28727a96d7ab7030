import { allocate, stridesOf, Tensor } from '../../engine/tensor';
import type { WorkBudget } from './budget';
import { ExpressionError } from './errors';

/** An index entry with its numbers evaluated. */
export type ResolvedIndex =
  | { readonly kind: 'at'; readonly index: number }
  | { readonly kind: 'slice'; readonly start?: number; readonly stop?: number; readonly step?: number };

/** Start, step and length of a slice along an axis of size n, following Python's `slice.indices`. */
export function sliceRange(n: number, s: { start?: number; stop?: number; step?: number }, col?: number): { start: number; step: number; length: number } {
  const step = s.step ?? 1;
  if (step === 0) throw new ExpressionError('slice step cannot be zero', col);
  const [lower, upper] = step > 0 ? [0, n] : [-1, n - 1];
  const clamp = (v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    const k = v < 0 ? v + n : v;
    return Math.min(Math.max(k, lower), upper);
  };
  const start = clamp(s.start, step > 0 ? lower : upper);
  const stop = clamp(s.stop, step > 0 ? upper : lower);
  const length = Math.max(0, Math.ceil((stop - start) / step));
  return { start, step, length };
}

/**
 * What NumPy basic indexing picks of a tensor of `shape`: per axis the positions it takes (an integer one position,
 * a slice its range, an axis left unnamed all of it), and the sizes of the axes a slice keeps. Throws a sentence
 * for too many indices or an index out of range.
 */
export function picksFor(shape: readonly number[], items: readonly ResolvedIndex[], col?: number): { picks: number[][]; kept: number[] } {
  if (items.length > shape.length) {
    throw new ExpressionError(`too many indices (${items.length}) for a tensor of rank ${shape.length}`, col);
  }
  const picks: number[][] = [];
  const kept: number[] = [];
  for (let ax = 0; ax < shape.length; ax++) {
    const n = shape[ax];
    const it: ResolvedIndex = items[ax] ?? { kind: 'slice' };
    if (it.kind === 'at') {
      const k = it.index < 0 ? it.index + n : it.index;
      if (!Number.isInteger(it.index) || k < 0 || k >= n) {
        throw new ExpressionError(`index ${it.index} is out of range for axis ${ax} of size ${n}`, col);
      }
      picks.push([k]);
    } else {
      const r = sliceRange(n, it, col);
      picks.push(Array.from({ length: r.length }, (_, i) => r.start + i * r.step));
      kept.push(r.length);
    }
  }
  return { picks, kept };
}

/**
 * NumPy basic indexing: an integer picks one position and drops the axis, a slice keeps it; axes left
 * unnamed are taken whole. The result is a new tensor (a copy), or a number (a boolean for bool tensors) when every axis is picked.
 */
export function indexTensor(t: Tensor, items: readonly ResolvedIndex[], budget: WorkBudget, col?: number): Tensor | number | boolean {
  const { picks, kept: outShape } = picksFor(t.shape, items, col);
  const strides = stridesOf(t.shape);
  const size = picks.reduce((p, a) => p * a.length, 1);
  budget.charge(size, col);
  const out = allocate(t.dtype, size);
  const pos = new Array<number>(t.rank).fill(0);
  for (let i = 0; i < size; i++) {
    let off = 0;
    for (let ax = 0; ax < t.rank; ax++) off += picks[ax][pos[ax]] * strides[ax];
    out[i] = t.data[off];
    for (let ax = t.rank - 1; ax >= 0; ax--) {
      if (++pos[ax] < picks[ax].length) break;
      pos[ax] = 0;
    }
  }
  if (outShape.length === 0) return t.dtype === 'bool' ? out[0] !== 0 : out[0];
  return new Tensor(t.dtype, outShape, out);
}
