import { describe, expect, it } from 'vitest';
import { chooseScale, formatLoss, layoutCurve, LOG_RATIO, MARGIN, niceStep, stepTicks } from '../../../webview/lossCurve';

describe('chooseScale', () => {
  it('is linear with 1-2-5 ticks around a narrow range', () => {
    const s = chooseScale([0.71, 0.69, 0.65, 0.6]);
    expect(s.kind).toBe('linear');
    expect(s.lo).toBeLessThanOrEqual(0.6);
    expect(s.hi).toBeGreaterThanOrEqual(0.71);
    expect(s.ticks[0]).toBe(s.lo);
    expect(s.ticks.at(-1)).toBe(s.hi);
    // Clean numbers, no float noise.
    for (const t of s.ticks) expect(String(t).length).toBeLessThan(6);
  });

  it('turns logarithmic, by decades, when positive losses span the log ratio', () => {
    const s = chooseScale([52, 9, 1.2, 0.05, 0.0021]);
    expect(s).toEqual({ kind: 'log', lo: 1e-3, hi: 100, ticks: [1e-3, 1e-2, 1e-1, 1, 10, 100] });
    expect(chooseScale([LOG_RATIO, 1.01]).kind).toBe('linear');
    expect(chooseScale([LOG_RATIO, 1]).kind).toBe('log');
  });

  it('stays linear when a loss is 0 or negative, and ignores NaN and Inf', () => {
    expect(chooseScale([100, 0]).kind).toBe('linear');
    expect(chooseScale([-5, 500]).kind).toBe('linear');
    const s = chooseScale([NaN, 4, Infinity, 2]);
    expect(s.kind).toBe('linear');
    expect(s.lo).toBeLessThanOrEqual(2);
    expect(s.hi).toBeGreaterThanOrEqual(4);
    expect(s.hi).toBeLessThan(10);
  });

  it('labels at most about six decades', () => {
    const s = chooseScale([1e6, 1e-6]);
    expect(s.kind).toBe('log');
    expect(s.ticks.length).toBeLessThanOrEqual(7);
    expect(s.lo).toBe(1e-6);
  });

  it('puts a band around a constant loss, and has a default without any', () => {
    const s = chooseScale([0.5, 0.5]);
    expect(s.lo).toBeLessThan(0.5);
    expect(s.hi).toBeGreaterThan(0.5);
    const z = chooseScale([0]);
    expect(z.lo).toBe(0);
    expect(z.hi).toBeGreaterThan(0);
    expect(chooseScale([])).toMatchObject({ kind: 'linear', lo: 0, hi: 1 });
    expect(chooseScale([NaN])).toMatchObject({ kind: 'linear', lo: 0, hi: 1 });
  });
});

describe('niceStep and stepTicks', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(0.13)).toBeCloseTo(0.2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(1)).toBe(1);
    expect(niceStep(0)).toBe(1);
  });

  it('ticks every step of a short run, about six of a long one, always the first and the last', () => {
    expect(stepTicks(1)).toEqual([1]);
    expect(stepTicks(5)).toEqual([1, 2, 3, 4, 5]);
    expect(stepTicks(30)).toEqual([1, 10, 20, 30]);
    const long = stepTicks(1000);
    expect(long[0]).toBe(1);
    expect(long.at(-1)).toBe(1000);
    expect(long.length).toBeLessThanOrEqual(8);
    expect(stepTicks(60)).toEqual([1, 20, 40, 60]);
    expect(stepTicks(7)).toEqual([1, 2, 4, 6, 7]);
  });
});

describe('layoutCurve', () => {
  const W = 400;
  const H = 180;

  it('spreads the finished steps over the whole run, from the left edge', () => {
    const g = layoutCurve([4, 2, 1], 30, W, H);
    expect(g.plot).toEqual({ left: MARGIN.left, top: MARGIN.top, right: W - MARGIN.right, bottom: H - MARGIN.bottom });
    const span = g.plot.right - g.plot.left;
    expect(g.last).toMatchObject({ step: 3, loss: 1 });
    expect(g.last!.x).toBeCloseTo(g.plot.left + (2 / 29) * span);
    expect(g.path.startsWith(`M${g.plot.left} `)).toBe(true);
    expect(g.path.match(/L/g)).toHaveLength(2);
    expect(g.xTicks.map((t) => t.step)).toEqual([1, 10, 20, 30]);
    expect(g.xTicks.at(-1)!.x).toBe(g.plot.right);
  });

  it('puts larger losses higher, the ticks within the plot', () => {
    const g = layoutCurve([4, 2, 1], 3, W, H);
    const ys = [...g.path.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys[0]).toBeLessThan(ys[1]);
    expect(ys[1]).toBeLessThan(ys[2]);
    for (const t of g.yTicks) {
      expect(t.y).toBeGreaterThanOrEqual(g.plot.top - 1e-9);
      expect(t.y).toBeLessThanOrEqual(g.plot.bottom + 1e-9);
    }
    expect(g.yTicks[0].y).toBe(g.plot.bottom);
    expect(g.yTicks.at(-1)!.y).toBe(g.plot.top);
  });

  it('spaces decades evenly on a log scale and labels them', () => {
    const g = layoutCurve([10, 1, 0.1, 0.01], 4, W, H);
    expect(g.scale.kind).toBe('log');
    expect(g.yTicks.map((t) => t.label)).toEqual(['0.01', '0.1', '1', '10']);
    const gaps = g.yTicks.slice(1).map((t, i) => g.yTicks[i].y - t.y);
    for (const d of gaps) expect(d).toBeCloseTo(gaps[0]);
    expect(layoutCurve([1e6, 1e-6], 2, W, H).yTicks[0].label).toBe('1e-6');
  });

  it('breaks the line at a NaN or Inf loss and marks the step', () => {
    const g = layoutCurve([3, 2, NaN, 1, 0.5], 5, W, H);
    expect(g.path.match(/M/g)).toHaveLength(2);
    expect(g.bad.map((b) => b.step)).toEqual([3]);
    expect(g.last).toMatchObject({ step: 5, loss: 0.5 });
    const end = layoutCurve([3, Infinity], 5, W, H);
    expect(end.last).toBeUndefined();
    expect(end.bad.map((b) => b.step)).toEqual([2]);
  });

  it('draws one step in the middle, and nothing before the first', () => {
    const one = layoutCurve([0.3], 1, W, H);
    expect(one.last!.x).toBe((one.plot.left + one.plot.right) / 2);
    const none = layoutCurve([], 20, W, H);
    expect(none.path).toBe('');
    expect(none.last).toBeUndefined();
    expect(none.xTicks.at(-1)!.step).toBe(20);
  });

  it('reaches past the planned steps when more have finished', () => {
    expect(layoutCurve([1, 2, 3, 4], 2, W, H).xTicks.at(-1)!.step).toBe(4);
  });
});

describe('formatLoss', () => {
  it('writes four significant digits, and NaN and Inf by name', () => {
    expect(formatLoss(0.0123)).toBe('0.0123');
    expect(formatLoss(0.012345)).toBe('0.01235');
    expect(formatLoss(1234.5)).toBe('1235');
    expect(formatLoss(2e-7)).toBe('2e-7');
    expect(formatLoss(NaN)).toBe('NaN');
    expect(formatLoss(Infinity)).toBe('Inf');
  });
});
