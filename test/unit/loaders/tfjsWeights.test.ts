import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { halfToFloat } from '../../../src/loaders/tfjs/decode';
import { expectClose, randomTensor } from '../engine/helpers';
import { expectLikeTfjs, floatToHalf, open, randomizeWeights, run } from './tfjsHelpers';

/** The weights manifest: shards, names without extensions, quantized storage, and Python-written files. */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = tf.layers;

function smallCnn(): tf.LayersModel {
  const model = tf.sequential({ layers: [
    L.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2] }),
    L.batchNormalization(),
    L.flatten(),
    L.dense({ units: 4, activation: 'softmax' }),
  ] });
  randomizeWeights(model);
  return model;
}

/** A Float32Array's bytes. */
const bytesOf = (values: ArrayLike<number>): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

describe('tfjs loader: weights manifest', () => {
  it('reads weights split over three shards whose names have no extension', async () => {
    await expectLikeTfjs(smallCnn(), { shards: 3, bare: true });
  });

  it('reads modelTopology written as { model_config } and a file without "format"', async () => {
    await expectLikeTfjs(smallCnn(), { modelConfig: true, noFormat: true });
  });

  it.each(['uint8', 'uint16', 'float16'] as const)('dequantizes %s weights as TF.js does', async (quantize) => {
    // The oracle is TF.js predicting with the same quantized artifacts, so the tolerance stays tight.
    const model = smallCnn();
    const ours = await expectLikeTfjs(model, { quantize, shards: 2 }, { atol: 1e-5, rtol: 1e-4 });
    // The weights went through quantization: close to the originals, not equal.
    const original = await model.layers[3].getWeights()[0].data();
    const loaded = ours.weights.get(`${model.layers[3].name}.kernel`)!.data;
    const err = Math.max(...Array.from(original, (v, i) => Math.abs(v - loaded[i])));
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(quantize === 'uint8' ? 5e-3 : 5e-4);
  });

  it('decodes float16 exactly, specials included', () => {
    expect([0x3c00, 0xc000, 0x0000, 0x8000, 0x7bff, 0x0001, 0x0400, 0x3555].map(halfToFloat))
      .toEqual([1, -2, 0, -0, 65504, 2 ** -24, 2 ** -14, 0.333251953125]);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
    for (const v of [0.1, -3.25, 1e-6, 1000.5]) expect(halfToFloat(floatToHalf(v))).toBeCloseTo(v, 3);
  });

  it('runs a GRU with reset_after written by Python Keras (scoped weight names, InputLayer, keras_version 2)', async () => {
    const [T, F, U] = [4, 3, 2];
    const w = { kernel: randomTensor([F, 3 * U], 21), recurrent: randomTensor([U, 3 * U], 22), bias: randomTensor([2, 3 * U], 23) };
    const json = {
      format: 'layers-model', generatedBy: 'keras v2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '2.15.0', backend: 'tensorflow',
        model_config: { class_name: 'Sequential', config: { name: 'sequential', layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, T, F], dtype: 'float32', sparse: false, ragged: false, name: 'tokens' } },
          { class_name: 'GRU', config: { name: 'gru', trainable: true, dtype: 'float32', return_sequences: true, return_state: false, go_backwards: false, stateful: false, unroll: false, time_major: false, units: U, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, dropout: 0, recurrent_dropout: 0, reset_after: true } },
        ] } },
      },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [
        { name: 'gru/gru_cell/kernel', shape: [F, 3 * U], dtype: 'float32' },
        { name: 'gru/gru_cell/recurrent_kernel', shape: [U, 3 * U], dtype: 'float32' },
        { name: 'gru/gru_cell/bias', shape: [2, 3 * U], dtype: 'float32' },
      ] }],
    };
    const shard = new Uint8Array([...bytesOf(w.kernel.data), ...bytesOf(w.recurrent.data), ...bytesOf(w.bias.data)]);
    const model = await open({ json, files: { 'group1-shard1of1.bin': shard } });
    expect(model.inputs.map((v) => v.name)).toEqual(['tokens']);
    const x = randomTensor([1, T, F], 24);
    const got = (await run(model, { tokens: x })).get('gru')!;

    // Keras' GRU cell with reset_after: the reset gate scales (h · U_h + b_h) after the product.
    const tfw = (t: typeof x): tf.Tensor2D => tf.tensor2d(Array.from(t.data), [t.shape[0], t.shape[1]]);
    const [W, Uk, B] = [tfw(w.kernel), tfw(w.recurrent), tfw(w.bias)];
    const [bx, bh] = tf.split(B, 2, 0);
    let h = tf.zeros([1, U]) as tf.Tensor2D;
    const steps: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const xt = tf.tensor2d(Array.from(x.data).slice(t * F, (t + 1) * F), [1, F]);
      const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, W), bx), 3, 1);
      const [hz, hr, hh] = tf.split(tf.add(tf.matMul(h, Uk), bh), 3, 1);
      const z = tf.sigmoid(tf.add(xz, hz));
      const r = tf.sigmoid(tf.add(xr, hr));
      const cand = tf.tanh(tf.add(xh, tf.mul(r, hh)));
      h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), cand)) as tf.Tensor2D;
      steps.push(h);
    }
    expectClose(got, await tf.stack(steps, 1).data(), [1, T, U], { atol: 1e-5, rtol: 1e-4 });
  });

  it('reads a Keras 3 functional model: keras_tensor inbound nodes, batch_shape, and its hard_sigmoid', async () => {
    const tensor = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: [layer, 0, 0] } });
    const json = {
      format: 'layers-model', generatedBy: 'keras v3.3.3',
      modelTopology: { keras_version: '3.3.3', backend: 'tensorflow', model_config: { class_name: 'Functional', config: {
        name: 'functional', trainable: true,
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' }, name: 'input_layer', inbound_nodes: [] },
          { module: 'keras.layers', class_name: 'Dense', config: { name: 'dense', units: 3, activation: 'hard_sigmoid', use_bias: false }, name: 'dense', inbound_nodes: [{ args: [tensor('input_layer')], kwargs: {} }] },
          { module: 'keras.layers', class_name: 'Add', config: { name: 'add' }, name: 'add', inbound_nodes: [{ args: [[tensor('dense'), tensor('input_layer')]], kwargs: {} }] },
        ],
        input_layers: ['input_layer', 0, 0],
        output_layers: ['add', 0, 0],
      } } },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'dense/kernel', shape: [3, 3], dtype: 'float32' }] }],
    };
    const kernel = randomTensor([3, 3], 31, -2, 2);
    const model = await open({ json, files: { 'w.bin': bytesOf(kernel.data) } });
    const x = randomTensor([1, 3], 32, -3, 3);
    const got = (await run(model, { input_layer: x })).get('add')!;
    const xt = tf.tensor2d(Array.from(x.data), [1, 3]);
    const z = tf.matMul(xt, tf.tensor2d(Array.from(kernel.data), [3, 3]));
    const expected = tf.add(tf.div(tf.relu6(tf.add(z, 3)), 6), xt);
    expectClose(got, await expected.data(), [1, 3], { atol: 1e-6, rtol: 1e-5 });
  });
});
