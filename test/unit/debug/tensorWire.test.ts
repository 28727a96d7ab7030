import { describe, expect, it } from 'vitest';
import { packValues } from '../../../src/debug/tensorWire';
import { toNumbers } from '../../../src/service/sampling';

describe('packValues', () => {
  it('keeps NaN and ±Inf that JSON would turn into null, through JSON and the panel decoder', () => {
    const values = new Float32Array([1.5, NaN, Infinity, -Infinity, -0.25]);
    const packed = JSON.parse(JSON.stringify(packValues({ name: 'x', shape: [5], dtype: 'float32', start: 0, values })));
    expect(Array.from(toNumbers(packed.values))).toEqual([1.5, NaN, Infinity, -Infinity, -0.25]);
  });

  it('packs only the viewed part of a larger buffer, and large arrays in chunks', () => {
    const big = new Float32Array(100_000).map((_, i) => i);
    const view = big.subarray(10, 70_010);
    const packed = packValues({ name: 'x', shape: [100_000], dtype: 'float32', start: 10, values: view });
    const back = toNumbers(packed.values);
    expect(back.length).toBe(70_000);
    expect([back[0], back[69_999]]).toEqual([10, 70_009]);
  });

  it('keeps int64 values held in a Float64Array', () => {
    const values = new Float64Array([2 ** 40, -3]);
    const packed = packValues({ name: 'i', shape: [2], dtype: 'int64', start: 0, values });
    expect(Array.from(toNumbers(packed.values))).toEqual([2 ** 40, -3]);
  });
});
