import * as tf from '@tensorflow/tfjs';
import { fromTf, inlineWeight } from './convert';
import { glorot } from './fit';
import { nativeModel } from './model';
import type { TrainedExample } from './types';

const CORNERS = [[0, 0], [0, 1], [1, 0], [1, 1]];
const TARGETS = [0, 1, 1, 0];

/** A 2-4-1 network (tanh, then sigmoid) trained on the four corners of XOR, which no single line separates. */
export async function trainXor(): Promise<TrainedExample> {
  const net = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, activation: 'tanh', inputShape: [2], kernelInitializer: glorot(11) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: glorot(12) }),
    ],
  });
  net.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
  const x = tf.tensor2d(CORNERS);
  const y = tf.tensor2d(TARGETS, [4, 1]);
  const h = await net.fit(x, y, { epochs: 250, batchSize: 4, shuffle: false, verbose: 0 });
  const loss = h.history.loss.at(-1) as number;
  const pred = (net.predict(x) as tf.Tensor).dataSync();
  const right = TARGETS.filter((t, i) => (pred[i] > 0.5 ? 1 : 0) === t).length;

  const [k1, b1, k2, b2] = net.getWeights().map(fromTf);
  const names = CORNERS.map(([a, b]) => `${a} xor ${b}`);
  const result = `${right}/4 corners right; binary cross-entropy ${loss.toFixed(4)}`;
  const model = nativeModel({
    name: 'xor',
    description: 'Two inputs, four tanh units, one sigmoid unit: the classic network that learns XOR. Output: the probability that exactly one input is 1.',
    input: { name: 'x', shape: [1, 2] },
    output: 'p',
    weightsFile: false,
    layers: [
      { name: 'hidden', type: 'dense', units: 4, activation: 'tanh', weights: { kernel: inlineWeight(k1), bias: Array.from(b1.data) } },
      { name: 'out', type: 'dense', units: 1, activation: 'sigmoid', weights: { kernel: inlineWeight(k2), bias: Array.from(b2.data) } },
    ],
    examples: CORNERS.map((c, i) => ({ name: names[i], data: c })),
    result,
  });
  return {
    folder: 'xor',
    model,
    expected: names.map((n, i) => ({ example: n, shape: [1, 1], data: [pred[i]] })),
    metrics: [
      `${result}; outputs ${Array.from(pred, (p) => p.toFixed(3)).join(', ')}`,
    ],
    readme: [
      '# xor',
      '',
      'A 2-4-1 network: `dense` 4 units with tanh, then `dense` 1 unit with sigmoid. It was trained (Adam,',
      'binary cross-entropy, 250 full-batch steps) on the four corners, which are also its examples.',
      `Its outputs for 00, 01, 10, 11 are ${Array.from(pred, (p) => p.toFixed(3)).join(', ')}.`,
      '',
      'Step through `hidden` on each corner to watch the four tanh units fold the plane so that one line separates the classes.',
      '',
    ].join('\n'),
  };
}
