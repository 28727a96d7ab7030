import { EngineError } from '../errors';
import { Tensor, allocate, sizeOf } from '../tensor';
import type { DType } from '../tensor';
import { fmtShape } from './opArgs';

/**
 * Tensors made from a description rather than from data: ONNX ConstantOfShape-21, Range-11, Tile-13 and
 * Size-21.
 */

/** Checks a requested shape: non-negative integers. */
function checkShape(op: string, name: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new EngineError(`'${name}' ${fmtShape(shape)} holds an invalid dimension ${d}`, op);
  }
}

/** A tensor of `shape` filled with the one element of `value` (default: float32 zero). */
export function constantOfShape(shape: readonly number[], value?: Tensor): Tensor {
  const op = 'constantOfShape';
  checkShape(op, 'shape', shape);
  if (value !== undefined && value.size !== 1) {
    throw new EngineError(`'value' must hold one element, got ${value.size} ${fmtShape(value.shape)}`, op);
  }
  const dtype: DType = value?.dtype ?? 'float32';
  const out = allocate(dtype, sizeOf(shape));
  if (value !== undefined) out.fill(value.data[0]);
  return new Tensor(dtype, shape, out);
}

/**
 * ONNX Range: start, start + delta, ... up to (excluding) limit; max(ceil((limit − start) / delta), 0)
 * elements of the dtype of `start`. Element i is start + i · delta, as the ONNX reference computes it.
 */
export function range(start: Tensor, limit: Tensor, delta: Tensor): Tensor {
  const op = 'range';
  for (const [name, t] of [['start', start], ['limit', limit], ['delta', delta]] as const) {
    if (t.size !== 1) throw new EngineError(`input '${name}' must be a scalar, got ${fmtShape(t.shape)}`, op);
  }
  const s = start.data[0];
  const d = delta.data[0];
  if (d === 0) throw new EngineError(`input 'delta' must not be 0`, op);
  const n = Math.max(Math.ceil((limit.data[0] - s) / d), 0);
  if (!Number.isFinite(n)) throw new EngineError(`start ${s}, limit ${limit.data[0]} and delta ${d} give no finite length`, op);
  const out = allocate(start.dtype, n);
  for (let i = 0; i < n; i++) out[i] = s + i * d;
  return new Tensor(start.dtype, [n], out);
}

/** ONNX Tile: `x` repeated `repeats[i]` times along each axis i. */
export function tile<D extends DType>(x: Tensor<D>, repeats: readonly number[]): Tensor<D> {
  const op = 'tile';
  if (repeats.length !== x.rank) {
    throw new EngineError(`'repeats' has ${repeats.length} values but input ${fmtShape(x.shape)} has rank ${x.rank}`, op);
  }
  checkShape(op, 'repeats', repeats);
  const outShape = x.shape.map((d, i) => d * repeats[i]);
  const out = allocate(x.dtype, sizeOf(outShape));
  if (out.length === 0) return new Tensor(x.dtype, outShape, out);
  // Build from the innermost axis out: copy each input row repeats times, then repeat whole blocks.
  const r = x.rank;
  if (r === 0) {
    out[0] = x.data[0];
    return new Tensor(x.dtype, outShape, out);
  }
  // inner[k]: elements of one block of the output below axis k.
  const block = new Array<number>(r + 1).fill(1);
  for (let k = r - 1; k >= 0; k--) block[k] = block[k + 1] * outShape[k];
  const outer = x.shape.slice(0, r - 1).reduce((a, b) => a * b, 1);
  const rowIn = x.shape[r - 1];
  // First lay out every input row tiled along the last axis, at its place in the un-repeated outer grid.
  const stridesIn = new Array<number>(r).fill(1);
  for (let k = r - 2; k >= 0; k--) stridesIn[k] = stridesIn[k + 1] * x.shape[k + 1];
  const idx = new Array<number>(Math.max(r - 1, 0)).fill(0);
  for (let row = 0; row < outer; row++) {
    let dst = 0;
    for (let k = 0; k < r - 1; k++) dst += idx[k] * block[k + 1];
    const src = row * rowIn;
    for (let rep = 0; rep < repeats[r - 1]; rep++) {
      for (let j = 0; j < rowIn; j++) out[dst + rep * rowIn + j] = x.data[src + j];
    }
    for (let k = r - 2; k >= 0; k--) {
      if (++idx[k] < x.shape[k]) break;
      idx[k] = 0;
    }
  }
  // Then, from the innermost repeated axis out, copy each filled block to its repeats.
  for (let k = r - 2; k >= 0; k--) {
    const unit = x.shape[k] * block[k + 1];
    const count = outShape.slice(0, k).reduce((a, b) => a * b, 1);
    for (let c = 0; c < count; c++) {
      const base = c * block[k];
      for (let rep = 1; rep < repeats[k]; rep++) out.copyWithin(base + rep * unit, base, base + unit);
    }
  }
  return new Tensor(x.dtype, outShape, out);
}

/** ONNX Size: the number of elements, as an int64 scalar. */
export function size(x: Tensor): Tensor<'int64'> {
  return new Tensor('int64', [], Float64Array.of(x.size));
}
