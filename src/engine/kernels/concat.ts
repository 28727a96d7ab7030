import { EngineError } from '../errors';
import { allocate, Tensor } from '../tensor';
import type { DType, TensorData } from '../tensor';
import { fmtShape, normalizeAxis, prod } from './opArgs';

/** Below this many elements a block is copied by a loop; `subarray` + `set` cost more than they save. */
const SMALL_BLOCK = 16;

function copyBlock(src: TensorData, from: number, dst: TensorData, to: number, n: number): void {
  if (n < SMALL_BLOCK) {
    for (let i = 0; i < n; i++) dst[to + i] = src[from + i];
  } else {
    dst.set(src.subarray(from, from + n) as ArrayLike<number>, to);
  }
}

/**
 * ONNX Concat-13: joins tensors of one dtype and rank along `axis` (negative counts from the end); every
 * other dimension must agree. Zero-size inputs are allowed.
 */
export function concat<D extends DType>(xs: readonly Tensor<D>[], axis: number): Tensor<D> {
  if (xs.length === 0) throw new EngineError('needs at least one input', 'concat');
  const first = xs[0];
  if (first.rank === 0) throw new EngineError(`input 0 is a scalar; concat needs tensors of rank >= 1`, 'concat');
  const ax = normalizeAxis('concat', axis, first.rank);
  let total = 0;
  xs.forEach((x, i) => {
    if (x.dtype !== first.dtype) throw new EngineError(`input ${i} is ${x.dtype} but input 0 is ${first.dtype}`, 'concat');
    const same = x.rank === first.rank && x.shape.every((d, k) => k === ax || d === first.shape[k]);
    if (!same) {
      throw new EngineError(
        `input ${i} has shape ${fmtShape(x.shape)} but input 0 has ${fmtShape(first.shape)}; all dims but axis ${ax} must match`,
        'concat');
    }
    total += x.shape[ax];
  });
  const outShape = [...first.shape];
  outShape[ax] = total;
  const out = allocate(first.dtype, prod(outShape));
  const outer = prod(first.shape, 0, ax);
  const inner = prod(first.shape, ax + 1);
  let o = 0;
  for (let b = 0; b < outer; b++) {
    for (const x of xs) {
      const n = x.shape[ax] * inner;
      copyBlock(x.data, b * n, out, o, n);
      o += n;
    }
  }
  return new Tensor(first.dtype, outShape, out);
}

/**
 * Chunk sizes for ONNX Split-18 `num_outputs`: ceil(dim / n) each, the last chunk taking what remains
 * (smaller when `dim` does not divide evenly, e.g. 7 into 3 = 3, 3, 1).
 */
export function splitSizes(dim: number, numOutputs: number): number[] {
  if (!Number.isInteger(numOutputs) || numOutputs < 1) {
    throw new EngineError(`'numOutputs' must be a positive integer, got ${numOutputs}`, 'split');
  }
  const chunk = Math.ceil(dim / numOutputs);
  const last = dim - chunk * (numOutputs - 1);
  // Like onnxruntime, refuse a split whose last chunk would be empty (6 into 4 = 2, 2, 2, 0).
  if (last < 0 || (last === 0 && dim > 0)) {
    throw new EngineError(`cannot split a dimension of ${dim} into ${numOutputs} outputs: chunks of ${chunk} leave none for the last`, 'split');
  }
  return [...new Array<number>(numOutputs - 1).fill(chunk), last];
}

/** ONNX Split-18 with explicit sizes: the pieces of `x` along `axis`, which must sum to its length. */
export function split<D extends DType>(x: Tensor<D>, axis: number, sizes: readonly number[]): Tensor<D>[] {
  if (x.rank === 0) throw new EngineError('input is a scalar; split needs rank >= 1', 'split');
  const ax = normalizeAxis('split', axis, x.rank);
  const dim = x.shape[ax];
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sum !== dim) {
    throw new EngineError(`'split' sizes [${sizes.join(', ')}] must be non-negative and sum to ${dim}, the size of axis ${ax} of ${fmtShape(x.shape)}`, 'split');
  }
  const outer = prod(x.shape, 0, ax);
  const inner = prod(x.shape, ax + 1);
  let offset = 0;
  return sizes.map((s) => {
    const shape = [...x.shape];
    shape[ax] = s;
    const out = allocate(x.dtype, outer * s * inner);
    const n = s * inner;
    for (let b = 0; b < outer; b++) copyBlock(x.data, b * dim * inner + offset * inner, out, b * n, n);
    offset += s;
    return new Tensor(x.dtype, shape, out);
  });
}
