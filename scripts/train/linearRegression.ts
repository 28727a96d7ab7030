import * as tf from '@tensorflow/tfjs';
import { fromTf, inlineWeight } from './convert';
import { glorot } from './fit';
import { nativeModel } from './model';
import { Rng } from './rng';
import type { TrainedExample } from './types';

/** One dense unit fitted to noisy points of the line y = 2x + 1; the learned weight and bias land near 2 and 1. */
export async function trainLinearRegression(): Promise<TrainedExample> {
  const rng = new Rng(101);
  const points = (n: number) => {
    const xs = Array.from({ length: n }, () => rng.uniform(-3, 3));
    return { xs, ys: xs.map((x) => 2 * x + 1 + 0.2 * rng.normal()) };
  };
  const train = points(256);
  const test = points(64);

  const net = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: glorot(1) })] });
  net.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError' });
  const h = await net.fit(tf.tensor2d(train.xs, [256, 1]), tf.tensor2d(train.ys, [256, 1]), {
    epochs: 200, batchSize: 256, shuffle: false, verbose: 0,
  });
  const loss = h.history.loss.at(-1) as number;
  const testMse = (net.evaluate(tf.tensor2d(test.xs, [64, 1]), tf.tensor2d(test.ys, [64, 1])) as tf.Scalar).dataSync()[0];

  const [kernel, bias] = net.getWeights().map(fromTf);
  const inputs = [-1, 0, 0.5, 3];
  const pred = (net.predict(tf.tensor2d(inputs, [inputs.length, 1])) as tf.Tensor).dataSync();

  const result = `learned y = ${kernel.data[0].toFixed(4)}·x + ${bias.data[0].toFixed(4)}; held-out MSE ${testMse.toFixed(4)} (noise variance 0.04)`;
  const model = nativeModel({
    name: 'linear-regression',
    description: 'One dense unit fitted to noisy points of the line y = 2x + 1: the weight and bias it learned are close to 2 and 1.',
    input: { name: 'x', shape: [1, 1] },
    output: 'y',
    weightsFile: false,
    layers: [
      { name: 'line', type: 'dense', units: 1, weights: { kernel: inlineWeight(kernel), bias: Array.from(bias.data) } },
    ],
    examples: inputs.map((x) => ({ name: `x = ${x}`, data: [x] })),
    result,
  });
  return {
    folder: 'linear-regression',
    model,
    expected: inputs.map((x, i) => ({ example: `x = ${x}`, shape: [1, 1], data: [pred[i]] })),
    metrics: [
      result,
      `train MSE ${loss.toFixed(4)}`,
    ],
    readme: [
      '# linear-regression',
      '',
      'The smallest model: one `dense` layer with one unit and no activation, so y = w·x + b.',
      'It was fitted (Adam, mean squared error) to 256 points of the line y = 2x + 1 with Gaussian noise (σ = 0.2),',
      `and learned w = ${kernel.data[0].toFixed(4)}, b = ${bias.data[0].toFixed(4)}. Both weights are written inline in model.json.`,
      '',
      'Step into `line` to see the two ops a dense layer calls: a matrix product and a bias add.',
      '',
    ].join('\n'),
  };
}
