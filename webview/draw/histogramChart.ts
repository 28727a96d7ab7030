import { cssRgb } from '../colors';
import type { ColorScale } from '../colors';
import { formatNumber } from '../format';
import type { Histogram } from '../../src/engine/histogram';
import type { Theme } from '../theme';

/** Bars of a histogram in `width × height`, each with a foot in the colour its values get in the heatmap, and the axis range. */
export function paintHistogram(ctx: CanvasRenderingContext2D, hist: Histogram, width: number, height: number, scale: ColorScale, theme: Theme): void {
  const axisH = 14;
  const plotH = height - axisH;
  const n = hist.counts.length;
  let peak = 0;
  for (const c of hist.counts) peak = Math.max(peak, c);
  const bw = width / n;
  for (let i = 0; i < n; i++) {
    const c = hist.counts[i];
    if (!c) continue;
    // A square-root height keeps small bins visible beside a tall one (zeros after a ReLU).
    const h = Math.max(1, Math.sqrt(c / peak) * (plotH - 2));
    const mid = hist.min + ((i + 0.5) * (hist.max - hist.min)) / n;
    const x = i * bw + (bw > 3 ? 0.5 : 0);
    const w = Math.max(1, bw - (bw > 3 ? 1 : 0));
    // The bar in the text colour (readable on any theme), its foot in the colour its values get in the picture.
    ctx.globalAlpha = 0.55;
    ctx.fillStyle = theme.text;
    ctx.fillRect(x, plotH - h, w, h);
    ctx.globalAlpha = 1;
    ctx.fillStyle = cssRgb(scale.color(mid));
    ctx.fillRect(x, plotH - Math.min(h, 3), w, Math.min(h, 3));
  }
  ctx.strokeStyle = theme.muted;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, plotH + 0.5);
  ctx.lineTo(width, plotH + 0.5);
  if (hist.min < 0 && hist.max > 0) {
    const x0 = Math.round((-hist.min / (hist.max - hist.min)) * width) + 0.5;
    ctx.moveTo(x0, 0);
    ctx.lineTo(x0, plotH);
  }
  ctx.stroke();
  ctx.font = theme.font;
  ctx.fillStyle = theme.text;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(formatNumber(hist.min), 0, plotH + 2);
  ctx.textAlign = 'right';
  ctx.fillText(formatNumber(hist.max), width, plotH + 2);
}
