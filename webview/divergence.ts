import type { Divergence } from '../src/protocol/engine';
import type { Palette, Rgb } from './colors';
import { mix } from './colors';
import { formatNumber } from './format';

/**
 * How the forward-pass strip and the frame view show a compared run's divergences. Pure: colours come from the
 * theme's {@link Palette}, so they follow light, dark and high-contrast themes.
 */

/** The max abs differences the warm colour spans: from barely beyond 1e-4 to 10 and more, on a log scale. */
export const DIVERGENCE_LOG10_RANGE: readonly [number, number] = [-4, 1];

/** How much of the charts' colour a bar takes over the background: agreeing ones little, diverged ones more. */
const CALM_WEIGHT = 0.35;
const WARM_WEIGHT: readonly [number, number] = [0.4, 0.9];
/** A diverged frame is never drawn as calm as an agreeing one. */
const MIN_WARM = 0.05;

/**
 * How strongly a frame's bar shows its divergence: undefined without one (the bar keeps its colour), 0 when
 * it agrees within the tolerance, else from just above 0 to 1 with log10(max abs) over
 * {@link DIVERGENCE_LOG10_RANGE} (clamped); a difference that could not be measured (shapes differ: null) is 1.
 */
export function divergenceStrength(d: Divergence | undefined): number | undefined {
  if (!d) return undefined;
  if (!d.diverged) return 0;
  const abs = d.maxAbs;
  if (abs === null || !Number.isFinite(abs)) return 1;
  if (abs <= 0) return MIN_WARM;
  const [lo, hi] = DIVERGENCE_LOG10_RANGE;
  const t = (Math.log10(abs) - lo) / (hi - lo);
  return Math.max(MIN_WARM, Math.min(1, t));
}

/**
 * The bar colour for a divergence: the calm green of the theme's charts for an agreeing frame; for a diverged
 * one, from orange to red and ever less background as {@link divergenceStrength} grows. Undefined: no change.
 */
export function divergenceColor(d: Divergence | undefined, p: Palette): Rgb | undefined {
  const s = divergenceStrength(d);
  if (s === undefined) return undefined;
  if (s === 0) return mix(p.background, p.green, CALM_WEIGHT);
  return mix(p.background, mix(p.orange, p.red, s), WARM_WEIGHT[0] + (WARM_WEIGHT[1] - WARM_WEIGHT[0]) * s);
}

/**
 * The same hue at full strength, for a stripe on a bar whose background already says something else (the
 * current frame keeps its selection colour).
 */
export function divergenceAccent(d: Divergence | undefined, p: Palette): Rgb | undefined {
  const s = divergenceStrength(d);
  if (s === undefined) return undefined;
  return s === 0 ? p.green : mix(p.orange, p.red, s);
}

/** A divergence field: four significant digits, `n/a` where there is no value (JSON turned NaN into null). */
function field(v: number | null): string {
  return v === null || Number.isNaN(v) ? 'n/a' : formatNumber(v);
}

/** `max abs 0.0012 · max rel 0.034 · cosine 0.9998`, the bar's tooltip and the frame view's line. */
export function describeDivergence(d: Divergence): string {
  return `max abs ${field(d.maxAbs)} · max rel ${field(d.maxRel)} · cosine ${field(d.cosine)}`;
}

/**
 * The frame view's line for one output: `vs input b.json: max abs … · max rel … · cosine …`, naming the output
 * when the frame has several, and saying when it is beyond the tolerance.
 */
export function divergenceLine(d: Divergence, counterpart: string | undefined, output?: string): string {
  const what = output ? `${output} vs ${counterpart ?? 'the compared run'}` : `vs ${counterpart ?? 'the compared run'}`;
  return `${what}: ${describeDivergence(d)}${d.diverged ? ' — diverged' : ''}`;
}
