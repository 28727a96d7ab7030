import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';

/** Stacks flat rows into a [n, ...shape] float32 tensor. */
export function stack(rows: readonly ArrayLike<number>[], shape: readonly number[]): tf.Tensor {
  const width = shape.reduce((a, d) => a * d, 1);
  const data = new Float32Array(rows.length * width);
  rows.forEach((r, i) => data.set(r as ArrayLike<number>, i * width));
  return tf.tensor(data, [rows.length, ...shape]);
}

/**
 * Trains a compiled tfjs model for some epochs, reshuffling with our seeded generator each epoch (tfjs's
 * own shuffle draws from Math.random, which would make the written weights differ from run to run).
 */
export async function fitSeeded(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  options: { epochs: number; batchSize: number; rng: Rng },
): Promise<number> {
  const started = Date.now();
  let loss = NaN;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = tf.tensor1d(options.rng.permutation(x.shape[0]), 'int32');
    const xs = tf.gather(x, order);
    const ys = tf.gather(y, order);
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: options.batchSize, shuffle: false, verbose: 0 });
    loss = h.history.loss[0] as number;
    progress(epoch, options.epochs, loss, started);
    tf.dispose([order, xs, ys]);
  }
  return loss;
}

/** Fraction of rows whose argmax of the predicted probabilities equals the label. */
export function accuracy(model: tf.LayersModel, x: tf.Tensor, labels: readonly number[]): number {
  return tf.tidy(() => {
    const pred = (model.predict(x, { batchSize: 256 }) as tf.Tensor).argMax(-1).dataSync();
    let right = 0;
    labels.forEach((l, i) => (right += pred[i] === l ? 1 : 0));
    return right / labels.length;
  });
}

/** A seeded Glorot-uniform initializer, so each layer starts from the same weights every run. */
export function glorot(seed: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed });
}

/**
 * Trains by minibatch gradient descent over `count` samples for some epochs, reshuffling each epoch with our
 * generator. `loss` builds the loss of one batch from its sample indices. Returns the last epoch's mean loss.
 */
export function trainLoop(o: {
  count: number;
  batchSize: number;
  epochs: number;
  rng: Rng;
  optimizer: tf.Optimizer;
  loss: (indices: number[]) => tf.Scalar;
}): number {
  const started = Date.now();
  let last = NaN;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = o.rng.permutation(o.count);
    let sum = 0;
    let batches = 0;
    for (let s = 0; s + o.batchSize <= o.count; s += o.batchSize) {
      const cost = o.optimizer.minimize(() => o.loss(order.slice(s, s + o.batchSize)), true);
      sum += cost!.dataSync()[0];
      cost!.dispose();
      batches++;
    }
    last = sum / batches;
    progress(epoch, o.epochs, last, started);
  }
  return last;
}

/** One line per epoch on stderr, so a slow machine shows that training moves. */
export function progress(epoch: number, epochs: number, loss: number, started: number): void {
  process.stderr.write(`    epoch ${epoch + 1}/${epochs}: loss ${loss.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/** Rows of `x` picked by index, as one batch. */
export function rows<T extends tf.Tensor>(x: T, indices: readonly number[]): T {
  return tf.tidy(() => tf.gather(x, tf.tensor1d(indices as number[], 'int32'))) as T;
}
