import { EngineError } from '../errors';
import { checkImage } from '../kernels/conv';
import type { Window3 } from '../kernels/convGeometry';
import { perAxis, readWindowOptions, slidingWindow, volume } from '../kernels/convGeometry';
import { maxPoolWithIndices } from '../kernels/maxPoolIndices';
import { fmtShape, intAttr, intList } from '../kernels/opArgs';
import { axisTaps } from '../kernels/pool';
import type { PoolOptions } from '../kernels/pool';
import type { Attrs } from '../registry';
import { samePads } from '../shapeRules';
import { Tensor } from '../tensor';
import type { GradContext, GradRule } from './types';

/**
 * Vector-Jacobian products of the pools (src/engine/kernels/pool.ts): windows over 1 to 3 spatial axes with
 * every attribute the forward takes (kernelShape, strides, dilations, pads or autoPad, ceilMode, and
 * countIncludePad for the average).
 */

/** ∂loss/∂y (output 0) as float32 data of `shape`: zeros when that output does not reach the loss. */
export function gradOutput(op: string, ctx: GradContext, shape: readonly number[]): Float32Array {
  const g = ctx.gradOutputs[0];
  const size = shape.reduce((a, d) => a * d, 1);
  if (!g) return new Float32Array(size);
  if (g.dtype !== 'float32' || fmtShape(g.shape) !== fmtShape(shape)) {
    throw new EngineError(`the output gradient must be float32 ${fmtShape(shape)} like the output, got ${g.dtype} ${fmtShape(g.shape)}`, op);
  }
  return g.data as Float32Array;
}

function input(op: string, ctx: GradContext): Tensor {
  const x = ctx.inputs[0];
  if (!x) throw new EngineError(`the gradient needs the input 'x'`, op);
  checkImage(op, 'x', x);
  return x;
}

function poolOptions(op: string, attrs: Attrs): PoolOptions {
  const kernelShape = intList(op, 'kernelShape', undefined, attrs.kernelShape);
  if (!kernelShape || kernelShape.length === 0) throw new EngineError(`attribute 'kernelShape' is required`, op);
  return { ...readWindowOptions(op, attrs), kernelShape, ceilMode: intAttr(op, attrs, 'ceilMode', 0) !== 0 };
}

/**
 * MaxPool: each window's gradient goes to the input that won it — the first of equal values, as the forward's
 * Indices output picks it (ONNX, PyTorch). A window with no real input (all padding) or a NaN passes nothing.
 */
function maxPoolGrad(ctx: GradContext): (Tensor | undefined)[] {
  const op = 'maxPool';
  const x = input(op, ctx);
  const [y, idx] = maxPoolWithIndices(x, poolOptions(op, ctx.attrs));
  const dy = gradOutput(op, ctx, y.shape);
  const dx = new Float32Array(x.size);
  for (let o = 0; o < y.size; o++) {
    const at = idx.data[o];
    if (x.data[at] === y.data[o]) dx[at] += dy[o];
  }
  return [new Tensor('float32', x.shape, dx)];
}

/** The end padding of each of the three lifted axes, as the forward reads it for countIncludePad. */
function endPads(opts: PoolOptions, win: Window3): [number, number, number] {
  const rank = win.rank;
  const one = (axis: number): number => {
    if (axis < 3 - rank) return 0;
    if (opts.autoPad === 'SAME_UPPER' || opts.autoPad === 'SAME_LOWER') {
      return samePads(win.inSize[axis], win.kernel[axis], win.strides[axis], win.dilations[axis], opts.autoPad === 'SAME_UPPER')[1];
    }
    if (opts.autoPad === 'VALID' || !opts.pads || opts.pads.length === 0) return 0;
    return opts.pads[rank + axis - (3 - rank)];
  };
  return [one(0), one(1), one(2)];
}

/**
 * AveragePool: each window spreads its gradient evenly over the real inputs it averaged, divided by the same
 * count the forward divided by (real inputs, or every position inside the padded input with countIncludePad).
 */
function averagePoolGrad(ctx: GradContext): (Tensor | undefined)[] {
  const op = 'averagePool';
  const x = input(op, ctx);
  const opts = poolOptions(op, ctx.attrs);
  const includePad = intAttr(op, ctx.attrs, 'countIncludePad', 0) !== 0;
  const kernel = perAxis(op, 'kernelShape', opts.kernelShape, x.rank - 2, 1, 1);
  const win = slidingWindow(op, x.shape.slice(2), kernel, opts, opts.ceilMode ?? false);
  const pe = endPads(opts, win);
  const [td, th, tw] = [0, 1, 2].map((a) => axisTaps(win, pe[a], a));
  const [, H, W] = win.inSize;
  const [OD, OH, OW] = win.outSize;
  const [dd, dh, dw] = win.dilations;
  const planes = x.shape[0] * x.shape[1];
  const inPlane = volume(win.inSize);
  const dy = gradOutput(op, ctx, [x.shape[0], x.shape[1], ...win.outSize.slice(3 - win.rank)]);
  const dx = new Float32Array(x.size);
  for (let p = 0, o = 0; p < planes; p++) {
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, o++) {
          const count = includePad
            ? td.padded[od] * th.padded[oh] * tw.padded[ow]
            : (td.hi[od] - td.lo[od]) * (th.hi[oh] - th.lo[oh]) * (tw.hi[ow] - tw.lo[ow]);
          if (count <= 0) continue;
          const g = dy[o] / count;
          for (let kd = td.lo[od]; kd < td.hi[od]; kd++) {
            const rowD = (td.start[od] + kd * dd) * H;
            for (let kh = th.lo[oh]; kh < th.hi[oh]; kh++) {
              const row = p * inPlane + (rowD + th.start[oh] + kh * dh) * W;
              for (let kw = tw.lo[ow]; kw < tw.hi[ow]; kw++) dx[row + tw.start[ow] + kw * dw] += g;
            }
          }
        }
      }
    }
  }
  return [new Tensor('float32', x.shape, dx)];
}

/** GlobalAveragePool: every position of a plane gets its plane's gradient over the plane size. */
function globalAveragePoolGrad(ctx: GradContext): (Tensor | undefined)[] {
  const op = 'globalAveragePool';
  const x = input(op, ctx);
  const planes = x.shape[0] * x.shape[1];
  const plane = planes === 0 ? 0 : x.size / planes;
  const dy = gradOutput(op, ctx, [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)]);
  const dx = new Float32Array(x.size);
  for (let p = 0; p < planes; p++) dx.fill(dy[p] / plane, p * plane, (p + 1) * plane);
  return [new Tensor('float32', x.shape, dx)];
}

/** GlobalMaxPool: a plane's gradient goes to its largest input, the first of equal values (as maxPool). */
function globalMaxPoolGrad(ctx: GradContext): (Tensor | undefined)[] {
  const op = 'globalMaxPool';
  const x = input(op, ctx);
  const planes = x.shape[0] * x.shape[1];
  const plane = planes === 0 ? 0 : x.size / planes;
  const dy = gradOutput(op, ctx, [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)]);
  const dx = new Float32Array(x.size);
  for (let p = 0; p < planes; p++) {
    let at = -1;
    for (let i = p * plane; i < (p + 1) * plane; i++) if (at < 0 || x.data[i] > x.data[at]) at = i;
    if (at >= 0) dx[at] = dy[p];
  }
  return [new Tensor('float32', x.shape, dx)];
}

/** The pool rules, keyed by engine op name. */
export const poolGradRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['maxPool', maxPoolGrad],
  ['averagePool', averagePoolGrad],
  ['globalAveragePool', globalAveragePoolGrad],
  ['globalMaxPool', globalMaxPoolGrad],
]);
