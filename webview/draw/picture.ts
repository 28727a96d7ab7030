import type { MapRect } from './heatmap';
import { pictureRgba } from './pixels';

/** Paints a picture (see {@link pictureRgba}) into `rect`, each cell a sharp block. */
export function paintPicture(ctx: CanvasRenderingContext2D, values: ArrayLike<number>, channels: number, rows: number, cols: number,
  lo: number, hi: number, rect: MapRect): void {
  const off = document.createElement('canvas');
  off.width = cols;
  off.height = rows;
  const octx = off.getContext('2d');
  if (!octx) return;
  octx.putImageData(new ImageData(pictureRgba(values, channels, rows, cols, lo, hi), cols, rows), 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, rect.x, rect.y, rect.w, rect.h);
}
