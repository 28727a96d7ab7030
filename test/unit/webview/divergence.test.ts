import { describe, expect, it } from 'vitest';
import type { Divergence } from '../../../src/protocol/engine';
import type { Palette } from '../../../webview/colors';
import {
  describeDivergence, divergenceAccent, divergenceColor, divergenceLine, divergenceStrength,
} from '../../../webview/divergence';

/** Channels far apart, so each colour's mix can be read off by hand. */
const P: Palette = {
  background: [0, 0, 0], foreground: [255, 255, 255], blue: [0, 0, 200], red: [200, 0, 0], yellow: [200, 200, 0],
  green: [0, 200, 0], orange: [0, 0, 100], purple: [100, 0, 100],
};

const d = (maxAbs: number | null, diverged = true, maxRel: number | null = 0.5, cosine: number | null = 0.99): Divergence =>
  ({ maxAbs, maxRel, cosine, diverged });

describe('divergence strength', () => {
  it('leaves frames without a divergence alone and keeps agreeing ones at 0', () => {
    expect(divergenceStrength(undefined)).toBeUndefined();
    expect(divergenceStrength(d(0.5, false))).toBe(0);
  });

  it('grows with log10(max abs) from 1e-4 to 10, clamped', () => {
    // (log10(v) + 4) / 5
    expect(divergenceStrength(d(1e-3))).toBeCloseTo(0.2, 12);
    expect(divergenceStrength(d(0.1))).toBeCloseTo(0.6, 12);
    expect(divergenceStrength(d(1))).toBeCloseTo(0.8, 12);
    expect(divergenceStrength(d(10))).toBe(1);
    expect(divergenceStrength(d(1e6))).toBe(1);
  });

  it('never shows a diverged frame as calm, and a difference that could not be measured at full strength', () => {
    expect(divergenceStrength(d(1e-9))).toBeGreaterThan(0);
    expect(divergenceStrength(d(0))).toBeGreaterThan(0);
    expect(divergenceStrength(d(null))).toBe(1);
  });
});

describe('divergence colours', () => {
  it('mixes green into the background for agreeing frames', () => {
    expect(divergenceColor(d(1, false), P)).toEqual([0, 70, 0]);
    expect(divergenceAccent(d(1, false), P)).toEqual([0, 200, 0]);
    expect(divergenceColor(undefined, P)).toBeUndefined();
    expect(divergenceAccent(undefined, P)).toBeUndefined();
  });

  it('goes from orange towards red, and further from the background, as the divergence grows', () => {
    // Strength 1: all red, 0.9 of it over the background.
    expect(divergenceColor(d(100), P)).toEqual([180, 0, 0]);
    // Strength 0.2 (max abs 1e-3): hue 0.8 orange + 0.2 red = [40, 0, 80], weight 0.4 + 0.5·0.2 = 0.5.
    const c = divergenceColor(d(1e-3), P)!;
    [20, 0, 40].forEach((v, i) => expect(c[i]).toBeCloseTo(v, 9));
    const a = divergenceAccent(d(1e-3), P)!;
    [40, 0, 80].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 9));
    // Redder and stronger with every decade.
    let last = -1;
    for (const v of [1e-4, 1e-3, 1e-2, 1e-1, 1, 10]) {
      const red = divergenceColor(d(v), P)![0];
      expect(red).toBeGreaterThan(last);
      last = red;
    }
  });
});

describe('divergence text', () => {
  it('gives max abs, max rel and cosine, n/a where there is none', () => {
    expect(describeDivergence(d(0.00123, true, 0.5, null))).toBe('max abs 0.00123 · max rel 0.5 · cosine n/a');
    expect(describeDivergence(d(null, true, null, 0.999876))).toBe('max abs n/a · max rel n/a · cosine 0.9999');
  });

  it('names the counterpart, the output when there are several, and a divergence beyond the tolerance', () => {
    expect(divergenceLine(d(2e-6, false, 1e-5, 1), 'input b.json')).toBe('vs input b.json: max abs 2e-6 · max rel 1e-5 · cosine 1');
    expect(divergenceLine(d(0.25, true, 0.5, 0.9), 'model other.onnx', 'y')).toBe('y vs model other.onnx: max abs 0.25 · max rel 0.5 · cosine 0.9 — diverged');
    expect(divergenceLine(d(0.25), undefined)).toBe('vs the compared run: max abs 0.25 · max rel 0.5 · cosine 0.99 — diverged');
  });
});
