import * as tf from '@tensorflow/tfjs';
import { fromTf, ref } from './convert';
import { DIGIT_LABELS, DIGIT_NAMES, digitSet, drawDigit } from './digits';
import { accuracy, fitSeeded, glorot, stack } from './fit';
import { nativeModel } from './model';
import { Rng } from './rng';
import type { TrainedExample } from './types';

/** Digits shown as examples, in this order. */
const EXAMPLE_DIGITS = [7, 3, 0];
const TRAIN = 3000;
const EPOCHS = 3;

/** 784-128-64-10 (relu, relu, softmax) trained on synthetic drawn digits. */
export async function trainMnistMlp(): Promise<TrainedExample> {
  const rng = new Rng(202);
  const train = digitSet(TRAIN, rng);
  const test = digitSet(1000, new Rng(203));
  const net = tf.sequential({
    layers: [
      tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784], kernelInitializer: glorot(21) }),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: glorot(22) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(23) }),
    ],
  });
  net.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' });
  const x = stack(train.images, [784]);
  const y = tf.tensor1d(train.labels, 'float32');
  const loss = await fitSeeded(net, x, y, { epochs: EPOCHS, batchSize: 32, rng });
  const acc = accuracy(net, stack(test.images, [784]), test.labels);

  const exampleRng = new Rng(204);
  const examples = EXAMPLE_DIGITS.map((d) => ({ name: DIGIT_NAMES[d], data: Array.from(drawDigit(d, exampleRng)) }));
  const probs = (net.predict(stack(examples.map((e) => e.data), [784])) as tf.Tensor).arraySync() as number[][];

  const [k1, b1, k2, b2, k3, b3] = net.getWeights().map(fromTf);
  const weights = { 'hidden1.kernel': k1, 'hidden1.bias': b1, 'hidden2.kernel': k2, 'hidden2.bias': b2, 'out.kernel': k3, 'out.bias': b3 };
  const result = `held-out accuracy ${(acc * 100).toFixed(1)}% (1000 drawn digits)`;
  const model = nativeModel({
    name: 'mnist-mlp',
    description: 'An MNIST-size multilayer perceptron (784-128-64-10) trained on synthetic hand-drawn digits: 28×28 images flattened to 784 values in [0, 1].',
    input: { name: 'x', shape: [1, 784] },
    output: 'probs',
    weightsFile: true,
    layers: [
      { name: 'hidden1', type: 'dense', units: 128, activation: 'relu', weights: { kernel: ref('hidden1.kernel', k1), bias: ref('hidden1.bias', b1) } },
      { name: 'hidden2', type: 'dense', units: 64, activation: 'relu', weights: { kernel: ref('hidden2.kernel', k2), bias: ref('hidden2.bias', b2) } },
      { name: 'out', type: 'dense', units: 10, activation: 'softmax', weights: { kernel: ref('out.kernel', k3), bias: ref('out.bias', b3) } },
    ],
    labels: DIGIT_LABELS,
    examples,
    result,
  });
  const top = probs.map((p) => p.indexOf(Math.max(...p)));
  return {
    folder: 'mnist-mlp',
    model,
    weights,
    expected: examples.map((e, i) => ({ example: e.name, shape: [1, 10], data: probs[i] })),
    metrics: [
      `${result}; train loss ${loss.toFixed(4)}`,
      `examples: ${examples.map((e, i) => `${e.name} → ${top[i]} (${(probs[i][top[i]] * 100).toFixed(1)}%)`).join(', ')}`,
    ],
    readme: [
      '# mnist-mlp',
      '',
      'A multilayer perceptron of MNIST size: 784 inputs, `dense` 128 relu, `dense` 64 relu, `dense` 10 softmax,',
      'with labels "0" to "9". The weights (109k numbers) are in weights.safetensors.',
      '',
      'It was not trained on MNIST: scripts/train-examples.ts draws digits as pen strokes on a 28×28 canvas,',
      `with random size, slant, rotation, position, pen width and noise, and trains on ${TRAIN} of them`,
      `(Adam, ${EPOCHS} epochs). On 1000 other drawn digits it is ${(acc * 100).toFixed(1)}% right. Real MNIST digits look`,
      'different enough that it will often be wrong on them.',
      '',
      `Examples: ${examples.map((e) => e.name).join(', ')} (the image rows are 28 numbers per line in model.json).`,
      '',
    ].join('\n'),
  };
}
