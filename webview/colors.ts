import type { Colormap } from '../src/protocol/webview';

/** Colour scales for heatmaps, legends and histograms. Pure: the theme's colours come in as a {@link Palette}. */

export type Rgb = readonly [number, number, number];

/** The theme colours the drawing uses, read from `--vscode-*` variables by theme.ts. */
export interface Palette {
  readonly background: Rgb;
  readonly foreground: Rgb;
  readonly blue: Rgb;
  readonly red: Rgb;
  readonly yellow: Rgb;
  readonly green: Rgb;
  readonly orange: Rgb;
  readonly purple: Rgb;
}

/** Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(r, g, b)` and `rgba(r, g, b, a)` (alpha is ignored). */
export function parseColor(css: string): Rgb | undefined {
  const s = css.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(s);
  if (hex) {
    const h = hex[1];
    if (h.length === 3 || h.length === 4) return [0, 1, 2].map((i) => parseInt(h[i] + h[i], 16)) as unknown as Rgb;
    if (h.length === 6 || h.length === 8) return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as unknown as Rgb;
    return undefined;
  }
  const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(s);
  if (fn) return [1, 2, 3].map((i) => Math.max(0, Math.min(255, Math.round(Number(fn[i]))))) as unknown as Rgb;
  return undefined;
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const u = Math.max(0, Math.min(1, t));
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
}

export function cssRgb(c: Rgb): string {
  return `rgb(${Math.round(c[0])}, ${Math.round(c[1])}, ${Math.round(c[2])})`;
}

/** Nine evenly spaced stops of the viridis map (perceptually uniform, readable in grey and by most colour-blind readers). */
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

export function viridis(t: number): Rgb {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  return mix(VIRIDIS[i], VIRIDIS[i + 1], x - i);
}

export interface ColorScale {
  /** `diverging`: 0 is neutral and the range is symmetric around it. */
  readonly kind: 'diverging' | 'sequential';
  /** The ends of the legend. */
  readonly min: number;
  readonly max: number;
  /** Colour of a value; NaN and ±Inf get their own colours. */
  color(v: number): Rgb;
  /** Colour at a position 0..1 along the legend. */
  ramp(t: number): Rgb;
  readonly nan: Rgb;
  readonly inf: Rgb;
}

/**
 * The scale for data in [min, max] (finite; NaN when there is no finite value). With the `diverging`
 * colormap, signed data diverges around 0 (blue below, red above, the background at 0) and one-signed data
 * ramps from the background; `viridis` and `grayscale` ramp over [min, max]. NaN and Inf take colours that
 * no value of the scale takes.
 */
export function makeScale(colormap: Colormap, min: number, max: number, p: Palette): ColorScale {
  const lo = Number.isFinite(min) ? min : 0;
  const hi = Number.isFinite(max) ? Math.max(max, lo) : lo;
  const special = colormap === 'diverging' ? { nan: p.yellow, inf: p.green } : colormap === 'viridis' ? { nan: p.red, inf: p.orange } : { nan: p.red, inf: p.blue };
  const finish = (kind: ColorScale['kind'], a: number, b: number, ramp: (t: number) => Rgb): ColorScale => {
    const span = b - a;
    return {
      kind, min: a, max: b, ramp, ...special,
      color: (v) => (v !== v ? special.nan : v === Infinity || v === -Infinity ? special.inf : ramp(span > 0 ? (v - a) / span : 0.5)),
    };
  };
  if (colormap === 'viridis') return finish('sequential', lo, hi, viridis);
  if (colormap === 'grayscale') return finish('sequential', lo, hi, (t) => mix(p.background, p.foreground, t));
  if (lo < 0 && hi > 0) {
    const lim = Math.max(-lo, hi);
    return finish('diverging', -lim, lim, (t) => (t < 0.5 ? mix(p.background, p.blue, (0.5 - t) * 2) : mix(p.background, p.red, (t - 0.5) * 2)));
  }
  if (hi <= 0 && lo < 0) return finish('sequential', lo, hi, (t) => mix(p.blue, p.background, t));
  // Non-negative: from the background at the smallest value to red at the largest; a constant tensor is all
  // background when it is 0 and all red otherwise.
  if (hi === lo) return finish('sequential', lo, hi, () => (hi === 0 ? p.background : p.red));
  return finish('sequential', lo, hi, (t) => mix(p.background, p.red, t));
}
