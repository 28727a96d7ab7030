import { setFlagsFromString } from 'node:v8';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILDS, freshKernels, restoreKernelsAfterAll } from './kernelSetup';
import { conv } from '../../../../src/engine/kernels/conv';
import type { ConvOptions } from '../../../../src/engine/kernels/conv';
import { convTranspose } from '../../../../src/engine/kernels/convTranspose';
import type { Tensor } from '../../../../src/engine/tensor';
import { markConstant, setWasmEnabled } from '../../../../src/engine/wasm/index';
import type { WasmKernels } from '../../../../src/engine/wasm/runtime';
import type { WasmFlavour } from '../../../../src/engine/wasm/runtime';
import { expectClose, randomTensor } from '../helpers';
import { onnxAttributes, runOrt } from '../ortOracle';

setFlagsFromString('--experimental-wasm-relaxed-simd');

interface Case {
  readonly name: string;
  readonly x: number[];
  readonly w: number[];
  readonly opts: ConvOptions;
  readonly bias?: boolean;
  /** The WebAssembly kernel this case must reach. */
  readonly kernel: 'conv2d' | 'depthwise2d' | 'gemm';
}

/** Awkward sizes: odd widths, width 1, every stride/padding/dilation combination, groups, bands that split rows. */
const CASES: Case[] = [
  { name: 'MNIST conv2 3×3 16→32 same', x: [1, 16, 14, 14], w: [32, 16, 3, 3], opts: { pads: [1, 1, 1, 1] }, bias: true, kernel: 'conv2d' },
  { name: 'strided, dilated, uneven pads', x: [2, 3, 41, 47], w: [8, 3, 3, 2], opts: { strides: [2, 3], pads: [1, 0, 2, 1], dilations: [2, 1] }, bias: true, kernel: 'conv2d' },
  { name: 'stride 2 wide input', x: [2, 4, 9, 61], w: [6, 4, 3, 3], opts: { strides: [2, 2], pads: [1, 1, 1, 1] }, kernel: 'conv2d' },
  { name: 'stride 3 and 4', x: [1, 5, 61, 59], w: [12, 5, 2, 3], opts: { strides: [3, 4], pads: [0, 2, 1, 0] }, bias: true, kernel: 'conv2d' },
  { name: 'grouped 6→9 in 3 groups', x: [1, 6, 31, 29], w: [9, 2, 3, 3], opts: { group: 3, pads: [1, 1, 1, 1] }, bias: true, kernel: 'conv2d' },
  { name: 'bands that end inside a row (K 576)', x: [1, 64, 23, 21], w: [24, 64, 3, 3], opts: { pads: [1, 1, 1, 1] }, bias: true, kernel: 'conv2d' },
  { name: 'one input channel, 5×5 valid, 3 images', x: [3, 1, 28, 28], w: [16, 1, 5, 5], opts: {}, bias: true, kernel: 'depthwise2d' },
  { name: '5 images, 16→24 same', x: [5, 16, 14, 13], w: [24, 16, 3, 3], opts: { pads: [1, 1, 1, 1] }, bias: true, kernel: 'conv2d' },
  { name: 'depthwise ×2 over 3 images, stride 2', x: [3, 8, 19, 17], w: [16, 1, 3, 3], opts: { group: 8, pads: [1, 1, 1, 1], strides: [2, 2] }, bias: false, kernel: 'depthwise2d' },
  { name: 'width 1', x: [1, 16, 67, 1], w: [24, 16, 3, 1], opts: { pads: [1, 0, 1, 0] }, bias: true, kernel: 'conv2d' },
  { name: '1×1 with stride 2', x: [1, 16, 31, 33], w: [20, 16, 1, 1], opts: { strides: [2, 2] }, bias: true, kernel: 'conv2d' },
  { name: 'padding larger than the kernel', x: [1, 4, 7, 6], w: [40, 4, 2, 2], opts: { pads: [3, 4, 2, 3] }, bias: true, kernel: 'conv2d' },
  { name: '1-D, stride 2, dilation 2', x: [2, 7, 301], w: [11, 7, 5], opts: { strides: [2], pads: [3, 2], dilations: [2] }, bias: true, kernel: 'conv2d' },
  { name: 'depthwise 3×3 stride 2', x: [1, 32, 23, 29], w: [32, 1, 3, 3], opts: { group: 32, strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true, kernel: 'depthwise2d' },
  { name: 'depthwise stride 1, odd width', x: [2, 8, 19, 37], w: [8, 1, 3, 3], opts: { group: 8, pads: [1, 1, 1, 1] }, kernel: 'depthwise2d' },
  { name: 'depthwise multiplier 2, stride 3, dilation', x: [1, 5, 21, 50], w: [10, 1, 5, 3], opts: { group: 5, strides: [1, 3], dilations: [1, 2], pads: [2, 1, 0, 3] }, bias: true, kernel: 'depthwise2d' },
  { name: 'depthwise, image narrower than the kernel reach', x: [1, 16, 90, 3], w: [16, 1, 3, 5], opts: { group: 16, pads: [1, 2, 1, 2] }, bias: true, kernel: 'depthwise2d' },
  { name: 'pointwise 17→33', x: [1, 17, 15, 13], w: [33, 17, 1, 1], opts: {}, bias: true, kernel: 'gemm' },
  { name: 'pointwise without bias, batch 2', x: [2, 9, 21, 11], w: [14, 9, 1, 1], opts: {}, kernel: 'gemm' },
  { name: 'pointwise grouped', x: [1, 8, 60, 41], w: [12, 2, 1, 1], opts: { group: 4 }, bias: true, kernel: 'gemm' },
];

function tensors(c: Case, seed: number): { x: Tensor; w: Tensor; b?: Tensor } {
  const x = randomTensor(c.x, seed);
  const w = randomTensor(c.w, seed + 1);
  const b = c.bias ? randomTensor([c.w[0]], seed + 2) : undefined;
  return { x, w, b };
}

/** Runs `f` with the WebAssembly kernels on or off; with them on, also returns the kernels `split` ran. */
function withKernels<T>(rt: WasmKernels, wasm: boolean, f: () => T): { out: T; kernels: string[] } {
  const kernels: string[] = [];
  const original = rt.split;
  rt.split = (kernel, args, parts): void => {
    kernels.push(parts > 1 ? `${kernel}/${parts}` : kernel);
    original.call(rt, kernel, args, parts);
  };
  setWasmEnabled(wasm);
  try {
    return { out: f(), kernels };
  } finally {
    setWasmEnabled(true);
    rt.split = original;
  }
}

/** Sums of K products of values in [-1, 1): float32 summation order and fused multiply-adds differ. */
function tolerance(c: Case): { atol: number; rtol: number } {
  const k = (c.w[1] * c.w.slice(2).reduce((a, b) => a * b, 1));
  return { atol: 2e-6 * k + 1e-6, rtol: 1e-5 };
}

/** A fresh runtime of `flavour` on `threads` threads (the previous worker threads stopped). */
const setup = freshKernels;

afterEach(() => setWasmEnabled(true));
restoreKernelsAfterAll();

describe.each<[WasmFlavour, number]>(BUILDS)('WebAssembly conv (%s build, %i threads)', (flavour, threads) => {
  let rt: WasmKernels;
  beforeAll(() => {
    rt = setup(flavour, threads);
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('agrees with the TypeScript kernel: %s', (_, c, i) => {
    const { x, w, b } = tensors(c, 100 * i);
    if (i % 2 === 0) markConstant(w.data);
    const want = withKernels(rt, false, () => conv(x, w, b, c.opts)).out;
    const got = withKernels(rt, true, () => conv(x, w, b, c.opts));
    expect(got.kernels.map((k) => k.split('/')[0])).toContain(c.kernel);
    expectClose(got.out, want.data, want.shape, tolerance(c));
  });

  it.runIf(threads > 1)('splits big convolutions over the threads, and keeps those bound by memory on one', () => {
    const big: (Case & { parts: number })[] = [
      { name: 'conv 3×3 32→32 at 40²', x: [1, 32, 40, 40], w: [32, 32, 3, 3], opts: { pads: [1, 1, 1, 1] }, bias: true, kernel: 'conv2d', parts: threads },
      { name: 'pointwise 64→64 at 40²', x: [1, 64, 40, 40], w: [64, 64, 1, 1], opts: {}, bias: true, kernel: 'gemm', parts: threads },
      // 9 and 32 multiply-adds per output: bound by memory, one thread.
      { name: 'depthwise 3×3 64 at 56²', x: [1, 64, 56, 56], w: [64, 1, 3, 3], opts: { group: 64, pads: [1, 1, 1, 1] }, bias: true, kernel: 'depthwise2d', parts: 1 },
      { name: 'pointwise 32→64 at 80²', x: [1, 32, 80, 80], w: [64, 32, 1, 1], opts: {}, bias: true, kernel: 'gemm', parts: 1 },
    ];
    big.forEach((c, i) => {
      const { x, w, b } = tensors(c, 50 + i);
      const want = withKernels(rt, false, () => conv(x, w, b, c.opts)).out;
      const got = withKernels(rt, true, () => conv(x, w, b, c.opts));
      expect(got.kernels, c.name).toContain(c.parts > 1 ? `${c.kernel}/${c.parts}` : c.kernel);
      expectClose(got.out, want.data, want.shape, tolerance(c));
    });
  });

  it('propagates NaN and ±Inf from the input as the TypeScript kernel does', () => {
    for (const c of [CASES[1], CASES[5], CASES[11], CASES[15]]) {
      const { x, w, b } = tensors(c, 7);
      const xd = x.data as Float32Array;
      for (let i = 0; i < xd.length; i += 97) xd[i] = [NaN, Infinity, -Infinity, -0][(i / 97) % 4];
      setWasmEnabled(false);
      const want = conv(x, w, b, c.opts);
      setWasmEnabled(true);
      const got = conv(x, w, b, c.opts);
      expectClose(got, want.data, want.shape, tolerance(c));
      expect((got.data as Float32Array).some((v) => Number.isNaN(v)), c.name).toBe(true);
    }
  });
});

describe('WebAssembly conv against onnxruntime', () => {
  beforeAll(() => {
    setup('relaxed', 2);
  });

  it.each([
    ['strided, padded, dilated, grouped', [2, 6, 17, 19], [9, 2, 3, 3], { strides: [2, 1], pads: [1, 2, 0, 1], dilations: [1, 2], group: 3 }],
    ['depthwise 3×3 stride 2', [1, 32, 28, 28], [32, 1, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], group: 32 }],
    ['depthwise multiplier 3', [1, 4, 25, 33], [12, 1, 3, 3], { pads: [1, 1, 1, 1], group: 4, dilations: [2, 2] }],
    ['3×3 64→64 same', [1, 64, 20, 20], [64, 64, 3, 3], { pads: [1, 1, 1, 1] }],
    ['pointwise', [1, 32, 20, 20], [48, 32, 1, 1], {}],
  ] as const)('%s', async (_, xs, ws, attrs) => {
    const x = randomTensor([...xs], 11);
    const w = randomTensor([...ws], 12);
    const b = randomTensor([ws[0]], 13);
    markConstant(w.data);
    const [want] = await runOrt({ opType: 'Conv', inputs: [x, w, b], attributes: onnxAttributes({ ...attrs, kernelShape: ws.slice(2) }) });
    const got = conv(x, w, b, { ...attrs } as ConvOptions);
    expectClose(got, want.data, want.shape, { atol: 1e-4, rtol: 1e-4 });
  });
});

describe('convolutions that reach WebAssembly through gemm', () => {
  let rt: WasmKernels;
  beforeAll(() => {
    rt = setup('relaxed', 2);
  });

  it.each([
    ['3-D conv', () => conv(randomTensor([1, 6, 7, 9, 10], 1), randomTensor([8, 6, 3, 2, 3], 2), randomTensor([8], 3), { pads: [1, 0, 1, 1, 1, 2], strides: [1, 2, 1] })],
    ['ConvTranspose 2-D', () => convTranspose(randomTensor([1, 16, 13, 11], 4), randomTensor([16, 8, 3, 3], 5), randomTensor([8], 6), { strides: [2, 2], pads: [1, 1, 1, 1] })],
    ['ConvTranspose 1-D', () => convTranspose(randomTensor([2, 12, 50], 7), randomTensor([12, 6, 4], 8), undefined, { strides: [3] })],
  ] as const)('%s agrees with the TypeScript path and runs gemm', (_, run) => {
    const want = withKernels(rt, false, run).out;
    const got = withKernels(rt, true, run);
    expect(got.kernels.map((k) => k.split('/')[0])).toContain('gemm');
    expectClose(got.out, want.data, want.shape, { atol: 1e-4, rtol: 1e-5 });
  });
});
