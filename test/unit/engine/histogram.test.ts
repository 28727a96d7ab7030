import { describe, expect, it } from 'vitest';
import { finiteRange, histogram, planBins } from '../../../src/engine/histogram';

describe('planBins', () => {
  it('takes about √n bins between 8 and 64', () => {
    expect(planBins(0, 1, 4, false).bins).toBe(8);
    expect(planBins(0, 1, 400, false).bins).toBe(20);
    expect(planBins(0, 1, 1e6, false).bins).toBe(64);
  });

  it('gives integer data with a small range one bin per value, centred on it', () => {
    expect(planBins(0, 9, 1000, true)).toEqual({ min: -0.5, max: 9.5, bins: 10 });
    expect(planBins(0, 1000, 1000, true).bins).toBe(32);
  });

  it('widens a constant range and defaults when nothing is finite', () => {
    expect(planBins(2, 2, 100, false)).toEqual({ min: 1.9, max: 2.1, bins: 10 });
    expect(planBins(0, 0, 100, false)).toEqual({ min: -0.5, max: 0.5, bins: 10 });
    expect(planBins(NaN, NaN, 100, false)).toEqual({ min: 0, max: 1, bins: 1 });
  });
});

describe('histogram', () => {
  it('counts values into equal bins, the maximum in the last one', () => {
    const h = histogram([0, 0.1, 0.5, 0.99, 1], { min: 0, max: 1, bins: 4 });
    expect([...h.counts]).toEqual([2, 0, 1, 2]);
    expect(h.total).toBe(5);
  });

  it('counts NaN and ±Inf apart and never bins them', () => {
    const h = histogram([NaN, Infinity, -Infinity, -Infinity, 0.5], { min: 0, max: 1, bins: 2 });
    expect([...h.counts]).toEqual([0, 1]);
    expect([h.nan, h.posInf, h.negInf, h.total]).toEqual([1, 1, 2, 1]);
  });

  it('puts values outside the range into the end bins', () => {
    const h = histogram([-5, 5], { min: 0, max: 1, bins: 3 });
    expect([...h.counts]).toEqual([1, 0, 1]);
  });

  it('bins integers on their own values', () => {
    const plan = planBins(0, 2, 6, true);
    expect([...histogram([0, 1, 1, 2, 2, 2], plan).counts]).toEqual([1, 2, 3]);
  });
});

describe('finiteRange', () => {
  it('ignores NaN and infinities', () => {
    expect(finiteRange([NaN, -Infinity, 3, -2, Infinity])).toEqual({ min: -2, max: 3 });
    expect(finiteRange([NaN, Infinity])).toEqual({ min: NaN, max: NaN });
  });
});
