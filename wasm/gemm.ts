// Single-precision matrix multiply on 128-bit SIMD: C[m×n] (+)= alpha · A · B, every matrix given by a byte
// address and element strides, so that transposed operands need no copy: A(i, p) = a[i·ars + p·acs],
// B(p, j) = b[p·brs + j·bcs], C row-major with n columns.
//
// The blocked scheme of GotoBLAS / BLIS: a KC × NC block of B is packed into panels of NR columns, an MC × KC
// block of A into panels of MR rows, and an MR × NR micro-kernel keeps its 8 vector sums in registers while it
// walks two packed panels. A few rows (a batch-1 dense layer) or a transposed B stream their operands instead,
// since packing would cost as much as the product. Work splits into `parts` (one per thread) by columns of C,
// or by rows when C is narrow; each part packs into its own scratch.

import { fma, partStart } from './simd';

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 1024;

/** Floats of scratch one part of `gemm` needs. */
export function gemmScratchFloats(): i32 {
  return MC * KC + KC * NC + MR * NR;
}

/** Rows below which `gemm` streams B once per row rather than packing it. */
export function gemmStreamRows(): i32 {
  return MR;
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
    ap += 16;
    bp += 32;
  }
  const ld = <usize>ldc << 2;
  if (rows == MR && cols == NR) {
    const r0 = c, r1 = c + ld, r2 = c + 2 * ld, r3 = c + 3 * ld;
    if (accumulate) {
      c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16));
      c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
      c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
      c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
    }
    v128.store(r0, c00); v128.store(r0, c01, 16);
    v128.store(r1, c10); v128.store(r1, c11, 16);
    v128.store(r2, c20); v128.store(r2, c21, 16);
    v128.store(r3, c30); v128.store(r3, c31, 16);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
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

/** Depth of the float32 partial sums in `streamRows`, added into running totals so rounding grows slowly with k. */
const SUM_BLOCK: i32 = 64;

/**
 * Rows [i0, i1) of C: alpha · A · B with B row-major (bcs = 1), streamed once per row, columns [j0, j1). Sums run
 * in blocks of SUM_BLOCK products added into totals, as the packed path sums in KC blocks.
 */
function streamRows(i0: i32, i1: i32, j0: i32, j1: i32, n: i32, k: i32, alpha: f32, a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, c: usize, accumulate: bool): void {
  const rowStep = <usize>brs << 2;
  const astep = <usize>acs << 2;
  const al = f32x4.splat(alpha);
  for (let i = i0; i < i1; i++) {
    const arow = at(a, i * ars);
    const crow = at(c, i * n);
    let j = j0;
    for (; j + 16 <= j1; j += 16) {
      let t0 = f32x4.splat(0), t1 = f32x4.splat(0), t2 = f32x4.splat(0), t3 = f32x4.splat(0);
      let src = at(b, j);
      let ap = arow;
      for (let p0 = 0; p0 < k; p0 += SUM_BLOCK) {
        const p1 = min(k, p0 + SUM_BLOCK);
        let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
        for (let p = p0; p < p1; p++) {
          const x = f32x4.splat(load<f32>(ap));
          s0 = fma(x, v128.load(src), s0);
          s1 = fma(x, v128.load(src, 16), s1);
          s2 = fma(x, v128.load(src, 32), s2);
          s3 = fma(x, v128.load(src, 48), s3);
          src += rowStep;
          ap += astep;
        }
        t0 = f32x4.add(t0, s0); t1 = f32x4.add(t1, s1); t2 = f32x4.add(t2, s2); t3 = f32x4.add(t3, s3);
      }
      const q = at(crow, j);
      if (accumulate) {
        v128.store(q, fma(al, t0, v128.load(q))); v128.store(q, fma(al, t1, v128.load(q, 16)), 16);
        v128.store(q, fma(al, t2, v128.load(q, 32)), 32); v128.store(q, fma(al, t3, v128.load(q, 48)), 48);
      } else {
        v128.store(q, f32x4.mul(al, t0)); v128.store(q, f32x4.mul(al, t1), 16);
        v128.store(q, f32x4.mul(al, t2), 32); v128.store(q, f32x4.mul(al, t3), 48);
      }
    }
    for (; j + 4 <= j1; j += 4) {
      let t = f32x4.splat(0);
      let src = at(b, j);
      let ap = arow;
      for (let p0 = 0; p0 < k; p0 += SUM_BLOCK) {
        const p1 = min(k, p0 + SUM_BLOCK);
        let s = f32x4.splat(0);
        for (let p = p0; p < p1; p++) {
          s = fma(f32x4.splat(load<f32>(ap)), v128.load(src), s);
          src += rowStep;
          ap += astep;
        }
        t = f32x4.add(t, s);
      }
      const q = at(crow, j);
      t = f32x4.mul(al, t);
      v128.store(q, accumulate ? f32x4.add(t, v128.load(q)) : t);
    }
    for (; j < j1; j++) {
      let t: f64 = 0;
      for (let p = 0; p < k; p++) t += <f64>(load<f32>(at(arow, p * acs)) * load<f32>(at(b, p * brs + j)));
      const q = at(crow, j);
      const v = alpha * <f32>t;
      store<f32>(q, accumulate ? load<f32>(q) + v : v);
    }
  }
}

/** Sum of x[p]·y[p], p < k, both contiguous. */
// @ts-ignore: decorator
@inline function dot(x: usize, y: usize, k: i32): f32 {
  let t = f32x4.splat(0);
  let p = 0;
  while (p + 8 <= k) {
    const end = min(k, p + SUM_BLOCK) & ~7;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    for (; p < end; p += 8) {
      const o = <usize>p << 2;
      s0 = fma(v128.load(x + o), v128.load(y + o), s0);
      s1 = fma(v128.load(x + o, 16), v128.load(y + o, 16), s1);
    }
    t = f32x4.add(t, f32x4.add(s0, s1));
  }
  for (; p + 4 <= k; p += 4) {
    const o = <usize>p << 2;
    t = fma(v128.load(x + o), v128.load(y + o), t);
  }
  let r = f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1) + f32x4.extract_lane(t, 2) + f32x4.extract_lane(t, 3);
  for (; p < k; p++) r += load<f32>(x + (<usize>p << 2)) * load<f32>(y + (<usize>p << 2));
  return r;
}

/** Rows [i0, i1), columns [j0, j1) of C as dot products: A rows and B columns both contiguous (acs = brs = 1). */
function dotRows(i0: i32, i1: i32, j0: i32, j1: i32, n: i32, k: i32, alpha: f32, a: usize, ars: i32,
  b: usize, bcs: i32, c: usize, accumulate: bool): void {
  for (let i = i0; i < i1; i++) {
    const arow = at(a, i * ars);
    for (let j = j0; j < j1; j++) {
      const v = alpha * dot(arow, at(b, j * bcs), k);
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
  if (acs == 1 && brs == 1 && (bcs != 1 || n == 1)) {
    dotRows(i0, i1, j0, j1, n, k, alpha, a, ars, b, bcs, c, acc);
    return;
  }
  if (m < MR && bcs == 1) {
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
