import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../engine/helpers';
import type { Item } from '../../../src/model/ir';
import { expectLikeTfjs, inputsFor, open, randomizeWeights, run, save } from './tfjsHelpers';

/**
 * TF.js layers models built and saved here, opened by our loader, run by the runner, and compared with
 * TF.js's own `predict` on the cpu backend.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = tf.layers;

describe('tfjs loader: outputs match model.predict', () => {
  it('runs a Sequential MLP with a batch of two', async () => {
    const model = tf.sequential({ layers: [
      L.dense({ units: 8, activation: 'relu', batchInputShape: [2, 5] }),
      L.dense({ units: 4, activation: 'softmax' }),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model);
  });

  it('runs a CNN with Rescaling, Conv2D, MaxPooling2D, BatchNormalization, Flatten in NHWC', async () => {
    const model = tf.sequential({ layers: [
      L.rescaling({ scale: 0.5, offset: 0.1, inputShape: [8, 8, 2] }),
      L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2 }),
      L.batchNormalization(),
      L.conv2d({ filters: 3, kernelSize: [2, 3], strides: 2, padding: 'valid' }),
      L.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      L.flatten(),
      L.dense({ units: 3, activation: 'softmax' }),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model);
  });

  it('runs a functional model with a branch merged by Add and Concatenate', async () => {
    const x = tf.input({ shape: [6], name: 'features' });
    const a = L.dense({ units: 4, activation: 'tanh', name: 'left' }).apply(x) as tf.SymbolicTensor;
    const b = L.dense({ units: 4, activation: 'sigmoid', name: 'right' }).apply(x) as tf.SymbolicTensor;
    const sum = L.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
    const cat = L.concatenate({ name: 'cat' }).apply([sum, x]) as tf.SymbolicTensor;
    const out = L.dense({ units: 2, name: 'head' }).apply(cat) as tf.SymbolicTensor;
    const aux = L.multiply({ name: 'aux' }).apply([a, b]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: [out, aux] });
    randomizeWeights(model);
    const ours = await expectLikeTfjs(model);
    expect(ours.inputs.map((v) => v.name)).toEqual(['features']);
    expect(ours.outputs.map((v) => v.name)).toEqual(['head', 'aux']);
  });

  it('runs a shared layer as two calls of the same weights', async () => {
    const x = tf.input({ shape: [4], name: 'x' });
    const shared = L.dense({ units: 4, activation: 'elu', name: 'shared' });
    const once = shared.apply(x) as tf.SymbolicTensor;
    const twice = shared.apply(once) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: L.add({ name: 'sum' }).apply([twice, once]) as tf.SymbolicTensor });
    randomizeWeights(model);
    const ours = await expectLikeTfjs(model);
    // The second call and the add close a fork, so they sit in an inferred block: look through the whole tree.
    const modules = (items: readonly Item[]): Item[] => items.flatMap((i) => (i.kind === 'module' ? [i, ...modules(i.body)] : []));
    const calls = modules(ours.root.body).filter((i) => i.kind === 'module' && i.name === 'shared');
    expect(calls.map((c) => c.id)).toEqual(['shared', 'shared (call 2)']);
    expect(calls.map((c) => c.kind === 'module' && c.weights.kernel)).toEqual(['shared.kernel', 'shared.kernel']);
  });

  it('runs nested Sequential and functional models as nested modules', async () => {
    const innerX = tf.input({ shape: [5], name: 'inner_x' });
    const inner = tf.model({ inputs: innerX, outputs: L.dense({ units: 3, activation: 'selu', name: 'inner_dense' }).apply(innerX) as tf.SymbolicTensor, name: 'encoder' });
    const head = tf.sequential({ name: 'head', layers: [L.dense({ units: 2, inputShape: [3], name: 'head_dense' }), L.activation({ activation: 'softplus' })] });
    const x = tf.input({ shape: [5], name: 'x' });
    const model = tf.model({ inputs: x, outputs: head.apply(inner.apply(x)) as tf.SymbolicTensor });
    randomizeWeights(model);
    const ours = await expectLikeTfjs(model);
    expect(ours.root.body.map((i) => `${i.id} (${i.kind === 'module' ? i.type : i.op})`)).toEqual(['encoder (Model)', 'head (Sequential)']);
  });

  it('runs DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, UpSampling2D, ZeroPadding2D and Cropping2D', async () => {
    const model = tf.sequential({ layers: [
      L.zeroPadding2d({ padding: [[1, 2], [0, 1]], inputShape: [5, 6, 3] }),
      L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'relu6' }),
      L.separableConv2d({ filters: 4, kernelSize: 2, padding: 'same', depthMultiplier: 2 }),
      L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }),
      L.conv2dTranspose({ filters: 2, kernelSize: 2, strides: [3, 1], padding: 'valid' }),
      L.cropping2D({ cropping: [[1, 0], [2, 1]] }),
      L.upSampling2d({ size: [2, 3] }),
      L.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model);
  });

  it('runs Embedding then LSTM over integer ids', async () => {
    const model = tf.sequential({ layers: [
      L.embedding({ inputDim: 10, outputDim: 4, inputLength: 5 }),
      L.lstm({ units: 3, returnSequences: true }),
      L.lstm({ units: 2, recurrentActivation: 'sigmoid', goBackwards: true }),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model);
  });

  it('runs SimpleRNN and GRU (reset_after false, as TF.js writes it)', async () => {
    const model = tf.sequential({ layers: [
      L.simpleRNN({ units: 4, returnSequences: true, inputShape: [6, 3] }),
      L.gru({ units: 3, returnSequences: true, goBackwards: true }),
      L.gru({ units: 2, useBias: false }),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model);
  });

  it('runs Bidirectional LSTM (concat) and GRU (ave, sum, mul)', async () => {
    for (const mergeMode of ['concat', 'ave', 'sum', 'mul'] as const) {
      const model = tf.sequential({ layers: [
        L.bidirectional({ layer: L.lstm({ units: 3, returnSequences: true }) as tf.RNN, mergeMode: 'concat', inputShape: [4, 3] }),
        L.bidirectional({ layer: L.gru({ units: 2 }) as tf.RNN, mergeMode }),
      ] });
      randomizeWeights(model);
      await expectLikeTfjs(model);
    }
  });

  it('runs TimeDistributed(Dense) and LayerNormalization', async () => {
    const model = tf.sequential({ layers: [
      L.timeDistributed({ layer: L.dense({ units: 4, activation: 'gelu' }), inputShape: [3, 5] }),
      L.layerNormalization({ epsilon: 1e-3 }),
      L.timeDistributed({ layer: L.dense({ units: 2 }) }),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model);
  });

  it('runs Conv1D, pooling 1-D, and the shape layers', async () => {
    const model = tf.sequential({ layers: [
      L.conv1d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, inputShape: [10, 2] }),
      L.maxPooling1d({ poolSize: 2 }),
      L.averagePooling1d({ poolSize: 2, strides: 1, padding: 'same' }),
      L.permute({ dims: [2, 1] }),
      L.reshape({ targetShape: [-1, 5] }),
      L.globalMaxPooling1d(),
      L.repeatVector({ n: 3 }),
      L.globalAveragePooling1d(),
      L.reLU({ maxValue: 0.2 }),
      L.leakyReLU({ alpha: 0.1 }),
      L.dropout({ rate: 0.5 }),
      L.softmax(),
    ] });
    randomizeWeights(model);
    await expectLikeTfjs(model);
  });

  it('applies every activation by name like TF.js', async () => {
    const names = ['relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'gelu_new', 'hardSigmoid', 'linear', 'mish', 'logSoftmax'] as const;
    const x = tf.input({ shape: [6], name: 'x' });
    const outputs = names.map((a) => L.dense({ units: 5, activation: a as 'relu', name: `act_${a}` }).apply(x) as tf.SymbolicTensor);
    const model = tf.model({ inputs: x, outputs });
    randomizeWeights(model);
    await expectLikeTfjs(model, {}, { atol: 2e-4, rtol: 1e-4 });
  });

  it('runs global 2-D pools, Maximum, Minimum, Average and channel concatenation', async () => {
    const x = tf.input({ shape: [4, 4, 3], name: 'image' });
    const c = L.conv2d({ filters: 3, kernelSize: 1, name: 'proj' }).apply(x) as tf.SymbolicTensor;
    const cat = L.concatenate({ axis: -1 }).apply([x, c]) as tf.SymbolicTensor;
    const g1 = L.globalAveragePooling2d({}).apply(cat) as tf.SymbolicTensor;
    const g2 = L.globalMaxPooling2d({}).apply(cat) as tf.SymbolicTensor;
    const mx = L.maximum().apply([g1, g2]) as tf.SymbolicTensor;
    const mn = L.minimum().apply([g1, g2]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: L.average().apply([mx, mn, g1]) as tf.SymbolicTensor });
    randomizeWeights(model);
    await expectLikeTfjs(model);
  });

  it('runs a causal Conv1D like a valid convolution of the input padded on the left', async () => {
    // TF.js cannot run causal padding itself; the oracle is the definition.
    const model = tf.sequential({ layers: [L.conv1d({ filters: 3, kernelSize: 3, padding: 'valid', dilationRate: 2, inputShape: [12, 2] })] });
    randomizeWeights(model);
    const saved = await save(model);
    const topology = saved.json.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } };
    topology.config.layers[0].config.padding = 'causal';
    const ours = await open(saved);
    const inputs = inputsFor(ours, 5);
    const got = (await run(ours, inputs)).get(ours.outputs[0].name)!;
    const x = tf.tensor(Array.from(inputs[ours.inputs[0].name].data), [1, 12, 2]);
    const expected = model.layers[0].apply(tf.pad(x, [[0, 0], [4, 0], [0, 0]])) as tf.Tensor;
    expectClose(got, await expected.data(), [1, 12, 3], { atol: 1e-5, rtol: 1e-4 });
  });
});
