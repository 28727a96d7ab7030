import { isConstant, wasmKernels } from './index';
import type { WasmKernels } from './runtime';

/**
 * Softmax, layer normalisation and inference batch normalisation in WebAssembly (wasm/norm.ts), for float32 data
 * normalised over the last axis (batch norm: per channel of NCHW or of channels-last). Each wrapper fills `out`
 * and returns true, or returns false having done nothing (no WebAssembly, too small, memory full): the
 * TypeScript kernel then runs, and stays the reference.
 *
 * Crossovers measured end to end (copies included, one thread): softmax wins from about 256 elements (an exp per
 * element), layer norm from about 1,024; the batch-norm map (one multiply-add per element) only pays where its
 * TypeScript loop is slow: the channels-last form indexes `i % c` per element.
 */

const MIN_SOFTMAX = 256;
const MIN_LAYER_NORM = 1024;
const MIN_AFFINE = 4096;
let everySize = false;

/** Tests: route every size to WebAssembly (true) or by the measured crossovers (false). */
export function setNormCrossovers(measured: boolean): void {
  everySize = !measured;
}

/** Elements per part before a call splits its rows over threads. */
const PER_PART = 1 << 16;

function operand(rt: WasmKernels, data: Float32Array): { ptr: number; kept: boolean } {
  const kept = isConstant(data) ? rt.constant(data) : 0;
  return kept ? { ptr: kept, kept: true } : { ptr: rt.copyIn(data, 0, data.length), kept: false };
}

function releaseAll(rt: WasmKernels, ops: readonly { ptr: number; kept: boolean }[], ...ptrs: number[]): void {
  for (const o of ops) if (!o.kept) rt.release(o.ptr);
  for (const p of ptrs) rt.release(p);
}

/** Softmax (or log-softmax) of each row of x [rows, n] into out. */
export function wasmSoftmaxRows(x: Float32Array, out: Float32Array, rows: number, n: number, log: boolean): boolean {
  if ((!everySize && rows * n < MIN_SOFTMAX) || n === 0 || rows === 0) return false;
  const rt = wasmKernels();
  if (!rt) return false;
  const src = operand(rt, x);
  const yPtr = rt.alloc(x.length * 4);
  try {
    if (!src.ptr || !yPtr) return false;
    rt.split('softmaxRows', [src.ptr, yPtr, rows, n, log ? 1 : 0], Math.min(rows, rt.partsFor(x.length, PER_PART)));
    rt.copyOut(yPtr, out, 0, x.length);
    return true;
  } finally {
    releaseAll(rt, [src], yPtr);
  }
}

/**
 * Layer normalisation of each row of x [rows, d] with scale and bias of d values each (bias optional), into y,
 * and the row statistics into means and invs.
 */
export function wasmLayerNorm(
  x: Float32Array, scale: Float32Array, bias: Float32Array | undefined, rows: number, d: number, epsilon: number,
  y: Float32Array, means: Float32Array, invs: Float32Array,
): boolean {
  if ((!everySize && rows * d < MIN_LAYER_NORM) || d === 0 || rows === 0) return false;
  const rt = wasmKernels();
  if (!rt) return false;
  const ops = [operand(rt, x), operand(rt, scale), ...(bias ? [operand(rt, bias)] : [])];
  const yPtr = rt.alloc(x.length * 4);
  const stats = rt.alloc(rows * 8);
  try {
    if (ops.some((o) => !o.ptr) || !yPtr || !stats) return false;
    rt.split('layerNorm', [ops[0].ptr, yPtr, ops[1].ptr, bias ? ops[2].ptr : 0, rows, d, epsilon, stats, stats + rows * 4],
      Math.min(rows, rt.partsFor(x.length, PER_PART)));
    rt.copyOut(yPtr, y, 0, x.length);
    rt.copyOut(stats, means, 0, rows);
    rt.copyOut(stats + rows * 4, invs, 0, rows);
    return true;
  } finally {
    releaseAll(rt, ops, yPtr, stats);
  }
}

/**
 * out = x · mul[c] + add[c] over x [rows, inner]: with `perRow` row r takes channel r % channels (NCHW, inner =
 * the plane), else element j of a row takes channel j (channels last, inner = channels).
 */
export function wasmChannelAffine(
  x: Float32Array, mul: Float32Array, add: Float32Array, rows: number, inner: number, perRow: boolean, out: Float32Array,
): boolean {
  if ((!everySize && x.length < MIN_AFFINE) || x.length === 0) return false;
  const rt = wasmKernels();
  if (!rt) return false;
  const ops = [operand(rt, x), operand(rt, mul), operand(rt, add)];
  const yPtr = rt.alloc(x.length * 4);
  try {
    if (ops.some((o) => !o.ptr) || !yPtr) return false;
    rt.split('affine', [ops[0].ptr, yPtr, ops[1].ptr, ops[2].ptr, rows, inner, mul.length, perRow ? 1 : 0],
      Math.min(rows, rt.partsFor(x.length, PER_PART)));
    rt.copyOut(yPtr, out, 0, x.length);
    return true;
  } finally {
    releaseAll(rt, ops, yPtr);
  }
}

/**
 * Inference batch normalisation folded per channel into y = x · a + k, a = scale / √(var + ε), k = bias − mean · a
 * (in doubles, as the TypeScript kernel folds), then run as {@link wasmChannelAffine}.
 */
export function wasmBatchNorm(
  x: Float32Array, scale: ArrayLike<number>, bias: ArrayLike<number>, mean: ArrayLike<number>, variance: ArrayLike<number>,
  epsilon: number, rows: number, inner: number, perRow: boolean, out: Float32Array,
): boolean {
  if ((!everySize && x.length < MIN_AFFINE) || x.length === 0 || !wasmKernels()) return false;
  const c = scale.length;
  const mul = new Float32Array(c);
  const add = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    const a = scale[i] / Math.sqrt(variance[i] + epsilon);
    mul[i] = a;
    add[i] = bias[i] - mean[i] * a;
  }
  return wasmChannelAffine(x, mul, add, rows, inner, perRow, out);
}
