import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import type { LossName } from '../../../src/engine/grad/losses';
import type { OptimizerName } from '../../../src/engine/grad/optimizers';
import type { Model } from '../../../src/model/ir';
import { trainData } from '../../../src/runner/train/data';
import { Trainer } from '../../../src/runner/train/trainer';
import { load, modelOf } from '../loaders/nativeHelpers';
import { seededValues } from '../../fixtures/runner/seeded';

/**
 * Training steps against TensorFlow.js training the same model on the same data with the same optimizer: the loss of
 * every step (measured before its update) and the weights after the last step.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = seededValues;

interface Layer { name: string; kernel: number[]; kshape: number[]; bias: number[] }

function tfOptimizer(name: OptimizerName, lr: number): tf.Optimizer {
  if (name === 'sgd') return tf.train.sgd(lr);
  if (name === 'momentum') return tf.train.momentum(lr, 0.9);
  return tf.train.adam(lr, 0.9, 0.999, 1e-8);
}

function tfLoss(loss: LossName, y: tf.Tensor, t: tf.Tensor): tf.Scalar {
  const eps = 1e-7;
  switch (loss) {
    case 'mse': return tf.mean(tf.square(tf.sub(y, t)));
    case 'cce': return tf.mean(tf.neg(tf.sum(tf.mul(t, tf.log(tf.clipByValue(y, eps, 1 - eps))), -1)));
    case 'cce-logits': return tf.losses.softmaxCrossEntropy(t, y) as tf.Scalar;
    case 'bce': {
      const p = tf.clipByValue(y, eps, 1 - eps);
      return tf.mean(tf.neg(tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p))))));
    }
    case 'bce-logits': return tf.losses.sigmoidCrossEntropy(t, y) as tf.Scalar;
  }
}

/** Trains with TensorFlow.js: the loss of each step and the final weights by `layer.kernel` / `layer.bias`. */
function tfTrain(layers: Layer[], forward: (v: Record<string, tf.Variable>, x: tf.Tensor) => tf.Tensor, x: tf.Tensor, t: tf.Tensor, loss: LossName, opt: OptimizerName, lr: number, steps: number) {
  const v: Record<string, tf.Variable> = {};
  for (const l of layers) {
    v[`${l.name}.kernel`] = tf.variable(tf.tensor(l.kernel, l.kshape));
    v[`${l.name}.bias`] = tf.variable(tf.tensor(l.bias, [l.bias.length]));
  }
  const optimizer = tfOptimizer(opt, lr);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const cost = optimizer.minimize(() => tfLoss(loss, forward(v, x), t), true, Object.values(v)) as tf.Scalar;
    losses.push(cost.dataSync()[0]);
  }
  const weights = Object.fromEntries(Object.entries(v).map(([k, t]) => [k, Array.from(t.dataSync())]));
  return { losses, weights };
}

async function ours(model: Model, x: Tensor, t: Tensor, loss: LossName, optimizer: OptimizerName, lr: number, steps: number) {
  const data = trainData(new Map([[model.inputs[0].name, x]]), new Map([[model.outputs[0]?.name ?? model.root.outputs[0], t]]), 'data.json');
  const trainer = await Trainer.create(model, data, { loss, optimizer, learningRate: lr });
  const losses = await trainer.train(steps);
  return { losses: [...losses], trainer };
}

let worstRel = 0;
afterAll(() => console.log(`worst relative difference from TensorFlow.js: ${worstRel.toExponential(2)}`));
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = atol) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) worstRel = Math.max(worstRel, Math.abs(actual[i] - expected[i]) / Math.max(1e-3, Math.abs(expected[i])));
  for (let i = 0; i < expected.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
  }
}

function mlpLayers(seed: number, sizes: number[]): Layer[] {
  return sizes.slice(1).map((units, i) => ({
    name: `dense${i + 1}`,
    kernel: values(sizes[i] * units, seed + i, 0.6),
    kshape: [sizes[i], units],
    bias: values(units, seed + 10 + i, 0.1),
  }));
}

function nativeDense(layers: Layer[], activations: string[]): unknown[] {
  return layers.map((l, i) => ({
    name: l.name, type: 'dense', units: l.bias.length, activation: activations[i],
    weights: { kernel: { shape: l.kshape, data: l.kernel }, bias: l.bias },
  }));
}

const tfAct = (a: string, x: tf.Tensor): tf.Tensor => (a === 'relu' ? tf.relu(x) : a === 'tanh' ? tf.tanh(x) : a === 'sigmoid' ? tf.sigmoid(x) : a === 'softmax' ? tf.softmax(x) : x);

function tfDense(layers: Layer[], activations: string[]) {
  return (v: Record<string, tf.Variable>, x: tf.Tensor): tf.Tensor =>
    layers.reduce((h, l, i) => tfAct(activations[i], tf.add(tf.matMul(h as tf.Tensor2D, v[`${l.name}.kernel`] as unknown as tf.Tensor2D), v[`${l.name}.bias`])), x);
}

async function compareMlp(loss: LossName, optimizer: OptimizerName, activations: string[], targets: (rows: number, classes: number) => number[], lr: number, steps: number) {
  const sizes = [4, 6, 3];
  const rows = 8;
  const layers = mlpLayers(7, sizes);
  const model = await load(modelOf(nativeDense(layers, activations), { name: 'x', shape: [null as unknown as number, 4] }));
  const xs = values(rows * 4, 99);
  const ts = targets(rows, 3);
  const x = Tensor.from([rows, 4], xs);
  const t = Tensor.from([rows, 3], ts);
  const mine = await ours(model, x, t, loss, optimizer, lr, steps);
  const theirs = tfTrain(layers, tfDense(layers, activations), tf.tensor(xs, [rows, 4]), tf.tensor(ts, [rows, 3]), loss, optimizer, lr, steps);
  expectClose(mine.losses, theirs.losses, 1e-5, 1e-4);
  const trained = mine.trainer.weights();
  for (const l of layers) {
    expectClose(trained.get(`${l.name}.kernel`)!.data as Float32Array, theirs.weights[`${l.name}.kernel`], 1e-5, 1e-4);
    expectClose(trained.get(`${l.name}.bias`)!.data as Float32Array, theirs.weights[`${l.name}.bias`], 1e-5, 1e-4);
  }
  // Training did something: the loss fell.
  expect(mine.losses[mine.losses.length - 1]).toBeLessThan(mine.losses[0]);
  return mine;
}

const oneHot = (rows: number, classes: number): number[] => Array.from({ length: rows * classes }, (_, i) => (Math.floor(i / classes) % classes === i % classes ? 1 : 0));

describe('training an MLP, against TensorFlow.js', () => {
  it('MSE with SGD', async () => {
    await compareMlp('mse', 'sgd', ['relu', 'linear'], (r, c) => values(r * c, 5), 0.1, 6);
  });
  it('MSE with momentum', async () => {
    await compareMlp('mse', 'momentum', ['tanh', 'linear'], (r, c) => values(r * c, 5), 0.05, 6);
  });
  it('categorical cross-entropy from softmax, with Adam', async () => {
    await compareMlp('cce', 'adam', ['relu', 'softmax'], oneHot, 0.01, 6);
  });
  it('categorical cross-entropy from logits, with SGD', async () => {
    await compareMlp('cce-logits', 'sgd', ['sigmoid', 'linear'], oneHot, 0.2, 5);
  });
  it('binary cross-entropy from sigmoid and from logits', async () => {
    const bits = (r: number, c: number) => values(r * c, 3).map((v) => (v > 0 ? 1 : 0));
    await compareMlp('bce', 'adam', ['tanh', 'sigmoid'], bits, 0.02, 5);
    await compareMlp('bce-logits', 'momentum', ['tanh', 'linear'], bits, 0.1, 5);
  });
});

describe('training a small CNN, against TensorFlow.js', () => {
  it('conv, relu, max pool, conv, average pool, flatten, dense softmax with cross-entropy and Adam', async () => {
    const rows = 4;
    const [C, H, W] = [2, 8, 8];
    const conv1 = { name: 'conv1', kernel: values(4 * C * 3 * 3, 11, 0.4), kshape: [4, C, 3, 3], bias: values(4, 12, 0.1) };
    const conv2 = { name: 'conv2', kernel: values(6 * 4 * 3 * 3, 13, 0.3), kshape: [6, 4, 3, 3], bias: values(6, 14, 0.1) };
    const dense = { name: 'out', kernel: values(6 * 2 * 2 * 3, 15, 0.3), kshape: [24, 3], bias: values(3, 16, 0.1) };
    const model = await load(modelOf([
      { name: 'conv1', type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', weights: { kernel: { shape: conv1.kshape, data: conv1.kernel }, bias: conv1.bias } },
      { name: 'pool1', type: 'maxPool2d', poolSize: 2 },
      { name: 'conv2', type: 'conv2d', filters: 6, kernelSize: 3, strides: 1, padding: 'same', weights: { kernel: { shape: conv2.kshape, data: conv2.kernel }, bias: conv2.bias } },
      { name: 'relu2', type: 'relu' },
      { name: 'pool2', type: 'averagePool2d', poolSize: 2 },
      { name: 'flatten', type: 'flatten' },
      { name: 'out', type: 'dense', units: 3, activation: 'softmax', weights: { kernel: { shape: dense.kshape, data: dense.kernel }, bias: dense.bias } },
    ], { name: 'image', shape: [null as unknown as number, C, H, W] }));
    const xs = values(rows * C * H * W, 21);
    const ts = oneHot(rows, 3);
    const mine = await ours(model, Tensor.from([rows, C, H, W], xs), Tensor.from([rows, 3], ts), 'cce', 'adam', 0.01, 4);
    // TensorFlow.js is channels-last: the image and kernels are transposed in, and back to NCHW before flattening.
    const hwio = (l: Layer) => tf.transpose(tf.tensor(l.kernel, l.kshape), [2, 3, 1, 0]);
    const layers = [
      { ...conv1, kernel: Array.from(hwio(conv1).dataSync()), kshape: [3, 3, C, 4] },
      { ...conv2, kernel: Array.from(hwio(conv2).dataSync()), kshape: [3, 3, 4, 6] },
      dense,
    ];
    const forward = (v: Record<string, tf.Variable>, x: tf.Tensor): tf.Tensor => {
      let h = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, v['conv1.kernel'] as unknown as tf.Tensor4D, 1, 'same'), v['conv1.bias']));
      h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
      h = tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, v['conv2.kernel'] as unknown as tf.Tensor4D, 1, 'same'), v['conv2.bias']));
      h = tf.avgPool(h as tf.Tensor4D, 2, 2, 'valid');
      const flat = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [rows, 24]);
      return tf.softmax(tf.add(tf.matMul(flat as tf.Tensor2D, v['out.kernel'] as unknown as tf.Tensor2D), v['out.bias']));
    };
    const x = tf.transpose(tf.tensor(xs, [rows, C, H, W]), [0, 2, 3, 1]);
    const theirs = tfTrain(layers, forward, x, tf.tensor(ts, [rows, 3]), 'cce', 'adam', 0.01, 4);
    expectClose(mine.losses, theirs.losses, 1e-5, 1e-4);
    const trained = mine.trainer.weights();
    const back = (data: number[], shape: number[]) => Array.from(tf.transpose(tf.tensor(data, shape), [3, 2, 0, 1]).dataSync());
    expectClose(trained.get('conv1.kernel')!.data as Float32Array, back(theirs.weights['conv1.kernel'], [3, 3, C, 4]), 1e-5, 1e-3);
    expectClose(trained.get('conv2.kernel')!.data as Float32Array, back(theirs.weights['conv2.kernel'], [3, 3, 4, 6]), 1e-5, 1e-3);
    expectClose(trained.get('out.kernel')!.data as Float32Array, theirs.weights['out.kernel'], 1e-5, 1e-3);
    expectClose(trained.get('conv1.bias')!.data as Float32Array, theirs.weights['conv1.bias'], 1e-5, 1e-3);
  });
});
