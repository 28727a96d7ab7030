import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops';
import {
  clip, elu, gelu, leakyRelu, relu, selu, sigmoid, silu, softplus, softsign, tanh,
} from '../../../src/engine/ops/activations';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomIntTensor, randomTensor } from './helpers';
import { runOrt } from './ortOracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');

/** Inputs spanning the interesting range, with exact zeros and large magnitudes mixed in. */
function inputs(seed: number): Tensor {
  const x = randomTensor([6, 50], seed, -8, 8);
  x.data[0] = 0;
  x.data[1] = -0;
  x.data[2] = 60;
  x.data[3] = -60;
  return x;
}

describe('activations against tfjs', () => {
  const CASES: [string, (x: Tensor) => Tensor, (x: tf.Tensor) => tf.Tensor][] = [
    ['relu', relu, tf.relu],
    ['sigmoid', sigmoid, tf.sigmoid],
    ['tanh', tanh, tf.tanh],
    ['softplus', softplus, tf.softplus],
    ['softsign', softsign, (x) => tf.div(x, tf.add(1, tf.abs(x)))],
    ['leakyRelu', (x) => leakyRelu(x, 0.2), (x) => tf.leakyRelu(x, 0.2)],
    ['elu', elu, tf.elu],
    ['selu', selu, tf.selu],
    ['silu', (x) => silu(x, 1.5), (x) => tf.mul(x, tf.sigmoid(tf.mul(1.5, x)))],
  ];
  CASES.forEach(([name, ours, theirs], i) => {
    it(`${name} matches tfjs`, () => {
      const x = inputs(i + 1);
      const want = theirs(tfOf(x));
      expectClose(ours(x), want.dataSync(), want.shape, { atol: 1e-6, rtol: 1e-5 });
    });
  });
});

describe('activations against onnxruntime', () => {
  it('gelu matches Gelu-20, exact and tanh-approximated', async () => {
    const x = inputs(20);
    for (const approximate of ['none', 'tanh']) {
      const want = (await runOrt({ opType: 'Gelu', inputs: [x], attributes: { approximate }, opset: 20 }))[0];
      expectClose(defaultOps.run('gelu', [x], { approximate })[0], want.data, want.shape, { atol: 1e-6, rtol: 1e-5 });
    }
  });

  it('gelu keeps the relative accuracy of its small negative tail', () => {
    // x·Φ(x) at x = -7 is about -9e-12, where 1 + erf(x/√2) would round to 0. The oracle is the asymptotic
    // series Φ(x) ≈ φ(x)/|x| · (1 − 1/x² + 3/x⁴ − 15/x⁶ + 105/x⁸), good to ~1e-5 relative at |x| = 7.
    const x = -7;
    const phi = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const x2 = x * x;
    const want = x * (phi / -x) * (1 - 1 / x2 + 3 / x2 ** 2 - 15 / x2 ** 3 + 105 / x2 ** 4);
    const y = gelu(Tensor.from([1], [x])).data[0];
    expect(Math.abs(y / want - 1)).toBeLessThan(1e-4);
  });

  it('hardSigmoid, leakyRelu, elu and selu follow the ONNX defaults and attributes', async () => {
    const x = inputs(21);
    const cases: [string, string, Record<string, number>][] = [
      ['hardSigmoid', 'HardSigmoid', {}],
      ['hardSigmoid', 'HardSigmoid', { alpha: 0.3, beta: 0.4 }],
      ['leakyRelu', 'LeakyRelu', {}],
      ['elu', 'Elu', { alpha: 0.7 }],
      ['selu', 'Selu', {}],
      ['softplus', 'Softplus', {}],
      ['softsign', 'Softsign', {}],
    ];
    for (const [ours, onnx, attrs] of cases) {
      const onnxAttrs = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { float: v }]));
      const want = (await runOrt({ opType: onnx, inputs: [x], attributes: onnxAttrs }))[0];
      expectClose(defaultOps.run(ours, [x], attrs)[0], want.data, want.shape, { atol: 1e-6, rtol: 1e-5 });
    }
  });

  it('clip matches Clip-13 with bounds as inputs, one bound, or none', async () => {
    const x = inputs(22);
    const lo = Tensor.scalar(-1.5);
    const hi = Tensor.scalar(2);
    for (const bounds of [[lo, hi], [lo], [undefined, hi], []] as (Tensor | undefined)[][]) {
      const want = (await runOrt({ opType: 'Clip', inputs: [x, ...bounds] }))[0];
      expectClose(defaultOps.run('clip', [x, ...bounds])[0], want.data, want.shape, { atol: 0, rtol: 0 });
    }
  });

  it('clip takes its bounds from attributes too, and keeps an integer dtype', async () => {
    const x = randomIntTensor([20], 5, -10, 10, 'int64');
    const want = (await runOrt({ opType: 'Clip', inputs: [x, Tensor.scalar(-3, 'int64'), Tensor.scalar(4, 'int64')] }))[0];
    const got = defaultOps.run('clip', [x], { min: -3, max: 4 })[0];
    expect(got.dtype).toBe('int64');
    expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
  });

  it('clip sets everything to max when min > max, as the spec says', () => {
    expect(clip(Tensor.from([3], [-5, 0, 5]), 2, 1).toArray()).toEqual([1, 1, 1]);
  });
});

describe('activation edge cases', () => {
  it('propagates NaN through relu, leakyRelu, elu, gelu, sigmoid, hardSigmoid and clip', () => {
    const x = Tensor.from([2], [NaN, -1]);
    for (const op of ['relu', 'leakyRelu', 'elu', 'selu', 'gelu', 'sigmoid', 'tanh', 'softplus', 'softsign', 'hardSigmoid', 'silu', 'clip']) {
      expect(defaultOps.run(op, [x], op === 'clip' ? { min: 0, max: 1 } : {})[0].data[0], op).toBeNaN();
    }
  });

  it('keeps sigmoid and softplus finite and exact for large inputs', () => {
    const x = Tensor.from([4], [-1000, 1000, -100, 100]);
    expect(sigmoid(x).toArray()).toEqual([0, 1, Math.fround(Math.exp(-100)), 1]);
    expect(softplus(x).toArray()).toEqual([0, 1000, Math.fround(Math.exp(-100)), 100]);
  });

  it('relu keeps integer dtypes and refuses bool', () => {
    const r = relu(Tensor.from([3], [-2, 0, 3], 'int32'));
    expect(r.dtype).toBe('int32');
    expect(r.toArray()).toEqual([0, 0, 3]);
    expect(() => relu(Tensor.from([1], [1], 'bool'))).toThrow("relu: input 'x' is bool");
  });

  it('names the op and attribute when an attribute is malformed', () => {
    expect(() => defaultOps.run('gelu', [Tensor.from([1], [1])], { approximate: 'fast' })).toThrow(/gelu: attribute 'approximate'/);
    expect(() => defaultOps.run('clip', [Tensor.from([1], [1]), Tensor.from([2], [0, 1])])).toThrow("clip: 'min' must be a single number");
  });
});
