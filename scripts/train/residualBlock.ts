import * as tf from '@tensorflow/tfjs';
import { convKernel, fromTf, ref } from './convert';
import { rows, stack, trainLoop } from './fit';
import { batchNormTrain, conv3x3, filled, glorotKernel, heKernel } from './layersFn';
import { nativeModel } from './model';
import { Rng } from './rng';
import { SHAPE_LABELS, SHAPE_NAMES, drawShape, shapeSet } from './shapes';
import type { Tensor } from '../../src/engine/tensor';
import type { TrainedExample } from './types';

const EPSILON = 1e-3;
const FILTERS = 8;
const TRAIN = 2000;
const EPOCHS = 4;
type Conv = 'stem' | 'conv1' | 'conv2';
type Norm = 'stem_bn' | 'bn1' | 'bn2';

interface Params {
  kernels: Record<Conv, tf.Variable>;
  gamma: Record<Norm, tf.Variable>;
  beta: Record<Norm, tf.Variable>;
  classifier: { kernel: tf.Variable; bias: tf.Variable };
}

/** Inference statistics of each batch norm, measured after training. */
type Stats = Record<Norm, { mean: tf.Tensor; variance: tf.Tensor }>;

/**
 * The network as trained (im2col convolutions, batch statistics). With `measure`, it instead normalises with the
 * statistics of the whole batch it is given and records them: one pass over the training set yields the
 * inference mean and variance of every batch norm, each measured on inputs normalised by the ones before it.
 */
function trainForward(x: tf.Tensor4D, p: Params, measure?: Partial<Stats>): tf.Tensor {
  const bn = (y: tf.Tensor4D, n: Norm) => {
    if (measure) {
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      measure[n] = { mean: tf.keep(mean), variance: tf.keep(variance) };
    }
    return batchNormTrain(y, p.gamma[n], p.beta[n], EPSILON);
  };
  const stem = bn(conv3x3(x, p.kernels.stem as tf.Tensor4D, 'valid', 2), 'stem_bn').relu() as tf.Tensor4D;
  let f = bn(conv3x3(stem, p.kernels.conv1 as tf.Tensor4D, 'same'), 'bn1').relu() as tf.Tensor4D;
  f = bn(conv3x3(f, p.kernels.conv2 as tf.Tensor4D, 'same'), 'bn2');
  const pooled = stem.add(f).relu().mean([1, 2]) as tf.Tensor2D;
  return pooled.matMul(p.classifier.kernel as tf.Tensor2D).add(p.classifier.bias);
}

/** The inference network with tfjs's own conv2d and batchNorm: the reference for the engine. Probabilities. */
function referenceForward(x: tf.Tensor4D, p: Params, s: Stats): tf.Tensor2D {
  const bn = (y: tf.Tensor4D, n: Norm) =>
    tf.batchNorm(y, s[n].mean as tf.Tensor1D, s[n].variance as tf.Tensor1D, p.beta[n] as tf.Tensor1D, p.gamma[n] as tf.Tensor1D, EPSILON);
  const stem = bn(tf.conv2d(x, p.kernels.stem as tf.Tensor4D, 2, 'valid'), 'stem_bn').relu() as tf.Tensor4D;
  let f = bn(tf.conv2d(stem, p.kernels.conv1 as tf.Tensor4D, 1, 'same'), 'bn1').relu() as tf.Tensor4D;
  f = bn(tf.conv2d(f, p.kernels.conv2 as tf.Tensor4D, 1, 'same'), 'bn2');
  const pooled = stem.add(f).relu().mean([1, 2]) as tf.Tensor2D;
  return tf.softmax(pooled.matMul(p.classifier.kernel as tf.Tensor2D).add(p.classifier.bias)) as tf.Tensor2D;
}

/**
 * conv (stride 2) → batchNorm → relu → residual{conv → batchNorm → relu → conv → batchNorm} → relu →
 * globalAveragePool → dense 4 softmax, trained on drawn outline shapes.
 */
export async function trainResidualBlock(): Promise<TrainedExample> {
  const rng = new Rng(404);
  const train = shapeSet(TRAIN, rng);
  const test = shapeSet(800, new Rng(405));
  const p: Params = {
    kernels: { stem: heKernel(rng, 1, FILTERS), conv1: heKernel(rng, FILTERS, FILTERS), conv2: heKernel(rng, FILTERS, FILTERS) },
    gamma: { stem_bn: filled(FILTERS, 1), bn1: filled(FILTERS, 1), bn2: filled(FILTERS, 1) },
    beta: { stem_bn: filled(FILTERS, 0), bn1: filled(FILTERS, 0), bn2: filled(FILTERS, 0) },
    classifier: { kernel: glorotKernel(rng, FILTERS, 4), bias: filled(4, 0) },
  };
  const x = stack(train.images, [28, 28, 1]) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 4);
  const loss = trainLoop({
    count: train.images.length, batchSize: 32, epochs: EPOCHS, rng, optimizer: tf.train.adam(0.01),
    loss: (idx) => tf.losses.softmaxCrossEntropy(rows(y, idx), trainForward(rows(x, idx), p)) as tf.Scalar,
  });
  const measured: Partial<Stats> = {};
  tf.tidy(() => void trainForward(x, p, measured));
  const stats = measured as Stats;

  const testProbs = referenceForward(stack(test.images, [28, 28, 1]) as tf.Tensor4D, p, stats);
  const predicted = testProbs.argMax(-1).dataSync();
  const acc = test.labels.filter((l, i) => predicted[i] === l).length / test.labels.length;

  const exampleRng = new Rng(406);
  const examples = [0, 1, 2, 3].map((s) => ({ name: SHAPE_NAMES[s], data: Array.from(drawShape(s, exampleRng)) }));
  const probs = referenceForward(stack(examples.map((e) => e.data), [28, 28, 1]) as tf.Tensor4D, p, stats).arraySync();

  const weights: Record<string, Tensor> = {};
  const put = (key: string, t: Tensor) => ((weights[key] = t), ref(key, t));
  // Keys are the layer ids (`block/conv1.kernel`), the names the loader would look up by default.
  const id = (name: string) => (name === 'stem' || name === 'stem_bn' ? name : `block/${name}`);
  const conv = (name: Conv, strides: number, padding: string) => ({
    name, type: 'conv2d', filters: FILTERS, kernelSize: 3, strides, padding, useBias: false,
    weights: { kernel: put(`${id(name)}.kernel`, convKernel(p.kernels[name])) },
  });
  const norm = (name: Norm) => ({
    name, type: 'batchNorm', epsilon: EPSILON, weights: {
      gamma: put(`${id(name)}.gamma`, fromTf(p.gamma[name])), beta: put(`${id(name)}.beta`, fromTf(p.beta[name])),
      mean: put(`${id(name)}.mean`, fromTf(stats[name].mean)), variance: put(`${id(name)}.variance`, fromTf(stats[name].variance)),
    },
  });
  const result = `held-out accuracy ${(acc * 100).toFixed(1)}% (800 drawn shapes)`;
  const model = nativeModel({
    name: 'residual-block',
    description: 'A stem convolution and one residual block with batch normalisation, classifying drawn outline shapes (circle, square, triangle, cross) in 1×28×28 images.',
    input: { name: 'image', shape: [1, 1, 28, 28] },
    output: 'probs',
    weightsFile: true,
    layers: [
      conv('stem', 2, 'valid'),
      norm('stem_bn'),
      { name: 'stem_relu', type: 'relu' },
      { name: 'block', type: 'residual', layers: [conv('conv1', 1, 'same'), norm('bn1'), { name: 'relu', type: 'relu' }, conv('conv2', 1, 'same'), norm('bn2')] },
      { name: 'relu', type: 'relu' },
      { name: 'pool', type: 'globalAveragePool' },
      {
        name: 'classifier', type: 'dense', units: 4, activation: 'softmax',
        weights: { kernel: put('classifier.kernel', fromTf(p.classifier.kernel)), bias: put('classifier.bias', fromTf(p.classifier.bias)) },
      },
    ],
    labels: SHAPE_LABELS,
    examples,
    result,
  });
  tf.dispose([x, y, testProbs, ...Object.values(stats).flatMap((s) => [s.mean, s.variance])]);
  const top = probs.map((q) => q.indexOf(Math.max(...q)));
  return {
    folder: 'residual-block',
    model,
    weights,
    expected: examples.map((e, i) => ({ example: e.name, shape: [1, 4], data: probs[i] })),
    metrics: [
      `${result}; train loss ${loss.toFixed(4)}`,
      `examples: ${examples.map((e, i) => `${e.name} → ${SHAPE_LABELS[top[i]]} (${(probs[i][top[i]] * 100).toFixed(1)}%)`).join(', ')}`,
    ],
    readme: [
      '# residual-block',
      '',
      'A stem and one residual block, ResNet style, on one-channel 28×28 images (NCHW):',
      '`conv2d` 8×3×3 stride 2 → `batchNorm` → `relu` → `residual` { `conv2d` → `batchNorm` → `relu` → `conv2d` → `batchNorm` }',
      '(plus the identity shortcut) → `relu` → `globalAveragePool` → `dense` 4 softmax. The convolutions have no bias: the',
      'batch norm after each supplies it.',
      '',
      `Trained with tfjs (Adam, ${EPOCHS} epochs, batch statistics) on ${TRAIN} drawn outlines of a circle, a square, a triangle or a`,
      'cross (random size, position, rotation, pen width, noise). The batch norms\' mean and variance were then measured over',
      `the whole training set with the final weights. On 800 other drawings it is ${(acc * 100).toFixed(1)}% right.`,
      '',
      'Step into `block` to see the residual call its layers and then add the shortcut.',
      '',
    ].join('\n'),
  };
}
