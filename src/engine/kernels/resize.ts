import { EngineError } from '../errors';
import { allocate, Tensor } from '../tensor';
import type { DataFor, DType, TensorData } from '../tensor';
import { fmtShape, prod } from './opArgs';

/*
 * ONNX Resize-19 for modes nearest, linear and cubic. Every mode is separable, so the kernel resamples one
 * axis at a time (for NCHW bilinear: along H, then along W), each pass a weighted sum of a few taps along
 * that axis. Passes accumulate in float64; the result is rounded to the input's dtype once at the end.
 */

export type ResizeMode = 'nearest' | 'linear' | 'cubic';
export type CoordinateTransformationMode =
  'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

export const RESIZE_MODES: readonly ResizeMode[] = ['nearest', 'linear', 'cubic'];
export const COORDINATE_MODES: readonly CoordinateTransformationMode[] =
  ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
export const NEAREST_MODES: readonly NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

export interface ResizeOptions {
  readonly mode?: ResizeMode;
  readonly coordinateTransformationMode?: CoordinateTransformationMode;
  readonly nearestMode?: NearestMode;
  /** The cubic kernel's `a` (ONNX default -0.75; PyTorch uses -0.75, TensorFlow -0.5). */
  readonly cubicCoeffA?: number;
  /** Cubic only: give taps outside the input zero weight and renormalize the rest. */
  readonly excludeOutside?: boolean;
}

const f = Math.fround;

/**
 * The input coordinate that output coordinate `x` maps to along one axis (ONNX Resize,
 * coordinate_transformation_mode). Computed in float32 step by step, as onnxruntime and PyTorch do: in
 * float64, 1 / fround(2/3) is 1.4999999 rather than 1.5, and nearest rounding would pick another pixel.
 */
export function sourceCoordinate(
  mode: CoordinateTransformationMode, x: number, scale: number, outLen: number, inLen: number,
): number {
  switch (mode) {
    case 'half_pixel': return f(f(f(x + 0.5) / scale) - 0.5);
    case 'pytorch_half_pixel': return outLen > 1 ? f(f(f(x + 0.5) / scale) - 0.5) : 0;
    case 'align_corners': return outLen === 1 ? 0 : f(f(x * (inLen - 1)) / (outLen - 1));
    case 'asymmetric': return f(x / scale);
    case 'tf_half_pixel_for_nn': return f(f(x + 0.5) / scale);
    case 'half_pixel_symmetric': {
      const adjustment = f(outLen / f(scale * inLen));
      const offset = f(f(inLen / 2) * f(1 - adjustment));
      return f(f(offset + f(f(x + 0.5) / scale)) - 0.5);
    }
  }
}

function roundNearest(mode: NearestMode, v: number): number {
  switch (mode) {
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    case 'round_prefer_floor': return v === Math.floor(v) + 0.5 ? Math.floor(v) : Math.round(v);
    case 'round_prefer_ceil': return v === Math.floor(v) + 0.5 ? Math.ceil(v) : Math.round(v);
  }
}

/** Taps of one output position: `taps` input indices and weights per output position, flattened. */
interface Taps {
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

const clampIndex = (i: number, len: number): number => (i < 0 ? 0 : i >= len ? len - 1 : i);

function cubicWeights(t: number, a: number): number[] {
  const w = (d: number): number => {
    const ad = Math.abs(d);
    if (ad <= 1) return ((a + 2) * ad - (a + 3)) * ad * ad + 1;
    if (ad < 2) return ((a * ad - 5 * a) * ad + 8 * a) * ad - 4 * a;
    return 0;
  };
  return [w(t + 1), w(t), w(1 - t), w(2 - t)];
}

function axisTaps(inLen: number, outLen: number, scale: number, opts: Required<ResizeOptions>): Taps {
  const taps = opts.mode === 'nearest' ? 1 : opts.mode === 'linear' ? 2 : 4;
  const index = new Int32Array(outLen * taps);
  const weight = new Float64Array(outLen * taps);
  for (let i = 0; i < outLen; i++) {
    const x = sourceCoordinate(opts.coordinateTransformationMode, i, scale, outLen, inLen);
    const k = i * taps;
    if (opts.mode === 'nearest') {
      index[k] = clampIndex(roundNearest(opts.nearestMode, x), inLen);
      weight[k] = 1;
    } else if (opts.mode === 'linear') {
      // Clamping the coordinate equals interpolating an edge-padded input.
      const xc = Math.min(Math.max(x, 0), inLen - 1);
      const x0 = Math.floor(xc);
      const t = xc - x0;
      index[k] = x0;
      index[k + 1] = Math.min(x0 + 1, inLen - 1);
      weight[k] = 1 - t;
      weight[k + 1] = t;
    } else {
      const x0 = Math.floor(x);
      const ws = cubicWeights(x - x0, opts.cubicCoeffA);
      let sum = 0;
      for (let j = 0; j < 4; j++) {
        const src = x0 - 1 + j;
        const inside = src >= 0 && src < inLen;
        if (opts.excludeOutside && !inside) ws[j] = 0;
        sum += ws[j];
        index[k + j] = clampIndex(src, inLen);
      }
      for (let j = 0; j < 4; j++) weight[k + j] = opts.excludeOutside ? ws[j] / sum : ws[j];
    }
  }
  return { taps, index, weight };
}

/** Whether the taps copy each of `len` positions onto itself (then the pass can be skipped). */
function isIdentity(t: Taps, inLen: number, outLen: number): boolean {
  if (inLen !== outLen) return false;
  for (let i = 0; i < outLen; i++) {
    let self = 0;
    for (let k = i * t.taps; k < (i + 1) * t.taps; k++) {
      if (t.index[k] === i) self += t.weight[k];
      else if (t.weight[k] !== 0) return false;
    }
    if (self !== 1) return false;
  }
  return true;
}

/** Resamples axis `axis` of `src` (row-major over `shape`) into `dst`, which has `outLen` positions there. */
function resampleAxis(src: ArrayLike<number>, shape: readonly number[], axis: number, t: Taps, dst: TensorData): void {
  const outer = prod(shape, 0, axis);
  const inLen = shape[axis];
  const inner = prod(shape, axis + 1);
  const outLen = t.index.length / t.taps;
  const { taps, index, weight } = t;
  let o = 0;
  for (let b = 0; b < outer; b++) {
    const base = b * inLen * inner;
    for (let i = 0; i < outLen; i++) {
      for (let c = 0; c < inner; c++) {
        let acc = 0;
        for (let j = i * taps, e = j + taps; j < e; j++) acc += weight[j] * src[base + index[j] * inner + c];
        dst[o++] = acc;
      }
    }
  }
}

/**
 * Resizes `x` to `outShape`. `scales[i]` is the scale of axis i that the coordinate transformation uses
 * (ONNX passes the given scale, or outLen / inLen when sizes were given). Linear and cubic need float32 input.
 */
export function resize<D extends DType>(
  x: Tensor<D>, outShape: readonly number[], scales: readonly number[], options: ResizeOptions = {},
): Tensor<D> {
  const opts: Required<ResizeOptions> = {
    mode: options.mode ?? 'nearest',
    coordinateTransformationMode: options.coordinateTransformationMode ?? 'half_pixel',
    nearestMode: options.nearestMode ?? 'round_prefer_floor',
    cubicCoeffA: options.cubicCoeffA ?? -0.75,
    excludeOutside: options.excludeOutside ?? false,
  };
  if (outShape.length !== x.rank || scales.length !== x.rank) {
    throw new EngineError(`output shape ${fmtShape(outShape)} and ${scales.length} scales do not fit an input of rank ${x.rank}`, 'resize');
  }
  if (opts.mode !== 'nearest' && x.dtype !== 'float32') {
    throw new EngineError(`${opts.mode} mode needs a float32 input, got ${x.dtype}`, 'resize');
  }
  outShape.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0) throw new EngineError(`invalid output dimension ${d} for axis ${i}`, 'resize');
    if (d > 0 && x.shape[i] === 0) throw new EngineError(`cannot resize empty axis ${i} of ${fmtShape(x.shape)} to ${d}`, 'resize');
    if (!(scales[i] > 0)) throw new EngineError(`scale ${scales[i]} of axis ${i} must be positive`, 'resize');
  });
  // Only axes whose taps move something need a pass; the last pass writes the output dtype directly.
  const passes: { axis: number; taps: Taps }[] = [];
  for (let a = 0; a < x.rank; a++) {
    if (outShape[a] === 0) return new Tensor(x.dtype, outShape, allocate(x.dtype, 0));
    // As in onnxruntime, an axis of scale 1 and unchanged length is kept as is in every mode (without this,
    // tf_half_pixel_for_nn would shift it by half a position, e.g. blend neighbouring channels).
    if (outShape[a] === x.shape[a] && scales[a] === 1) continue;
    const taps = axisTaps(x.shape[a], outShape[a], scales[a], opts);
    if (!isIdentity(taps, x.shape[a], outShape[a])) passes.push({ axis: a, taps });
  }
  const shape = [...x.shape];
  let data: ArrayLike<number> = x.data;
  passes.forEach(({ axis, taps }, k) => {
    const last = k === passes.length - 1;
    const size = prod(shape, 0, axis) * outShape[axis] * prod(shape, axis + 1);
    const dst = last ? allocate(x.dtype, size) : new Float64Array(size);
    resampleAxis(data, shape, axis, taps, dst);
    shape[axis] = outShape[axis];
    data = dst;
  });
  const out = passes.length ? (data as DataFor[D]) : (x.data.slice() as DataFor[D]);
  return new Tensor(x.dtype, outShape, out);
}
