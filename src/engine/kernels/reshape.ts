import { EngineError } from '../errors';
import { Tensor } from '../tensor';
import type { DType } from '../tensor';
import { broadcastShapes, broadcastTo } from './broadcast';
import { fmtShape, normalizeAxes, prod } from './opArgs';

/*
 * Ops that change only the shape. The output shares the input's data: tensors are immutable, so no copy
 * is needed (the same as Tensor.reshape).
 */

/**
 * The target shape of ONNX Reshape-21: `0` copies the input's dimension at that position (unless
 * `allowzero`, where it means a zero-size dimension) and one `-1` is inferred from the element count.
 */
export function reshapeTarget(inShape: readonly number[], shape: readonly number[], allowzero = false): number[] {
  const where = () => `cannot reshape ${fmtShape(inShape)} into ${fmtShape(shape)}`;
  let infer = -1;
  const out = shape.map((d, i) => {
    if (d === -1) {
      if (infer >= 0) throw new EngineError(`${where()}: more than one -1 in 'shape'`, 'reshape');
      infer = i;
      return 1;
    }
    if (d === 0 && !allowzero) {
      if (i >= inShape.length) throw new EngineError(`${where()}: 0 at position ${i} has no input dimension to copy`, 'reshape');
      return inShape[i];
    }
    if (!Number.isInteger(d) || d < 0) throw new EngineError(`${where()}: invalid dimension ${d}`, 'reshape');
    return d;
  });
  const size = prod(inShape);
  const known = prod(out);
  if (infer >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new EngineError(`${where()}: ${size} elements do not divide into ${fmtShape(out.map((d, i) => (i === infer ? -1 : d)))}`, 'reshape');
    }
    out[infer] = size / known;
  } else if (known !== size) {
    throw new EngineError(`${where()}: ${size} elements vs ${known}`, 'reshape');
  }
  return out;
}

export function reshape<D extends DType>(x: Tensor<D>, shape: readonly number[], allowzero = false): Tensor<D> {
  return new Tensor(x.dtype, reshapeTarget(x.shape, shape, allowzero), x.data);
}

/** ONNX Flatten-21: a 2-D tensor [prod(dims before axis), prod(dims from axis)]; axis in [-rank, rank]. */
export function flatten<D extends DType>(x: Tensor<D>, axis = 1): Tensor<D> {
  const r = x.rank;
  if (!Number.isInteger(axis) || axis < -r || axis > r) {
    throw new EngineError(`axis ${axis} is out of range for rank ${r} (allowed ${-r} to ${r})`, 'flatten');
  }
  const a = axis < 0 ? axis + r : axis;
  return new Tensor(x.dtype, [prod(x.shape, 0, a), prod(x.shape, a)], x.data);
}

/** ONNX Squeeze-21: removes the listed axes, which must have size 1; without axes, every size-1 axis. */
export function squeeze<D extends DType>(x: Tensor<D>, axes?: readonly number[]): Tensor<D> {
  let drop: Set<number>;
  if (axes === undefined) {
    drop = new Set(x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  } else {
    drop = new Set(normalizeAxes('squeeze', axes, x.rank));
    for (const a of drop) {
      if (x.shape[a] !== 1) throw new EngineError(`axis ${a} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`, 'squeeze');
    }
  }
  return new Tensor(x.dtype, x.shape.filter((_, i) => !drop.has(i)), x.data);
}

/** ONNX Unsqueeze-21: inserts size-1 axes at `axes`, which index the output (rank + axes.length). */
export function unsqueeze<D extends DType>(x: Tensor<D>, axes: readonly number[]): Tensor<D> {
  const outRank = x.rank + axes.length;
  const ins = new Set(normalizeAxes('unsqueeze', axes, outRank));
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < outRank; i++) shape.push(ins.has(i) ? 1 : x.shape[k++]);
  return new Tensor(x.dtype, shape, x.data);
}

/** ONNX Shape-21: the input's shape as int64, optionally `shape[start:end]` (negative counts from the end, clamped). */
export function shapeOf(x: Tensor, start = 0, end?: number): Tensor<'int64'> {
  const r = x.rank;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const dims = x.shape.slice(clamp(start), clamp(end ?? r));
  return Tensor.from([dims.length], dims, 'int64');
}

/**
 * ONNX Expand-13: broadcasts `x` with `shape` by NumPy rules. As in ONNX, a 1 in `shape` keeps x's
 * larger dimension, so the output may be larger than `shape`.
 */
export function expand<D extends DType>(x: Tensor<D>, shape: readonly number[]): Tensor<D> {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new EngineError(`invalid dimension ${d} in 'shape' ${fmtShape(shape)}`, 'expand');
  }
  return broadcastTo(x, broadcastShapes(x.shape, shape, 'expand', ['input', 'shape']), 'expand', 'input');
}
