import * as tf from '@tensorflow/tfjs';
import { convKernel, denseAfterFlatten, fromTf, ref } from './convert';
import { DIGIT_LABELS, DIGIT_NAMES, digitSet, drawDigit } from './digits';
import { rows, stack, trainLoop } from './fit';
import { addBias, conv3x3, filled, glorotKernel, heKernel, maxPool2 } from './layersFn';
import { nativeModel } from './model';
import { Rng } from './rng';
import type { TrainedExample } from './types';

const EXAMPLE_DIGITS = [2, 4, 9];
const EPOCHS = 3;

type Params = Record<'k1' | 'b1' | 'k2' | 'b2' | 'kc' | 'bc', tf.Tensor>;

/** The network as trained: im2col convolutions (see layersFn.ts). Logits. */
function trainForward(x: tf.Tensor4D, p: Params): tf.Tensor {
  const pool = maxPool2;
  const h1 = pool(addBias(conv3x3(x, p.k1 as tf.Tensor4D, 'same'), p.b1).relu() as tf.Tensor4D);
  const h2 = pool(addBias(conv3x3(h1, p.k2 as tf.Tensor4D, 'same'), p.b2).relu() as tf.Tensor4D);
  return h2.reshape([x.shape[0], 7 * 7 * 16]).matMul(p.kc as tf.Tensor2D).add(p.bc);
}

/** The same network with tfjs's own conv2d: the reference the engine is compared with. Probabilities. */
function referenceForward(x: tf.Tensor4D, p: Params): tf.Tensor2D {
  const pool = (y: tf.Tensor4D) => tf.maxPool(y, 2, 2, 'valid');
  const h1 = pool(tf.conv2d(x, p.k1 as tf.Tensor4D, 1, 'same').add(p.b1).relu() as tf.Tensor4D);
  const h2 = pool(tf.conv2d(h1, p.k2 as tf.Tensor4D, 1, 'same').add(p.b2).relu() as tf.Tensor4D);
  return tf.softmax(h2.reshape([x.shape[0], 7 * 7 * 16]).matMul(p.kc as tf.Tensor2D).add(p.bc)) as tf.Tensor2D;
}

/**
 * conv 3×3 (8) → relu → maxPool 2 → conv 3×3 (16) → relu → maxPool 2 → flatten → dense 10 softmax, on drawn
 * digits. Trained NHWC; the native model is NCHW, so conv kernels are transposed and the rows of the dense
 * kernel permuted from (h, w, c) to (c, h, w) order.
 */
export async function trainSmallCnn(): Promise<TrainedExample> {
  const rng = new Rng(303);
  const train = digitSet(2000, rng);
  const test = digitSet(1000, new Rng(304));
  const p: Params = {
    k1: heKernel(rng, 1, 8), b1: filled(8, 0),
    k2: heKernel(rng, 8, 16), b2: filled(16, 0),
    kc: glorotKernel(rng, 784, 10), bc: filled(10, 0),
  };
  const x = stack(train.images, [28, 28, 1]) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10);
  const loss = trainLoop({
    count: train.images.length, batchSize: 32, epochs: EPOCHS, rng, optimizer: tf.train.adam(0.003),
    loss: (idx) => tf.losses.softmaxCrossEntropy(rows(y, idx), trainForward(rows(x, idx), p)) as tf.Scalar,
  });
  const testX = stack(test.images, [28, 28, 1]) as tf.Tensor4D;
  const testProbs = referenceForward(testX, p);
  const predicted = testProbs.argMax(-1).dataSync();
  const acc = test.labels.filter((l, i) => predicted[i] === l).length / test.labels.length;
  const imToRef = tf.softmax(trainForward(testX, p)).sub(testProbs).abs().max().dataSync()[0];

  const exampleRng = new Rng(305);
  const examples = EXAMPLE_DIGITS.map((d) => ({ name: DIGIT_NAMES[d], data: Array.from(drawDigit(d, exampleRng)) }));
  // One channel: the NHWC and NCHW layouts of these images hold the same numbers in the same order.
  const probs = referenceForward(stack(examples.map((e) => e.data), [28, 28, 1]) as tf.Tensor4D, p).arraySync();

  const weights = {
    'conv1.kernel': convKernel(p.k1),
    'conv1.bias': fromTf(p.b1),
    'conv2.kernel': convKernel(p.k2),
    'conv2.bias': fromTf(p.b2),
    'classifier.kernel': denseAfterFlatten(p.kc, 7, 7, 16),
    'classifier.bias': fromTf(p.bc),
  };
  const w = (key: keyof typeof weights) => ref(key, weights[key]);
  const result = `held-out accuracy ${(acc * 100).toFixed(1)}% (1000 drawn digits)`;
  const model = nativeModel({
    name: 'small-cnn',
    description: 'A small convolutional network on 1×28×28 images (NCHW) of synthetic hand-drawn digits.',
    input: { name: 'image', shape: [1, 1, 28, 28] },
    output: 'probs',
    weightsFile: true,
    layers: [
      { name: 'conv1', type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', weights: { kernel: w('conv1.kernel'), bias: w('conv1.bias') } },
      { name: 'relu1', type: 'relu' },
      { name: 'pool1', type: 'maxPool2d', poolSize: 2 },
      { name: 'conv2', type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', weights: { kernel: w('conv2.kernel'), bias: w('conv2.bias') } },
      { name: 'relu2', type: 'relu' },
      { name: 'pool2', type: 'maxPool2d', poolSize: 2 },
      { name: 'flatten', type: 'flatten' },
      { name: 'classifier', type: 'dense', units: 10, activation: 'softmax', weights: { kernel: w('classifier.kernel'), bias: w('classifier.bias') } },
    ],
    labels: DIGIT_LABELS,
    examples,
    result,
  });
  tf.dispose([...Object.values(p), x, y, testX, testProbs]);
  const top = probs.map((q) => q.indexOf(Math.max(...q)));
  return {
    folder: 'small-cnn',
    model,
    weights,
    expected: examples.map((e, i) => ({ example: e.name, shape: [1, 10], data: probs[i] })),
    metrics: [
      `${result}; train loss ${loss.toFixed(4)}`,
      `im2col training net vs tf.conv2d reference: max |Δp| ${imToRef.toExponential(2)}`,
      `examples: ${examples.map((e, i) => `${e.name} → ${top[i]} (${(probs[i][top[i]] * 100).toFixed(1)}%)`).join(', ')}`,
    ],
    readme: [
      '# small-cnn',
      '',
      'A small convolutional network on one-channel 28×28 images, NCHW:',
      '`conv2d` 8 filters 3×3 (same padding) → `relu` → `maxPool2d` 2 → `conv2d` 16 filters 3×3 → `relu` → `maxPool2d` 2',
      '→ `flatten` (16·7·7 = 784) → `dense` 10 softmax. Labels "0" to "9".',
      '',
      `Trained with tfjs (Adam, ${EPOCHS} epochs) on 2000 synthetic drawn digits (see mnist-mlp); on 1000 others it is`,
      `${(acc * 100).toFixed(1)}% right. Step into conv1 and conv2 to see the feature maps the filters pick out.`,
      '',
    ].join('\n'),
  };
}
