import { describe, expect, it } from 'vitest';
import type { Palette } from '../../../webview/colors';
import { makeScale, mix, parseColor, viridis } from '../../../webview/colors';

const palette: Palette = {
  background: [0, 0, 0], foreground: [255, 255, 255], blue: [0, 0, 255], red: [255, 0, 0],
  yellow: [255, 255, 0], green: [0, 255, 0], orange: [255, 128, 0], purple: [128, 0, 255],
};

describe('parseColor', () => {
  it('reads hex colours of every length and rgb()/rgba()', () => {
    expect(parseColor('#fff')).toEqual([255, 255, 255]);
    expect(parseColor('#1e1e1e')).toEqual([30, 30, 30]);
    expect(parseColor('#3794ffcc')).toEqual([55, 148, 255]);
    expect(parseColor('rgb(1, 2, 3)')).toEqual([1, 2, 3]);
    expect(parseColor('rgba(10, 20, 30, 0.5)')).toEqual([10, 20, 30]);
    expect(parseColor('rgb(10 20 30)')).toEqual([10, 20, 30]);
  });

  it('rejects what is not a colour', () => {
    expect(parseColor('var(--x)')).toBeUndefined();
    expect(parseColor('#12345')).toBeUndefined();
    expect(parseColor('')).toBeUndefined();
  });
});

describe('makeScale', () => {
  it('diverges around 0 for signed data, symmetric, with 0 at the background', () => {
    const s = makeScale('diverging', -1, 4, palette);
    expect(s.kind).toBe('diverging');
    expect([s.min, s.max]).toEqual([-4, 4]);
    expect(s.color(0)).toEqual([0, 0, 0]);
    expect(s.color(4)).toEqual([255, 0, 0]);
    expect(s.color(-4)).toEqual([0, 0, 255]);
    expect(s.color(-2)).toEqual([0, 0, 127.5]);
  });

  it('ramps from the background for non-negative data (sequential)', () => {
    const s = makeScale('diverging', 0, 2, palette);
    expect(s.kind).toBe('sequential');
    expect(s.color(0)).toEqual([0, 0, 0]);
    expect(s.color(1)).toEqual([127.5, 0, 0]);
    expect(s.color(2)).toEqual([255, 0, 0]);
  });

  it('ramps to the background for non-positive data', () => {
    const s = makeScale('diverging', -3, -1, palette);
    expect(s.color(-3)).toEqual([0, 0, 255]);
    expect(s.color(-1)).toEqual([0, 0, 0]);
  });

  it('draws a constant zero tensor as background and a constant positive one as the top colour', () => {
    expect(makeScale('diverging', 0, 0, palette).color(0)).toEqual([0, 0, 0]);
    expect(makeScale('diverging', 3, 3, palette).color(3)).toEqual([255, 0, 0]);
  });

  it('gives NaN and Inf colours no finite value takes, per colormap', () => {
    for (const cm of ['diverging', 'viridis', 'grayscale'] as const) {
      const s = makeScale(cm, -1, 1, palette);
      expect(s.color(NaN)).toEqual(s.nan);
      expect(s.color(Infinity)).toEqual(s.inf);
      expect(s.color(-Infinity)).toEqual(s.inf);
      expect(s.nan).not.toEqual(s.inf);
    }
    expect(makeScale('diverging', -1, 1, palette).nan).toEqual(palette.yellow);
  });

  it('uses viridis and grayscale over [min, max] whatever the sign', () => {
    const v = makeScale('viridis', -2, 2, palette);
    expect(v.kind).toBe('sequential');
    expect(v.color(-2)).toEqual(viridis(0));
    expect(v.color(2)).toEqual(viridis(1));
    const g = makeScale('grayscale', 10, 20, palette);
    expect(g.color(15)).toEqual([127.5, 127.5, 127.5]);
  });

  it('clamps values outside the range (a sampled tensor drawn with exact statistics)', () => {
    const s = makeScale('grayscale', 0, 1, palette);
    expect(s.color(5)).toEqual([255, 255, 255]);
    expect(s.color(-5)).toEqual([0, 0, 0]);
  });

  it('falls back to a range of 0 when there is no finite value', () => {
    const s = makeScale('diverging', NaN, NaN, palette);
    expect([s.min, s.max]).toEqual([0, 0]);
    expect(s.color(NaN)).toEqual(palette.yellow);
  });
});

describe('mix and viridis', () => {
  it('interpolates and clamps t', () => {
    expect(mix([0, 0, 0], [100, 200, 50], 0.5)).toEqual([50, 100, 25]);
    expect(mix([0, 0, 0], [100, 200, 50], 2)).toEqual([100, 200, 50]);
  });

  it('runs from dark purple to yellow', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(0.5)[1]).toBeGreaterThan(viridis(0.25)[1]);
  });
});
