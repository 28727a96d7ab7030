import { setFlagsFromString } from 'node:v8';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshKernels, restoreKernelsAfterAll } from './kernelSetup';
import { poolOps } from '../../../../src/engine/ops/pool';
import type { Attrs } from '../../../../src/engine/registry';
import type { Tensor } from '../../../../src/engine/tensor';
import { setWasmEnabled } from '../../../../src/engine/wasm/index';
import type { WasmKernels } from '../../../../src/engine/wasm/runtime';
import type { WasmFlavour } from '../../../../src/engine/wasm/runtime';
import { expectClose, randomTensor } from '../helpers';
import { onnxAttributes, runOrt } from '../ortOracle';

setFlagsFromString('--experimental-wasm-relaxed-simd');

type Plain = Record<string, number | string | readonly number[]>;

function runOp(name: string, x: Tensor, attrs: Attrs = {}): Tensor {
  const def = poolOps.find((d) => d.name === name);
  if (!def) throw new Error(`no op ${name}`);
  return def.run([x], attrs)[0];
}

/** Windows around every edge: strides 1 to 3, pads, dilations, ceilMode, SAME and VALID, 1-D, widths 1 and odd. */
const CASES: [string, number[], Plain][] = [
  ['2×2 stride 2 (MNIST)', [2, 16, 28, 28], { kernelShape: [2, 2], strides: [2, 2] }],
  ['3×3 stride 2 pads 1', [1, 24, 33, 35], { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
  ['3×3 stride 1 pads 1', [1, 8, 31, 29], { kernelShape: [3, 3], pads: [1, 1, 1, 1] }],
  ['asymmetric pads and strides 2, 3', [1, 16, 37, 41], { kernelShape: [3, 2], strides: [2, 3], pads: [0, 1, 2, 1] }],
  ['dilations', [1, 16, 29, 31], { kernelShape: [2, 3], dilations: [2, 2], strides: [1, 2] }],
  ['ceilMode with a partial last window', [1, 16, 27, 28], { kernelShape: [3, 3], strides: [2, 2], ceilMode: 1 }],
  ['ceilMode, pads and dilations', [1, 16, 60, 41], { kernelShape: [2, 2], strides: [3, 2], pads: [1, 0, 1, 1], dilations: [2, 1], ceilMode: 1 }],
  ['SAME_UPPER stride 2', [1, 16, 27, 26], { kernelShape: [3, 2], strides: [2, 2], autoPad: 'SAME_UPPER' }],
  ['SAME_LOWER stride 2', [1, 16, 27, 26], { kernelShape: [3, 2], strides: [2, 2], autoPad: 'SAME_LOWER' }],
  ['VALID stride 2', [1, 16, 27, 26], { kernelShape: [3, 3], strides: [2, 2], autoPad: 'VALID' }],
  ['stride 4, window 5', [1, 16, 45, 47], { kernelShape: [5, 5], strides: [4, 4], pads: [2, 2, 2, 2] }],
  ['width 1', [1, 32, 400, 1], { kernelShape: [3, 1], strides: [2, 1], pads: [1, 0, 1, 0] }],
  ['pads as large as the window', [1, 16, 20, 21], { kernelShape: [2, 2], pads: [1, 1, 1, 1], strides: [1, 1] }],
  ['1-D', [2, 16, 401], { kernelShape: [3], strides: [2], pads: [1, 1] }],
];

/** Equal element for element, NaN matching NaN and −0 only −0. */
function expectSame(got: Tensor, want: Tensor, what: string): void {
  expect([...got.shape], what).toEqual([...want.shape]);
  const g = got.data as Float32Array;
  const w = want.data as Float32Array;
  let bad = -1;
  for (let i = 0; i < w.length && bad < 0; i++) if (!(Object.is(g[i], w[i]) || (Number.isNaN(g[i]) && Number.isNaN(w[i])))) bad = i;
  expect(bad < 0 ? 'same' : `element ${bad}: ${g[bad]} vs ${w[bad]}`, what).toBe('same');
}

/** Runs the op with the WebAssembly kernels off then on; returns both and the kernels `split` ran. */
function compare(rt: WasmKernels, op: string, x: Tensor, attrs: Attrs): { want: Tensor; got: Tensor; kernels: string[] } {
  setWasmEnabled(false);
  const want = runOp(op, x, attrs);
  setWasmEnabled(true);
  const kernels: string[] = [];
  const original = rt.split;
  rt.split = (kernel, args, parts): void => {
    kernels.push(parts > 1 ? `${kernel}/${parts}` : kernel);
    original.call(rt, kernel, args, parts);
  };
  try {
    return { want, got: runOp(op, x, attrs), kernels };
  } finally {
    rt.split = original;
  }
}

/** x with NaN, ±Inf and −0 sprinkled in. */
function special(shape: number[], seed: number): Tensor {
  const x = randomTensor(shape, seed, -3, 3);
  const d = x.data as Float32Array;
  for (let i = 0; i < d.length; i += 53) d[i] = [NaN, Infinity, -Infinity, -0, 0][(i / 53) % 5];
  return x;
}

afterEach(() => setWasmEnabled(true));
restoreKernelsAfterAll();

const setup = freshKernels;

describe.each<[WasmFlavour, number]>([['simd', 1], ['relaxed', 2]])('WebAssembly pooling (%s build, %i threads)', (flavour, threads) => {
  let rt: WasmKernels;
  beforeAll(() => {
    rt = setup(flavour, threads);
  });

  it.each(CASES)('maxPool and averagePool equal the TypeScript kernel exactly: %s', (name, shape, attrs) => {
    for (const [op, extra] of [['maxPool', {}], ['averagePool', {}], ['averagePool', { countIncludePad: 1 }]] as const) {
      for (const x of [randomTensor(shape, 3, -3, 3), special(shape, 4)]) {
        const { want, got, kernels } = compare(rt, op, x, { ...attrs, ...extra });
        expect(kernels.map((k) => k.split('/')[0]), `${op} ${name}`).toEqual(['pool2d']);
        expectSame(got, want, `${op} ${JSON.stringify(extra)} ${name}`);
      }
    }
  });

  it('global pools agree with the TypeScript kernel (max exactly, mean within float32 rounding)', () => {
    for (const shape of [[1, 64, 56, 56], [2, 33, 17, 19], [1, 1024, 7, 7], [3, 5, 1201]]) {
      for (const x of [randomTensor(shape, 5, -3, 3), special(shape, 6)]) {
        const max = compare(rt, 'globalMaxPool', x, {});
        expect(max.kernels.map((k) => k.split('/')[0])).toEqual(['globalPool']);
        expectSame(max.got, max.want, `globalMaxPool ${shape.join('×')}`);
        const mean = compare(rt, 'globalAveragePool', x, {});
        expectClose(mean.got, mean.want.data, mean.want.shape, { atol: 1e-7, rtol: 1e-6 });
      }
    }
  });

  it.runIf(threads > 1)('splits global pools over the threads by planes, and keeps small windows on one', () => {
    const x = randomTensor([1, 64, 112, 112], 8);
    const { want, got, kernels } = compare(rt, 'maxPool', x, { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    // Nine taps per output: bound by memory, one thread.
    expect(kernels).toEqual(['pool2d']);
    expectSame(got, want, 'maxPool 64×112²');
    const g = compare(rt, 'globalAveragePool', randomTensor([2, 64, 112, 112], 9), {});
    expect(g.kernels).toEqual([`globalPool/${threads}`]);
    expectClose(g.got, g.want.data, g.want.shape, { atol: 1e-7, rtol: 1e-6 });
  });

  it('leaves 3-D windows and small inputs to the TypeScript kernel', () => {
    for (const [shape, attrs] of [[[1, 8, 9, 10, 11], { kernelShape: [2, 2, 2] }], [[1, 2, 8, 8], { kernelShape: [2, 2], strides: [2, 2] }]] as const) {
      const { want, got, kernels } = compare(rt, 'maxPool', randomTensor([...shape], 9), attrs);
      expect(kernels).toEqual([]);
      expectSame(got, want, JSON.stringify(shape));
    }
  });
});

describe('WebAssembly pooling against onnxruntime', () => {
  beforeAll(() => {
    setup('relaxed', 2);
  });

  it.each([
    ['MaxPool', 'maxPool', [1, 32, 56, 57], { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['MaxPool', 'maxPool', [1, 16, 40, 29], { kernelShape: [2, 2], strides: [3, 2], pads: [1, 0, 1, 1], dilations: [2, 1], ceilMode: 1 }],
    ['AveragePool', 'averagePool', [1, 32, 33, 35], { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['AveragePool', 'averagePool', [1, 32, 33, 35], { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: 1 }],
    ['AveragePool', 'averagePool', [2, 16, 27, 28], { kernelShape: [3, 3], strides: [2, 2], ceilMode: 1, countIncludePad: 1 }],
    ['GlobalAveragePool', 'globalAveragePool', [1, 256, 14, 14], {}],
    ['GlobalMaxPool', 'globalMaxPool', [1, 256, 14, 14], {}],
  ] as const)('%s %j', async (opType, op, shape, attrs) => {
    const x = randomTensor([...shape], 21, -3, 3);
    const [want] = await runOrt({ opType, inputs: [x], attributes: onnxAttributes(attrs) });
    expectClose(runOp(op, x, attrs as Attrs), want.data, want.shape, { atol: 1e-6, rtol: 1e-6 });
  });
});
