// Helpers shared by the kernels. `fma` is a fused multiply-add where the build enables relaxed SIMD (one
// instruction on CPUs with FMA), a multiply then an add otherwise: the two builds differ only here.

/** a·b + c on four float32 lanes. */
// @ts-ignore: decorator
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** The part [start, end) of `count` items that part `part` of `parts` takes, in whole multiples of `unit`. */
// @ts-ignore: decorator
@inline export function partStart(count: i32, unit: i32, part: i32, parts: i32): i32 {
  const units = (count + unit - 1) / unit;
  const s = <i32>((<i64>units * part) / parts) * unit;
  return s < count ? s : count;
}

/** a·b + c on two float64 lanes. */
// @ts-ignore: decorator
@inline export function fma64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}

/** Lanes 0 and 1 of four float32 lanes, as float64. */
// @ts-ignore: decorator
@inline export function lo64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2 and 3 of four float32 lanes, as float64. */
// @ts-ignore: decorator
@inline export function hi64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}
