import { describe, expect, it } from 'vitest';
import type { GridSpec } from '../../../src/protocol/engine';
import { checkGrid, FULL_READ_LIMIT, gridSpan, readGrid } from '../../../src/service/sampling';

/** A row-major tensor whose element i is `value(i)`, counting its reads. */
function tensor(size: number, value: (i: number) => number = (i) => i) {
  const reads: [number, number][] = [];
  const read = async (start: number, count: number) => {
    reads.push([start, count]);
    const out = new Float64Array(Math.max(0, Math.min(count, size - start)));
    for (let i = 0; i < out.length; i++) out[i] = value(start + i);
    return out;
  };
  return { read, reads };
}

const spec = (p: Partial<GridSpec>): GridSpec => ({ name: 't', offset: 0, maps: 1, mapStride: 0, rows: 1, cols: 1, maxValues: 65536, ...p });

/** Flat index of [i0, i1, …] in a row-major tensor of `shape`. */
function flat(shape: readonly number[], idx: readonly number[]): number {
  let f = 0;
  for (let a = 0; a < shape.length; a++) f = f * shape[a] + idx[a];
  return f;
}

/** The value each sampled cell must hold, computed directly from the indices the grid reports. */
function expected(g: { outRows: number; outCols: number; rowIndex: Int32Array; colIndex: Int32Array }, maps: number,
  at: (m: number, r: number, c: number) => number): number[] {
  const out: number[] = [];
  for (let m = 0; m < maps; m++) for (let i = 0; i < g.outRows; i++) for (let j = 0; j < g.outCols; j++) out.push(at(m, g.rowIndex[i], g.colIndex[j]));
  return out;
}

describe('readGrid with element strides', () => {
  it('reads the channel maps of a channels-last [N, H, W, C] item in place', async () => {
    const shape = [2, 5, 6, 3];
    const [, H, W, C] = shape;
    const t = tensor(2 * 5 * 6 * 3);
    const item = 1;
    const g = await readGrid(t.read, spec({ offset: flat(shape, [item, 0, 0, 0]), maps: C, mapStride: 1, rows: H, cols: W, rowStride: W * C, colStride: C }), 180);
    expect(g.exact).toBe(true);
    expect([...g.values]).toEqual(expected(g, C, (m, r, c) => flat(shape, [item, r, c, m])));
  });

  it('reads any two axes, rows and columns swapped', async () => {
    const shape = [4, 3, 7];
    const t = tensor(84);
    // rows = axis 2, cols = axis 0, the slice at axis 1 = 2.
    const g = await readGrid(t.read, spec({ offset: flat(shape, [0, 2, 0]), rows: 7, cols: 4, rowStride: 1, colStride: 21 }), 84);
    expect([...g.values]).toEqual(expected(g, 1, (_m, r, c) => flat(shape, [c, 2, r])));
  });

  it('defaults to contiguous maps', async () => {
    const t = tensor(24);
    const a = await readGrid(t.read, spec({ maps: 2, mapStride: 12, rows: 3, cols: 4 }), 24);
    const b = await readGrid(t.read, spec({ maps: 2, mapStride: 12, rows: 3, cols: 4, rowStride: 4, colStride: 1 }), 24);
    expect([...a.values]).toEqual([...b.values]);
    expect(gridSpan(spec({ maps: 2, mapStride: 12, rows: 3, cols: 4 }))).toBe(24);
  });

  it('samples a channels-last map and keeps a NaN of a block visible', async () => {
    const shape = [1, 64, 64, 4];
    const nanAt = flat(shape, [0, 0, 0, 2]);
    const t = tensor(64 * 64 * 4, (i) => (i === nanAt ? NaN : i));
    const g = await readGrid(t.read, spec({ maps: 4, mapStride: 1, rows: 64, cols: 64, rowStride: 256, colStride: 4, maxValues: 4 * 16 * 16 }), 64 * 64 * 4);
    expect(g.exact).toBe(false);
    expect(g.outRows * g.outCols * 4).toBeLessThanOrEqual(4 * 16 * 16);
    // Map 2's first cell covers rows 0..3 and cols 0..3: it shows the NaN; the other maps show their block's centre.
    expect(g.values[2 * g.outRows * g.outCols]).toBeNaN();
    expect(g.substituted).toBe(1);
    const want = expected(g, 4, (m, r, c) => flat(shape, [0, r, c, m]));
    want[2 * g.outRows * g.outCols] = NaN;
    expect([...g.values]).toEqual(want);
  });

  it('reads one span per sampled row for every channel of a channels-last tensor too large to read whole', async () => {
    const shape = [1, 512, 512, 8];
    const size = 512 * 512 * 8;
    expect(size).toBeGreaterThan(FULL_READ_LIMIT);
    const t = tensor(size);
    const g = await readGrid(t.read, spec({ maps: 8, mapStride: 1, rows: 512, cols: 512, rowStride: 512 * 8, colStride: 8, maxValues: 65536 }), size);
    expect(g.exact).toBe(false);
    expect(t.reads.length).toBe(g.outRows);
    expect([...g.values]).toEqual(expected(g, 8, (m, r, c) => flat(shape, [0, r, c, m])));
  });

  it('reads the sampled rows of each map of a channels-first slice too large to read whole', async () => {
    const shape = [2, 6, 512, 512];
    const size = 2 * 6 * 512 * 512;
    const t = tensor(size);
    // Item 1, channels 1..5, rows and columns swapped (rows = W, cols = H).
    const g = await readGrid(t.read, spec({
      offset: flat(shape, [1, 1, 0, 0]), maps: 5, mapStride: 512 * 512, rows: 512, cols: 512, rowStride: 1, colStride: 512, maxValues: 8192,
    }), size);
    expect([...g.values]).toEqual(expected(g, 5, (m, r, c) => flat(shape, [1, 1 + m, c, r])));
    expect(t.reads.length).toBe(5 * g.outRows);
  });

  it('says when strides run past the tensor, or are not whole numbers', () => {
    expect(() => checkGrid(spec({ maps: 3, mapStride: 1, rows: 4, cols: 4, rowStride: 12, colStride: 3 }), 47))
      .toThrow("grid of 't' ends at element 48, but the tensor has 47");
    expect(() => checkGrid(spec({ rows: 2, cols: 2, rowStride: -1 }), 10)).toThrow(/rowStride must be a whole number/);
    expect(() => checkGrid(spec({ rows: 2, cols: 2, colStride: 0.5 }), 10)).toThrow(/colStride must be a whole number/);
  });
});
