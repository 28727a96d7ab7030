import { expect } from 'vitest';
import { mulberry32 } from '../../../src/engine/random';
import { Tensor } from '../../../src/engine/tensor';
import type { DType, Shape } from '../../../src/engine/tensor';

/** A seeded PRNG (the engine's Mulberry32) so every test sees the same "random" inputs on every run. */
export const seededRandom = mulberry32;

/** A float32 tensor of the given shape with values uniform in [lo, hi), reproducible from `seed`. */
export function randomTensor(shape: Shape, seed: number, lo = -1, hi = 1): Tensor<'float32'> {
  const t = Tensor.zeros(shape, 'float32');
  const rand = seededRandom(seed);
  for (let i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * rand();
  return t;
}

/** An integer tensor of the given dtype with values uniform in [lo, hi] (inclusive), reproducible from `seed`. */
export function randomIntTensor<D extends DType>(shape: Shape, seed: number, lo: number, hi: number, dtype: D): Tensor<D> {
  const t = Tensor.zeros(shape, dtype);
  const rand = seededRandom(seed);
  for (let i = 0; i < t.size; i++) t.data[i] = lo + Math.floor((hi - lo + 1) * rand());
  return t;
}

export interface Tolerance {
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** Relative tolerance, scaled by |expected| (default 1e-5). */
  rtol?: number;
}

/**
 * Asserts `actual` has `shape` and matches `expected` elementwise: |a - e| <= atol + rtol·|e|.
 * NaN matches only NaN, and ±Inf only the same infinity. On failure it reports the first bad index
 * and how many elements are off, not the whole array.
 */
export function expectClose(actual: Tensor, expected: ArrayLike<number>, shape: Shape, tol: Tolerance = {}): void {
  const atol = tol.atol ?? 1e-6;
  const rtol = tol.rtol ?? 1e-5;
  expect([...actual.shape], 'shape').toEqual([...shape]);
  expect(actual.size, 'element count').toBe(expected.length);
  let bad = 0;
  let first = -1;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual.data[i];
    const e = expected[i];
    let ok: boolean;
    if (Number.isNaN(e)) ok = Number.isNaN(a);
    else if (!Number.isFinite(e)) ok = a === e;
    else {
      const err = Math.abs(a - e);
      ok = err <= atol + rtol * Math.abs(e);
      if (err > worst) worst = err;
    }
    if (!ok) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad) {
    const msg = `${bad} of ${expected.length} elements differ; first at flat index ${first}: ` +
      `got ${actual.data[first]}, expected ${expected[first]} (atol ${atol}, rtol ${rtol}, worst abs error ${worst})`;
    expect.fail(msg);
  }
}
