import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../../src/engine/tensor';
import { computeLoss } from '../../../../src/engine/grad/losses';
import type { LossName } from '../../../../src/engine/grad/losses';
import { Optimizer } from '../../../../src/engine/grad/optimizers';
import type { OptimizerName } from '../../../../src/engine/grad/optimizers';

/**
 * Losses and optimizers of a training step against TensorFlow.js: its losses (values and tf.grad of them) and its
 * optimizers (sgd, momentum 0.9, adam with PyTorch's defaults) stepped on the same weights and gradients.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic values in [lo, hi). */
function values(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return lo + ((hi - lo) * s) / 2 ** 31;
  });
}

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i] - expected[i]), `element ${i}`).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i])));
}

const shape = [4, 3];
const oneHot = (rows: number, classes: number, seed: number): number[] =>
  values(rows, seed, 0, classes).flatMap((v) => Array.from({ length: classes }, (_, c) => (c === Math.floor(v) ? 1 : 0)));

/** tfjs's loss of output y (and its gradient by tf.grad) for each of ours. */
const ORACLES: Record<LossName, (t: tf.Tensor, y: tf.Tensor) => tf.Scalar> = {
  'mse': (t, y) => tf.losses.meanSquaredError(t, y) as tf.Scalar,
  'bce': (t, y) => tf.mean(tf.metrics.binaryCrossentropy(t, y)) as tf.Scalar,
  'bce-logits': (t, y) => tf.losses.sigmoidCrossEntropy(t, y) as tf.Scalar,
  // From probabilities that sum to one per row, tfjs's categorical cross-entropy is −Σ t·log p, averaged over rows.
  'cce': (t, y) => tf.neg(tf.mean(tf.sum(tf.mul(t, tf.log(tf.clipByValue(y, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar,
  'cce-logits': (t, y) => tf.losses.softmaxCrossEntropy(t, y) as tf.Scalar,
};

describe('losses against TensorFlow.js', () => {
  it.each<[LossName, () => { y: number[]; t: number[] }]>([
    ['mse', () => ({ y: values(12, 1), t: values(12, 2) })],
    ['bce', () => ({ y: values(12, 3, 0.01, 0.99), t: values(12, 4, 0, 1).map((v) => (v > 0.5 ? 1 : 0)) })],
    ['bce-logits', () => ({ y: values(12, 5, -4, 4), t: values(12, 6, 0, 1).map((v) => (v > 0.5 ? 1 : 0)) })],
    ['cce', () => {
      const logits = tf.tensor2d(values(12, 7, -2, 2), [4, 3]);
      return { y: Array.from(tf.softmax(logits).dataSync()), t: oneHot(4, 3, 8) };
    }],
    ['cce-logits', () => ({ y: values(12, 9, -3, 3), t: oneHot(4, 3, 10) })],
  ])('%s: the value and ∂loss/∂output', (name, make) => {
    const { y, t } = make();
    const ours = computeLoss(name, Tensor.from(shape, y), Tensor.from(shape, t));
    const tt = tf.tensor2d(t, [4, 3]);
    const f = (yy: tf.Tensor) => ORACLES[name](tt, yy);
    const expected = f(tf.tensor2d(y, [4, 3])).dataSync()[0];
    const grad = tf.grad(f)(tf.tensor2d(y, [4, 3])).dataSync();
    expect(Math.abs(ours.loss - expected)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(expected)));
    expectNear(ours.grad.data, grad, 1e-4);
  });

  it('refuses a target of another shape, in one sentence', () => {
    expect(() => computeLoss('mse', Tensor.from([2], [1, 2]), Tensor.from([1, 2], [1, 2]))).toThrow(/target's shape \[1, 2\] is not the output's \[2\]/);
  });
});

describe('optimizers against TensorFlow.js', () => {
  const tfOptimizer = (name: OptimizerName, lr: number): tf.Optimizer =>
    name === 'sgd' ? tf.train.sgd(lr) : name === 'momentum' ? tf.train.momentum(lr, 0.9) : tf.train.adam(lr, 0.9, 0.999, 1e-8);

  it.each<OptimizerName>(['sgd', 'momentum', 'adam'])('%s: five steps on two weights', (name) => {
    const lr = 0.05;
    const init = { a: values(6, 11), b: values(3, 12) };
    const ours = new Optimizer(name, lr);
    let weights = new Map<string, Tensor>([['a', Tensor.from([2, 3], init.a)], ['b', Tensor.from([3], init.b)]]);
    const theirs = tfOptimizer(name, lr);
    const va = tf.variable(tf.tensor2d(init.a, [2, 3]), true, `${name}_a`);
    const vb = tf.variable(tf.tensor1d(init.b), true, `${name}_b`);
    for (let k = 0; k < 5; k++) {
      const ga = values(6, 100 + k);
      const gb = values(3, 200 + k);
      weights = ours.step(weights, new Map([['a', Tensor.from([2, 3], ga)], ['b', Tensor.from([3], gb)]]));
      theirs.applyGradients({ [va.name]: tf.tensor2d(ga, [2, 3]), [vb.name]: tf.tensor1d(gb) });
    }
    expectNear(weights.get('a')!.data, va.dataSync(), 1e-5);
    expectNear(weights.get('b')!.data, vb.dataSync(), 1e-5);
  });

  it('keeps the weights it is given as they were', () => {
    const w = Tensor.from([2], [1, 2]);
    const next = new Optimizer('sgd', 0.5).step(new Map([['w', w]]), new Map([['w', Tensor.from([2], [1, 1])]]));
    expect(Array.from(w.data)).toEqual([1, 2]);
    expect(Array.from(next.get('w')!.data)).toEqual([0.5, 1.5]);
  });
});
