import { EngineError } from '../errors';
import { samePads } from '../shapeRules';
import { Tensor } from '../tensor';
import { checkImage } from './conv';
import type { Window3, WindowOptions } from './convGeometry';
import { perAxis, slidingWindow, validRanges, volume } from './convGeometry';
import { wasmGlobalPool, wasmPool } from '../wasm/pool';

export interface PoolOptions extends WindowOptions {
  /** Spatial window shape; required. */
  readonly kernelShape: readonly number[];
  /** Round the output size up instead of down (a window may then hang over the end padding). */
  readonly ceilMode?: boolean;
}

export interface AveragePoolOptions extends PoolOptions {
  /** Divide by the window's size including padding instead of by its count of real input elements. */
  readonly countIncludePad?: boolean;
}

/** Taps of one axis for each output position: valid taps are k in [lo, hi); `padded` counts taps inside the padded input. */
export interface AxisTaps {
  readonly start: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly padded: Int32Array;
}

/** The taps of `axis` (0–2 of the lifted window) at every output position; the pooling gradients count with the same. */
export function axisTaps(win: Window3, padEnd: number, axis: number): AxisTaps {
  const n = win.outSize[axis];
  const size = win.inSize[axis];
  const k = win.kernel[axis];
  const s = win.strides[axis];
  const d = win.dilations[axis];
  const taps: AxisTaps = { start: new Int32Array(n), lo: new Int32Array(n), hi: new Int32Array(n), padded: new Int32Array(n) };
  for (let o = 0; o < n; o++) {
    const start = o * s - win.padBegin[axis];
    taps.start[o] = start;
    taps.lo[o] = Math.min(k, Math.max(0, Math.ceil(-start / d)));
    taps.hi[o] = Math.max(taps.lo[o], Math.min(k, Math.ceil((size - start) / d)));
    taps.padded[o] = Math.max(0, Math.min(k, Math.ceil((size + padEnd - start) / d)));
  }
  return taps;
}

function poolWindow(op: string, x: Tensor, opts: PoolOptions): { win: Window3; taps: [AxisTaps, AxisTaps, AxisTaps]; padEnd: [number, number] } {
  checkImage(op, 'x', x);
  const rank = x.rank - 2;
  if (!opts.kernelShape || opts.kernelShape.length === 0) throw new EngineError(`attribute 'kernelShape' is required`, op);
  const kernel = perAxis(op, 'kernelShape', opts.kernelShape, rank, 1, 1);
  const win = slidingWindow(op, x.shape.slice(2), kernel, opts, opts.ceilMode ?? false);
  // The end padding a SAME window implies is whatever makes the last window fit; only countIncludePad reads it.
  const padEnd = (axis: number): number => {
    if (opts.autoPad === 'SAME_UPPER' || opts.autoPad === 'SAME_LOWER') {
      return samePads(win.inSize[axis], win.kernel[axis], win.strides[axis], win.dilations[axis], opts.autoPad === 'SAME_UPPER')[1];
    }
    if (opts.autoPad === 'VALID' || !opts.pads || opts.pads.length === 0 || axis < 3 - rank) return 0;
    return opts.pads[rank + axis - (3 - rank)];
  };
  return { win, taps: [axisTaps(win, padEnd(0), 0), axisTaps(win, padEnd(1), 1), axisTaps(win, padEnd(2), 2)], padEnd: [padEnd(1), padEnd(2)] };
}

function outShape(x: Tensor, win: Window3): number[] {
  return [x.shape[0], x.shape[1], ...win.outSize.slice(3 - win.rank)];
}

/**
 * ONNX MaxPool (opset 22), output 0: the largest input in each window; padding never wins. A NaN in a
 * window gives NaN.
 */
export function maxPool(x: Tensor, opts: PoolOptions): Tensor<'float32'> {
  const { win, taps } = poolWindow('maxPool', x, opts);
  const fast = wasmPool(x.data as Float32Array, x.shape[0] * x.shape[1], win, [0, 0], 'max');
  return new Tensor('float32', outShape(x, win), fast ?? reduceWindows(x, win, taps, 'max', false));
}

/**
 * ONNX AveragePool (opset 22): the mean of each window, over its real input elements, or with
 * `countIncludePad` over every window position inside the padded input (positions past the end padding,
 * which ceilMode can create, never count).
 */
export function averagePool(x: Tensor, opts: AveragePoolOptions): Tensor<'float32'> {
  const { win, taps, padEnd } = poolWindow('averagePool', x, opts);
  const fast = wasmPool(x.data as Float32Array, x.shape[0] * x.shape[1], win, padEnd, opts.countIncludePad ? 'meanIncludePad' : 'mean');
  return new Tensor('float32', outShape(x, win), fast ?? reduceWindows(x, win, taps, 'mean', opts.countIncludePad ?? false));
}

/**
 * Pools every window. Each output row (n, c, od, oh) is built in place by one pass per kernel tap over the
 * stretch of the row whose windows see real input for that tap: short, branch-free inner loops.
 */
function reduceWindows(x: Tensor, win: Window3, taps: [AxisTaps, AxisTaps, AxisTaps], kind: 'max' | 'mean', includePad: boolean): Float32Array {
  const xd = x.data as Float32Array;
  const [, H, W] = win.inSize;
  const [OD, OH, OW] = win.outSize;
  const KW = win.kernel[2];
  const [dd, dh, dw] = win.dilations;
  const sw = win.strides[2];
  const [td, th, tw] = taps;
  const cols = validRanges(W, OW, KW, sw, dw, win.padBegin[2]);
  const planes = x.shape[0] * x.shape[1];
  const inPlane = volume(win.inSize);
  const y = new Float32Array(planes * OD * OH * OW);
  if (kind === 'max') y.fill(-Infinity);
  for (let p = 0, row = 0; p < planes; p++) {
    const xc = p * inPlane - win.padBegin[2];
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++, row += OW) {
        for (let kd = td.lo[od]; kd < td.hi[od]; kd++) {
          const rowD = (td.start[od] + kd * dd) * H;
          for (let kh = th.lo[oh]; kh < th.hi[oh]; kh++) {
            const src = xc + (rowD + th.start[oh] + kh * dh) * W;
            for (let kw = 0; kw < KW; kw++) {
              const base = src + kw * dw;
              const hi = cols.hi[kw];
              if (kind === 'max') {
                for (let ow = cols.lo[kw]; ow < hi; ow++) {
                  const v = xd[base + ow * sw];
                  if (v > y[row + ow] || v !== v) y[row + ow] = v;
                }
              } else {
                for (let ow = cols.lo[kw]; ow < hi; ow++) y[row + ow] += xd[base + ow * sw];
              }
            }
          }
        }
        if (kind === 'mean') {
          const rows = includePad ? td.padded[od] * th.padded[oh] : (td.hi[od] - td.lo[od]) * (th.hi[oh] - th.lo[oh]);
          for (let ow = 0; ow < OW; ow++) {
            const count = rows * (includePad ? tw.padded[ow] : tw.hi[ow] - tw.lo[ow]);
            y[row + ow] = count > 0 ? y[row + ow] / count : 0;
          }
        }
      }
    }
  }
  return y;
}

/** Reduces each [n, c] plane to one value; the output keeps every spatial axis as 1. */
function globalPool(op: string, x: Tensor, kind: 'max' | 'mean'): Tensor<'float32'> {
  checkImage(op, 'x', x);
  const xd = x.data as Float32Array;
  const planes = x.shape[0] * x.shape[1];
  const plane = planes === 0 ? 0 : x.size / planes;
  const fast = wasmGlobalPool(xd, planes, plane, kind);
  if (fast) return new Tensor('float32', [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)], fast);
  const y = new Float32Array(planes);
  for (let p = 0; p < planes; p++) {
    let acc = kind === 'max' ? -Infinity : 0;
    const end = (p + 1) * plane;
    if (kind === 'max') {
      for (let i = p * plane; i < end; i++) {
        const v = xd[i];
        if (v > acc || v !== v) acc = v;
      }
    } else {
      for (let i = p * plane; i < end; i++) acc += xd[i];
      acc /= plane;
    }
    y[p] = acc;
  }
  return new Tensor('float32', [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)], y);
}

/** ONNX GlobalAveragePool: the mean of each [n, c] plane. */
export function globalAveragePool(x: Tensor): Tensor<'float32'> {
  return globalPool('globalAveragePool', x, 'mean');
}

/** ONNX GlobalMaxPool: the largest value of each [n, c] plane (NaN if it holds one). */
export function globalMaxPool(x: Tensor): Tensor<'float32'> {
  return globalPool('globalMaxPool', x, 'max');
}
