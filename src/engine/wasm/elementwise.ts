import { broadcastPlan, broadcastShapes } from '../kernels/broadcast';
import { Tensor } from '../tensor';
import { isConstant, wasmKernels } from './index';
import type { WasmKernels } from './runtime';

/**
 * Elementwise ops in WebAssembly (wasm/elementwise.ts): activations and math functions of float32 tensors, and
 * add, sub, mul, div where one operand is the full output and the other is the same shape, a scalar, a vector
 * over the last axis (a bias) or one value per channel ([1, C, 1, 1] over NCHW). Each wrapper returns null when
 * it did nothing (no WebAssembly, another dtype or broadcast, too small to gain, memory full): the TypeScript
 * kernel runs, and stays the reference.
 *
 * Routing, measured end to end (copy in, run, copy out, against the TypeScript loop; numbers beside the
 * thresholds below): the transcendental functions win from a few hundred elements, the cheap ones and the binary
 * operators from about a thousand, where the copies cost less than V8's own loop.
 */

/** The functions of wasm/elementwise.ts `unary`, by number. */
export const UNARY = {
  relu: 0, leakyRelu: 1, clip: 2, sigmoid: 3, tanh: 4, gelu: 5, geluTanh: 6, elu: 7, selu: 8, softplus: 9,
  silu: 10, hardSigmoid: 11, hardSwish: 12, exp: 13, log: 14, sqrt: 15, neg: 16, abs: 17, softsign: 18, erf: 19,
} as const;

export type UnaryFunction = keyof typeof UNARY;

/**
 * Fewest elements for which WebAssembly is faster, per function, measured end to end on Node 20, one thread
 * (minimum of repeated calls; TypeScript / WebAssembly): gelu 9.1 / 1.8 µs at 128 elements, 35 / 4.7 µs at 512,
 * 119 / 3.2 ms at 128×3072; erf 14 / 2.2 µs at 128; sigmoid, tanh, exp about equal at 128 and 2–3× faster at 512;
 * elu 0.9 / 1.2 µs at 128, 3.1 / 2.4 at 512. The cheap functions lose below about a thousand elements to V8's own
 * loop once the copies are counted: relu 1.7 / 1.8 µs at 1,024, 2.7 / 2.3 at 2,048, 16.9 / 6.1 at 8,192; neg
 * 1.4 / 1.7 at 1,024, 2.6 / 2.3 at 2,048; clip, hard sigmoid and sqrt 2.3–2.5 / 1.7–1.8 at 1,024.
 */
const MIN_ELEMENTS: Readonly<Record<UnaryFunction, number>> = {
  relu: 2048, neg: 2048, abs: 2048, softsign: 2048,
  leakyRelu: 1024, clip: 1024, sqrt: 1024, hardSigmoid: 1024, hardSwish: 1024,
  sigmoid: 256, tanh: 256, geluTanh: 256, elu: 512, selu: 512, softplus: 256, silu: 256, exp: 256, log: 256,
  gelu: 64, erf: 64,
};

let everySize = false;

/** Tests: route every size and function to WebAssembly (true) or by the measured crossovers (false). */
export function setElementwiseCrossovers(measured: boolean): void {
  everySize = !measured;
}

/** Elements per part before a call splits over threads: the copies stay on the calling thread. */
const PER_PART = 1 << 16;

/**
 * Functions as cheap as a copy: bound by memory, they gain nothing from a second thread, which only adds its
 * wake-up and shares the bandwidth (measured on MobileNet's ReLUs at 1×64×112×112: 2.9 ms on one thread, 5.3 on two).
 * The binary operators are the same.
 */
const BOUND_BY_MEMORY: ReadonlySet<UnaryFunction> = new Set(['relu', 'leakyRelu', 'clip', 'neg', 'abs', 'hardSigmoid', 'hardSwish', 'softsign', 'sqrt']);

/** `data` (float32) at an address in the memory: a weight's kept copy, else a fresh copy; 0 when full. */
function operand(rt: WasmKernels, data: Float32Array): { ptr: number; kept: boolean } {
  const kept = isConstant(data) ? rt.constant(data) : 0;
  return kept ? { ptr: kept, kept: true } : { ptr: rt.copyIn(data, 0, data.length), kept: false };
}

/** f(x) in WebAssembly, or null (see the file comment). `a` and `b` are the function's parameters. */
export function wasmUnary(fn: UnaryFunction, x: Tensor, a = 0, b = 0): Tensor<'float32'> | null {
  if (x.dtype !== 'float32' || x.size === 0 || (!everySize && x.size < MIN_ELEMENTS[fn])) return null;
  const rt = wasmKernels();
  if (!rt) return null;
  const n = x.size;
  const src = operand(rt, x.data as Float32Array);
  const yPtr = rt.alloc(n * 4);
  try {
    if (!src.ptr || !yPtr) return null;
    rt.split('unary', [UNARY[fn], src.ptr, yPtr, n, a, b], BOUND_BY_MEMORY.has(fn) ? 1 : rt.partsFor(n, PER_PART));
    const out = new Float32Array(n);
    rt.copyOut(yPtr, out, 0, n);
    return new Tensor('float32', x.shape, out);
  } finally {
    if (!src.kept) rt.release(src.ptr);
    rt.release(yPtr);
  }
}

/** The operators of wasm/elementwise.ts `binary`; the reversed forms put the broadcast operand on the left. */
const BINARY = { add: 0, sub: 1, mul: 2, div: 3 } as const;
const REVERSED = { add: 0, sub: 4, mul: 2, div: 5 } as const;

export type BinaryOperator = keyof typeof BINARY;

const SAME = 0;
const SCALAR = 1;
const ROW = 2;
const PER_ROW = 3;

/**
 * Fewest output elements for WebAssembly, measured like the unary ones (add, TypeScript / WebAssembly): same
 * shape 3.2 / 2.2 µs at 1,024 elements, 30 / 14 µs at 32×512; a bias over the last axis 6.3 / 2.7 µs at 4×512;
 * one value per channel of 1×64×56×56 457 / 137 µs. Below 1,024 the call's fixed cost is not earned back.
 */
const MIN_BINARY = 1024;

interface Layout { rows: number; inner: number; mode: number; channels: number; swap: boolean }

/** How `small` broadcasts over `full` (whose shape is the output's), or null when it is none of the fast cases. */
function layoutOf(shape: readonly number[], full: readonly number[], small: readonly number[], swap: boolean): Layout | null {
  const n = shape.reduce((p, d) => p * d, 1);
  const size = small.reduce((p, d) => p * d, 1);
  if (size === n) return { rows: 1, inner: n, mode: SAME, channels: 1, swap };
  if (size === 1) return { rows: 1, inner: n, mode: SCALAR, channels: 1, swap };
  const plan = broadcastPlan(shape, [full, small]);
  const s = plan.strides[1];
  const d = plan.dims;
  if (d.length === 2 && s[0] === 0 && s[1] === 1) return { rows: d[0], inner: d[1], mode: ROW, channels: 1, swap };
  if (d.length === 2 && s[0] === 1 && s[1] === 0) return { rows: d[0], inner: d[1], mode: PER_ROW, channels: d[0], swap };
  if (d.length === 3 && s[0] === 0 && s[1] === 1 && s[2] === 0) {
    return { rows: d[0] * d[1], inner: d[2], mode: PER_ROW, channels: d[1], swap };
  }
  return null;
}

/** a op b in WebAssembly for float32 operands in the broadcasts of the file comment, or null. */
export function wasmBinary(op: BinaryOperator, a: Tensor, b: Tensor, minElements = MIN_BINARY): Tensor<'float32'> | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (!everySize && Math.max(a.size, b.size) < minElements) return null;
  const shape = broadcastShapes(a.shape, b.shape, op);
  const n = shape.reduce((p, d) => p * d, 1);
  const layout = a.size === n ? layoutOf(shape, a.shape, b.shape, false) : b.size === n ? layoutOf(shape, b.shape, a.shape, true) : null;
  if (!layout || n === 0) return null;
  const rt = wasmKernels();
  if (!rt) return null;
  const [full, small] = layout.swap ? [b, a] : [a, b];
  const f = operand(rt, full.data as Float32Array);
  const s = operand(rt, small.data as Float32Array);
  const outPtr = rt.alloc(n * 4);
  try {
    if (!f.ptr || !s.ptr || !outPtr) return null;
    const code = layout.swap ? REVERSED[op] : BINARY[op];
    // One thread: bound by memory (see BOUND_BY_MEMORY).
    rt.split('binary', [code, f.ptr, s.ptr, outPtr, layout.rows, layout.inner, layout.mode, layout.channels], 1);
    const out = new Float32Array(n);
    rt.copyOut(outPtr, out, 0, n);
    return new Tensor('float32', shape, out);
  } finally {
    if (!f.kept) rt.release(f.ptr);
    if (!s.kept) rt.release(s.ptr);
    rt.release(outPtr);
  }
}
