import type { ColorScale } from '../colors';
import { cssRgb } from '../colors';
import { formatNumber } from '../format';
import type { Theme } from '../theme';

/**
 * A colour-bar legend `width` wide: the ramp with its range under it (and 0 in the middle of a diverging
 * scale), then swatches for NaN and Inf when the tensor has any.
 */
export function paintLegend(ctx: CanvasRenderingContext2D, width: number, scale: ColorScale, theme: Theme, specials: { nan: number; inf: number }): void {
  const barH = 10;
  for (let x = 0; x < width; x++) {
    ctx.fillStyle = cssRgb(scale.ramp(width > 1 ? x / (width - 1) : 0.5));
    ctx.fillRect(x, 0, 1, barH);
  }
  ctx.strokeStyle = theme.muted;
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, width - 1, barH - 1);
  ctx.font = theme.font;
  ctx.fillStyle = theme.text;
  ctx.textBaseline = 'top';
  const y = barH + 3;
  ctx.textAlign = 'left';
  ctx.fillText(formatNumber(scale.min), 0, y);
  ctx.textAlign = 'right';
  ctx.fillText(formatNumber(scale.max), width, y);
  if (scale.kind === 'diverging') {
    ctx.textAlign = 'center';
    ctx.fillText('0', width / 2, y);
  }
  ctx.textAlign = 'left';
  let x = 0;
  const sy = y + 16;
  for (const [label, count, color] of [['NaN', specials.nan, scale.nan], ['Inf', specials.inf, scale.inf]] as const) {
    if (!count) continue;
    ctx.fillStyle = cssRgb(color);
    ctx.fillRect(x, sy, 10, 10);
    ctx.fillStyle = theme.text;
    const text = `${label} ×${count}`;
    ctx.fillText(text, x + 14, sy);
    x += 14 + ctx.measureText(text).width + 12;
  }
}

export function legendHeight(specials: { nan: number; inf: number }): number {
  return specials.nan || specials.inf ? 42 : 26;
}
