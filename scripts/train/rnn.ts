import * as tf from '@tensorflow/tfjs';
import { fromTf, inlineWeight, ref } from './convert';
import { fitSeeded, glorot, stack } from './fit';
import { nativeModel } from './model';
import { Rng } from './rng';
import type { TrainedExample } from './types';

const STEPS = 8;
const UNITS = 12;

/** Windows of sine waves with random frequency, phase and amplitude; the target is the value after the window. */
function windows(n: number, rng: Rng): { xs: number[][]; ys: number[] } {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const freq = rng.uniform(0.25, 0.9);
    const phase = rng.uniform(0, 2 * Math.PI);
    const amp = rng.uniform(0.5, 1);
    const wave = Array.from({ length: STEPS + 1 }, (_, t) => Math.round(amp * Math.sin(freq * t + phase) * 1e4) / 1e4);
    xs.push(wave.slice(0, STEPS));
    ys.push(wave[STEPS]);
  }
  return { xs, ys };
}

const mse = (a: ArrayLike<number>, b: readonly number[]) => b.reduce((s, v, i) => s + (a[i] - v) ** 2, 0) / b.length;

/** An LSTM (12 units) over 8 steps of a sine wave, then a dense unit: it predicts the wave's next value. */
export async function trainRnn(): Promise<TrainedExample> {
  const rng = new Rng(606);
  const train = windows(3000, rng);
  const test = windows(500, new Rng(607));
  const net = tf.sequential({
    layers: [
      // The native lstm uses sigmoid gates and tanh (Keras's defaults); tfjs defaults to hard sigmoid, so say so.
      tf.layers.lstm({
        units: UNITS, inputShape: [STEPS, 1], recurrentActivation: 'sigmoid', activation: 'tanh',
        kernelInitializer: glorot(61), recurrentInitializer: tf.initializers.orthogonal({ seed: 62 }),
      }),
      tf.layers.dense({ units: 1, kernelInitializer: glorot(63) }),
    ],
  });
  net.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  const loss = await fitSeeded(net, stack(train.xs, [STEPS, 1]), tf.tensor2d(train.ys, [train.ys.length, 1]), { epochs: 15, batchSize: 64, rng });
  const testPred = (net.predict(stack(test.xs, [STEPS, 1])) as tf.Tensor).dataSync();
  const testMse = mse(testPred, test.ys);
  const baseline = mse(test.xs.map((x) => x[STEPS - 1]), test.ys);

  const examples = [
    { name: 'slow sine', freq: 0.3, phase: 0.2, amp: 1 },
    { name: 'fast sine', freq: 0.8, phase: 1.0, amp: 0.7 },
  ].map((e) => ({
    name: e.name,
    data: Array.from({ length: STEPS }, (_, t) => Math.round(e.amp * Math.sin(e.freq * t + e.phase) * 1e4) / 1e4),
    truth: Math.round(e.amp * Math.sin(e.freq * STEPS + e.phase) * 1e4) / 1e4,
    wave: `${e.amp}·sin(${e.freq}·t + ${e.phase}) for t = 0…7`,
  })).map((e) => ({ ...e, description: `${e.wave}; the next value is ${e.truth}` }));
  const pred = (net.predict(stack(examples.map((e) => e.data), [STEPS, 1])) as tf.Tensor).dataSync();

  const [kernel, recurrent, bias, dk, db] = net.getWeights().map(fromTf);
  const weights = { 'lstm.kernel': kernel, 'lstm.recurrentKernel': recurrent, 'lstm.bias': bias, 'next.kernel': dk };
  const result = `held-out MSE ${testMse.toFixed(5)} (repeating the last value: ${baseline.toFixed(5)})`;
  const model = nativeModel({
    name: 'rnn',
    description: 'An LSTM reads 8 samples of a sine wave; a dense unit predicts the next sample.',
    input: { name: 'wave', shape: [1, STEPS, 1] },
    output: 'next',
    weightsFile: true,
    layers: [
      {
        name: 'lstm', type: 'lstm', units: UNITS,
        weights: { kernel: ref('lstm.kernel', kernel), recurrentKernel: ref('lstm.recurrentKernel', recurrent), bias: ref('lstm.bias', bias) },
      },
      { name: 'next', type: 'dense', units: 1, weights: { kernel: ref('next.kernel', dk), bias: inlineWeight(db).data } },
    ],
    examples,
    result,
  });
  return {
    folder: 'rnn',
    model,
    weights,
    expected: examples.map((e, i) => ({ example: e.name, shape: [1, 1], data: [pred[i]] })),
    metrics: [
      `${result}; train MSE ${loss.toFixed(5)}`,
      `examples: ${examples.map((e, i) => `${e.name} → ${pred[i].toFixed(4)} (true ${e.truth})`).join(', ')}`,
    ],
    readme: [
      '# rnn',
      '',
      `An \`lstm\` with ${UNITS} units reads a window of 8 samples of a sine wave (input [1, 8, 1]); a \`dense\` unit turns its`,
      'last hidden state into a prediction of the next sample. The LSTM uses sigmoid gates and a tanh cell, gate order',
      'i, f, c, o as in Keras. Step into `lstm` to see one module per time step.',
      '',
      'Trained with tfjs (Adam, 15 epochs) on 3000 windows of sine waves with random frequency (0.25 to 0.9 rad per step),',
      `phase and amplitude (0.5 to 1). Held-out mean squared error: ${testMse.toFixed(5)}; predicting that the wave`,
      `repeats its last value would score ${baseline.toFixed(5)}.`,
      '',
      `Examples: ${examples.map((e, i) => `${e.name} (next value ${e.truth}, predicted ${pred[i].toFixed(4)})`).join('; ')}.`,
      '',
    ].join('\n'),
  };
}
