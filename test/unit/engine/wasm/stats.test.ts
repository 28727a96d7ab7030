import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILDS, freshKernels, restoreKernelsAfterAll } from './kernelSetup';
import { tensorStats } from '../../../../src/engine/stats';
import type { TensorStats } from '../../../../src/engine/stats';
import { Tensor } from '../../../../src/engine/tensor';
import { keepWeight, setWasmEnabled } from '../../../../src/engine/wasm/index';
import type { WasmFlavour } from '../../../../src/engine/wasm/runtime';
import { setStatsCrossover, wasmStats } from '../../../../src/engine/wasm/stats';
import { seededRandom } from '../helpers';

setFlagsFromString('--experimental-wasm-relaxed-simd');

const SIZES = [1, 3, 4, 5, 17, 4097, 100003];

afterEach(() => {
  setWasmEnabled(true);
  setStatsCrossover(true);
});
restoreKernelsAfterAll();

function tensor(n: number, f: (i: number, r: () => number) => number, seed = n): Tensor<'float32'> {
  const t = Tensor.zeros([n], 'float32');
  const r = seededRandom(seed);
  for (let i = 0; i < n; i++) t.data[i] = f(i, r);
  return t;
}

/** The JavaScript pass (the reference) and the WebAssembly pass of the same tensor. */
function both(t: Tensor): [TensorStats, TensorStats] {
  setWasmEnabled(false);
  const ref = tensorStats(t);
  setWasmEnabled(true);
  // The WebAssembly pass really runs (it returns null when it leaves the work to JavaScript).
  expect(wasmStats(t.data as Float32Array, 0)).not.toBeNull();
  return [ref, tensorStats(t)];
}

/** Counts, min and max exactly; mean and std to `rtol` of the reference (summation order differs). */
function expectSame(got: TensorStats, ref: TensorStats, what: string, rtol = 1e-12): void {
  for (const k of ['size', 'min', 'max', 'zeros', 'nan', 'posInf', 'negInf'] as const) {
    expect(got[k], `${what}: ${k}`).toBe(ref[k]);
  }
  for (const k of ['mean', 'std'] as const) {
    if (Number.isNaN(ref[k])) expect(got[k], `${what}: ${k}`).toBeNaN();
    else expect(Math.abs(got[k] - ref[k]), `${what}: ${k} ${got[k]} vs ${ref[k]}`).toBeLessThanOrEqual(rtol * Math.abs(ref[k]) + 1e-300);
  }
}

/** Float64 statistics of the finite values, computed naively in two passes: an independent check. */
function twoPass(d: Float32Array): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  for (const v of d) if (Number.isFinite(v)) { n++; sum += v; }
  const mean = sum / n;
  let sq = 0;
  for (const v of d) if (Number.isFinite(v)) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n) };
}

const CASES: [string, (i: number, r: () => number) => number][] = [
  ['uniform', (_i, r) => r() * 2 - 1],
  ['constant', () => 0.3],
  ['all zero', () => 0],
  ['large mean', (_i, r) => 1e6 + (r() - 0.5)],
  ['ReLU-like', (_i, r) => Math.max(0, r() * 2 - 1)],
  ['subnormals', (_i, r) => (r() - 0.5) * 1e-40],
  ['signed zeros', (i, r) => (r() < 0.5 ? -0 : i % 3 ? 0 : r())],
  ['negative zeros first', (i, r) => (i === 0 ? -0 : r() < 0.5 ? 0 : -r())],
  ['NaN and Inf mix', (_i, r) => {
    const u = r();
    return u < 0.05 ? NaN : u < 0.08 ? Infinity : u < 0.1 ? -Infinity : u < 0.3 ? 0 : r() * 10 - 5;
  }],
  ['non-finite first', (i, r) => (i === 0 ? NaN : i === 1 ? -Infinity : r() - 0.25)],
  ['all non-finite', (i) => [NaN, Infinity, -Infinity][i % 3]],
  ['huge values', (_i, r) => (r() - 0.5) * 6e38],
];

describe.each<[WasmFlavour, number]>(BUILDS)('WebAssembly tensor statistics (%s build, %i threads)', (flavour, threads) => {
  function setup(): void {
    freshKernels(flavour, threads);
    setStatsCrossover(false);
  }

  it.each(CASES)('%s data agrees with the JavaScript pass at every size', (name, f) => {
    setup();
    for (const n of SIZES) {
      const t = tensor(n, f);
      const [ref, got] = both(t);
      expectSame(got, ref, `${name}, ${n} elements`);
    }
  });

  it('places a single NaN or Inf anywhere: in the vector body, in the tail, in every part', () => {
    setup();
    for (const n of [9, 4097, 100003, 3_000_001]) {
      for (const at of [0, 7, 8, n >> 1, n - 1]) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const t = tensor(n, (_i, r) => r() - 0.5, 5);
          t.data[at] = bad;
          const [ref, got] = both(t);
          expectSame(got, ref, `${bad} at ${at} of ${n}`);
          expect(got.nan + got.posInf + got.negInf).toBe(1);
        }
      }
    }
  });

  it('splits a very large tensor into parts and combines them', () => {
    setup();
    const t = tensor(4_194_311, (i, r) => (i % 5 === 0 ? 0 : 3 + r() * 4), 11);
    const [ref, got] = both(t);
    // The JavaScript pass sums 4M terms in one chain: its own rounding error reaches about 1e-12 here.
    expectSame(got, ref, '4M elements', 1e-11);
  });

  it('reads a weight where the memory keeps it', () => {
    setup();
    const t = tensor(10007, (_i, r) => r() * 8 - 2, 3);
    const [ref] = both(t);
    keepWeight(t);
    expect(t.data.buffer).not.toBeInstanceOf(ArrayBuffer);
    expectSame(tensorStats(t), ref, 'kept weight');
  });

  it('keeps the shifted variance accurate for a large mean (independent two-pass check)', () => {
    setup();
    for (const n of [4097, 100003]) {
      const t = tensor(n, (_i, r) => 1e6 + (r() - 0.5), 17);
      const got = tensorStats(t);
      const ref = twoPass(t.data);
      expect(Math.abs(got.mean - ref.mean)).toBeLessThan(1e-9 * ref.mean);
      expect(Math.abs(got.std - ref.std) / ref.std).toBeLessThan(1e-9);
    }
  });
});

describe('the statistics route', () => {
  it('leaves other dtypes and small float32 tensors to the JavaScript pass with the measured crossover', () => {
    setStatsCrossover(true);
    const i32 = new Tensor('int32', [5], Int32Array.from([3, -1, 0, 7, 0]));
    expect(tensorStats(i32)).toMatchObject({ min: -1, max: 7, zeros: 0.4, nan: 0 });
    const small = tensor(3, (i) => [-0, 2, 0][i]);
    expect(tensorStats(small)).toMatchObject({ min: 0, max: 2, mean: 2 / 3 });
    expect(Object.is(tensorStats(small).min, 0)).toBe(true);
  });
});
