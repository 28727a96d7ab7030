// Tensor statistics on 128-bit SIMD, the partial results of src/engine/stats.ts `tensorStats`: the smallest and
// largest finite value, the sum and the sum of squares of (x − shift) in float64 (each float32 lane promoted to
// float64 before the subtraction, as the JavaScript pass does), the count of exact zeros, and the counts of NaN,
// +Inf and −Inf. JavaScript combines the parts and finishes (mean, std) exactly as the TypeScript pass does.
//
// A first pass has no data-dependent branch and no masking; its sum of squares is finite exactly when every value
// is. Only when it is not does the part run again with the careful, masked loop.

import { fma64, hi64, lo64, partStart } from './simd';

/** Floats of the output block per part: min, max, sum, sumSq, zeros, nan, posInf, negInf (all float64). */
const OUT: usize = 8;

// @ts-ignore: decorator
@inline function hmin(v: v128): f64 {
  return min(min(<f64>f32x4.extract_lane(v, 0), <f64>f32x4.extract_lane(v, 1)),
    min(<f64>f32x4.extract_lane(v, 2), <f64>f32x4.extract_lane(v, 3)));
}

// @ts-ignore: decorator
@inline function hmax(v: v128): f64 {
  return max(max(<f64>f32x4.extract_lane(v, 0), <f64>f32x4.extract_lane(v, 1)),
    max(<f64>f32x4.extract_lane(v, 2), <f64>f32x4.extract_lane(v, 3)));
}

// @ts-ignore: decorator
@inline function hsum64(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// @ts-ignore: decorator
@inline function hcount(v: v128): f64 {
  return <f64>(<u32>i32x4.extract_lane(v, 0)) + <f64>(<u32>i32x4.extract_lane(v, 1)) +
    <f64>(<u32>i32x4.extract_lane(v, 2)) + <f64>(<u32>i32x4.extract_lane(v, 3));
}

/** The fast pass over [i0, i1) (a multiple of 8 long); false when an element is not finite (nothing is written). */
function fastPass(x: usize, i0: i32, i1: i32, shift: f64, o: usize): bool {
  const s = f64x2.splat(shift);
  const zero = f32x4.splat(0);
  let mn = f32x4.splat(Infinity);
  let mx = f32x4.splat(-Infinity);
  let zc = i32x4.splat(0);
  let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let q0 = s0, q1 = s0, q2 = s0, q3 = s0;
  for (let i = i0; i < i1; i += 8) {
    const p = x + (<usize>i << 2);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    // A true lane of a comparison is −1: subtracting the mask counts.
    zc = i32x4.sub(zc, i32x4.add(f32x4.eq(a, zero), f32x4.eq(b, zero)));
    mn = f32x4.pmin(mn, f32x4.pmin(a, b));
    mx = f32x4.pmax(mx, f32x4.pmax(a, b));
    const a0 = f64x2.sub(lo64(a), s);
    const a1 = f64x2.sub(hi64(a), s);
    const b0 = f64x2.sub(lo64(b), s);
    const b1 = f64x2.sub(hi64(b), s);
    s0 = f64x2.add(s0, a0);
    s1 = f64x2.add(s1, a1);
    s2 = f64x2.add(s2, b0);
    s3 = f64x2.add(s3, b1);
    q0 = fma64(a0, a0, q0);
    q1 = fma64(a1, a1, q1);
    q2 = fma64(b0, b0, q2);
    q3 = fma64(b1, b1, q3);
  }
  // An Inf or NaN makes a sum of squares Inf or NaN; finite float32 values cannot (their squares stay below 2^256).
  const q = hsum64(f64x2.add(f64x2.add(q0, q1), f64x2.add(q2, q3)));
  if (q - q != 0) return false;
  store<f64>(o, hmin(mn));
  store<f64>(o, hmax(mx), 8);
  store<f64>(o, hsum64(f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3))), 16);
  store<f64>(o, q, 24);
  store<f64>(o, hcount(zc), 32);
  store<f64>(o, 0, 40);
  store<f64>(o, 0, 48);
  store<f64>(o, 0, 56);
  return true;
}

/**
 * The careful pass over [i0, i1) (a multiple of 4 long): NaN and ±Inf are counted and left out of the rest (a
 * value that is not finite is replaced by the shift, which adds 0 to both sums, and by ∓Inf for min and max).
 */
function carefulPass(x: usize, i0: i32, i1: i32, shift: f64, o: usize): void {
  const s = f64x2.splat(shift);
  const sf = f32x4.splat(<f32>shift);
  const zero = f32x4.splat(0);
  const inf = f32x4.splat(Infinity);
  const ninf = f32x4.splat(-Infinity);
  let mn = inf;
  let mx = ninf;
  let zc = i32x4.splat(0);
  let nc = zc, pc = zc, mc = zc;
  let s0 = f64x2.splat(0), s1 = s0;
  let q0 = s0, q1 = s0;
  for (let i = i0; i < i1; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const finite = f32x4.eq(f32x4.sub(v, v), zero);
    zc = i32x4.sub(zc, f32x4.eq(v, zero));
    nc = i32x4.sub(nc, f32x4.ne(v, v));
    pc = i32x4.sub(pc, f32x4.eq(v, inf));
    mc = i32x4.sub(mc, f32x4.eq(v, ninf));
    mn = f32x4.pmin(mn, v128.bitselect(v, inf, finite));
    mx = f32x4.pmax(mx, v128.bitselect(v, ninf, finite));
    const w = v128.bitselect(v, sf, finite);
    const a0 = f64x2.sub(lo64(w), s);
    const a1 = f64x2.sub(hi64(w), s);
    s0 = f64x2.add(s0, a0);
    s1 = f64x2.add(s1, a1);
    q0 = fma64(a0, a0, q0);
    q1 = fma64(a1, a1, q1);
  }
  store<f64>(o, hmin(mn));
  store<f64>(o, hmax(mx), 8);
  store<f64>(o, hsum64(f64x2.add(s0, s1)), 16);
  store<f64>(o, hsum64(f64x2.add(q0, q1)), 24);
  store<f64>(o, hcount(zc), 32);
  store<f64>(o, hcount(nc), 40);
  store<f64>(o, hcount(pc), 48);
  store<f64>(o, hcount(mc), 56);
}

/** Adds the elements [i0, i1) one at a time (the last part's tail, fewer than 8) into the block at `o`. */
function tail(x: usize, i0: i32, i1: i32, shift: f64, o: usize): void {
  let mn = load<f64>(o), mx = load<f64>(o, 8), sum = load<f64>(o, 16), sq = load<f64>(o, 24);
  let zeros = load<f64>(o, 32), nan = load<f64>(o, 40), pos = load<f64>(o, 48), neg = load<f64>(o, 56);
  for (let i = i0; i < i1; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    if (v - v != 0) {
      if (v != v) nan++;
      else if (v > 0) pos++;
      else neg++;
      continue;
    }
    if (v == 0) zeros++;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
    const d = v - shift;
    sum += d;
    sq += d * d;
  }
  store<f64>(o, mn);
  store<f64>(o, mx, 8);
  store<f64>(o, sum, 16);
  store<f64>(o, sq, 24);
  store<f64>(o, zeros, 32);
  store<f64>(o, nan, 40);
  store<f64>(o, pos, 48);
  store<f64>(o, neg, 56);
}

/**
 * Partial statistics of the n float32 values at x, around `shift` (the first finite value), for part `part` of
 * `parts`: 8 float64 at out + part·64 bytes (min, max, sum, sumSq, zeros, nan, posInf, negInf). A part with no
 * finite value reports min +Inf and max −Inf.
 */
export function stats(x: usize, n: i32, shift: f64, out: usize, part: i32, parts: i32): void {
  const i0 = partStart(n, 8, part, parts);
  const i1 = partStart(n, 8, part + 1, parts);
  const body = i0 + ((i1 - i0) & ~7);
  const o = out + (<usize>part * OUT << 3);
  if (!fastPass(x, i0, body, shift, o)) carefulPass(x, i0, body, shift, o);
  if (body < i1) tail(x, body, i1, shift, o);
}
