import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops/index';
import type { Tensor } from '../../../src/engine/tensor';
import type { Item, Model } from '../../../src/model/ir';
import { openModel } from '../../../src/loaders/registry';
import { expectClose, randomTensor } from '../engine/helpers';
import { MemorySource } from './memorySource';
import { modelOf } from './nativeHelpers';

/**
 * End to end: a loaded model's nodes, executed in order with the engine's ops, give what TensorFlow.js
 * computes from the same weights. The runner does this properly; this tiny loop only proves that the loader's
 * graph (op names, input order, attributes, value names) is one the kernels accept.
 */

const fixtures = join(__dirname, '../../fixtures/native');

/** Runs every node in order; returns every value. */
function execute(model: Model, inputs: Record<string, Tensor>): Map<string, Tensor> {
  const values = new Map<string, Tensor>([...model.weights, ...Object.entries(inputs)]);
  const walk = (item: Item): void => {
    if (item.kind === 'module') return item.body.forEach(walk);
    const args = item.inputs.map((n) => (n === '' ? undefined : values.get(n)));
    defaultOps.run(item.op, args, item.attrs).forEach((t, k) => values.set(item.outputs[k], t));
  };
  walk(model.root);
  return values;
}

const load = (file: string): Promise<Model> => openModel(MemorySource.fromDir(fixtures, file, 'model.json'));
const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as Float32Array), [...t.shape]);
/** Our conv kernel [M, C, kH, kW] as TF's [kH, kW, C, M]. */
const tfKernel = (t: Tensor): tf.Tensor4D => tfOf(t).transpose([2, 3, 1, 0]) as tf.Tensor4D;
const nchwToNhwc = (t: tf.Tensor): tf.Tensor4D => t.transpose([0, 2, 3, 1]) as tf.Tensor4D;
const nhwcToNchw = (t: tf.Tensor): tf.Tensor => t.transpose([0, 3, 1, 2]);

const models: Record<string, Model> = {};
beforeAll(async () => {
  await tf.setBackend('cpu');
  for (const f of ['mlp.json', 'residual.json']) models[f] = await load(f);
});

/** Skips while another helper has not registered an op the model calls yet. */
const missing = (needed: string[]): boolean => needed.some((op) => !defaultOps.has(op));

describe('native loader: executing loaded models with the engine ops', () => {
  it.skipIf(missing(['matmul', 'add', 'relu', 'softmax']))('runs the dense MLP fixture like TensorFlow.js', async () => {
    const m = models['mlp.json'];
    const x = m.examples[1].inputs.x;
    const w = (k: string) => tfOf(m.weights.get(k)!);
    const h = tf.relu(tf.add(tf.matMul(tfOf(x) as tf.Tensor2D, w('hidden.kernel') as tf.Tensor2D), w('hidden.bias')));
    const expected = tf.softmax(tf.add(tf.matMul(h as tf.Tensor2D, w('out.kernel') as tf.Tensor2D), w('out.bias')));
    const got = execute(m, { x }).get('probs')!;
    expectClose(got, await expected.data(), [1, 2], { atol: 1e-6, rtol: 1e-5 });
  });

  it.skipIf(missing(['conv', 'relu', 'add', 'globalAveragePool', 'squeeze']))('runs the convolutional residual fixture like TensorFlow.js', async () => {
    const m = models['residual.json'];
    const x = randomTensor([1, 2, 6, 6], 7);
    const w = (k: string) => m.weights.get(k)!;
    const conv = (input: tf.Tensor4D, layer: string, bias: boolean, pad: 'same' | 'valid') => {
      const y = tf.conv2d(input, tfKernel(w(`${layer}.kernel`)), 1, pad);
      return bias ? tf.add(y, tfOf(w(`${layer}.bias`))) as tf.Tensor4D : y;
    };
    const xin = nchwToNhwc(tfOf(x));
    const a = tf.relu(conv(xin, 'block1/conv_a', true, 'same')) as tf.Tensor4D;
    const b = conv(a, 'block1/conv_b', true, 'same');
    const s = conv(xin, 'block1/shortcut/proj', false, 'valid');
    const y = tf.relu(tf.add(b, s));
    const expected = tf.mean(nhwcToNchw(y), [2, 3]);
    const values = execute(m, { x });
    expectClose(values.get('block1/add:0')!, await nhwcToNchw(tf.add(b, s)).data(), [1, 4, 6, 6], { atol: 1e-5, rtol: 1e-4 });
    expectClose(values.get('output')!, await expected.data(), [1, 4], { atol: 1e-5, rtol: 1e-4 });
  });

  const recurrentOps = ['slice', 'squeeze', 'matmul', 'add', 'mul', 'sub', 'tanh', 'sigmoid', 'split', 'unsqueeze', 'concat'];

  /** A recurrent model over [2, 3, 4] with seeded weights, and TF.js's layer of the same kind and weights. */
  async function recurrentPair(type: 'simpleRnn' | 'lstm' | 'gru', extra: Record<string, unknown>, units = 3) {
    const m = await openModel(MemorySource.of(modelOf([{
      name: 'rnn', type, units, ...extra,
      weights: { kernel: { init: 'uniform', min: -0.6, max: 0.6 }, recurrentKernel: { init: 'uniform', min: -0.6, max: 0.6 }, bias: { init: 'uniform', min: -0.3, max: 0.3 } },
    }], { name: 'x', shape: [2, 3, 4] })));
    return { m, w: ['kernel', 'recurrentKernel', 'bias'].map((r) => tfOf(m.weights.get(`rnn.${r}`)!)) };
  }

  it.skipIf(missing(recurrentOps))('runs unrolled simpleRnn, lstm and gru (resetAfter false) like TF.js layers', async () => {
    const x = randomTensor([2, 3, 4], 11);
    for (const [type, layer] of [
      ['simpleRnn', (w: tf.Tensor[]) => tf.layers.simpleRNN({ units: 3, returnSequences: true, weights: w })],
      ['lstm', (w: tf.Tensor[]) => tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', weights: w })],
      ['gru', (w: tf.Tensor[]) => tf.layers.gru({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', weights: w })],
    ] as const) {
      const { m, w } = await recurrentPair(type, { returnSequences: true, ...(type === 'gru' ? { resetAfter: false } : {}) });
      const expected = layer(w).apply(tfOf(x)) as tf.Tensor;
      expectClose(execute(m, { x }).get('output')!, await expected.data(), [2, 3, 3], { atol: 1e-5, rtol: 1e-4 });
    }
  });

  it.skipIf(missing(recurrentOps))('runs an unrolled gru with resetAfter like the Keras formulas', async () => {
    const x = randomTensor([2, 3, 4], 12);
    const m = await openModel(MemorySource.of(modelOf([{
      name: 'rnn', type: 'gru', units: 3,
      weights: { kernel: { init: 'uniform', min: -0.6, max: 0.6 }, recurrentKernel: { init: 'uniform', min: -0.6, max: 0.6 }, bias: { shape: [2, 9], init: 'uniform', min: -0.3, max: 0.3 } },
    }], { name: 'x', shape: [2, 3, 4] })));
    const [W, U, B] = ['kernel', 'recurrentKernel', 'bias'].map((r) => tfOf(m.weights.get(`rnn.${r}`)!) as tf.Tensor2D);
    const [bx, bh] = tf.split(B, 2, 0);
    let h: tf.Tensor2D = tf.zeros([2, 3]);
    for (let t = 0; t < 3; t++) {
      const xt = tf.squeeze(tf.slice(tfOf(x), [0, t, 0], [2, 1, 4]), [1]) as tf.Tensor2D;
      const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, W), bx), 3, 1);
      const [hz, hr, hh] = tf.split(tf.add(tf.matMul(h, U), bh), 3, 1);
      const z = tf.sigmoid(tf.add(xz, hz));
      const r = tf.sigmoid(tf.add(xr, hr));
      const cand = tf.tanh(tf.add(xh, tf.mul(r, hh)));
      h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), cand)) as tf.Tensor2D;
    }
    expectClose(execute(m, { x }).get('output')!, await h.data(), [2, 3], { atol: 1e-5, rtol: 1e-4 });
  });

  it.skipIf(missing(['matmul', 'add', 'mul', 'reshape', 'transpose', 'softmax']))('runs causal multi-head attention like the textbook formula', async () => {
    const [B, T, D, H, dk] = [2, 4, 6, 2, 3];
    const init = { init: 'uniform', min: -0.5, max: 0.5 };
    const m = await openModel(MemorySource.of(modelOf([{
      name: 'attn', type: 'multiHeadAttention', numHeads: H, keyDim: dk, causal: true,
      weights: { query: init, key: init, value: init, output: init, queryBias: init, keyBias: init, valueBias: init, outputBias: init },
    }], { name: 'x', shape: [B, T, D] })));
    const x = randomTensor([B, T, D], 13);
    const w = (r: string) => tfOf(m.weights.get(`attn.${r}`)!);
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, H, dk]), [0, 2, 1, 3]);
    const proj = (r: string) => heads(tf.add(tf.matMul(tf.reshape(tfOf(x), [B * T, D]), w(r) as tf.Tensor2D).reshape([B, T, H * dk]), w(`${r}Bias`)));
    const [q, k, v] = ['query', 'key', 'value'].map(proj);
    const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9);
    const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dk)), mask);
    const ctx = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [B * T, H * dk]);
    const out = tf.add(tf.matMul(ctx, w('output') as tf.Tensor2D), w('outputBias')).reshape([B, T, D]);
    expectClose(execute(m, { x }).get('output')!, await out.data(), [B, T, D], { atol: 1e-5, rtol: 1e-4 });
  });
});
