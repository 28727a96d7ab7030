/**
 * Single-precision matrix multiply, the one inner loop that matmul, gemm, dense and convolution (through
 * im2col) share. Row-major throughout: C[m×n] (+)= alpha · op(A) · op(B), where op(A) is A[m×k], or A stored
 * as [k×m] when `transA`; op(B) is B[k×n], or B stored as [n×k] when `transB`.
 *
 * Plain JS has no SIMD, so speed comes from the memory layout (the GotoBLAS / BLIS scheme): a block of B
 * (KC rows × NC columns) is packed into strips of 4 columns, 4 rows of A into a strip of 4 interleaved rows,
 * and a 4×4 micro-kernel keeps its 16 sums in registers while it walks the two packed strips. A few rows of
 * output (batch-1 dense layers) or a single column skip packing and stream the matrix once per row. Sums are
 * kept in doubles within a KC block and rounded to float32 when added into C.
 */

import { wasmGemm } from '../wasm/gemm';

const KC = 256;
const NC = 512;
const MR = 4;
const NR = 4;
/** Below this many rows, streaming B once per row beats packing it (measured: m = 4 runs 3.1 vs 2.6 GFLOP/s). */
const GEMV_ROWS = 8;

let packB = new Float32Array(KC * NC);
const packA = new Float32Array(MR * KC);
let rowA = new Float64Array(KC);
const edge = new Float64Array(MR * NR);

/** C[m×n] (+)= A[m×k] · B[k×n], all row-major float32, each given as an array and an element offset. */
export function sgemm(
  m: number, n: number, k: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  sgemmEx(m, n, k, 1, a, aOff, false, b, bOff, false, c, cOff, accumulate);
}

/** C[m×n] (+)= alpha · op(A) · op(B); see the file comment for the layouts that `transA` and `transB` select. */
export function sgemmEx(
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, aOff: number, transA: boolean,
  b: Float32Array, bOff: number, transB: boolean,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  if (m <= 0 || n <= 0) return;
  if (wasmGemm(m, n, k, alpha, a, aOff, transA, b, bOff, transB, c, cOff, accumulate)) return;
  if (!accumulate) c.fill(0, cOff, cOff + m * n);
  if (k <= 0) return;
  if (n === 1) {
    // One output column (matrix · vector): the same streaming kernels with the roles of A and B swapped.
    if (rowA.length < k) rowA = new Float64Array(k);
    const x = rowA;
    for (let p = 0; p < k; p++) x[p] = alpha * b[bOff + p];
    if (transA) gemvAxpy(x, m, k, a, aOff, c, cOff);
    else gemvDot(x, m, k, a, aOff, c, cOff);
    return;
  }
  if (m < GEMV_ROWS) {
    for (let i = 0; i < m; i++) gemvRow(i, m, n, k, alpha, a, aOff, transA, b, bOff, transB, c, cOff + i * n);
    return;
  }
  // A(i, p) = a[aOff + i·ars + p·acs]; B(p, j) = b[bOff + p·brs + j·bcs].
  const ars = transA ? 1 : k;
  const acs = transA ? m : 1;
  const brs = transB ? 1 : n;
  const bcs = transB ? k : 1;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const strips = Math.ceil(nc / NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      if (packB.length < strips * NR * kc) packB = new Float32Array(strips * NR * kc);
      packPanelB(packB, b, bOff + pc * brs + jc * bcs, brs, bcs, kc, nc);
      for (let i0 = 0; i0 < m; i0 += MR) {
        const h = Math.min(MR, m - i0);
        packPanelA(packA, a, aOff + i0 * ars + pc * acs, ars, acs, kc, h);
        for (let s = 0; s < strips; s++) {
          const j0 = jc + s * NR;
          const w = Math.min(NR, n - j0);
          micro4x4(packA, packB, s * NR * kc, kc, alpha, c, cOff + i0 * n + j0, n, h, w);
        }
      }
    }
  }
}

/** Packs B(p, j) for p < kc, j < nc into strips of NR columns: strip s holds kc rows of NR values, zero-padded. */
function packPanelB(dst: Float32Array, b: Float32Array, off: number, rs: number, cs: number, kc: number, nc: number): void {
  let q = 0;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const w = Math.min(NR, nc - j0);
    const base = off + j0 * cs;
    if (w === NR && cs === 1) {
      for (let p = 0, src = base; p < kc; p++, src += rs, q += NR) {
        dst[q] = b[src];
        dst[q + 1] = b[src + 1];
        dst[q + 2] = b[src + 2];
        dst[q + 3] = b[src + 3];
      }
    } else if (w === NR && rs === 1) {
      // B stored transposed: the strip's four columns are four contiguous rows of the stored matrix.
      const s0 = base, s1 = base + cs, s2 = base + 2 * cs, s3 = base + 3 * cs;
      for (let p = 0; p < kc; p++, q += NR) {
        dst[q] = b[s0 + p];
        dst[q + 1] = b[s1 + p];
        dst[q + 2] = b[s2 + p];
        dst[q + 3] = b[s3 + p];
      }
    } else {
      for (let p = 0; p < kc; p++, q += NR) {
        for (let t = 0; t < NR; t++) dst[q + t] = t < w ? b[base + p * rs + t * cs] : 0;
      }
    }
  }
}

/** Packs A(i, p) for i < h (≤ MR), p < kc as kc groups of MR interleaved rows, zero-padded. */
function packPanelA(dst: Float32Array, a: Float32Array, off: number, rs: number, cs: number, kc: number, h: number): void {
  if (cs === 1) {
    for (let r = 0; r < MR; r++) {
      const src = off + r * rs;
      if (r < h) for (let p = 0; p < kc; p++) dst[p * MR + r] = a[src + p];
      else for (let p = 0; p < kc; p++) dst[p * MR + r] = 0;
    }
  } else {
    for (let p = 0; p < kc; p++) {
      const src = off + p * cs;
      for (let r = 0; r < MR; r++) dst[p * MR + r] = r < h ? a[src + r * rs] : 0;
    }
  }
}

/**
 * C[h×w block at o] += alpha · (packed A strip) · (packed B strip at qb). A small function of its own so the
 * optimiser gives its 16 sums the registers rather than the outer loops' bookkeeping.
 */
function micro4x4(
  ap: Float32Array, bp: Float32Array, qb: number, kc: number, alpha: number,
  c: Float32Array, o: number, n: number, h: number, w: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0, qa = 0; p < kc; p++, qa += MR, qb += NR) {
    const b0 = bp[qb], b1 = bp[qb + 1], b2 = bp[qb + 2], b3 = bp[qb + 3];
    let x = ap[qa];
    c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
    x = ap[qa + 1];
    c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
    x = ap[qa + 2];
    c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
    x = ap[qa + 3];
    c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
  }
  if (h === MR && w === NR) {
    c[o] += alpha * c00; c[o + 1] += alpha * c01; c[o + 2] += alpha * c02; c[o + 3] += alpha * c03;
    o += n;
    c[o] += alpha * c10; c[o + 1] += alpha * c11; c[o + 2] += alpha * c12; c[o + 3] += alpha * c13;
    o += n;
    c[o] += alpha * c20; c[o + 1] += alpha * c21; c[o + 2] += alpha * c22; c[o + 3] += alpha * c23;
    o += n;
    c[o] += alpha * c30; c[o + 1] += alpha * c31; c[o + 2] += alpha * c32; c[o + 3] += alpha * c33;
    return;
  }
  const e = edge;
  e[0] = c00; e[1] = c01; e[2] = c02; e[3] = c03;
  e[4] = c10; e[5] = c11; e[6] = c12; e[7] = c13;
  e[8] = c20; e[9] = c21; e[10] = c22; e[11] = c23;
  e[12] = c30; e[13] = c31; e[14] = c32; e[15] = c33;
  for (let r = 0; r < h; r++) {
    for (let t = 0; t < w; t++) c[o + r * n + t] += alpha * e[r * NR + t];
  }
}

/**
 * One output row: C[i, :] += alpha · A(i, :) · op(B). The row of A is copied (scaled by alpha) into a
 * contiguous buffer; then B is streamed once, four rows at a time (axpy form) or, when B is stored
 * transposed, as dot products with four of its rows at a time.
 */
function gemvRow(
  i: number, m: number, n: number, k: number, alpha: number,
  a: Float32Array, aOff: number, transA: boolean,
  b: Float32Array, bOff: number, transB: boolean,
  c: Float32Array, co: number,
): void {
  if (rowA.length < k) rowA = new Float64Array(k);
  const x = rowA;
  if (transA) for (let p = 0; p < k; p++) x[p] = alpha * a[aOff + p * m + i];
  else for (let p = 0, src = aOff + i * k; p < k; p++) x[p] = alpha * a[src + p];
  if (transB) gemvDot(x, n, k, b, bOff, c, co);
  else gemvAxpy(x, n, k, b, bOff, c, co);
}

/**
 * c[j] += Σ_p x[p] · B[p, j] with B row-major [k×n], eight rows of B per pass over c. A pass past the last
 * row reuses row p with a zero weight, so there is no separate tail loop.
 */
function gemvAxpy(x: Float64Array, n: number, k: number, b: Float32Array, bOff: number, c: Float32Array, co: number): void {
  for (let p = 0; p < k; p += 8) {
    const r0 = bOff + p * n;
    const x0 = x[p];
    const x1 = p + 1 < k ? x[p + 1] : 0, r1 = p + 1 < k ? r0 + n : r0;
    const x2 = p + 2 < k ? x[p + 2] : 0, r2 = p + 2 < k ? r1 + n : r0;
    const x3 = p + 3 < k ? x[p + 3] : 0, r3 = p + 3 < k ? r2 + n : r0;
    const x4 = p + 4 < k ? x[p + 4] : 0, r4 = p + 4 < k ? r3 + n : r0;
    const x5 = p + 5 < k ? x[p + 5] : 0, r5 = p + 5 < k ? r4 + n : r0;
    const x6 = p + 6 < k ? x[p + 6] : 0, r6 = p + 6 < k ? r5 + n : r0;
    const x7 = p + 7 < k ? x[p + 7] : 0, r7 = p + 7 < k ? r6 + n : r0;
    for (let j = 0; j < n; j++) {
      c[co + j] += x0 * b[r0 + j] + x1 * b[r1 + j] + x2 * b[r2 + j] + x3 * b[r3 + j] +
        x4 * b[r4 + j] + x5 * b[r5 + j] + x6 * b[r6 + j] + x7 * b[r7 + j];
    }
  }
}

/** c[j] += Σ_p x[p] · B[j, p] with B stored row-major [n×k]: dot products with eight rows of B at a time. */
function gemvDot(x: Float64Array, n: number, k: number, b: Float32Array, bOff: number, c: Float32Array, co: number): void {
  for (let j = 0; j < n; j += 8) {
    const r0 = bOff + j * k;
    const r1 = j + 1 < n ? r0 + k : r0, r2 = j + 2 < n ? r1 + k : r0, r3 = j + 3 < n ? r2 + k : r0;
    const r4 = j + 4 < n ? r3 + k : r0, r5 = j + 5 < n ? r4 + k : r0, r6 = j + 6 < n ? r5 + k : r0;
    const r7 = j + 7 < n ? r6 + k : r0;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let p = 0; p < k; p++) {
      const v = x[p];
      s0 += v * b[r0 + p]; s1 += v * b[r1 + p]; s2 += v * b[r2 + p]; s3 += v * b[r3 + p];
      s4 += v * b[r4 + p]; s5 += v * b[r5 + p]; s6 += v * b[r6 + p]; s7 += v * b[r7 + p];
    }
    const w = Math.min(8, n - j);
    c[co + j] += s0;
    if (w > 1) c[co + j + 1] += s1;
    if (w > 2) c[co + j + 2] += s2;
    if (w > 3) c[co + j + 3] += s3;
    if (w > 4) c[co + j + 4] += s4;
    if (w > 5) c[co + j + 5] += s5;
    if (w > 6) c[co + j + 6] += s6;
    if (w > 7) c[co + j + 7] += s7;
  }
}
