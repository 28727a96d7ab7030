import type { BarBins } from '../bars';
import { cssRgb } from '../colors';
import type { ColorScale } from '../colors';
import { formatNumber } from '../format';
import type { Theme } from '../theme';

export interface BarChartInput {
  readonly bins: BarBins;
  /** The value range drawn (0 is always inside it). */
  readonly min: number;
  readonly max: number;
  /** Value index → rank among the top k (0 = largest), for highlighted bars. */
  readonly top: ReadonlyMap<number, number>;
  /** Labels under the bars, one per value, when there is room. */
  readonly labels?: readonly string[];
}

export const LABEL_H = 16;

/**
 * Bars from a zero baseline (up for positive, down for negative), each a min/max envelope when it stands for
 * several values; NaN bars are drawn full height in the NaN colour, Inf in the Inf colour; the top-k bars in
 * the theme's orange, the others in its blue.
 */
export function paintBars(ctx: CanvasRenderingContext2D, input: BarChartInput, width: number, height: number, scale: ColorScale, theme: Theme): void {
  const { bins } = input;
  const labelH = input.labels ? LABEL_H : 0;
  const plotH = height - labelH - 12;
  const top = 12;
  const lo = Math.min(0, input.min);
  const hi = Math.max(0, input.max);
  const span = hi - lo || 1;
  const y = (v: number) => top + ((hi - v) / span) * plotH;
  const y0 = y(0);
  const bw = width / Math.max(1, bins.count);
  const gap = bw >= 6 ? Math.min(4, bw * 0.2) : 0;
  const p = theme.palette;
  for (let b = 0; b < bins.count; b++) {
    const x = b * bw + gap / 2;
    const w = Math.max(1, bw - gap);
    if (bins.special[b]) {
      ctx.fillStyle = cssRgb(bins.special[b] === 1 ? scale.nan : scale.inf);
      ctx.fillRect(x, top, w, plotH);
      continue;
    }
    if (Number.isNaN(bins.min[b])) continue;
    const single = bins.start[b + 1] - bins.start[b] === 1;
    const rank = single ? input.top.get(bins.start[b]) : undefined;
    ctx.fillStyle = cssRgb(rank !== undefined ? p.orange : p.blue);
    const a = single ? y(bins.max[b]) : y(Math.max(0, bins.max[b]));
    const z = single ? y0 : y(Math.min(0, bins.min[b]));
    const y1 = Math.min(a, z);
    ctx.fillRect(x, y1, w, Math.max(1, Math.abs(z - a)));
  }
  ctx.strokeStyle = theme.muted;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, Math.round(y0) + 0.5);
  ctx.lineTo(width, Math.round(y0) + 0.5);
  ctx.stroke();
  ctx.font = theme.font;
  ctx.textBaseline = 'top';
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'left';
  ctx.fillText(formatNumber(hi), 0, 0);
  if (lo < 0) {
    ctx.textBaseline = 'bottom';
    ctx.fillText(formatNumber(lo), 0, top + plotH);
  }
  if (input.labels && bins.count === input.labels.length) {
    ctx.textBaseline = 'top';
    ctx.textAlign = 'center';
    for (let b = 0; b < bins.count; b++) {
      const text = fitText(ctx, input.labels[b], bw - 2);
      if (!text) continue;
      ctx.fillStyle = input.top.has(b) ? theme.text : theme.muted;
      ctx.fillText(text, (b + 0.5) * bw, top + plotH + 3);
    }
  }
}

/** `text`, or as much of it as fits in `width` followed by an ellipsis; empty when not even one letter fits. */
function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  for (let n = text.length - 1; n > 0; n--) {
    const t = `${text.slice(0, n)}…`;
    if (ctx.measureText(t).width <= width) return t;
  }
  return '';
}
