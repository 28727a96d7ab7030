// Two-dimensional convolution of one NCHW image (ONNX Conv, opset 22): y[m, oh, ow] = b[m] + Σ_c Σ_kh Σ_kw
// w[m, c, kh, kw] · x[g·Cg + c, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw], zero outside the input. A 1-D convolution
// is the case H = KH = 1.
//
// `conv2d` builds the column matrix (one row per (c, kh, kw), one column per output pixel) a band of pixels at a
// time and multiplies it by the weights with `gemm`; the band stays in cache between the two. `depthwise2d` is the
// direct loop for one input channel per group, four or eight output pixels of a row per vector. Both split across
// threads: conv2d by output pixels, depthwise2d by output channels. The 1×1 convolution without stride or padding
// needs no kernel of its own: it is `gemm` on the input (src/engine/wasm/conv.ts).

import { gemm, gemmScratchFloats } from './gemm';
import { fma, partStart } from './simd';
import { ceilDiv, interiorHi, interiorLo, load4 } from './window';

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** n rounded up to a multiple of 16 floats (a cache line), so that each scratch area starts on one. */
// @ts-ignore: decorator
@inline function line(n: i32): i32 {
  return (n + 15) & ~15;
}

/** Floats of scratch one part of `conv2d` needs: gemm's own, a band of the column matrix and a band of output. */
export function convScratchFloats(k: i32, mg: i32, band: i32): i32 {
  return gemmScratchFloats() + line(k * band) + line(mg * band);
}

/** dst[i] = src[i·s], i < n. */
function copyStrided(dst: usize, src: usize, n: i32, s: i32): void {
  if (s == 1) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  let i = 0;
  if (s == 2) {
    for (; i + 4 <= n; i += 4) v128.store(at(dst, i), load4(at(src, 2 * i), 2));
  } else {
    for (; i + 4 <= n; i += 4) v128.store(at(dst, i), load4(at(src, s * i), s));
  }
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(src, i * s)));
}

/**
 * Columns [p0, p1) of the column matrix of `channels` channels of x (planes of H·W), written row-major with
 * p1 − p0 columns at `col`. Pixel q is (q / OW, q % OW); a band may start and end inside an output row.
 */
function im2colRange(x: usize, channels: i32, H: i32, W: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  ph: i32, pw: i32, OW: i32, p0: i32, p1: i32, col: usize): void {
  let dst = col;
  for (let c = 0; c < channels; c++) {
    const xc = at(x, c * H * W);
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const shift = kw * dw - pw;
        // Output columns whose tap kw reads inside the row: [lo, hi).
        const lo = min(OW, max(0, ceilDiv(-shift, sw)));
        const hi = min(OW, max(lo, ceilDiv(W - shift, sw)));
        let q = p0;
        while (q < p1) {
          const oh = q / OW;
          const ow0 = q - oh * OW;
          const ow1 = min(OW, ow0 + p1 - q);
          const n = ow1 - ow0;
          const ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= H) {
            memory.fill(dst, 0, <usize>n << 2);
          } else {
            const a = min(ow1, max(ow0, lo));
            const e = max(a, min(ow1, hi));
            if (a > ow0) memory.fill(dst, 0, <usize>(a - ow0) << 2);
            if (e > a) copyStrided(at(dst, a - ow0), at(xc, ih * W + a * sw + shift), e - a, sw);
            if (ow1 > e) memory.fill(at(dst, e - ow0), 0, <usize>(ow1 - e) << 2);
          }
          dst = at(dst, n);
          q += n;
        }
      }
    }
  }
}

/** dst[i] = src[i] + bias, i < n. */
function addBias(dst: usize, src: usize, n: i32, bias: f32): void {
  const bv = f32x4.splat(bias);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.add(v128.load(at(src, i)), bv));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(src, i)) + bias);
}

/**
 * N images: x [N, group·Cg, H, W], w [group·Mg, Cg, KH, KW], b [group·Mg] (address 0: no bias),
 * y [N, group·Mg, OH, OW]. `band` output pixels are done at a time; `scratch` holds `parts` ×
 * convScratchFloats(Cg·KH·KW, Mg, band) floats. x must be followed by a few floats of slack (see load4). Parts
 * take whole images when there are at least as many images as parts, and a share of every image's pixels otherwise.
 */
export function conv2d(x: usize, N: i32, H: i32, W: i32, Cg: i32, group: i32, w: usize, b: usize, y: usize, Mg: i32,
  OH: i32, OW: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32,
  band: i32, scratch: usize, part: i32, parts: i32): void {
  const P = OH * OW;
  const K = Cg * KH * KW;
  const byImages = N >= parts;
  const n0 = byImages ? partStart(N, 1, part, parts) : 0;
  const n1 = byImages ? partStart(N, 1, part + 1, parts) : N;
  const p0 = byImages ? 0 : partStart(P, 8, part, parts);
  const p1 = byImages ? P : partStart(P, 8, part + 1, parts);
  const gs = at(scratch, part * convScratchFloats(K, Mg, band));
  const col = at(gs, gemmScratchFloats());
  const tile = at(col, line(K * band));
  for (let img = n0; img < n1; img++) {
    const xi = at(x, img * group * Cg * H * W);
    const yi = at(y, img * group * Mg * P);
    for (let q0 = p0; q0 < p1; q0 += band) {
      const n = min(band, p1 - q0);
      for (let g = 0; g < group; g++) {
        im2colRange(at(xi, g * Cg * H * W), Cg, H, W, KH, KW, sh, sw, dh, dw, ph, pw, OW, q0, q0 + n, col);
        gemm(Mg, n, K, 1, at(w, g * Mg * K), K, 1, col, n, 1, tile, 0, gs, 0, 1);
        for (let m = 0; m < Mg; m++) {
          const channel = g * Mg + m;
          addBias(at(yi, channel * P + q0), at(tile, m * n), n, b ? load<f32>(at(b, channel)) : 0);
        }
      }
    }
  }
}

/** One output pixel of a depthwise row, with every tap checked against the input bounds. */
// @ts-ignore: decorator
@inline function depthwisePixel(xc: usize, wm: usize, W: i32, KW: i32, kh0: i32, kh1: i32, ihBase: i32, dh: i32,
  start: i32, dw: i32, bias: f32): f32 {
  let s = bias;
  for (let kh = kh0; kh < kh1; kh++) {
    const row = at(xc, (ihBase + kh * dh) * W);
    for (let kw = 0; kw < KW; kw++) {
      const iw = start + kw * dw;
      if (iw >= 0 && iw < W) s += load<f32>(at(wm, kh * KW + kw)) * load<f32>(at(row, iw));
    }
  }
  return s;
}

/**
 * One output row of one channel: the pixels [lo, hi) whose windows lie inside the row eight or four at a time,
 * the others one by one. `sw` is a constant where this is inlined, so load4 picks its access pattern statically.
 */
// @ts-ignore: decorator
@inline function depthwiseRow(xc: usize, wm: usize, yrow: usize, W: i32, OW: i32, KW: i32, kh0: i32, kh1: i32,
  ihBase: i32, dh: i32, sw: i32, dw: i32, pw: i32, lo: i32, hi: i32, bias: f32): void {
  for (let ow = 0; ow < lo; ow++) {
    store<f32>(at(yrow, ow), depthwisePixel(xc, wm, W, KW, kh0, kh1, ihBase, dh, ow * sw - pw, dw, bias));
  }
  const bv = f32x4.splat(bias);
  const half = <usize>(sw << 4);
  let ow = lo;
  for (; ow + 8 <= hi; ow += 8) {
    let a0 = bv, a1 = bv;
    for (let kh = kh0; kh < kh1; kh++) {
      const row = at(xc, (ihBase + kh * dh) * W + ow * sw - pw);
      const wr = at(wm, kh * KW);
      for (let kw = 0; kw < KW; kw++) {
        const wv = v128.load32_splat(at(wr, kw));
        const s = at(row, kw * dw);
        a0 = fma(wv, load4(s, sw), a0);
        a1 = fma(wv, load4(s + half, sw), a1);
      }
    }
    v128.store(at(yrow, ow), a0);
    v128.store(at(yrow, ow), a1, 16);
  }
  for (; ow + 4 <= hi; ow += 4) {
    let a0 = bv;
    for (let kh = kh0; kh < kh1; kh++) {
      const row = at(xc, (ihBase + kh * dh) * W + ow * sw - pw);
      const wr = at(wm, kh * KW);
      for (let kw = 0; kw < KW; kw++) a0 = fma(v128.load32_splat(at(wr, kw)), load4(at(row, kw * dw), sw), a0);
    }
    v128.store(at(yrow, ow), a0);
  }
  for (; ow < OW; ow++) {
    store<f32>(at(yrow, ow), depthwisePixel(xc, wm, W, KW, kh0, kh1, ihBase, dh, ow * sw - pw, dw, bias));
  }
}

/**
 * One image, one input channel per group: x [C, H, W], w [C·Mg, 1, KH, KW], b [C·Mg] (0: none), y [C·Mg, OH, OW];
 * output channel m reads input channel m / Mg. x must be followed by a few floats of slack (see load4). This call
 * computes part `part` of `parts` of the output channels.
 */
export function depthwise2d(x: usize, N: i32, H: i32, W: i32, w: usize, b: usize, y: usize, M: i32, Mg: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, part: i32, parts: i32): void {
  // The N images' channels in a row: output channel q of the batch reads input channel q / Mg of the batch.
  const m0 = partStart(N * M, 1, part, parts);
  const m1 = partStart(N * M, 1, part + 1, parts);
  const lo = interiorLo(OW, sw, pw);
  const hi = interiorHi(lo, W, OW, KW, sw, dw, pw);
  for (let q = m0; q < m1; q++) {
    const m = q % M;
    const xc = at(x, (q / Mg) * H * W);
    const wm = at(w, m * KH * KW);
    const bias: f32 = b ? load<f32>(at(b, m)) : 0;
    for (let oh = 0; oh < OH; oh++) {
      const ihBase = oh * sh - ph;
      // Taps kh whose input row ihBase + kh·dh lies in [0, H).
      const kh0 = min(KH, max(0, ceilDiv(-ihBase, dh)));
      const kh1 = max(kh0, min(KH, ceilDiv(H - ihBase, dh)));
      const yrow = at(y, (q * OH + oh) * OW);
      if (sw == 1) depthwiseRow(xc, wm, yrow, W, OW, KW, kh0, kh1, ihBase, dh, 1, dw, pw, lo, hi, bias);
      else if (sw == 2) depthwiseRow(xc, wm, yrow, W, OW, KW, kh0, kh1, ihBase, dh, 2, dw, pw, lo, hi, bias);
      else depthwiseRow(xc, wm, yrow, W, OW, KW, kh0, kh1, ihBase, dh, sw, dw, pw, lo, hi, bias);
    }
  }
}
