import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectLikeTfjs, inputsFor, open, randomizeWeights, run, save } from './tfjsHelpers';

/**
 * The 3-D layers of the shared Keras layer set (Conv3D, Conv3DTranspose, MaxPooling3D, AveragePooling3D,
 * UpSampling3D), saved from TF.js models and compared with TF.js's `predict` on the cpu backend. TF.js has no
 * UpSampling3D layer, so that one is checked against TF.js's `gather` along each axis.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = tf.layers;
const TOL = { atol: 1e-5, rtol: 1e-5 };

describe('3-D Keras layers match TF.js', () => {
  it('runs Conv3D (same and valid, strides, dilation) with MaxPooling3D and AveragePooling3D', async () => {
    const model = tf.sequential({ layers: [
      L.conv3d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 7, 5, 2] }),
      L.maxPooling3d({ poolSize: 2, strides: 2, padding: 'same' }),
      L.conv3d({ filters: 4, kernelSize: [2, 1, 2], strides: [1, 2, 1], padding: 'valid' }),
      L.averagePooling3d({ poolSize: [2, 1, 2], strides: 1, padding: 'same' }),
      L.conv3d({ filters: 2, kernelSize: 2, dilationRate: 2, padding: 'same', useBias: false }),
      L.flatten(),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model, {}, TOL);
  });

  it('runs Conv3DTranspose with padding same and valid, strides 1 and 2', async () => {
    const model = tf.sequential({ layers: [
      L.conv3dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', inputShape: [3, 4, 2, 2] }),
      L.conv3dTranspose({ filters: 2, kernelSize: [2, 3, 1], strides: [1, 2, 2], padding: 'valid', activation: 'tanh' }),
      L.maxPooling3d({ poolSize: [1, 2, 2], padding: 'valid' }),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model, {}, TOL);
  });

  it('still runs Conv2DTranspose through the same n-d transposed convolution', async () => {
    const model = tf.sequential({ layers: [
      L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', inputShape: [4, 5, 2] }),
      L.conv2dTranspose({ filters: 2, kernelSize: [2, 3], strides: [1, 2], padding: 'valid', activation: 'relu' }),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model, {}, TOL);
  });

  it('runs UpSampling3D as an exact repeat along depth, rows and columns', async () => {
    const model = tf.sequential({ layers: [L.conv3d({ filters: 2, kernelSize: 1, inputShape: [2, 3, 2, 2], name: 'c' })] });
    randomizeWeights(model);
    const saved = await save(model);
    // Append an UpSampling3D after the conv in the saved topology: TF.js cannot build one, Keras writes it so.
    const topology = saved.json.modelTopology as { config: { layers: unknown[] } };
    topology.config.layers.push({ class_name: 'UpSampling3D', config: { name: 'up', size: [2, 3, 1], data_format: 'channels_last', trainable: true, dtype: 'float32' } });
    const ours = await open(saved);
    const inputs = inputsFor(ours, 5);
    const got = (await run(ours, inputs)).get('up')!;
    const x = tf.tensor(Array.from(inputs[ours.inputs[0].name].data as Float32Array), [1, 2, 3, 2, 2]);
    let want = model.predict(x) as tf.Tensor;
    [2, 3, 1].forEach((s, i) => {
      const len = want.shape[1 + i]!;
      want = tf.gather(want, Array.from({ length: len * s }, (_, j) => Math.floor(j / s)), 1 + i);
    });
    expect([...got.shape]).toEqual(want.shape);
    const w = await want.data();
    const diff = Math.max(...Array.from(w, (v, i) => Math.abs(v - got.data[i])));
    expect(diff).toBeLessThanOrEqual(1e-6);
  });
});
