// Helpers of the sliding-window kernels (conv.ts, pool.ts): integer rounding of window bounds and four floats read
// at a stride, for vectorising along an output row whose windows step `stride` input elements apart.

/** ⌈a / b⌉ for b > 0 and any sign of a. */
// @ts-ignore: decorator
@inline export function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

/** ⌊a / b⌋ for b > 0 and any sign of a. */
// @ts-ignore: decorator
@inline export function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/**
 * The output positions [lo, hi) of a row of `outSize` whose windows (start o·stride − pad, `taps` taps `dilation`
 * apart) lie wholly inside [0, size): there every tap reads real input and no bound needs checking.
 */
// @ts-ignore: decorator
@inline export function interiorLo(outSize: i32, stride: i32, pad: i32): i32 {
  return min(outSize, max(0, ceilDiv(pad, stride)));
}

// @ts-ignore: decorator
@inline export function interiorHi(lo: i32, size: i32, outSize: i32, taps: i32, stride: i32, dilation: i32, pad: i32): i32 {
  return min(outSize, max(lo, floorDiv(size - 1 + pad - (taps - 1) * dilation, stride) + 1));
}

/**
 * src[0], src[s], src[2s], src[3s] (floats). With s = 2 this reads src[0 … 7]: one float past the last one used,
 * so callers keep a float of slack after their input.
 */
// @ts-ignore: decorator
@inline export function load4(src: usize, s: i32): v128 {
  if (s == 1) return v128.load(src);
  if (s == 2) return f32x4.shuffle(v128.load(src), v128.load(src, 16), 0, 2, 4, 6);
  const step = <usize>s << 2;
  let v = f32x4.splat(load<f32>(src));
  v = f32x4.replace_lane(v, 1, load<f32>(src + step));
  v = f32x4.replace_lane(v, 2, load<f32>(src + 2 * step));
  return f32x4.replace_lane(v, 3, load<f32>(src + 3 * step));
}
