import type { FrameHealth } from './engine';

/**
 * The short health mark a frame carries in CALL STACK, the panel's frame title, its stack-over-time bars and the
 * Summary (`⚠ NaN×3`, `⚠ dead 62%`, `⚠ sat 40%`), only when its health is notable: any NaN or Inf, at least
 * {@link NOTABLE_DEAD} of its units dead, or at least {@link NOTABLE_SATURATED} of them saturated. Shared by the
 * debug adapter and the webview, so they say the same.
 */

/** Share of dead units from which a frame is marked. */
export const NOTABLE_DEAD = 0.5;
/** Share of saturated units from which a frame is marked. */
export const NOTABLE_SATURATED = 0.3;

/** A share as a whole percentage, `62%` (`<1%` for a small share that is not zero). */
export function percent(share: number): string {
  const p = Math.round(share * 100);
  return p === 0 && share > 0 ? '<1%' : `${p}%`;
}

/** The notable parts of a frame's health: `NaN×3`, `Inf×1`, `dead 62%`, `sat 40%`. */
export function healthParts(h: FrameHealth | null | undefined): string[] {
  if (!h) return [];
  const parts: string[] = [];
  if (h.nan) parts.push(`NaN×${h.nan}`);
  if (h.inf) parts.push(`Inf×${h.inf}`);
  if (h.dead !== undefined && h.dead >= NOTABLE_DEAD) parts.push(`dead ${percent(h.dead)}`);
  if (h.saturated !== undefined && h.saturated >= NOTABLE_SATURATED) parts.push(`sat ${percent(h.saturated)}`);
  return parts;
}

/** `⚠ NaN×3 · dead 62%`, or '' when nothing is notable. */
export function healthBadge(h: FrameHealth | null | undefined): string {
  const parts = healthParts(h);
  return parts.length ? `⚠ ${parts.join(' · ')}` : '';
}

/** Every health number of a frame in one line, for tooltips and the Summary (`NaN 0 · max |x| 3.2 · scale 1.1 · dead 25%`). */
export function healthText(h: FrameHealth | null | undefined): string {
  if (!h) return '';
  const num = (x: number): string => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(3))));
  const parts: string[] = [];
  if (h.nan) parts.push(`NaN×${h.nan}`);
  if (h.inf) parts.push(`Inf×${h.inf}`);
  if (h.maxAbs !== null) parts.push(`max |x| ${num(h.maxAbs)}`);
  if (h.scale !== undefined) parts.push(`scale ${num(h.scale)}`);
  if (h.dead !== undefined) parts.push(`dead ${percent(h.dead)} of ${h.units}`);
  if (h.zeros !== undefined) parts.push(`zeros ${percent(h.zeros)}`);
  if (h.saturated !== undefined) parts.push(`sat ${percent(h.saturated)} of ${h.units}`);
  return parts.join(' · ');
}
