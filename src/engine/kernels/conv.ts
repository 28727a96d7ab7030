import { EngineError } from '../errors';
import { Tensor } from '../tensor';
import type { WindowOptions, Window3 } from './convGeometry';
import { slidingWindow, volume } from './convGeometry';
import { im2col, windowRanges } from './im2col';
import type { WindowRanges } from './im2col';
import { fmtShape } from './opArgs';
import { sgemm } from './sgemm';
import { wasmConv } from '../wasm/conv';

export interface ConvOptions extends WindowOptions {
  /** Spatial kernel shape; when given it must match w. */
  readonly kernelShape?: readonly number[];
  readonly group?: number;
}

/**
 * Column-matrix budget in floats (1 MB): a larger im2col matrix is built and multiplied a band of output rows
 * at a time, so each band is still in cache when sgemm reads it.
 */
const COL_BUDGET = 1 << 18;

/** Checks an image-like input: float32, rank 3 to 5 ([N, C, ...spatial]). */
export function checkImage(op: string, name: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new EngineError(`input '${name}' must be float32, got ${t.dtype}`, op);
  if (t.rank < 3 || t.rank > 5) {
    throw new EngineError(`input '${name}' must be rank 3 to 5 ([N, C, ...spatial]), got ${fmtShape(t.shape)}`, op);
  }
}

/** Checks a weight against x: float32, same rank. */
export function checkWeight(op: string, x: Tensor, w: Tensor, kernelShape: readonly number[] | undefined): void {
  if (w.dtype !== 'float32') throw new EngineError(`input 'w' must be float32, got ${w.dtype}`, op);
  if (w.rank !== x.rank) {
    throw new EngineError(`input 'w' must have rank ${x.rank} like 'x' ${fmtShape(x.shape)}, got ${fmtShape(w.shape)}`, op);
  }
  if (kernelShape && kernelShape.length > 0 && fmtShape(kernelShape) !== fmtShape(w.shape.slice(2))) {
    throw new EngineError(`attribute 'kernelShape' ${fmtShape(kernelShape)} does not match 'w' ${fmtShape(w.shape)}`, op);
  }
}

/** Checks the optional bias: float32 of shape [M]. */
export function checkBias(op: string, b: Tensor | undefined, m: number): void {
  if (!b) return;
  if (b.dtype !== 'float32') throw new EngineError(`input 'b' must be float32, got ${b.dtype}`, op);
  if (b.rank !== 1 || b.shape[0] !== m) throw new EngineError(`input 'b' must have shape [${m}], got ${fmtShape(b.shape)}`, op);
}

/** Checks `group` divides both channel counts. */
export function checkGroup(op: string, group: number, c: number, m: number, what: string): void {
  if (!Number.isInteger(group) || group < 1) throw new EngineError(`attribute 'group' must be a positive integer, got ${group}`, op);
  if (c % group !== 0 || m % group !== 0) {
    throw new EngineError(`attribute 'group' ${group} must divide the input channels (${c}) and ${what} (${m})`, op);
  }
}

/** A new output of `size` elements with b[m] in every element of channel m (planes of `plane`, batch outer); zeros without b. */
export function biasFilled(size: number, b: Tensor | undefined, channels: number, plane: number): Float32Array {
  const y = new Float32Array(size);
  if (!b || plane === 0) return y;
  const bd = b.data as Float32Array;
  for (let base = 0, m = 0; base < size; base += plane, m = (m + 1) % channels) y.fill(bd[m], base, base + plane);
  return y;
}

/**
 * Scratch buffers reused across calls (kernels run one at a time): the column matrix and a band of output
 * rows. Bounded by {@link COL_BUDGET} unless a single output row needs more.
 */
let colScratch = new Float32Array(0);
let bandScratch = new Float32Array(0);

function scratch(which: 'col' | 'band', size: number): Float32Array {
  if (which === 'col') {
    if (colScratch.length < size) colScratch = new Float32Array(size);
    return colScratch;
  }
  if (bandScratch.length < size) bandScratch = new Float32Array(size);
  return bandScratch;
}

/**
 * ONNX Conv (opset 22): y[n, m] = b[m] + Σ_c Σ_k w[m, c, k] · x[n, g·C/group + c, o·stride − pad + k·dilation],
 * over 1 to 3 spatial axes, NCHW. Kernels: a plain sgemm for 1×1 convs without stride or padding, a direct
 * loop when there are several groups of one input channel each (depthwise), im2col + sgemm per group otherwise
 * (also for a single input channel with group 1: sgemm's register tiles beat the direct loop there).
 */
export function conv(x: Tensor, w: Tensor, b: Tensor | undefined, opts: ConvOptions = {}): Tensor<'float32'> {
  const op = 'conv';
  checkImage(op, 'x', x);
  checkWeight(op, x, w, opts.kernelShape);
  const group = opts.group ?? 1;
  const [N, C] = x.shape;
  const M = w.shape[0];
  checkGroup(op, group, C, M, "the output channels of 'w'");
  const Cg = C / group;
  if (w.shape[1] !== Cg) {
    throw new EngineError(
      `input 'x' has ${C} channels, so 'w' must have ${Cg} input channels per group (group ${group}), got ${fmtShape(w.shape)}`, op);
  }
  checkBias(op, b, M);
  const win = slidingWindow(op, x.shape.slice(2), w.shape.slice(2), opts);
  const outShape = [N, M, ...win.outSize.slice(3 - win.rank)];
  const fast = wasmConv(x.data as Float32Array, w.data as Float32Array, b?.data as Float32Array | undefined, N, group, Cg, M / group, win);
  if (fast) return new Tensor('float32', outShape, fast);
  const y = biasFilled(N * M * volume(win.outSize), b, M, volume(win.outSize));
  const Mg = M / group;
  const pointwise = volume(win.kernel) === 1 && win.strides.every((s) => s === 1) && win.padBegin.every((p) => p === 0) &&
    win.outSize.every((o, i) => o === win.inSize[i]);
  if (Cg === 1 && group > 1) depthwise(x.data as Float32Array, w.data as Float32Array, y, N, group, Mg, win);
  else if (pointwise) pointwiseConv(x.data as Float32Array, w.data as Float32Array, y, N, group, Cg, Mg, volume(win.inSize));
  else gemmConv(x.data as Float32Array, w.data as Float32Array, y, N, group, Cg, Mg, win);
  return new Tensor('float32', outShape, y);
}

function pointwiseConv(x: Float32Array, w: Float32Array, y: Float32Array, N: number, group: number, Cg: number, Mg: number, P: number): void {
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      sgemm(Mg, P, Cg, w, g * Mg * Cg, x, (n * group + g) * Cg * P, y, (n * group + g) * Mg * P, true);
    }
  }
}

function gemmConv(x: Float32Array, w: Float32Array, y: Float32Array, N: number, group: number, Cg: number, Mg: number, win: Window3): void {
  const ranges = windowRanges(win);
  const K = Cg * volume(win.kernel);
  const OW = win.outSize[2];
  const rows = win.outSize[0] * win.outSize[1];
  const P = rows * OW;
  const band = Math.max(1, Math.min(rows, Math.floor(COL_BUDGET / (K * OW))));
  const col = scratch('col', K * band * OW);
  const tmp = band < rows ? scratch('band', Mg * band * OW) : undefined;
  const inPlane = volume(win.inSize);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      const xOff = (n * group + g) * Cg * inPlane;
      const yOff = (n * group + g) * Mg * P;
      const wOff = g * Mg * K;
      if (!tmp) {
        im2col(x, xOff, Cg, win, ranges, 0, rows, col);
        sgemm(Mg, P, K, w, wOff, col, 0, y, yOff, true);
        continue;
      }
      for (let r0 = 0; r0 < rows; r0 += band) {
        const nr = Math.min(band, rows - r0);
        const cols = nr * OW;
        im2col(x, xOff, Cg, win, ranges, r0, nr, col);
        sgemm(Mg, cols, K, w, wOff, col, 0, tmp, 0, false);
        for (let m = 0; m < Mg; m++) {
          const dst = yOff + m * P + r0 * OW;
          for (let j = 0, src = m * cols; j < cols; j++) y[dst + j] += tmp[src + j];
        }
      }
    }
  }
}

/** Direct conv for one input channel per group: each kernel tap adds a scaled, shifted input plane. */
function depthwise(x: Float32Array, w: Float32Array, y: Float32Array, N: number, group: number, Mg: number, win: Window3): void {
  const ranges: WindowRanges = windowRanges(win);
  const [D, H, W] = win.inSize;
  const [KD, KH, KW] = win.kernel;
  const [sd, sh, sw] = win.strides;
  const [dd, dh, dw] = win.dilations;
  const [pd, ph, pw] = win.padBegin;
  const [, OH, OW] = win.outSize;
  const inPlane = D * H * W;
  const outPlane = volume(win.outSize);
  const taps = KD * KH * KW;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < group * Mg; m++) {
      const xc = (n * group + ((m / Mg) | 0)) * inPlane;
      const yc = (n * group * Mg + m) * outPlane;
      for (let kd = 0, t = 0; kd < KD; kd++) {
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++, t++) {
            const wv = w[m * taps + t];
            const lo = ranges.w.lo[kw];
            const hi = ranges.w.hi[kw];
            const shiftW = kw * dw - pw;
            for (let od = ranges.d.lo[kd]; od < ranges.d.hi[kd]; od++) {
              const id = od * sd - pd + kd * dd;
              for (let oh = ranges.h.lo[kh]; oh < ranges.h.hi[kh]; oh++) {
                const src = xc + (id * H + oh * sh - ph + kh * dh) * W + shiftW;
                const dst = yc + (od * OH + oh) * OW;
                if (sw === 1) for (let ow = lo; ow < hi; ow++) y[dst + ow] += wv * x[src + ow];
                else for (let ow = lo; ow < hi; ow++) y[dst + ow] += wv * x[src + ow * sw];
              }
            }
          }
        }
      }
    }
  }
}
