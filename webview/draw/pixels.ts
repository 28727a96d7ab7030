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

/**
 * RGBA bytes of a picture from `channels` maps of `rows × cols` values (map c starts at `c × rows × cols`):
 * three maps are red, green and blue, one map is grey; values are scaled from [lo, hi] to 0..255 and clamped.
 * A non-finite value is drawn magenta, which no value of a grey picture takes. Pure.
 */
export function pictureRgba(values: ArrayLike<number>, channels: number, rows: number, cols: number, lo: number, hi: number): Uint8ClampedArray<ArrayBuffer> {
  const n = rows * cols;
  const out = new Uint8ClampedArray(new ArrayBuffer(n * 4));
  const k = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < n; i++) {
    let bad = false;
    for (let c = 0; c < 3; c++) {
      const v = values[(channels >= 3 ? c : 0) * n + i];
      if (!Number.isFinite(v)) bad = true;
      out[i * 4 + c] = Math.round((v - lo) * k);
    }
    if (bad) {
      out[i * 4] = 255;
      out[i * 4 + 1] = 0;
      out[i * 4 + 2] = 255;
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}
