import { describe, expect, it } from 'vitest';
import { barBins, topK } from '../../../webview/bars';

/** The oracle: sort all indices by value, descending, lower index first on ties. */
function sortedTop(values: number[], k: number): number[] {
  return values.map((v, i) => [v, i] as const).filter(([v]) => !Number.isNaN(v))
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map(([, i]) => i);
}

describe('topK', () => {
  it('returns the indices of the k largest values, largest first', () => {
    expect(topK([0.1, 0.7, 0.05, 0.15], 2)).toEqual([1, 3]);
  });

  it('agrees with sorting on random data with ties', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 50; trial++) {
      const values = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.round(rand() * 10) / 2);
      const k = 1 + Math.floor(rand() * 6);
      expect(topK(values, k)).toEqual(sortedTop(values, k));
    }
  });

  it('skips NaN, keeps Inf first, and returns fewer when there are fewer values', () => {
    expect(topK([NaN, 1, Infinity], 5)).toEqual([2, 1]);
    expect(topK([], 3)).toEqual([]);
    expect(topK([1, 2], 0)).toEqual([]);
  });
});

describe('barBins', () => {
  it('keeps one value per bar when there is room', () => {
    const b = barBins([3, -1, 2], 10);
    expect(b.count).toBe(3);
    expect([...b.start]).toEqual([0, 1, 2, 3]);
    expect([...b.min]).toEqual([3, -1, 2]);
    expect([...b.max]).toEqual([3, -1, 2]);
  });

  it('groups long vectors into envelopes that keep every spike', () => {
    const values = new Array(1000).fill(0);
    values[517] = 9;
    values[3] = -4;
    const b = barBins(values, 100);
    expect(b.count).toBe(100);
    expect(b.start[100]).toBe(1000);
    expect(Math.max(...b.max)).toBe(9);
    expect(Math.min(...b.min)).toBe(-4);
    expect(b.max[51]).toBe(9);
  });

  it('flags bars holding NaN (before Inf) and leaves their range empty when nothing is finite', () => {
    const b = barBins([NaN, Infinity, 1, Infinity], 2);
    expect([...b.special]).toEqual([1, 2]);
    expect(b.min[0]).toBeNaN();
    expect(b.max[1]).toBe(1);
  });
});
