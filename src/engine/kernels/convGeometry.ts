import { EngineError } from '../errors';
import type { Attrs } from '../registry';
import { samePads, windowCount } from '../shapeRules';
import { enumAttr, fmtShape, intList } from './opArgs';

/**
 * Geometry of a sliding window over 1 to 3 spatial axes, shared by conv, convTranspose and the pools.
 * Follows the ONNX operators Conv, ConvTranspose, MaxPool and AveragePool (opset 22): pads are
 * [begin..., end...], `autoPad` SAME_UPPER/SAME_LOWER choose pads so that out = ceil(in / stride) with the odd
 * unit of padding at the end (UPPER) or the beginning (LOWER), VALID means no padding.
 */
export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
export const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/** Window attributes as the ops take them; each list has one value per spatial axis (pads two). */
export interface WindowOptions {
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  /** [begin..., end...]; ignored unless autoPad is NOTSET. */
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
}

export type Triple = [number, number, number];

/**
 * A window normalised to three spatial axes (D, H, W): an op over fewer axes gets leading axes of size 1,
 * kernel 1, stride 1, no padding, so one loop nest serves 1-D, 2-D and 3-D. `inSize` is the (unpadded) input,
 * `outSize` the output of the forward sliding: output position o reads input o·stride − padBegin + k·dilation.
 */
export interface Window3 {
  /** The op's own spatial rank, 1 to 3. */
  readonly rank: number;
  readonly inSize: Triple;
  readonly kernel: Triple;
  readonly strides: Triple;
  readonly dilations: Triple;
  readonly padBegin: Triple;
  readonly outSize: Triple;
}

/** Product of the three sizes. */
export function volume(t: Triple): number {
  return t[0] * t[1] * t[2];
}

/** One value per spatial axis: the given list checked for length and positivity, or all `fallback`. */
export function perAxis(op: string, name: string, values: readonly number[] | undefined, rank: number, fallback: number, min: number): number[] {
  if (values === undefined || values.length === 0) return new Array<number>(rank).fill(fallback);
  if (values.length !== rank) {
    throw new EngineError(`attribute '${name}' must have ${rank} values (one per spatial axis), got ${fmtShape(values)}`, op);
  }
  for (const v of values) {
    if (!Number.isInteger(v) || v < min) throw new EngineError(`attribute '${name}' must hold integers >= ${min}, got ${fmtShape(values)}`, op);
  }
  return [...values];
}

/** Pads for NOTSET: the given [begin..., end...] checked, or zeros. */
export function explicitPads(op: string, pads: readonly number[] | undefined, rank: number): number[] {
  if (pads === undefined || pads.length === 0) return new Array<number>(2 * rank).fill(0);
  if (pads.length !== 2 * rank) {
    throw new EngineError(`attribute 'pads' must have ${2 * rank} values ([begin..., end...]), got ${fmtShape(pads)}`, op);
  }
  for (const p of pads) {
    if (!Number.isInteger(p) || p < 0) throw new EngineError(`attribute 'pads' must hold integers >= 0, got ${fmtShape(pads)}`, op);
  }
  return [...pads];
}

/** Lifts per-axis values of an op of `rank` spatial axes to three, filling leading axes with `fill`. */
function lift(values: readonly number[], fill: number): Triple {
  const t: Triple = [fill, fill, fill];
  for (let i = 0; i < values.length; i++) t[3 - values.length + i] = values[i];
  return t;
}

/**
 * The forward window of conv and the pools. `ceilMode` (pools) rounds the output count up, but a window
 * that would start in the end padding is dropped (ONNX MaxPool/AveragePool, as in PyTorch).
 */
export function slidingWindow(
  op: string, inSpatial: readonly number[], kernel: readonly number[], opts: WindowOptions, ceilMode = false,
): Window3 {
  const rank = inSpatial.length;
  if (rank < 1 || rank > 3) throw new EngineError(`supports 1 to 3 spatial axes, got ${rank}`, op);
  const strides = perAxis(op, 'strides', opts.strides, rank, 1, 1);
  const dilations = perAxis(op, 'dilations', opts.dilations, rank, 1, 1);
  const autoPad = opts.autoPad ?? 'NOTSET';
  const pads = autoPad === 'NOTSET' ? explicitPads(op, opts.pads, rank) : new Array<number>(2 * rank).fill(0);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const extent = (kernel[i] - 1) * dilations[i] + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      [pads[i], pads[rank + i]] = samePads(inSpatial[i], kernel[i], strides[i], dilations[i], autoPad === 'SAME_UPPER');
      out.push(Math.ceil(inSpatial[i] / strides[i]));
      continue;
    }
    const n = windowCount(inSpatial[i], extent, strides[i], pads[i], pads[rank + i], ceilMode);
    if (n < 1) {
      throw new EngineError(
        `the window (kernel ${fmtShape(kernel)}, dilations ${fmtShape(dilations)}) is larger than the padded input ` +
        `${fmtShape(inSpatial)} on spatial axis ${i}`, op);
    }
    out.push(n);
  }
  return {
    rank,
    inSize: lift(inSpatial, 1),
    kernel: lift(kernel, 1),
    strides: lift(strides, 1),
    dilations: lift(dilations, 1),
    padBegin: lift(pads.slice(0, rank), 0),
    outSize: lift(out, 1),
  };
}

/** Window attributes of convTranspose: those of conv plus the output's extra size or its explicit shape. */
export interface TransposeWindowOptions extends WindowOptions {
  readonly outputPadding?: readonly number[];
  /** Spatial output shape (or the full [N, M, ...spatial]); when given, pads are derived from it. */
  readonly outputShape?: readonly number[];
}

/**
 * The window of convTranspose, expressed as the forward conv it is the transpose of: `inSize` is the
 * convTranspose *output* (spatial), `outSize` its *input*. Output sizes and pads follow ONNX ConvTranspose:
 * out = stride·(in − 1) + outputPadding + (kernel − 1)·dilation + 1 − padBegin − padEnd; with `outputShape`
 * or SAME the total padding is derived and split with the odd unit at the end for SAME_UPPER and at the
 * beginning otherwise. A negative total (output larger than the full sliding) adds output at the end.
 */
export function transposeWindow(
  op: string, inSpatial: readonly number[], kernel: readonly number[], opts: TransposeWindowOptions,
): Window3 {
  const rank = inSpatial.length;
  if (rank < 1 || rank > 3) throw new EngineError(`supports 1 to 3 spatial axes, got ${rank}`, op);
  const strides = perAxis(op, 'strides', opts.strides, rank, 1, 1);
  const dilations = perAxis(op, 'dilations', opts.dilations, rank, 1, 1);
  const outPad = perAxis(op, 'outputPadding', opts.outputPadding, rank, 0, 0);
  const autoPad = opts.autoPad ?? 'NOTSET';
  let shape = opts.outputShape && opts.outputShape.length > 0 ? [...opts.outputShape] : undefined;
  if (shape && shape.length === rank + 2) shape = shape.slice(2);
  if (shape && (shape.length !== rank || shape.some((v) => !Number.isInteger(v) || v < 1))) {
    throw new EngineError(`attribute 'outputShape' must have ${rank} positive integers (spatial), got ${fmtShape(opts.outputShape ?? [])}`, op);
  }
  if (!shape && (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER')) shape = inSpatial.map((v, i) => v * strides[i]);
  const pads = autoPad === 'NOTSET' && !shape ? explicitPads(op, opts.pads, rank) : new Array<number>(2 * rank).fill(0);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (outPad[i] >= strides[i] && outPad[i] >= dilations[i]) {
      throw new EngineError(`attribute 'outputPadding' ${fmtShape(outPad)} must be smaller than the stride or the dilation on each axis`, op);
    }
    const full = strides[i] * (inSpatial[i] - 1) + outPad[i] + (kernel[i] - 1) * dilations[i] + 1;
    if (shape) {
      const total = full - shape[i];
      const small = Math.floor(Math.max(0, total) / 2);
      const begin = total <= 0 ? 0 : autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i] = begin;
      pads[rank + i] = total - begin;
      out.push(shape[i]);
    } else {
      const n = full - pads[i] - pads[rank + i];
      if (n < 1) throw new EngineError(`pads ${fmtShape(pads)} leave no output on spatial axis ${i}`, op);
      out.push(n);
    }
  }
  return {
    rank,
    inSize: lift(out, 1),
    kernel: lift(kernel, 1),
    strides: lift(strides, 1),
    dilations: lift(dilations, 1),
    padBegin: lift(pads.slice(0, rank), 0),
    outSize: lift(inSpatial, 1),
  };
}

/**
 * For each kernel tap k along one axis, the range [lo[k], hi[k]) of output positions o whose input
 * coordinate o·stride − padBegin + k·dilation lies in [0, size): the part of a row that reads real input.
 */
export function validRanges(size: number, outSize: number, kernel: number, stride: number, dilation: number, padBegin: number): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(kernel);
  const hi = new Int32Array(kernel);
  for (let k = 0; k < kernel; k++) {
    const shift = k * dilation - padBegin;
    const a = Math.min(outSize, Math.max(0, Math.ceil(-shift / stride)));
    const b = Math.min(outSize, Math.max(a, Math.ceil((size - shift) / stride)));
    lo[k] = a;
    hi[k] = b;
  }
  return { lo, hi };
}

/** Reads strides, dilations, pads and autoPad from a node's attributes (ONNX names in camelCase). */
export function readWindowOptions(op: string, attrs: Attrs): WindowOptions {
  return {
    strides: intList(op, 'strides', undefined, attrs.strides),
    dilations: intList(op, 'dilations', undefined, attrs.dilations),
    pads: intList(op, 'pads', undefined, attrs.pads),
    autoPad: enumAttr(op, attrs, 'autoPad', AUTO_PADS, 'NOTSET'),
  };
}
