import type { ColorScale } from '../colors';
import { gridRgba } from './pixels';

/** Where each map of a grid is drawn, in CSS pixels of its canvas. */
export interface MapRect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * Paints `rects.length` maps of `rows × cols` values (map m starts at `m × rows × cols`), each scaled to its
 * rectangle without smoothing, so every cell is a sharp block.
 */
export function paintMaps(ctx: CanvasRenderingContext2D, values: ArrayLike<number>, rows: number, cols: number, rects: readonly MapRect[], scale: ColorScale): void {
  const off = document.createElement('canvas');
  off.width = cols;
  off.height = rows;
  const octx = off.getContext('2d');
  if (!octx) return;
  ctx.imageSmoothingEnabled = false;
  rects.forEach((r, m) => {
    octx.putImageData(new ImageData(gridRgba(values, m * rows * cols, rows, cols, scale), cols, rows), 0, 0);
    ctx.drawImage(off, r.x, r.y, r.w, r.h);
  });
}
