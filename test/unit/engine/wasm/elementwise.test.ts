import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILDS, freshKernels, restoreKernelsAfterAll } from './kernelSetup';
import * as act from '../../../../src/engine/kernels/activations';
import { add, div, mul, sub } from '../../../../src/engine/kernels/binary';
import { erfScalar } from '../../../../src/engine/kernels/erf';
import * as un from '../../../../src/engine/kernels/unary';
import { floatFunction } from '../../../../src/engine/kernels/unaryMore';
import { Tensor } from '../../../../src/engine/tensor';
import { setElementwiseCrossovers, wasmUnary } from '../../../../src/engine/wasm/elementwise';
import { setWasmEnabled, useWasmKernels } from '../../../../src/engine/wasm/index';
import { WasmKernels } from '../../../../src/engine/wasm/runtime';
import type { WasmFlavour } from '../../../../src/engine/wasm/runtime';
import { configureEngine, releaseEngineThreads } from '../../../../src/node/engineSetup';
import { runOrt } from '../ortOracle';
import { randomTensor } from '../helpers';

setFlagsFromString('--experimental-wasm-relaxed-simd');

/** Values every function must handle: zeros of both signs, infinities, NaN, subnormals, tiny and large values. */
const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1e-8, -1e-8, 0.5, -0.5, 1, -1, 3, -3, 10, -10, 88, -88, 89, -104, 200, -200];

/** Awkward sizes: one element, fewer than a vector, not a multiple of four, and large enough to split. */
const SIZES = [1, 3, 5, 17, 130, 1027, 70001];

function input(n: number, seed: number, scale = 8): Tensor<'float32'> {
  const t = randomTensor([n], seed, -scale, scale);
  SPECIAL.forEach((v, i) => { if (i * 7 < n) t.data[i * 7] = v; });
  return t;
}

const bits = new DataView(new ArrayBuffer(4));
/** Float32 values as integers ordered like the floats, so that their difference counts ulps. */
function ordered(v: number): number {
  bits.setFloat32(0, v);
  const i = bits.getInt32(0);
  return i < 0 ? -0x80000000 - i : i;
}

/**
 * The largest error in ulps between two float32 arrays, NaN and infinities required to match exactly. An ulp is
 * taken at |want| but at least at `floor`, for functions whose results near 0 come from a cancellation that the
 * double-precision reference rounds differently (hard sigmoid near its kink, the GELU tails).
 */
function ulps(got: ArrayLike<number>, want: ArrayLike<number>, label: string, floor = 0): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      expect(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)), `${label}[${i}] = ${g}, want ${w}`).toBe(true);
      continue;
    }
    const scale = Math.max(Math.abs(w), floor);
    const d = scale >= 2 ** -126 ? Math.abs(g - w) / 2 ** (Math.floor(Math.log2(scale)) - 23) : Math.abs(ordered(g) - ordered(w));
    worst = Math.max(worst, d);
  }
  return worst;
}

function both<T>(f: () => T): [T, T] {
  setWasmEnabled(false);
  const ref = f();
  setWasmEnabled(true);
  return [ref, f()];
}

/** Each function, the most ulps it may differ from the TypeScript kernel (which computes in doubles), and the ulp floor. */
const UNARY: [string, (x: Tensor) => Tensor, number, number?][] = [
  ['relu', act.relu, 0],
  ['leakyRelu', (x) => act.leakyRelu(x, 0.1), 1],
  ['clip', (x) => act.clip(x, -1, 6), 0],
  ['hardSigmoid', (x) => act.hardSigmoid(x, 0.2, 0.5), 2, 0.5],
  ['hardSwish', (x) => floatFunction('hardSwish', x), 2, 0.5],
  ['neg', un.neg, 0],
  ['abs', un.abs, 0],
  ['sqrt', un.sqrt, 0],
  ['softsign', act.softsign, 1],
  ['sigmoid', act.sigmoid, 3],
  ['tanh', act.tanh, 3],
  ['exp', un.exp, 2],
  ['log', un.log, 2],
  ['elu', (x) => act.elu(x, 1.5), 4],
  ['selu', (x) => act.selu(x), 4],
  ['softplus', act.softplus, 3],
  // silu and gelu far below zero: the float32 argument (β·x, x/√2) is rounded before e^(−…) amplifies it.
  ['silu', (x) => act.silu(x, 1.25), 12],
  ['gelu', (x) => act.gelu(x), 24, 2 ** -20],
  ['geluTanh', (x) => act.gelu(x, 'tanh'), 8, 0.5],
  ['erf', un.erf, 4],
];

afterEach(() => {
  setWasmEnabled(true);
  setElementwiseCrossovers(true);
});
restoreKernelsAfterAll();

describe.each<[WasmFlavour, number]>(BUILDS)('WebAssembly elementwise (%s build, %i threads)', (flavour, threads) => {
  function setup(): void {
    freshKernels(flavour, threads);
    setElementwiseCrossovers(false);
  }

  it.each(UNARY)('%s agrees with the TypeScript kernel within its ulp bound, special values included', (name, f, bound, floor) => {
    setup();
    for (const n of SIZES) {
      const x = input(n, n);
      const [ref, got] = both(() => f(x));
      expect(got.dtype).toBe('float32');
      expect([...got.shape]).toEqual([n]);
      expect(ulps(got.data, ref.data, `${name} n=${n}`, floor), `${name} n=${n}`).toBeLessThanOrEqual(bound);
    }
  });

  it('keeps the sign of zero where the TypeScript kernels do', () => {
    setup();
    const x = new Tensor('float32', [8], Float32Array.from([-0, 0, -0, 0, -0, 0, -0, 0]));
    for (const f of [act.relu, un.neg, un.abs, act.tanh, (t: Tensor) => act.elu(t), (t: Tensor) => act.selu(t), act.softsign]) {
      const [ref, got] = both(() => f(x));
      [...ref.data].forEach((v, i) => expect(Object.is(got.data[i], v), `${f.name}(${x.data[i]})`).toBe(true));
    }
  });

  it('add, sub, mul, div agree exactly in every broadcast it takes, either side, and in the others it leaves', () => {
    setup();
    const cases: [number[], number[]][] = [
      [[7, 13], [7, 13]], [[1027], [1]], [[1], [1027]], [[33, 37], [37]], [[37], [33, 37]],
      [[2, 5, 3, 7], [1, 5, 1, 1]], [[1, 6, 5, 5], [6, 1, 1]], [[3, 4], [3, 1]], [[1, 1], [1, 1]], [[0, 3], [3]],
      [[4, 1, 5], [1, 3, 1]], [[3, 2, 5], [1, 2, 5]],
    ];
    cases.forEach(([sa, sb], i) => {
      const a = randomTensor(sa, 2 * i + 1, -4, 4);
      const b = randomTensor(sb, 2 * i + 2, -4, 4);
      if (b.size > 2) b.data[1] = 0;
      for (const f of [add, sub, mul, div]) {
        const [ref, got] = both(() => f(a, b));
        expect([...got.shape]).toEqual([...ref.shape]);
        expect(ulps(got.data, ref.data, `${f.name} ${sa} ${sb}`), `${f.name} [${sa}] [${sb}]`).toBe(0);
      }
    });
  });
});

describe('WebAssembly math functions against the libm', () => {
  it('exp, tanh and erf stay within a few ulps from −110 to 110, overflowing to Inf and underflowing to 0', () => {
    useWasmKernels(new WasmKernels('simd'));
    setElementwiseCrossovers(false);
    const n = 200001;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -110 + (220 * i) / (n - 1);
    const t = new Tensor('float32', [n], x);
    const check = (fn: 'exp' | 'tanh' | 'erf', f: (v: number) => number, bound: number): void => {
      const got = wasmUnary(fn, t);
      expect(got).not.toBeNull();
      const want = Float32Array.from(x, f);
      expect(ulps(got!.data, want, fn), fn).toBeLessThanOrEqual(bound);
    };
    check('exp', Math.exp, 2);
    check('tanh', Math.tanh, 3);
    check('erf', erfScalar, 3);
    const e = wasmUnary('exp', new Tensor('float32', [4], Float32Array.from([89, -104, NaN, 88.5])))!.data;
    expect([e[0], e[1], Number.isNaN(e[2]), Number.isFinite(e[3])]).toEqual([Infinity, 0, true, true]);
  });

  it('log stays within 2 ulps over every binade, subnormals included', () => {
    useWasmKernels(new WasmKernels('simd'));
    setElementwiseCrossovers(false);
    const x = new Float32Array(4096);
    for (let i = 0; i < x.length; i++) x[i] = 2 ** (-149 + (277 * i) / x.length) * (1 + ((i * 37) % 101) / 101);
    const got = wasmUnary('log', new Tensor('float32', [x.length], x))!;
    expect(ulps(got.data, Float32Array.from(x, Math.log), 'log')).toBeLessThanOrEqual(2);
  });
});

describe('WebAssembly elementwise against onnxruntime', () => {
  it.each(['none', 'tanh'] as const)('Gelu (approximate %s) at the GPT-2 MLP size', async (approximate) => {
    useWasmKernels(new WasmKernels('relaxed'));
    releaseEngineThreads();
    configureEngine({ threads: 2 });
    const x = randomTensor([128, 3072], 5, -6, 6);
    const want = (await runOrt({ opType: 'Gelu', inputs: [x], attributes: { approximate }, opset: 20 }))[0];
    const got = act.gelu(x, approximate);
    let worst = 0, at = 0;
    for (let i = 0; i < x.size; i++) {
      // onnxruntime forms 1 + erf or 1 + tanh in float32, which cancels below zero: an absolute tolerance there.
      const e = Math.abs(got.data[i] - want.data[i]) / (1e-6 * Math.max(1, Math.abs(x.data[i])) + 1e-5 * Math.abs(want.data[i]));
      if (e > worst) { worst = e; at = i; }
    }
    expect(worst, `x ${x.data[at]}: ${got.data[at]} vs ${want.data[at]}`).toBeLessThanOrEqual(1);
  });
});
