import { describe, expect, it } from 'vitest';
import type { GridSpec } from '../../../src/protocol/engine';
import { checkGrid, FULL_READ_LIMIT, READ_CHUNK, readGrid, sampleIndices, samplingPlan, toNumbers } from '../../../src/service/sampling';


/** An in-memory tensor 0, 1, 2, … that counts its reads. */
function tensor(size: number, special: Record<number, number> = {}) {
  const reads: [number, number][] = [];
  const read = async (start: number, count: number) => {
    reads.push([start, count]);
    const out = new Float32Array(Math.max(0, Math.min(count, size - start)));
    for (let i = 0; i < out.length; i++) out[i] = special[start + i] ?? start + i;
    return out;
  };
  return { read, reads };
}

const grid = (p: Partial<GridSpec>): GridSpec => ({ name: 't', offset: 0, maps: 1, mapStride: 0, rows: 1, cols: 1, maxValues: 65536, ...p });

describe('samplingPlan', () => {
  it('keeps strides at 1 when everything fits', () => {
    expect(samplingPlan(1, 100, 100, 65536)).toEqual({ outRows: 100, outCols: 100, rowStride: 1, colStride: 1 });
  });

  it('stays within the budget with cells about square', () => {
    for (const [maps, rows, cols, max] of [[1, 784, 128, 65536], [1, 50257, 768, 65536], [64, 224, 224, 65536], [1, 1, 3_000_000, 65536], [3, 7, 1_000_001, 1000]]) {
      const p = samplingPlan(maps, rows, cols, max);
      expect(maps * p.outRows * p.outCols).toBeLessThanOrEqual(max);
      expect(p.outRows).toBe(Math.ceil(rows / p.rowStride));
      expect(p.outCols).toBe(Math.ceil(cols / p.colStride));
    }
    const p = samplingPlan(1, 784, 128, 65536);
    expect([p.rowStride, p.colStride]).toEqual([2, 1]);
  });
});

describe('sampleIndices', () => {
  it('takes the centre of each block, the last block possibly short', () => {
    expect([...sampleIndices(7, 3)]).toEqual([1, 4, 6]);
    expect([...sampleIndices(4, 1)]).toEqual([0, 1, 2, 3]);
  });
});

describe('toNumbers', () => {
  it('passes typed arrays through', () => {
    const a = new Float32Array([1, 2]);
    expect(toNumbers(a)).toBe(a);
  });

  it('reads what JSON made of a typed array, with null as NaN', () => {
    const viaJson = JSON.parse(JSON.stringify(new Float32Array([1.5, NaN, Infinity])));
    expect(Array.from(toNumbers(viaJson))).toEqual([1.5, NaN, NaN]);
    expect(Array.from(toNumbers([1, null, 3]))).toEqual([1, NaN, 3]);
  });

  it('reads base64 bytes of the engine typed array, keeping NaN and infinities', () => {
    const a = new Float32Array([1.5, NaN, -Infinity, 2]);
    const base64 = Buffer.from(a.buffer).toString('base64');
    expect(Array.from(toNumbers({ base64, dtype: 'float32' }))).toEqual([1.5, NaN, -Infinity, 2]);
    const ids = new Float64Array([3, 2 ** 40]);
    expect(Array.from(toNumbers({ base64: Buffer.from(ids.buffer).toString('base64'), dtype: 'int64' }))).toEqual([3, 2 ** 40]);
    expect(() => toNumbers({ base64: 'AAA=', dtype: 'float32' })).toThrow(/not whole float32 elements/);
  });

  it('refuses anything else', () => {
    expect(() => toNumbers('1,2')).toThrow(/expected an array/);
  });
});

describe('checkGrid', () => {
  it('names the tensor and what is out of range', () => {
    expect(() => checkGrid(grid({ rows: 10, cols: 10 }), 99)).toThrow("grid of 't' ends at element 100, but the tensor has 99");
    expect(() => checkGrid(grid({ rows: 0 }), 10)).toThrow(/at least 1/);
    expect(() => checkGrid(grid({ offset: 1.5 }), 10)).toThrow(/offset must be a whole number/);
  });
});

describe('readGrid', () => {
  it('returns every element, exactly, when the grid fits', async () => {
    const t = tensor(12);
    const g = await readGrid(t.read, grid({ rows: 3, cols: 4 }), 12);
    expect(g.exact).toBe(true);
    expect([...g.values]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect([g.outRows, g.outCols, g.substituted]).toEqual([3, 4, 0]);
    expect(t.reads).toEqual([[0, 12]]);
  });

  it('samples block centres and reports where each sample comes from', async () => {
    const t = tensor(6 * 6);
    const g = await readGrid(t.read, grid({ rows: 6, cols: 6, maxValues: 9 }), 36);
    expect(g.exact).toBe(false);
    expect([...g.rowIndex]).toEqual([0, 2, 4]);
    expect([...g.colIndex]).toEqual([0, 2, 4]);
    expect([...g.values]).toEqual([0, 2, 4, 12, 14, 16, 24, 26, 28]);
  });

  it('shows a NaN or Inf hidden in a sampled block instead of the centre, NaN first', async () => {
    const t = tensor(16, { 5: Infinity, 7: NaN, 6: -Infinity });
    const g = await readGrid(t.read, grid({ rows: 4, cols: 4, maxValues: 4 }), 16);
    // Blocks of 2×2: the top-left one holds 5 (Inf), the top-right holds 6 (-Inf) and 7 (NaN).
    expect(g.values[0]).toBe(Infinity);
    expect(g.values[1]).toBeNaN();
    expect(g.values[2]).toBe(8);
    expect(g.substituted).toBe(2);
  });

  it('reads feature maps a stride apart', async () => {
    const t = tensor(2 * 3 * 2 * 2);
    const g = await readGrid(t.read, grid({ offset: 4, maps: 2, mapStride: 4, rows: 2, cols: 2 }), 24);
    expect([...g.values]).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('reads only the sampled rows of a tensor too large to read whole', async () => {
    const rows = 4096;
    const cols = 512;
    const t = tensor(rows * cols);
    expect(rows * cols).toBeGreaterThan(FULL_READ_LIMIT);
    const g = await readGrid(t.read, grid({ rows, cols, maxValues: 65536 }), rows * cols);
    expect(g.outRows * g.outCols).toBeLessThanOrEqual(65536);
    expect(t.reads.length).toBe(g.outRows);
    expect(t.reads.every(([, n]) => n === cols)).toBe(true);
    const i = 7;
    const j = 3;
    expect(g.values[i * g.outCols + j]).toBe(g.rowIndex[i] * cols + g.colIndex[j]);
  });

  it('reads long spans in chunks', async () => {
    const n = READ_CHUNK * 2 + 5;
    const t = tensor(n);
    const g = await readGrid(t.read, grid({ rows: 1, cols: n, maxValues: 1000 }), n);
    expect(t.reads).toEqual([[0, READ_CHUNK], [READ_CHUNK, READ_CHUNK], [2 * READ_CHUNK, 5]]);
    expect(g.values.length).toBeLessThanOrEqual(1000);
  });

  it('fails with a clear message when the source returns fewer values than asked', async () => {
    const short = async () => new Float32Array(2);
    await expect(readGrid(short, grid({ rows: 2, cols: 2 }), 4)).rejects.toThrow('asked for 4 elements from 0, got 2');
  });
});
