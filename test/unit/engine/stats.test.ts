import { describe, expect, it } from 'vitest';
import { formatNumber, formatSummary, statsOf, tensorStats } from '../../../src/engine/stats';
import { Tensor } from '../../../src/engine/tensor';
import { randomTensor } from './helpers';

/** Two-pass statistics over the finite values, the textbook way, as the oracle. */
function naiveStats(values: ArrayLike<number>) {
  const all = Array.from(values);
  const finite = all.filter(Number.isFinite);
  const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
  const variance = finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length;
  return {
    size: all.length,
    min: Math.min(...finite),
    max: Math.max(...finite),
    mean,
    std: Math.sqrt(variance),
    zeros: all.filter((v) => v === 0).length / all.length,
    nan: all.filter(Number.isNaN).length,
    posInf: all.filter((v) => v === Infinity).length,
    negInf: all.filter((v) => v === -Infinity).length,
  };
}

describe('tensorStats', () => {
  it('matches a naive two-pass computation on random data', () => {
    for (const [seed, lo, hi] of [[1, -1, 1], [2, 0, 100], [3, -1e-3, 1e-3]]) {
      const t = randomTensor([40, 25], seed, lo, hi);
      const got = tensorStats(t);
      const want = naiveStats(t.data);
      expect(got.size).toBe(want.size);
      expect(got.min).toBe(want.min);
      expect(got.max).toBe(want.max);
      expect(got.mean).toBeCloseTo(want.mean, 10);
      expect(got.std).toBeCloseTo(want.std, 10);
      expect(got.zeros).toBe(want.zeros);
    }
  });

  it('counts zeros, NaN and Inf in ReLU-like data, all-finite or not, as the naive computation does', () => {
    const t = randomTensor([64, 33], 9, -1, 1);
    for (let i = 0; i < t.size; i++) if (t.data[i] < 0) t.data[i] = 0;
    const finite = tensorStats(t);
    const wantFinite = naiveStats(t.data);
    expect(finite).toMatchObject({ min: wantFinite.min, max: wantFinite.max, zeros: wantFinite.zeros, nan: 0, posInf: 0, negInf: 0 });
    expect(finite.std).toBeCloseTo(wantFinite.std, 10);
    t.data[0] = NaN;
    t.data[100] = Infinity;
    t.data[2000] = -Infinity;
    const spoiled = tensorStats(t);
    const want = naiveStats(t.data);
    expect(spoiled).toMatchObject({ min: want.min, max: want.max, zeros: want.zeros, nan: 1, posInf: 1, negInf: 1 });
    expect(spoiled.mean).toBeCloseTo(want.mean, 10);
    expect(spoiled.std).toBeCloseTo(want.std, 10);
  });

  it('statsOf computes a tensor\'s statistics once and keeps them with it', () => {
    const t = randomTensor([10, 10], 4, -1, 1);
    const first = statsOf(t);
    expect(first).toEqual(tensorStats(t));
    expect(statsOf(t)).toBe(first);
    expect(statsOf(randomTensor([10, 10], 4, -1, 1))).not.toBe(first);
  });

  it('stays accurate for a large mean with a small spread (Welford)', () => {
    const t = randomTensor([10000], 4, 1e6, 1e6 + 1);
    const want = naiveStats(t.data);
    expect(Math.abs(tensorStats(t).std - want.std) / want.std).toBeLessThan(1e-6);
  });

  it('counts zeros, NaN and infinities and leaves them out of min, max, mean and std', () => {
    const values = [0, 1, NaN, 2, Infinity, -Infinity, 0, -3, NaN];
    const got = tensorStats(Tensor.from([values.length], values));
    expect(got).toEqual({ ...naiveStats(values), mean: got.mean, std: got.std });
    expect(got.mean).toBeCloseTo(naiveStats(values).mean, 12);
    expect(got.std).toBeCloseTo(naiveStats(values).std, 12);
    expect(got.nan).toBe(2);
    expect(got.posInf).toBe(1);
    expect(got.negInf).toBe(1);
  });

  it('reports NaN statistics when nothing is finite, and zero zeros for an empty tensor', () => {
    const s = tensorStats(Tensor.from([2], [NaN, Infinity]));
    expect([s.min, s.max, s.mean, s.std].every(Number.isNaN)).toBe(true);
    expect(tensorStats(Tensor.zeros([0])).zeros).toBe(0);
  });

  it('works on integer and bool tensors', () => {
    const t = Tensor.from([4], [3, 0, -1, 0], 'int64');
    expect(tensorStats(t)).toMatchObject({ min: -1, max: 3, mean: 0.5, zeros: 0.5 });
    expect(tensorStats(Tensor.from([3], [1, 0, 1], 'bool')).zeros).toBeCloseTo(1 / 3, 12);
  });
});

describe('formatSummary', () => {
  it('shows dtype, shape, mean, std, range and zeros for a larger tensor', () => {
    const t = Tensor.from([2, 4], [0, 0, 1, 2, 3, 4, -1, 0]);
    const s = naiveStats(t.data);
    expect(formatSummary(t)).toBe(
      `float32[2,4] μ=${formatNumber(s.mean)} σ=${formatNumber(s.std)} [-1, 4] 38% zeros`);
  });

  it('lists the values of a tensor of at most four elements', () => {
    expect(formatSummary(Tensor.from([3], [1, 0.5, -2]))).toBe('float32[3] [1, 0.5, -2]');
    expect(formatSummary(Tensor.scalar(7, 'int64'))).toBe('int64[] [7]');
  });

  it('flags NaN and Inf with their counts', () => {
    const t = Tensor.from([6], [1, NaN, Infinity, 2, -Infinity, NaN]);
    expect(formatSummary(t)).toMatch(/ NaN!×2 Inf!×2$/);
  });

  it('summarises bool tensors as a share of true and empty ones as empty', () => {
    expect(formatSummary(Tensor.from([5], [1, 0, 1, 1, 0], 'bool'))).toBe('bool[5] 60% true');
    expect(formatSummary(Tensor.zeros([0, 3]))).toBe('float32[0,3] empty');
  });

  it('formats numbers to four significant digits, with exponents for extreme magnitudes', () => {
    expect(formatNumber(0.012345)).toBe('0.01235');
    expect(formatNumber(123456)).toBe('1.23e+5');
    expect(formatNumber(0.00001)).toBe('1e-5');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-Inf');
    expect(formatNumber(0)).toBe('0');
  });
});
