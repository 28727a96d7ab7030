import { describe, expect, it } from 'vitest';
import { chooseLayout, fitGrid, gridOf, MAX_MAPS, squareSide, tileMaps } from '../../../src/protocol/tensorLayout';

describe('chooseLayout', () => {
  it('draws vectors, [1, N] and [N, 1] as bars', () => {
    expect(chooseLayout([10], 'output')).toEqual({ kind: 'bars', length: 10 });
    expect(chooseLayout([1, 784], 'input')).toEqual({ kind: 'bars', length: 784 });
    expect(chooseLayout([64, 1], 'weight')).toEqual({ kind: 'bars', length: 64 });
  });

  it('draws matrices as heatmaps and folds leading dimensions into rows', () => {
    expect(chooseLayout([784, 128], 'weight')).toEqual({ kind: 'heatmap', rows: 784, cols: 128 });
    expect(chooseLayout([1, 16, 32], 'output')).toEqual({ kind: 'heatmap', rows: 16, cols: 32 });
    expect(chooseLayout([2, 3, 4, 5, 6], 'output')).toEqual({ kind: 'heatmap', rows: 120, cols: 6 });
  });

  it('draws [N, C, H, W] activations as C feature maps of the first item', () => {
    expect(chooseLayout([1, 8, 28, 28], 'output')).toEqual({ kind: 'maps', maps: 8, shown: 8, rows: 28, cols: 28, mapStride: 784, note: undefined });
    const many = chooseLayout([4, 100, 7, 7], 'output');
    expect(many).toMatchObject({ kind: 'maps', maps: 100, shown: MAX_MAPS, mapStride: 49 });
    expect(many.kind === 'maps' && many.note).toBe(`item 0 of 4, first ${MAX_MAPS} of 100 channels`);
  });

  it('draws a one-channel image as one heatmap', () => {
    expect(chooseLayout([1, 1, 28, 28], 'input')).toEqual({ kind: 'heatmap', rows: 28, cols: 28 });
  });

  it('draws few convolution filters of 3×3 or more as maps, others as an [O, I·kH·kW] matrix', () => {
    expect(chooseLayout([8, 1, 5, 5], 'weight')).toEqual({ kind: 'maps', maps: 8, shown: 8, rows: 5, cols: 5, mapStride: 25 });
    expect(chooseLayout([64, 32, 3, 3], 'weight')).toEqual({ kind: 'heatmap', rows: 64, cols: 288 });
    expect(chooseLayout([16, 8, 1, 1], 'weight')).toEqual({ kind: 'heatmap', rows: 16, cols: 8 });
  });

  it('shows scalars and empty tensors without a grid', () => {
    expect(chooseLayout([], 'input')).toEqual({ kind: 'scalar' });
    expect(chooseLayout([1, 1], 'input')).toEqual({ kind: 'scalar' });
    expect(chooseLayout([0, 3], 'input')).toEqual({ kind: 'empty' });
    expect(gridOf({ kind: 'scalar' })).toBeUndefined();
  });
});

describe('gridOf', () => {
  it('asks for one row of a vector, one matrix of a heatmap and the shown maps', () => {
    expect(gridOf({ kind: 'bars', length: 10 })).toEqual({ offset: 0, maps: 1, mapStride: 0, rows: 1, cols: 10 });
    expect(gridOf(chooseLayout([1, 100, 7, 7], 'output'))).toEqual({ offset: 0, maps: MAX_MAPS, mapStride: 49, rows: 7, cols: 7 });
  });
});

describe('fitGrid', () => {
  it('uses whole-pixel square cells when they fit', () => {
    expect(fitGrid(28, 28, 600, 320)).toEqual({ width: 308, height: 308 });
    expect(fitGrid(10, 10, 600, 320)).toEqual({ width: 240, height: 240 });
  });

  it('never exceeds the box and keeps a tall matrix readably wide', () => {
    const f = fitGrid(784, 128, 600, 320);
    expect(f.height).toBe(320);
    expect(f.width).toBe(240);
    const g = fitGrid(2, 5000, 300, 320);
    expect(g.width).toBe(300);
    expect(g.height).toBeLessThanOrEqual(320);
  });
});

describe('tileMaps', () => {
  it('wraps tiles into rows that fit the width', () => {
    const t = tileMaps(8, 28, 28, 600);
    expect(t.tileW).toBe(84);
    expect(t.perRow).toBe(6);
    expect(t.height).toBe(2 * 84 + 4);
    expect(t.width).toBeLessThanOrEqual(600);
  });

  it('scales large maps down to the target size', () => {
    const t = tileMaps(4, 224, 224, 800);
    expect(t.tileW).toBe(96);
    expect(t.tileH).toBe(96);
  });
});

describe('squareSide', () => {
  it('recognises flattened images', () => {
    expect(squareSide(784)).toBe(28);
    expect(squareSide(196)).toBe(14);
    expect(squareSide(64)).toBe(0);
    expect(squareSide(785)).toBe(0);
  });
});
