import type { ColorScale } from '../colors';

/** RGBA bytes of `rows × cols` values from `values[start…]` (row-major), one pixel per value. Pure. */
export function gridRgba(values: ArrayLike<number>, start: number, rows: number, cols: number, scale: ColorScale): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(new ArrayBuffer(rows * cols * 4));
  for (let i = 0; i < rows * cols; i++) {
    const c = scale.color(values[start + i]);
    out[i * 4] = c[0];
    out[i * 4 + 1] = c[1];
    out[i * 4 + 2] = c[2];
    out[i * 4 + 3] = 255;
  }
  return out;
}
