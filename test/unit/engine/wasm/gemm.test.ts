import * as tf from '@tensorflow/tfjs';
import { setFlagsFromString } from 'node:v8';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sgemmEx } from '../../../../src/engine/kernels/sgemm';
import { markConstant, setWasmEnabled, useWasmKernels, wasmKernels } from '../../../../src/engine/wasm/index';
import { WasmKernels } from '../../../../src/engine/wasm/runtime';
import type { WasmFlavour } from '../../../../src/engine/wasm/runtime';
import { configureEngine, releaseEngineThreads } from '../../../../src/node/engineSetup';
import { mulberry32 } from '../../../../src/loaders/tensors/random';

setFlagsFromString('--experimental-wasm-relaxed-simd');

function random(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * r() - 1;
  return a;
}

interface Case { m: number; n: number; k: number; transA: boolean; transB: boolean; alpha: number; accumulate: boolean }

/** Sizes around every blocking edge: MR 4, NR 8, KC 256, MC 128, the streaming rows (m < 4), dot products, n = 1. */
const CASES: Case[] = [
  [1, 512, 784], [2, 9, 300], [3, 33, 17], [4, 8, 1], [5, 7, 3], [32, 512, 784], [129, 130, 257], [64, 3136, 27],
  [128, 1, 70], [1, 1, 5000], [17, 1025, 9], [200, 40, 513],
].flatMap(([m, n, k], i) => [
  { m, n, k, transA: false, transB: false, alpha: 1, accumulate: false },
  { m, n, k, transA: i % 2 === 0, transB: i % 3 === 0, alpha: 0.5, accumulate: true },
  { m, n, k, transA: true, transB: true, alpha: -1.25, accumulate: i % 2 === 1 },
]);

function run(c: Case, seed: number, wasm: boolean, constants = false): Float32Array {
  const a = random(c.m * c.k + 3, seed);
  const b = random(c.k * c.n + 5, seed + 1);
  if (constants) markConstant(b);
  const out = random(c.m * c.n + 2, seed + 2);
  setWasmEnabled(wasm);
  sgemmEx(c.m, c.n, c.k, c.alpha, a, 3, c.transA, b, 5, c.transB, out, 2, c.accumulate);
  setWasmEnabled(true);
  return out;
}

function maxDiff(x: Float32Array, y: Float32Array): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

afterEach(() => setWasmEnabled(true));
afterAll(() => {
  releaseEngineThreads();
  useWasmKernels(undefined);
});

describe.each<[WasmFlavour, number]>([['simd', 1], ['relaxed', 1], ['relaxed', 2]])('WebAssembly gemm (%s build, %i threads)', (flavour, threads) => {
  it('agrees with the TypeScript kernel on every layout, edge size, alpha and accumulation', () => {
    useWasmKernels(new WasmKernels(flavour));
    expect(configureEngine({ threads }).threads).toBe(threads);
    expect(wasmKernels()?.flavour).toBe(flavour);
    CASES.forEach((c, i) => {
      const ref = run(c, 10 * i, false);
      const got = run(c, 10 * i, true, i % 2 === 0);
      // Sums of k products of values in [-1, 1): float32 summation order differs.
      expect(maxDiff(ref, got), JSON.stringify(c)).toBeLessThan(2e-6 * c.k + 1e-6);
      // Elements outside C's range are untouched.
      expect(got[0]).toBe(ref[0]);
      expect(got[1]).toBe(ref[1]);
    });
  });

  it('matches TensorFlow.js matMul on a square product', () => {
    useWasmKernels(new WasmKernels(flavour));
    configureEngine({ threads });
    const m = 300, n = 260, k = 270;
    const a = random(m * k, 7), b = random(k * n, 8);
    const want = tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync() as Float32Array;
    const got = new Float32Array(m * n);
    sgemmEx(m, n, k, 1, a, 0, false, b, 0, false, got, 0, false);
    expect(maxDiff(got, want)).toBeLessThan(1e-4);
  });
});

describe('WebAssembly memory', () => {
  it('keeps one copy of a weight and gives it back when the array is gone', async () => {
    const rt = new WasmKernels('simd');
    useWasmKernels(rt);
    configureEngine({ threads: 1 });
    const before = rt.bytesInUse;
    // The weight lives in this function only, so that it can be collected after.
    const kept = ((): number => {
      const w = random(64 * 64, 3);
      markConstant(w);
      const x = random(64 * 64, 4);
      const out = new Float32Array(64 * 64);
      sgemmEx(64, 64, 64, 1, x, 0, false, w, 0, false, out, 0, false);
      const once = rt.bytesInUse;
      sgemmEx(64, 64, 64, 1, x, 0, false, w, 0, false, out, 0, false);
      expect(rt.bytesInUse).toBe(once);
      expect(rt.constant(w)).toBe(rt.constant(w));
      return once;
    })();
    expect(kept - before).toBeGreaterThanOrEqual(64 * 64 * 4);
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'vitest runs node with --expose-gc').toBeTypeOf('function');
    if (!gc) return;
    for (let i = 0; i < 20 && rt.bytesInUse > before + 64 * 1024; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(rt.bytesInUse).toBeLessThan(kept);
  });

  it('falls back to the TypeScript kernel when the memory cannot hold the operands', () => {
    const rt = new WasmKernels('simd');
    useWasmKernels(rt);
    const held: number[] = [];
    for (let size = 2 ** 30; size >= 4096; size /= 2) for (let p = rt.alloc(size); p; p = rt.alloc(size)) held.push(p);
    expect(held.length).toBeGreaterThan(3);
    try {
      const c: Case = { m: 64, n: 64, k: 64, transA: false, transB: false, alpha: 1, accumulate: false };
      expect(maxDiff(run(c, 1, true), run(c, 1, false))).toBe(0);
    } finally {
      for (const p of held) rt.release(p);
    }
  });
});
