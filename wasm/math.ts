// Transcendental functions on four float32 lanes, for the elementwise kernels. Each reduces its argument to a
// short interval and evaluates a polynomial there; the polynomials are Taylor series (exp) or least-squares fits
// on Chebyshev nodes (erf, erfc), chosen so that float32 evaluation stays within a few ulps of the true value
// (test/unit/engine/wasm/elementwise.test.ts measures it). IEEE special values follow C's math library: NaN in,
// NaN out; exp overflows to +Inf and underflows through the subnormals to 0; log(0) = −Inf, log(x < 0) = NaN.

import { fma } from './simd';

const LOG2E: f32 = 1.4426950408889634;
/** ln 2 split (Cody & Waite) so that n · LN2_HI is exact for |n| < 2^15. */
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440054690583e-4;
const SQRT2: f32 = 1.4142135623730951;

// @ts-ignore: decorator
@inline function splat(v: f32): v128 {
  return f32x4.splat(v);
}

/** 2^n for integer lanes n in [−126, 127]. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

/** Lanes of `a` where `mask` is set, else of `b`. */
// @ts-ignore: decorator
@inline export function select(a: v128, b: v128, mask: v128): v128 {
  return v128.bitselect(a, b, mask);
}

/** e^r − 1 for |r| ≤ ln2/2: Taylor series to degree 8 (remainder below 2^−30 of the result). */
// @ts-ignore: decorator
@inline function expm1Reduced(r: v128): v128 {
  let p = splat(<f32>(1.0 / 40320));
  p = fma(p, r, splat(<f32>(1.0 / 5040)));
  p = fma(p, r, splat(<f32>(1.0 / 720)));
  p = fma(p, r, splat(<f32>(1.0 / 120)));
  p = fma(p, r, splat(<f32>(1.0 / 24)));
  p = fma(p, r, splat(<f32>(1.0 / 6)));
  p = fma(p, r, splat(0.5));
  return fma(f32x4.mul(r, r), p, r);
}

/** The nearest integer n to x / ln 2 (as float lanes), x clamped to where e^x is neither 0 nor ∞ for sure. */
// @ts-ignore: decorator
@inline function reduceExp(x: v128): v128 {
  return f32x4.nearest(f32x4.mul(x, splat(LOG2E)));
}

// @ts-ignore: decorator
@inline function reduced(x: v128, n: v128): v128 {
  return f32x4.sub(f32x4.sub(x, f32x4.mul(n, splat(LN2_HI))), f32x4.mul(n, splat(LN2_LO)));
}

/** e^x. Lanes above 88.72 give +Inf, below −103.9 give 0, and the subnormal results are rounded once. */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // f32x4.min and max keep NaN, so a NaN lane stays NaN to the end.
  const xc = f32x4.min(f32x4.max(x, splat(-104)), splat(88.8));
  const n = reduceExp(xc);
  const em = expm1Reduced(reduced(xc, n));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  // 2^n in two factors, each a normal float, so that n from −150 to 128 scales without overflow in between.
  return f32x4.mul(f32x4.mul(f32x4.add(em, splat(1)), pow2(n1)), pow2(i32x4.sub(ni, n1)));
}

/** e^x − 1, accurate near 0 where e^x − 1 would cancel; keeps the sign of a zero. */
// @ts-ignore: decorator
@inline export function expm14(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, splat(-104)), splat(88.8));
  const n = reduceExp(xc);
  const em = expm1Reduced(reduced(xc, n));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const s1 = pow2(n1);
  const s2 = pow2(i32x4.sub(ni, n1));
  const t = f32x4.mul(s1, s2);
  // 2^n · (e^r − 1) + (2^n − 1): exact parts, so small results keep their digits; n = 128 overflows 2^n alone.
  const small = fma(t, em, f32x4.sub(t, splat(1)));
  const big = f32x4.sub(f32x4.mul(f32x4.mul(f32x4.add(em, splat(1)), s1), s2), splat(1));
  const r = select(big, small, i32x4.gt_s(ni, i32x4.splat(100)));
  return select(x, r, f32x4.eq(x, splat(0)));
}

/** The natural logarithm: −Inf at ±0, NaN below 0, +Inf at +Inf; subnormal inputs are scaled first. */
// @ts-ignore: decorator
@inline export function log4(x: v128): v128 {
  const sub = f32x4.lt(x, splat(1.1754943508222875e-38));
  const xs = select(f32x4.mul(x, splat(8388608)), x, sub);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(127));
  e = i32x4.sub(e, v128.and(sub, i32x4.splat(23)));
  // x = m · 2^e with m in [√½, √2): the mantissa is set into [1, 2), then halved above √2.
  let m = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const high = f32x4.gt(m, splat(SQRT2));
  m = select(f32x4.mul(m, splat(0.5)), m, high);
  e = i32x4.sub(e, high);
  // log(1 + f) = 2·atanh(s), s = f / (2 + f), |s| < 0.172: 2s + 2s³/3 + 2s⁵/5 + 2s⁷/7 + 2s⁹/9.
  const f = f32x4.sub(m, splat(1));
  const s = f32x4.div(f, f32x4.add(f, splat(2)));
  const s2 = f32x4.mul(s, s);
  let p = splat(<f32>(2.0 / 9));
  p = fma(p, s2, splat(<f32>(2.0 / 7)));
  p = fma(p, s2, splat(<f32>(2.0 / 5)));
  p = fma(p, s2, splat(<f32>(2.0 / 3)));
  const ef = f32x4.convert_i32x4_s(e);
  const lo = fma(f32x4.mul(s, s2), p, fma(ef, splat(LN2_LO), f32x4.add(s, s)));
  let r = fma(ef, splat(LN2_HI), lo);
  r = select(splat(-Infinity), r, f32x4.eq(x, splat(0)));
  r = select(splat(NaN), r, f32x4.lt(x, splat(0)));
  // NaN and +Inf are their own logarithms.
  return select(x, r, v128.or(f32x4.ne(x, x), f32x4.eq(x, splat(Infinity))));
}

/** log(1 + u) for u ≥ 0 (softplus): log(w) corrected by the rounding of w = 1 + u. */
// @ts-ignore: decorator
@inline export function log1pPositive(u: v128): v128 {
  const w = f32x4.add(u, splat(1));
  const c = f32x4.div(f32x4.sub(u, f32x4.sub(w, splat(1))), w);
  return f32x4.add(log4(w), c);
}

/** 1 / (1 + e^−x) without overflow on either side: e^−|x| is at most 1. */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(splat(1), f32x4.add(e, splat(1)));
  return select(s, f32x4.mul(e, s), f32x4.ge(x, splat(0)));
}

/** tanh x = sign(x) · e / (e + 2) with e = e^(2|x|) − 1; past |x| = 9.5 the float32 result is ±1. */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const a = f32x4.min(f32x4.abs(x), splat(9.5));
  const e = expm14(f32x4.add(a, a));
  const t = f32x4.div(e, f32x4.add(e, splat(2)));
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
}

/** e^(−z²) for z ≥ 0 with z² carried in two parts, so that its rounding does not grow with z. */
// @ts-ignore: decorator
@inline function expMinusSquare(z: v128): v128 {
  const hi = v128.and(z, i32x4.splat(0xfffff000));
  const lo = f32x4.sub(z, hi);
  // z² = hi² (exact: 12 significant bits) + lo · (z + hi).
  return f32x4.mul(exp4(f32x4.neg(f32x4.mul(hi, hi))), exp4(f32x4.neg(f32x4.mul(lo, f32x4.add(z, hi)))));
}

/** erf(z) / z on 0 ≤ z ≤ 1, a polynomial in z² fitted to relative error 2.6 · 2^−24. */
// @ts-ignore: decorator
@inline function erfSmall(z: v128): v128 {
  const z2 = f32x4.mul(z, z);
  let p = splat(-0.0005667994846589863);
  p = fma(p, z2, splat(0.004927420057356358));
  p = fma(p, z2, splat(-0.026720894500613213));
  p = fma(p, z2, splat(0.1128057911992073));
  p = fma(p, z2, splat(-0.37612390518188477));
  return fma(p, z2, splat(1.1283791065216064));
}

/**
 * erfc(z) for z ≥ 1: e^(−z²) · g(z), where g(z) = erfc(z) · e^(z²) is smooth and fitted as a polynomial in
 * (z − 1.75) / 0.75 on [1, 2.5] and as z·g(z) in 1/z on [2.5, 10.5]; past 10.5 erfc is 0 in float32.
 */
// @ts-ignore: decorator
@inline function erfcLarge(z: v128): v128 {
  const u = f32x4.mul(f32x4.sub(z, splat(1.75)), splat(<f32>(1.0 / 0.75)));
  let p = splat(1.1993429325229954e-05);
  p = fma(p, u, splat(-5.194656478124671e-05));
  p = fma(p, u, splat(0.0001845804217737168));
  p = fma(p, u, splat(-0.0007122698589228094));
  p = fma(p, u, splat(0.0026590570341795683));
  p = fma(p, u, splat(-0.009392212145030499));
  p = fma(p, u, splat(0.03136710077524185));
  p = fma(p, u, splat(-0.09823216497898102));
  p = fma(p, u, splat(0.284972220659256));
  const t = f32x4.div(splat(1), z);
  let q = splat(0.3767993450164795);
  q = fma(q, t, splat(-0.8401338458061218));
  q = fma(q, t, splat(0.6693394184112549));
  q = fma(q, t, splat(-0.04247482866048813));
  q = fma(q, t, splat(-0.277741938829422));
  q = fma(q, t, splat(-0.0002446346916258335));
  q = fma(q, t, splat(0.5641953945159912));
  const g = select(p, f32x4.mul(q, t), f32x4.lt(z, splat(2.5)));
  const zc = f32x4.min(z, splat(10.5));
  const r = f32x4.mul(expMinusSquare(zc), g);
  return select(splat(0), r, f32x4.gt(z, splat(10.5)));
}

/** erf(x), odd; NaN stays NaN. */
// @ts-ignore: decorator
@inline export function erf4(x: v128): v128 {
  const z = f32x4.abs(x);
  const small = f32x4.mul(z, erfSmall(z));
  const large = f32x4.sub(splat(1), erfcLarge(f32x4.max(z, splat(1))));
  const r = select(small, large, f32x4.le(z, splat(1)));
  // A NaN lane fails every comparison: it takes `large`, which the NaN reached through max and exp.
  return v128.or(r, v128.and(x, i32x4.splat(0x80000000)));
}

/**
 * x · Φ(x) = x/2 · (1 + erf(x/√2)) (GELU, exact form). Below zero it is x/2 · erfc(|x|/√2), computed directly so
 * that the small negative tail keeps its digits.
 */
// @ts-ignore: decorator
@inline export function geluErf4(x: v128): v128 {
  const z = f32x4.mul(f32x4.abs(x), splat(<f32>0.7071067811865476));
  const e = f32x4.mul(z, erfSmall(z));
  const c = erfcLarge(f32x4.max(z, splat(1)));
  const near = f32x4.le(z, splat(1));
  const neg = f32x4.lt(x, splat(0));
  // 1 + erf(x/√2): 1 ± e near 0, 2 − erfc above, erfc below.
  const nearF = select(f32x4.sub(splat(1), e), f32x4.add(splat(1), e), neg);
  const farF = select(c, f32x4.sub(splat(2), c), neg);
  const f = select(nearF, farF, near);
  return f32x4.mul(f32x4.mul(x, splat(0.5)), f);
}

/** x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))), written as x · sigmoid(2y), which does not cancel below zero. */
// @ts-ignore: decorator
@inline export function geluTanh4(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const y = f32x4.mul(fma(x3, splat(0.044715), x), splat(<f32>(2 * 0.7978845608028654)));
  return f32x4.mul(x, sigmoid4(y));
}
