import { formatNumber } from './format';

/**
 * Geometry of the loss curve (loss per finished training step): the scale it takes, its ticks, and the path
 * through its points, in pixels of a `width` × `height` drawing. Pure; lossView.ts turns it into SVG.
 */

/** When the largest loss is at least this many times the smallest (all positive), the y axis is logarithmic. */
export const LOG_RATIO = 100;

export interface LossScale {
  readonly kind: 'linear' | 'log';
  /** The ends of the axis (nice numbers around the data). */
  readonly lo: number;
  readonly hi: number;
  /** Values that get a tick and a grid line. */
  readonly ticks: readonly number[];
}

/**
 * The y scale for `losses` (non-finite values are left out): logarithmic, by decades, when every loss is
 * positive and they span {@link LOG_RATIO} or more (a loss falling from 50 to 0.001 stays readable); otherwise
 * linear with 1-2-5 ticks. A constant loss gets a band around it.
 */
export function chooseScale(losses: readonly number[]): LossScale {
  const finite = losses.filter((v) => Number.isFinite(v));
  if (!finite.length) return { kind: 'linear', lo: 0, hi: 1, ticks: [0, 0.5, 1] };
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (min > 0 && max / min >= LOG_RATIO) {
    const a = Math.floor(Math.log10(min));
    const b = Math.ceil(Math.log10(max));
    // At most about 6 labelled decades.
    const every = Math.max(1, Math.ceil((b - a) / 6));
    const ticks: number[] = [];
    for (let e = a; e <= b; e += every) ticks.push(10 ** e);
    return { kind: 'log', lo: 10 ** a, hi: 10 ** b, ticks };
  }
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
    if (finite[0] >= 0 && min < 0) min = 0;
  }
  const step = niceStep((max - min) / 4);
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) ticks.push(clean(v, step));
  return { kind: 'linear', lo: clean(lo, step), hi: clean(hi, step), ticks };
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** `v` without the float noise of adding `step` up (0.30000000000000004 → 0.3). */
function clean(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(20, digits)));
}

/** Steps that get a tick on the x axis: integers from 1 to `steps`, about 6 of them, always the last. */
export function stepTicks(steps: number): number[] {
  const n = Math.max(1, Math.floor(steps));
  if (n <= 6) return Array.from({ length: n }, (_, i) => i + 1);
  const every = Math.max(1, niceStep(n / 5));
  const ticks = [1];
  for (let s = every; s < n; s += every) if (s - ticks[ticks.length - 1] >= every / 2) ticks.push(s);
  if (n - ticks[ticks.length - 1] < every / 2) ticks.pop();
  ticks.push(n);
  return ticks;
}

export interface CurvePoint {
  /** The step, from 1. */
  readonly step: number;
  readonly loss: number;
  readonly x: number;
  readonly y: number;
}

export interface CurveGeometry {
  readonly width: number;
  readonly height: number;
  /** The plotting area. */
  readonly plot: { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number };
  readonly scale: LossScale;
  readonly xTicks: readonly { readonly step: number; readonly x: number }[];
  readonly yTicks: readonly { readonly value: number; readonly y: number; readonly label: string }[];
  /** SVG path data through the finite losses; a NaN or ±Inf loss breaks the line. Empty without points. */
  readonly path: string;
  /** Steps whose loss is NaN or ±Inf (marked along the top). */
  readonly bad: readonly { readonly step: number; readonly x: number }[];
  /** The last finished step's point, when its loss is finite. */
  readonly last?: CurvePoint;
}

/** Room around the plotting area: tick labels on the left, the last value on the right, steps below. */
export const MARGIN = { left: 52, right: 64, top: 22, bottom: 30 } as const;

/**
 * Lays out `losses` (step k's loss at index k − 1) over steps 1..`steps` (the x axis reaches the last step of the
 * run, so the curve grows towards it; at least the steps finished).
 */
export function layoutCurve(losses: readonly number[], steps: number, width: number, height: number): CurveGeometry {
  const plot = { left: MARGIN.left, top: MARGIN.top, right: Math.max(MARGIN.left + 20, width - MARGIN.right), bottom: Math.max(MARGIN.top + 20, height - MARGIN.bottom) };
  const scale = chooseScale(losses);
  const n = Math.max(1, Math.floor(steps), losses.length);
  const xOf = (step: number) => (n === 1 ? (plot.left + plot.right) / 2 : plot.left + ((step - 1) / (n - 1)) * (plot.right - plot.left));
  const t = scale.kind === 'log'
    ? (v: number) => (Math.log10(v) - Math.log10(scale.lo)) / (Math.log10(scale.hi) - Math.log10(scale.lo))
    : (v: number) => (scale.hi === scale.lo ? 0.5 : (v - scale.lo) / (scale.hi - scale.lo));
  const yOf = (v: number) => plot.bottom - Math.max(0, Math.min(1, t(v))) * (plot.bottom - plot.top);
  const parts: string[] = [];
  const bad: { step: number; x: number }[] = [];
  let pen = false;
  let last: CurvePoint | undefined;
  losses.forEach((loss, i) => {
    const x = xOf(i + 1);
    if (!Number.isFinite(loss)) {
      bad.push({ step: i + 1, x });
      pen = false;
      last = undefined;
      return;
    }
    const y = yOf(loss);
    parts.push(`${pen ? 'L' : 'M'}${round(x)} ${round(y)}`);
    pen = true;
    last = { step: i + 1, loss, x, y };
  });
  return {
    width, height, plot, scale,
    xTicks: stepTicks(n).map((step) => ({ step, x: xOf(step) })),
    yTicks: scale.ticks.map((value) => ({ value, y: yOf(value), label: formatTick(value, scale.kind) })),
    path: parts.join(''),
    bad,
    last,
  };
}

function formatTick(v: number, kind: LossScale['kind']): string {
  if (kind === 'log') {
    const e = Math.round(Math.log10(v));
    return e >= -3 && e <= 4 ? String(Number(v.toPrecision(1))) : `1e${e}`;
  }
  return formatNumber(v);
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A loss as the panel writes it (four significant digits; NaN and Inf by name). */
export function formatLoss(v: number): string {
  return formatNumber(v);
}
