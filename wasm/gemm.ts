// Single-precision matrix multiply on 128-bit SIMD: C[m×n] (+)= alpha · A · B, every matrix given by a byte
// address and element strides, so that transposed operands need no copy: A(i, p) = a[i·ars + p·acs],
// B(p, j) = b[p·brs + j·bcs], C row-major with n columns.
//
// The blocked scheme of GotoBLAS / BLIS: a KC × NC block of B is packed into panels of NR columns, an MC × KC
// block of A into panels of MR rows, and a 6 × 8 micro-kernel keeps its 12 vector sums in registers while it
// walks two packed panels. A few rows (a batch-1 dense layer) stream their operands instead, since packing would
// cost as much as the product; they sum in float64, being bound by memory. Work splits into `parts` (one per thread) by columns of C,
// or by rows when C is narrow; each part packs into its own scratch.

import { fma, fma64, hi64, lo64, partStart } from './simd';

const MR: i32 = 6;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 120;
const NC: i32 = 1024;
/** Fewer rows than this stream B once per row instead of packing it. */
const STREAM_ROWS: i32 = 4;

/** Floats of scratch one part of `gemm` needs. */
export function gemmScratchFloats(): i32 {
  return MC * KC + KC * NC + MR * NR;
}

/** Rows below which `gemm` streams B once per row rather than packing it. */
export function gemmStreamRows(): i32 {
  return STREAM_ROWS;
}

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Packs A(i0 + i, p0 + p), i < mc, p < kc, scaled by alpha, into panels of MR rows: dst[(i/MR·kc + p)·MR + i%MR]. */
function packA(mc: i32, kc: i32, alpha: f32, a: usize, ars: i32, acs: i32, i0: i32, p0: i32, dst: usize): void {
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = min(MR, mc - ip);
    const panel = at(dst, ip * kc);
    for (let r = 0; r < MR; r++) {
      let d = panel + (<usize>r << 2);
      if (r < rows) {
        let src = at(a, (i0 + ip + r) * ars + p0 * acs);
        const step = <usize>acs << 2;
        for (let p = 0; p < kc; p++) {
          store<f32>(d, alpha * load<f32>(src));
          src += step;
          d += <usize>(MR << 2);
        }
      } else {
        for (let p = 0; p < kc; p++) {
          store<f32>(d, 0);
          d += <usize>(MR << 2);
        }
      }
    }
  }
}

/** Packs B(p0 + p, j0 + j), p < kc, j < nc, into panels of NR columns: dst[(j/NR·kc + p)·NR + j%NR]. */
function packB(kc: i32, nc: i32, b: usize, brs: i32, bcs: i32, p0: i32, j0: i32, dst: usize): void {
  const rowStep = <usize>brs << 2;
  for (let jp = 0; jp < nc; jp += NR) {
    const cols = min(NR, nc - jp);
    let d = at(dst, jp * kc);
    if (cols == NR && bcs == 1) {
      let src = at(b, p0 * brs + j0 + jp);
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        src += rowStep;
        d += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const row = at(b, (p0 + p) * brs);
        for (let c = 0; c < NR; c++) {
          store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(row + (<usize>((j0 + jp + c) * bcs) << 2)) : 0);
        }
        d += 32;
      }
    }
  }
}

/** C[rows × cols] (+)= the product of one packed A panel and one packed B panel, kc deep. ldc in floats. */
function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, accumulate: bool, rows: i32, cols: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = fma(a, b0, c00);
    c01 = fma(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = fma(a, b0, c10);
    c11 = fma(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = fma(a, b0, c20);
    c21 = fma(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = fma(a, b0, c30);
    c31 = fma(a, b1, c31);
    a = v128.load32_splat(ap, 16);
    c40 = fma(a, b0, c40);
    c41 = fma(a, b1, c41);
    a = v128.load32_splat(ap, 20);
    c50 = fma(a, b0, c50);
    c51 = fma(a, b1, c51);
    ap += 24;
    bp += 32;
  }
  const ld = <usize>ldc << 2;
  if (rows == MR && cols == NR) {
    const r0 = c, r1 = c + ld, r2 = c + 2 * ld, r3 = c + 3 * ld, r4 = c + 4 * ld, r5 = c + 5 * ld;
    if (accumulate) {
      c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16));
      c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
      c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
      c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
      c40 = f32x4.add(c40, v128.load(r4)); c41 = f32x4.add(c41, v128.load(r4, 16));
      c50 = f32x4.add(c50, v128.load(r5)); c51 = f32x4.add(c51, v128.load(r5, 16));
    }
    v128.store(r0, c00); v128.store(r0, c01, 16);
    v128.store(r1, c10); v128.store(r1, c11, 16);
    v128.store(r2, c20); v128.store(r2, c21, 16);
    v128.store(r3, c30); v128.store(r3, c31, 16);
    v128.store(r4, c40); v128.store(r4, c41, 16);
    v128.store(r5, c50); v128.store(r5, c51, 16);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144);
  v128.store(tile, c50, 160); v128.store(tile, c51, 176);
  for (let r = 0; r < rows; r++) {
    const row = c + <usize>r * ld;
    const t = tile + (<usize>(r * NR) << 2);
    for (let j = 0; j < cols; j++) {
      const q = row + (<usize>j << 2);
      const v = load<f32>(t + (<usize>j << 2));
      store<f32>(q, accumulate ? load<f32>(q) + v : v);
    }
  }
}

/**
 * Rows [i0, i1) of C: alpha · A · B with B row-major (bcs = 1), streamed once per row, columns [j0, j1). A row
 * times a matrix is bound by reading B, so the sums run in float64 at no cost in time: a batch-1 dense layer
 * agrees with a float64 reference to float32 rounding however deep it is.
 */
function streamRows(i0: i32, i1: i32, j0: i32, j1: i32, n: i32, k: i32, alpha: f32, a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, c: usize, accumulate: bool): void {
  const rowStep = <usize>brs << 2;
  const astep = <usize>acs << 2;
  for (let i = i0; i < i1; i++) {
    const arow = at(a, i * ars);
    const crow = at(c, i * n);
    let j = j0;
    for (; j + 16 <= j1; j += 16) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      let s4 = f64x2.splat(0), s5 = f64x2.splat(0), s6 = f64x2.splat(0), s7 = f64x2.splat(0);
      let src = at(b, j);
      let ap = arow;
      for (let p = 0; p < k; p++) {
        const x = f64x2.splat(<f64>load<f32>(ap));
        const v0 = v128.load(src), v1 = v128.load(src, 16), v2 = v128.load(src, 32), v3 = v128.load(src, 48);
        s0 = fma64(x, lo64(v0), s0); s1 = fma64(x, hi64(v0), s1);
        s2 = fma64(x, lo64(v1), s2); s3 = fma64(x, hi64(v1), s3);
        s4 = fma64(x, lo64(v2), s4); s5 = fma64(x, hi64(v2), s5);
        s6 = fma64(x, lo64(v3), s6); s7 = fma64(x, hi64(v3), s7);
        src += rowStep;
        ap += astep;
      }
      const q = at(crow, j);
      put4(q, s0, s1, alpha, accumulate);
      put4(q + 16, s2, s3, alpha, accumulate);
      put4(q + 32, s4, s5, alpha, accumulate);
      put4(q + 48, s6, s7, alpha, accumulate);
    }
    for (; j + 4 <= j1; j += 4) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      let src = at(b, j);
      let ap = arow;
      for (let p = 0; p < k; p++) {
        const x = f64x2.splat(<f64>load<f32>(ap));
        const v = v128.load(src);
        s0 = fma64(x, lo64(v), s0);
        s1 = fma64(x, hi64(v), s1);
        src += rowStep;
        ap += astep;
      }
      put4(at(crow, j), s0, s1, alpha, accumulate);
    }
    for (; j < j1; j++) {
      let t: f64 = 0;
      for (let p = 0; p < k; p++) t += <f64>load<f32>(at(arow, p * acs)) * <f64>load<f32>(at(b, p * brs + j));
      const q = at(crow, j);
      const v = <f32>(<f64>alpha * t);
      store<f32>(q, accumulate ? load<f32>(q) + v : v);
    }
  }
}

/** Stores alpha · (lo, hi), four float64 sums, as float32 at q, added to what is there when `accumulate`. */
// @ts-ignore: decorator
@inline function put4(q: usize, lo: v128, hi: v128, alpha: f32, accumulate: bool): void {
  const al = f64x2.splat(<f64>alpha);
  const l = f32x4.demote_f64x2_zero(f64x2.mul(al, lo));
  const h = f32x4.demote_f64x2_zero(f64x2.mul(al, hi));
  let v = v128.shuffle<f32>(l, h, 0, 1, 4, 5);
  if (accumulate) v = f32x4.add(v, v128.load(q));
  v128.store(q, v);
}

/** Sum of x[p]·y[p], p < k, both contiguous, in float64. */
// @ts-ignore: decorator
@inline function dot(x: usize, y: usize, k: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const o = <usize>p << 2;
    const u = v128.load(x + o), v = v128.load(y + o);
    s0 = fma64(lo64(u), lo64(v), s0);
    s1 = fma64(hi64(u), hi64(v), s1);
  }
  const s = f64x2.add(s0, s1);
  let r = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; p < k; p++) r += <f64>load<f32>(x + (<usize>p << 2)) * <f64>load<f32>(y + (<usize>p << 2));
  return r;
}

/**
 * Rows [i0, i1), columns [j0, j1) of C as dot products, A rows and B columns both contiguous (acs = brs = 1: a
 * transposed B, as a PyTorch Linear weight is stored), for the few rows where packing does not pay.
 */
function dotRows(i0: i32, i1: i32, j0: i32, j1: i32, n: i32, k: i32, alpha: f32, a: usize, ars: i32,
  b: usize, bcs: i32, c: usize, accumulate: bool): void {
  for (let i = i0; i < i1; i++) {
    const arow = at(a, i * ars);
    for (let j = j0; j < j1; j++) {
      const v = <f32>(<f64>alpha * dot(arow, at(b, j * bcs), k));
      const q = at(c, i * n + j);
      store<f32>(q, accumulate ? load<f32>(q) + v : v);
    }
  }
}

/**
 * C[m×n] (+)= alpha · A · B (see the file comment for the strides). `accumulate` 0 overwrites C. `scratch` holds
 * `parts` × gemmScratchFloats() floats; this call computes part `part` of `parts`. k ≥ 1.
 */
export function gemm(m: i32, n: i32, k: i32, alpha: f32,
  a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, c: usize, accumulate: i32,
  scratch: usize, part: i32, parts: i32): void {
  const acc = accumulate != 0;
  const byColumns = (n + NR - 1) / NR >= parts * 4 || m < MR * parts * 2;
  let i0 = 0, i1 = m, j0 = 0, j1 = n;
  if (parts > 1) {
    if (byColumns) {
      j0 = partStart(n, NR, part, parts);
      j1 = partStart(n, NR, part + 1, parts);
    } else {
      i0 = partStart(m, MR, part, parts);
      i1 = partStart(m, MR, part + 1, parts);
    }
  }
  if (i0 >= i1 || j0 >= j1) return;
  if (acs == 1 && brs == 1 && (n == 1 || (m < STREAM_ROWS && bcs != 1))) {
    dotRows(i0, i1, j0, j1, n, k, alpha, a, ars, b, bcs, c, acc);
    return;
  }
  if (m < STREAM_ROWS && bcs == 1) {
    streamRows(i0, i1, j0, j1, n, k, alpha, a, ars, acs, b, brs, c, acc);
    return;
  }
  const s = scratch + (<usize>(part * gemmScratchFloats()) << 2);
  const pa = s;
  const pb = at(s, MC * KC);
  const tile = at(pb, KC * NC);
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const into = acc || pc > 0;
      packB(kc, nc, b, brs, bcs, pc, jc, pb);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(mc, kc, alpha, a, ars, acs, ic, pc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const bp = at(pb, jr * kc);
          const cols = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            micro(kc, at(pa, ir * kc), bp, at(c, (ic + ir) * n + jc + jr), n, into, min(MR, mc - ir), cols, tile);
          }
        }
      }
    }
  }
}
