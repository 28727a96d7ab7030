import type { Window3 } from './convGeometry';
import { validRanges } from './convGeometry';

/**
 * im2col and its adjoint col2im over a {@link Window3}. The column matrix has one row per (channel, kd, kh, kw)
 * — the order of a conv weight's [C/group, KD, KH, KW] — and one column per output position (od, oh, ow),
 * so a conv is W[M × C·K] · col[C·K × P] and a transposed conv is col = Wᵀ · x followed by col2im.
 */

/** Per-axis valid ranges of a window, computed once per call. */
export interface WindowRanges {
  readonly d: { lo: Int32Array; hi: Int32Array };
  readonly h: { lo: Int32Array; hi: Int32Array };
  readonly w: { lo: Int32Array; hi: Int32Array };
}

export function windowRanges(win: Window3): WindowRanges {
  const r = (i: number) => validRanges(win.inSize[i], win.outSize[i], win.kernel[i], win.strides[i], win.dilations[i], win.padBegin[i]);
  return { d: r(0), h: r(1), w: r(2) };
}

/**
 * Writes rows [rowStart, rowStart + rowCount) of the output grid — a row being one (od, oh) pair, so
 * rowCount·OW columns — of the column matrix for `channels` channels of x starting at element `xOff`
 * (each channel a contiguous D·H·W plane) into `col`, row-major with rowCount·OW columns.
 */
export function im2col(
  x: Float32Array, xOff: number, channels: number, win: Window3, ranges: WindowRanges,
  rowStart: number, rowCount: number, col: Float32Array,
): void {
  const [D, H, W] = win.inSize;
  const [KD, KH, KW] = win.kernel;
  const [sd, sh, sw] = win.strides;
  const [dd, dh, dw] = win.dilations;
  const [pd, ph, pw] = win.padBegin;
  const OH = win.outSize[1];
  const OW = win.outSize[2];
  const ncols = rowCount * OW;
  const plane = D * H * W;
  if (sw === 1 && sh === 1 && OW === W) {
    im2colBlocks(x, xOff, channels, win, ranges, rowStart, rowCount, col);
    return;
  }
  let r = 0;
  for (let c = 0; c < channels; c++) {
    const xc = xOff + c * plane;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, r++) {
          const lo = ranges.w.lo[kw];
          const hi = ranges.w.hi[kw];
          const shiftW = kw * dw - pw;
          let dst = r * ncols;
          let od = (rowStart / OH) | 0;
          let oh = rowStart - od * OH;
          for (let q = 0; q < rowCount; q++) {
            const id = od * sd - pd + kd * dd;
            const ih = oh * sh - ph + kh * dh;
            if (id < 0 || id >= D || ih < 0 || ih >= H) {
              col.fill(0, dst, dst + OW);
              dst += OW;
            } else {
              const src = xc + (id * H + ih) * W + shiftW;
              let ow = 0;
              for (; ow < lo; ow++) col[dst++] = 0;
              if (sw === 1) {
                for (; ow < hi; ow++) col[dst++] = x[src + ow];
              } else {
                for (; ow < hi; ow++) col[dst++] = x[src + ow * sw];
              }
              for (; ow < OW; ow++) col[dst++] = 0;
            }
            if (++oh === OH) {
              oh = 0;
              od++;
            }
          }
        }
      }
    }
  }
}

/**
 * {@link im2col} when rows are unit-stride and as wide as the input (stride 1 along H and W, "same" width):
 * then the valid part of consecutive output rows of one tap is one contiguous run of x, copied in one go; the
 * columns that fall in the padding are zeroed afterwards.
 */
function im2colBlocks(
  x: Float32Array, xOff: number, channels: number, win: Window3, ranges: WindowRanges,
  rowStart: number, rowCount: number, col: Float32Array,
): void {
  const [D, H, W] = win.inSize;
  const [KD, KH, KW] = win.kernel;
  const [dd, dh, dw] = win.dilations;
  const [pd, ph, pw] = win.padBegin;
  const sd = win.strides[0];
  const OH = win.outSize[1];
  const qEnd = rowStart + rowCount;
  const plane = D * H * W;
  let r = 0;
  for (let c = 0; c < channels; c++) {
    const xc = xOff + c * plane;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, r++) {
          const lo = ranges.w.lo[kw];
          const hi = ranges.w.hi[kw];
          // Output row q of this tap starts at dstOf(q); it reads input row ih = oh − ph + kh·dh of slice id.
          const dstOf = (q: number): number => r * rowCount * W + (q - rowStart) * W;
          for (let q = rowStart; q < qEnd;) {
            const od = (q / OH) | 0;
            const segEnd = Math.min(qEnd, (od + 1) * OH);
            const id = od * sd - pd + kd * dd;
            const v0 = id < 0 || id >= D || hi <= lo ? segEnd : Math.max(q, od * OH + ranges.h.lo[kh]);
            const v1 = Math.max(v0, Math.min(segEnd, od * OH + ranges.h.hi[kh]));
            col.fill(0, dstOf(q), dstOf(v0));
            if (v1 > v0) {
              const d0 = dstOf(v0);
              const s0 = xc + (id * H + (v0 - od * OH) - ph + kh * dh) * W + kw * dw - pw;
              col.set(x.subarray(s0 + lo, s0 + (v1 - v0 - 1) * W + hi), d0 + lo);
              for (let d = d0; d < d0 + (v1 - v0) * W; d += W) {
                for (let j = 0; j < lo; j++) col[d + j] = 0;
                for (let j = hi; j < W; j++) col[d + j] = 0;
              }
            }
            col.fill(0, dstOf(v1), dstOf(segEnd));
            q = segEnd;
          }
        }
      }
    }
  }
}

/**
 * The adjoint of {@link im2col} over the whole output grid: adds each column-matrix entry into the
 * input-shaped `y` (starting at `yOff`, `channels` planes of D·H·W) at the position im2col would have read it
 * from; entries that fall in the padding are dropped. `y` must be initialised by the caller.
 */
export function col2im(
  col: Float32Array, channels: number, win: Window3, ranges: WindowRanges, y: Float32Array, yOff: number,
): void {
  const [D, H, W] = win.inSize;
  const [KD, KH, KW] = win.kernel;
  const [sd, sh, sw] = win.strides;
  const [dd, dh, dw] = win.dilations;
  const [pd, ph, pw] = win.padBegin;
  const [OD, OH, OW] = win.outSize;
  const ncols = OD * OH * OW;
  const plane = D * H * W;
  let r = 0;
  for (let c = 0; c < channels; c++) {
    const yc = yOff + c * plane;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, r++) {
          const lo = ranges.w.lo[kw];
          const hi = ranges.w.hi[kw];
          const shiftW = kw * dw - pw;
          for (let od = ranges.d.lo[kd]; od < ranges.d.hi[kd]; od++) {
            const id = od * sd - pd + kd * dd;
            for (let oh = ranges.h.lo[kh]; oh < ranges.h.hi[kh]; oh++) {
              const ih = oh * sh - ph + kh * dh;
              const dstRow = yc + (id * H + ih) * W + shiftW;
              const srcRow = r * ncols + (od * OH + oh) * OW;
              for (let ow = lo; ow < hi; ow++) y[dstRow + ow * sw] += col[srcRow + ow];
            }
          }
        }
      }
    }
  }
}
