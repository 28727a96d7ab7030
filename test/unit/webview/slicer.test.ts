import { describe, expect, it } from 'vitest';
import {
  axisNames, defaultView, describeView, firstGrid, guessLayout, initialView, MAX_MAPS, pictureRange, sliceGrid, stridesOf,
} from '../../../src/protocol/tensorLayout';
import type { SliceView } from '../../../src/protocol/tensorLayout';
import { canPicture, channelPages, pageChannels, pickAxis, scrub, scrubbedAxes, SliceMemory, switchLayout, togglePicture } from '../../../webview/slicer';
import { pictureRgba } from '../../../webview/draw/pixels';
import { SharedScales } from '../../../webview/sharedScale';

/** Flat index of an element in a row-major tensor. */
const flat = (shape: readonly number[], idx: readonly number[]) => idx.reduce((f, i, a) => f * shape[a] + i, 0);

/** Element (m, r, c) of a grid, where the grid says it is. */
const at = (g: ReturnType<typeof sliceGrid>, m: number, r: number, c: number) => g.offset + m * g.mapStride + r * g.rowStride + c * g.colStride;

describe('guessLayout', () => {
  it('reads channels last from a small last axis, else rank 4 is channels first', () => {
    expect(guessLayout([1, 224, 224, 3])).toBe('NHWC');
    expect(guessLayout([8, 28, 28, 1])).toBe('NHWC');
    expect(guessLayout([1, 3, 224, 224])).toBe('NCHW');
    expect(guessLayout([1, 64, 56, 56])).toBe('NCHW');
    expect(guessLayout([1, 1, 17, 3])).toBe('NCHW');
    expect(guessLayout([224, 224, 3])).toBe('NHWC');
    expect(guessLayout([3, 32, 32])).toBe('NCHW');
    expect(guessLayout([2, 8, 16])).toBeUndefined();
    expect(guessLayout([1, 8, 1])).toBeUndefined();
    expect(guessLayout([10, 10])).toBeUndefined();
  });
});

describe('initialView and sliceGrid', () => {
  it('draws an NHWC image as an RGB picture read in place', () => {
    const t = { shape: [1, 224, 224, 3], stats: { min: 0, max: 1, mean: 0.4 } };
    const first = initialView(t, 'input');
    expect(first?.layout).toBe('NHWC');
    expect(first?.view).toMatchObject({ rowAxis: 1, colAxis: 2, channelAxis: 3, picture: true });
    expect(first?.grid).toEqual({ offset: 0, maps: 3, mapStride: 1, rows: 224, cols: 224, rowStride: 224 * 3, colStride: 3 });
    expect(describeView(t.shape, first!.view, axisNames(4, 'NHWC'))).toBe('RGB picture of channels 1–3, rows=H cols=W');
  });

  it('draws channels of an NHWC activation as maps, 64 at a time, not its rows as channels', () => {
    const shape = [1, 224, 224, 96];
    const first = initialView({ shape, layout: 'NHWC', stats: { min: -3, max: 9 } }, 'output')!;
    expect(first.view.picture).toBe(false);
    expect(first.grid).toMatchObject({ maps: MAX_MAPS, mapStride: 1, rows: 224, cols: 224 });
    const page2 = pageChannels(shape, first.view, 1);
    const g = sliceGrid(shape, page2);
    expect(g.maps).toBe(96 - 64);
    expect(at(g, 5, 7, 9)).toBe(flat(shape, [0, 7, 9, 64 + 5]));
    expect(describeView(shape, page2, axisNames(4, 'NHWC'))).toBe('channels 65–96 of 96, rows=H cols=W');
  });

  it('says which item, channels and axes are drawn', () => {
    const shape = [8, 256, 16, 16];
    const v: SliceView = { ...defaultView(shape, 'NCHW'), index: [3, 0, 0, 0], channelStart: 64 };
    expect(describeView(shape, v, axisNames(4, 'NCHW'))).toBe('item 4 of 8, channels 65–128 of 256, rows=H cols=W');
  });

  it('places every element of a strided slice where a direct index computation does', () => {
    const shape = [2, 3, 5, 7];
    const views: SliceView[] = [
      { rowAxis: 2, colAxis: 3, channelAxis: 1, index: [1, 0, 0, 0], channelStart: 0, picture: false },
      { rowAxis: 3, colAxis: 2, channelAxis: 0, index: [0, 2, 0, 0], channelStart: 0, picture: false },
      { rowAxis: 1, colAxis: 3, channelAxis: -1, index: [1, 0, 4, 0], channelStart: 0, picture: false },
    ];
    for (const v of views) {
      const g = sliceGrid(shape, v);
      for (let m = 0; m < g.maps; m++) for (let r = 0; r < g.rows; r++) for (let c = 0; c < g.cols; c++) {
        const idx = [...v.index];
        idx[v.rowAxis] = r;
        idx[v.colAxis] = c;
        if (v.channelAxis >= 0) idx[v.channelAxis] = m;
        expect(at(g, m, r, c)).toBe(flat(shape, idx));
      }
    }
    expect(stridesOf(shape)).toEqual([105, 35, 7, 1]);
  });

  it('leaves vectors, weights other than convolutions\' and tiny maps to the plain layouts, with the same first grid on both ends', () => {
    expect(initialView({ shape: [1, 10] }, 'output')).toBeUndefined();
    expect(initialView({ shape: [784, 128] }, 'weight')).toBeUndefined();
    expect(initialView({ shape: [4, 16, 8] }, 'weight')).toBeUndefined();
    expect(initialView({ shape: [16, 8, 1, 1] }, 'weight')).toBeUndefined();
    expect(initialView({ shape: [2, 100, 1, 1] }, 'output')).toBeUndefined();
    expect(firstGrid({ shape: [1, 10] }, 'output')).toEqual({ offset: 0, maps: 1, mapStride: 0, rows: 1, cols: 10 });
    expect(firstGrid({ shape: [1, 8, 8, 3], layout: 'NHWC' }, 'input')).toMatchObject({ maps: 3, rowStride: 24, colStride: 3 });
  });
});

describe('a convolution\'s weights in slices', () => {
  it('draw the filters [O, I, H, W] side by side for one input channel, with no layout to switch and no picture', () => {
    const shape = [128, 3, 3, 3];
    const first = initialView({ shape, stats: { min: 0, max: 1 } }, 'weight');
    expect(first?.layout).toBeUndefined();
    expect(first?.view).toEqual({ rowAxis: 2, colAxis: 3, channelAxis: 0, index: [0, 0, 0, 0], channelStart: 0, picture: false });
    // 64 filters of 3 × 3 from input channel 0: filter o's kernel starts at o·27.
    expect(first?.grid).toEqual({ offset: 0, maps: 64, mapStride: 27, rows: 3, cols: 3, rowStride: 3, colStride: 1 });
    expect(firstGrid({ shape }, 'weight')).toEqual(first?.grid);
    const names = axisNames(4, undefined, 'weight');
    expect(names).toEqual(['O', 'I', 'H', 'W']);
    expect(describeView(shape, first!.view, names)).toBe('input channel 1 of 3, filters 1–64 of 128, rows=H cols=W');
    // Input channel 3 (blue), the second page of filters: the grid moves by 2·9 and 64·27.
    const later = pageChannels(shape, scrub(shape, first!.view, 1, 2), 1);
    expect(sliceGrid(shape, later)).toMatchObject({ offset: 2 * 9 + 64 * 27, maps: 64, mapStride: 27 });
    expect(describeView(shape, later, names)).toBe('input channel 3 of 3, filters 65–128 of 128, rows=H cols=W');
    expect(describeView([8, 1, 5, 5], initialView({ shape: [8, 1, 5, 5] }, 'weight')!.view, names)).toBe('8 filters, rows=H cols=W');
  });
});

describe('pictureRange', () => {
  it('takes 0..1, 0..255, −1..1 and normalised images, and nothing else', () => {
    expect(pictureRange({ min: 0, max: 1 }, 3)).toEqual({ lo: 0, hi: 1 });
    expect(pictureRange({ min: 0, max: 200 }, 1)).toEqual({ lo: 0, hi: 255 });
    expect(pictureRange({ min: -1, max: 0.9 }, 3)).toEqual({ lo: -1, hi: 1 });
    expect(pictureRange({ min: -2.1, max: 2.6, mean: 0.1 }, 3)).toEqual({ lo: -2.1, hi: 2.6 });
    expect(pictureRange({ min: -1, max: 1 }, 1)).toBeUndefined();
    expect(pictureRange({ min: -40, max: 30, mean: 0 }, 3)).toBeUndefined();
    expect(pictureRange({ min: 0, max: 1, nan: 2 }, 3)).toBeUndefined();
    expect(pictureRange({ min: 0, max: 1 }, 16)).toBeUndefined();
  });

  it('makes pixels from three channel maps, grey from one, magenta for a non-finite value', () => {
    const rgb = pictureRgba([0, 1, 0.5, 0, 1, NaN], 3, 1, 2, 0, 1);
    expect([...rgb]).toEqual([0, 128, 255, 255, 255, 0, 255, 255]);
    expect([...pictureRgba([0, 255], 1, 1, 2, 0, 255)]).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
  });
});

describe('slicing controls', () => {
  const shape = [2, 3, 8, 8];
  const v = defaultView(shape, 'NCHW');

  it('swaps axes so rows, cols and maps stay apart', () => {
    expect(pickAxis(shape, v, 'row', 3)).toMatchObject({ rowAxis: 3, colAxis: 2, channelAxis: 1 });
    expect(pickAxis(shape, v, 'channel', 0)).toMatchObject({ rowAxis: 2, colAxis: 3, channelAxis: 0 });
    const none = pickAxis(shape, v, 'channel', -1);
    expect(none).toMatchObject({ channelAxis: -1 });
    expect(scrubbedAxes(shape, none)).toEqual([0, 1]);
    // From no channel axis, taking the rows' axis for maps gives the rows the first axis not drawn.
    expect(pickAxis(shape, none, 'channel', 2)).toMatchObject({ rowAxis: 0, colAxis: 3, channelAxis: 2 });
    expect(pickAxis(shape, v, 'row', -1)).toBe(v);
  });

  it('scrubs within the axis and pages within the channels', () => {
    expect(scrub(shape, v, 0, 5).index[0]).toBe(1);
    expect(scrub(shape, v, 0, -2).index[0]).toBe(0);
    const wide = [1, 200, 4, 4];
    const w = defaultView(wide, 'NCHW');
    expect(channelPages(wide, w)).toEqual({ page: 0, pages: 4 });
    expect(pageChannels(wide, w, -1)).toBe(w);
    expect(pageChannels(wide, pageChannels(wide, pageChannels(wide, pageChannels(wide, w, 1), 1), 1), 1).channelStart).toBe(192);
  });

  it('switches the layout, keeping the item, and toggles the picture only where there is one', () => {
    const s = switchLayout([4, 8, 8, 3], { layout: 'NCHW', view: { ...defaultView([4, 8, 8, 3], 'NCHW'), index: [2, 0, 0, 0] } });
    expect(s.layout).toBe('NHWC');
    expect(s.view).toMatchObject({ rowAxis: 1, colAxis: 2, channelAxis: 3, index: [2, 0, 0, 0] });
    expect(togglePicture([4, 8, 8, 3], s.view).picture).toBe(true);
    expect(canPicture([1, 16, 8, 8], defaultView([1, 16, 8, 8], 'NCHW'))).toBe(false);
    expect(togglePicture([1, 16, 8, 8], defaultView([1, 16, 8, 8], 'NCHW')).picture).toBe(false);
  });

  it('remembers a view by label, role and shape', () => {
    const m = new SliceMemory(2);
    const k = SliceMemory.key('output', 'output', shape);
    m.set(k, { layout: 'NCHW', view: scrub(shape, v, 0, 1) });
    expect(m.get(SliceMemory.key('output', 'output', [2, 3, 8, 9]))).toBeUndefined();
    expect(m.get(k)?.view.index[0]).toBe(1);
    m.set('a', { view: v });
    m.set('b', { view: v });
    expect(m.get(k)).toBeUndefined();
  });
});

describe('SharedScales', () => {
  it('keeps the running min and max of activations apart from weights, until cleared', () => {
    const s = new SharedScales();
    s.extend('input', -1, 2);
    s.extend('output', 0, 5);
    s.extend('weight', -0.1, 0.1);
    s.extend('output', NaN, Infinity);
    expect(s.range('input')).toEqual({ min: -1, max: 5 });
    expect(s.range('weight')).toEqual({ min: -0.1, max: 0.1 });
    s.clear();
    expect(s.range('output')).toBeUndefined();
  });
});
