import { EngineError } from '../errors';
import { Tensor, allocate, sizeOf } from '../tensor';
import type { TensorData } from '../tensor';
import { broadcastPlan, broadcastShapes, broadcastTo, broadcastsTo, forEachRun } from './broadcast';
import { promoteDtypes } from './binary';
import { fmtShape } from './opArgs';
import { sgemmEx } from './sgemm';

/**
 * Matrix products: `matmul` with NumPy semantics (ONNX MatMul-13) and `gemm` (ONNX Gemm-13). float32 goes
 * through the blocked sgemm kernel; integer matmul (ONNX allows it, models rarely use it) takes a plain loop
 * in doubles.
 */

/**
 * NumPy matmul: a [..., M, K] · b [..., K, N] → [..., M, N] with the batch dims broadcast. A 1-D `a` is a row
 * [1, K] and a 1-D `b` a column [K, 1], and the added axis is dropped from the result.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul';
  if (a.rank === 0) throw new EngineError(`input 'a' must have rank ≥ 1, got a scalar`, op);
  if (b.rank === 0) throw new EngineError(`input 'b' must have rank ≥ 1, got a scalar`, op);
  if (a.dtype === 'bool' || b.dtype === 'bool') throw new EngineError(`inputs must be numbers, got ${a.dtype} and ${b.dtype}`, op);
  const as = a.rank === 1 ? [1, a.shape[0]] : [...a.shape];
  const bs = b.rank === 1 ? [b.shape[0], 1] : [...b.shape];
  const m = as[as.length - 2];
  const k = as[as.length - 1];
  const n = bs[bs.length - 1];
  if (bs[bs.length - 2] !== k) {
    throw new EngineError(
      `'a' ${fmtShape(a.shape)} and 'b' ${fmtShape(b.shape)} do not align: 'a' has ${k} columns but 'b' has ${bs[bs.length - 2]} rows`, op);
  }
  const aBatch = as.slice(0, -2);
  const bBatch = bs.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch, op);
  const shape = [...batch];
  if (a.rank > 1) shape.push(m);
  if (b.rank > 1) shape.push(n);
  const dtype = promoteDtypes(a.dtype, b.dtype);
  const out = allocate(dtype, sizeOf(shape));
  const result = new Tensor(dtype, shape, out);
  if (out.length === 0) return result;

  const mul = dtype === 'float32' ? floatProduct(asFloat32(a), asFloat32(b), out as Float32Array) : intProduct(a.data, b.data, out);
  if (sizeOf(bBatch) === 1 && sizeOf(aBatch) === sizeOf(batch)) {
    // b is one matrix: every batch of a stacks into one tall product (the common x · W of a dense layer).
    mul(sizeOf(batch) * m, n, k, 0, 0, 0);
    return result;
  }
  const plan = broadcastPlan(batch, [aBatch, bBatch]);
  const last = plan.dims.length - 1;
  const sa = plan.strides[0][last];
  const sb = plan.strides[1][last];
  let o = 0;
  forEachRun(plan, (off, count) => {
    for (let t = 0; t < count; t++, o++) mul(m, n, k, (off[0] + t * sa) * m * k, (off[1] + t * sb) * k * n, o * m * n);
  });
  return result;
}

/** One matrix product of the batch: C[rows×cols] at oo = A[rows×depth] at xo · B[depth×cols] at yo. */
type Product = (rows: number, cols: number, depth: number, xo: number, yo: number, oo: number) => void;

function floatProduct(x: Float32Array, y: Float32Array, out: Float32Array): Product {
  return (rows, cols, depth, xo, yo, oo) => sgemmEx(rows, cols, depth, 1, x, xo, false, y, yo, false, out, oo, false);
}

/** Integer products in doubles: exact while sums stay below 2^53; int32 results wrap on store. */
function intProduct(x: TensorData, y: TensorData, out: TensorData): Product {
  return (rows, cols, depth, xo, yo, oo) => {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let p = 0; p < depth; p++) s += x[xo + i * depth + p] * y[yo + p * cols + j];
        out[oo + i * cols + j] = s;
      }
    }
  };
}

/** The float32 values of `t` (its own array when already float32). */
function asFloat32(t: Tensor): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
}

export interface GemmOptions {
  readonly alpha?: number;
  readonly beta?: number;
  /** a is stored [K, M]. */
  readonly transA?: boolean;
  /** b is stored [N, K] (a PyTorch Linear weight). */
  readonly transB?: boolean;
}

/** Y = alpha · op(a) · op(b) + beta · c, with a, b 2-D float32 and c broadcasting to [M, N] (ONNX Gemm-13). */
export function gemm(a: Tensor, b: Tensor, c?: Tensor, options: GemmOptions = {}): Tensor<'float32'> {
  const op = 'gemm';
  const { alpha = 1, beta = 1, transA = false, transB = false } = options;
  for (const [name, t] of [['a', a], ['b', b], ['c', c]] as const) {
    if (t && t.dtype !== 'float32') throw new EngineError(`input '${name}' must be float32, got ${t.dtype}`, op);
  }
  if (a.rank !== 2) throw new EngineError(`input 'a' must be rank 2, got ${fmtShape(a.shape)}`, op);
  if (b.rank !== 2) throw new EngineError(`input 'b' must be rank 2, got ${fmtShape(b.shape)}`, op);
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kb) {
    throw new EngineError(`'a' ${fmtShape(a.shape)}${transA ? ' (transposed)' : ''} and 'b' ${fmtShape(b.shape)}` +
      `${transB ? ' (transposed)' : ''} do not align: ${k} columns against ${kb} rows`, op);
  }
  if (c && !broadcastsTo(c.shape, [m, n])) {
    throw new EngineError(`input 'c' ${fmtShape(c.shape)} does not broadcast to the result [${m}, ${n}]`, op);
  }
  let out: Float32Array;
  const withC = c !== undefined && beta !== 0;
  if (withC) {
    out = broadcastTo(c, [m, n], op, 'c').data as Float32Array; // a fresh array, ours to scale
    if (beta !== 1) for (let i = 0; i < out.length; i++) out[i] *= beta;
  } else {
    out = new Float32Array(m * n);
  }
  sgemmEx(m, n, k, alpha, a.data as Float32Array, 0, transA, b.data as Float32Array, 0, transB, out, 0, withC);
  return new Tensor('float32', [m, n], out);
}
