import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, it } from 'vitest';
import { BUILDS, freshKernels, restoreKernelsAfterAll } from './kernelSetup';
import { batchNormalization, layerNormalization } from '../../../../src/engine/kernels/norm';
import { logSoftmax, softmax } from '../../../../src/engine/kernels/softmax';
import { batchNormLastAxis } from '../../../../src/engine/kernels/tfMath';
import { setWasmEnabled, useWasmKernels } from '../../../../src/engine/wasm/index';
import { setNormCrossovers } from '../../../../src/engine/wasm/norm';
import { WasmKernels } from '../../../../src/engine/wasm/runtime';
import type { WasmFlavour } from '../../../../src/engine/wasm/runtime';
import { configureEngine, releaseEngineThreads } from '../../../../src/node/engineSetup';
import { expectClose, randomTensor } from '../helpers';
import { runOrt } from '../ortOracle';

setFlagsFromString('--experimental-wasm-relaxed-simd');

function both<T>(f: () => T): [T, T] {
  setWasmEnabled(false);
  const ref = f();
  setWasmEnabled(true);
  return [ref, f()];
}

afterEach(() => {
  setWasmEnabled(true);
  setNormCrossovers(true);
});
restoreKernelsAfterAll();

describe.each<[WasmFlavour, number]>(BUILDS)('WebAssembly normalisations (%s build, %i threads)', (flavour, threads) => {
  function setup(): void {
    freshKernels(flavour, threads);
    setNormCrossovers(false);
  }

  it('softmax and log-softmax over the last axis agree with the TypeScript kernel, NaN and Inf rows included', () => {
    setup();
    for (const shape of [[1, 1], [3, 5], [2, 17], [12, 128, 128], [7, 1027]]) {
      const x = randomTensor(shape, shape.length * 31 + shape[shape.length - 1], -20, 20);
      const n = shape[shape.length - 1];
      if (x.size > 2 * n) {
        x.data[1] = NaN;
        x.data[n] = Infinity;
        x.data[2 * n] = -Infinity;
      }
      for (const f of [softmax, logSoftmax]) {
        const [ref, got] = both(() => f(x));
        expectClose(got, ref.data, shape, { atol: 1e-6, rtol: 2e-6 });
      }
    }
  });

  it('layer norm over the last axis agrees with the TypeScript kernel, with and without bias', () => {
    setup();
    for (const [rows, d] of [[1, 1], [3, 5], [2, 17], [128, 768], [5, 1027]]) {
      const x = randomTensor([rows, d], rows + d, -3, 5);
      const scale = randomTensor([d], 2 * d, 0.5, 1.5);
      const bias = randomTensor([d], 3 * d);
      for (const b of [bias, undefined]) {
        const [ref, got] = both(() => layerNormalization(x, scale, b, -1, 1e-5));
        expectClose(got.y, ref.y.data, [rows, d], { atol: 2e-5, rtol: 1e-5 });
        expectClose(got.mean, ref.mean.data, [rows, 1], { atol: 1e-6, rtol: 1e-6 });
        expectClose(got.invStdDev, ref.invStdDev.data, [rows, 1], { atol: 1e-6, rtol: 1e-5 });
      }
    }
  });

  it('batch norm agrees per channel of NCHW and of channels-last', () => {
    setup();
    for (const shape of [[1, 3, 1, 1], [2, 5, 3, 7], [1, 64, 56, 56]]) {
      const c = shape[1];
      const x = randomTensor(shape, c, -4, 4);
      const p = [1, 2, 3].map((k) => randomTensor([c], c * 10 + k));
      const variance = randomTensor([c], c * 10 + 9, 0.1, 2);
      const [ref, got] = both(() => batchNormalization(x, p[0], p[1], p[2], variance, 1e-5));
      expectClose(got, ref.data, shape, { atol: 1e-5, rtol: 1e-6 });
      const nhwc = randomTensor([shape[0], shape[2], shape[3], c], c + 1, -4, 4);
      const [ref2, got2] = both(() => batchNormLastAxis(nhwc, p[0], p[1], p[2], variance, 1e-3));
      expectClose(got2, ref2.data, nhwc.shape, { atol: 1e-5, rtol: 1e-6 });
    }
  });
});

describe('WebAssembly normalisations against onnxruntime', () => {
  it('Softmax over 12×128×128 (attention scores) and LayerNormalization over 128×768', async () => {
    useWasmKernels(new WasmKernels('relaxed'));
    releaseEngineThreads();
    configureEngine({ threads: 2 });
    const s = randomTensor([12, 128, 128], 1, -8, 8);
    const want = (await runOrt({ opType: 'Softmax', inputs: [s], attributes: { axis: -1 } }))[0];
    expectClose(softmax(s), want.data, s.shape, { atol: 1e-6, rtol: 1e-5 });
    const x = randomTensor([128, 768], 2, -3, 3);
    const scale = randomTensor([768], 3, 0.5, 1.5);
    const bias = randomTensor([768], 4);
    const ln = await runOrt({ opType: 'LayerNormalization', inputs: [x, scale, bias], attributes: { axis: -1, epsilon: { float: 1e-5 } }, opset: 17 });
    expectClose(layerNormalization(x, scale, bias).y, ln[0].data, x.shape, { atol: 2e-5, rtol: 1e-5 });
  });
});
