import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultLoaders } from '../../../src/loaders/registry';
import { KERAS_LAYERS } from '../../../src/loaders/tfjs/layers/index';
import { tfjsLoader } from '../../../src/loaders/tfjs/index';
import type { ModuleDef } from '../../../src/model/ir';
import { loadPendingWeights } from '../../../src/model/lazyWeights';
import { open, randomizeWeights, save, tree } from './tfjsHelpers';

/** What a TF.js model looks like as a program: modules per layer call, readable nodes, steps through time, source lines. */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = tf.layers;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('tfjs loader: the module tree', () => {
  it('is chosen for a TF.js model.json and leaves Layerstep files to the native loader', () => {
    expect(defaultLoaders.find('model.json', enc('{"modelTopology":{"class_name":"Sequential"'))?.id).toBe('tfjs-layers');
    expect(defaultLoaders.find('model.json', enc('{"format":"layers-model","weightsManifest":[]'))?.id).toBe('tfjs-layers');
    expect(defaultLoaders.find('model.json', enc('{"format":"layerstep/1","modelTopology":1'))?.id).not.toBe('tfjs-layers');
    expect(tfjsLoader.match('package.json', enc('{"name":"x"}'))).toBe(false);
    expect(tfjsLoader.match('model.bin', enc('{"modelTopology":{}}'))).toBe(false);
  });

  it('wraps a channels-last convolution in transposes with readable names and converts its kernel', async () => {
    const model = tf.sequential({ name: 'cnn', layers: [
      L.conv2d({ filters: 4, kernelSize: [3, 2], activation: 'relu', inputShape: [6, 5, 2], name: 'conv' }),
      L.maxPooling2d({ poolSize: 2, name: 'pool' }),
    ] });
    randomizeWeights(model);
    const ours = await open(await save(model));
    expect(tree(ours)).toBe([
      '<model> (Sequential)',
      '  conv (Conv2D)',
      '    conv/to_nchw = transpose',
      '    conv/conv = conv',
      '    conv/to_nhwc = transpose',
      '    conv/relu = relu',
      '  pool (MaxPooling2D)',
      '    pool/to_nchw = transpose',
      '    pool/maxPool = maxPool',
      '    pool/to_nhwc = transpose',
    ].join('\n'));
    expect(ours.inputs).toEqual([{ name: 'conv_input', dtype: 'float32', shape: [null, 6, 5, 2] }]);
    expect(ours.outputs).toEqual([{ name: 'pool', dtype: 'float32', shape: [null, 2, 2, 4] }]);
    // Kernel [kh, kw, in, out] = [3, 2, 2, 4] becomes [out, in, kh, kw], element for element.
    await loadPendingWeights(ours);
    const kernel = ours.weights.get('conv.kernel')!;
    expect(kernel.shape).toEqual([4, 2, 3, 2]);
    const keras = await model.layers[0].getWeights()[0].array() as number[][][][];
    expect(kernel.get(3, 1, 2, 0)).toBeCloseTo(keras[2][0][1][3], 6);
    const conv = ours.root.body[0] as ModuleDef;
    expect(conv.weights).toEqual({ kernel: 'conv.kernel', bias: 'conv.bias' });
    expect(conv.attrs).toMatchObject({ filters: 4, kernel_size: [3, 2], padding: 'valid', activation: 'relu' });
  });

  it('unrolls recurrent layers into one module per time step, and Bidirectional into forward and backward', async () => {
    const model = tf.sequential({ layers: [
      L.bidirectional({ layer: L.lstm({ units: 2, returnSequences: true, name: 'lstm' }) as tf.RNN, inputShape: [3, 4], name: 'bi' }),
      L.simpleRNN({ units: 2, goBackwards: true, name: 'rnn' }),
    ] });
    randomizeWeights(model);
    const ours = await open(await save(model));
    const ids = (m: ModuleDef): string[] => m.body.filter((i) => i.kind === 'module').map((i) => i.id);
    const bi = ours.root.body[0] as ModuleDef;
    expect(ids(bi)).toEqual(['bi/forward_lstm', 'bi/backward_lstm']);
    expect(ids(bi.body[0] as ModuleDef)).toEqual(['bi/forward_lstm/step 0', 'bi/forward_lstm/step 1', 'bi/forward_lstm/step 2']);
    expect(ids(bi.body[1] as ModuleDef)).toEqual(['bi/backward_lstm/step 2', 'bi/backward_lstm/step 1', 'bi/backward_lstm/step 0']);
    const step = (bi.body[0] as ModuleDef).body.find((i) => i.id === 'bi/forward_lstm/step 1') as ModuleDef;
    expect(step.type).toBe('LSTMCell');
    expect(step.body.map((i) => i.name)).toContain('c');
    expect((bi.body[0] as ModuleDef).weights.kernel).toBe('bi/forward_lstm.kernel');
    expect(ids(ours.root.body[1] as ModuleDef)).toEqual(['rnn/step 2', 'rnn/step 1', 'rnn/step 0']);
  });

  it('points every layer module at its lines in model.json', async () => {
    const model = tf.sequential({ layers: [L.dense({ units: 2, inputShape: [3], name: 'first' }), L.dense({ units: 1, name: 'second' })] });
    const saved = await save(model);
    const text = JSON.stringify(saved.json, null, 2).split('\n');
    const ours = await open(saved);
    for (const layer of ours.root.body as ModuleDef[]) {
      const src = layer.source!;
      const lines = text.slice(src.startLine - 1, src.endLine).join('\n');
      expect(lines).toContain(`"name": "${layer.name}"`);
      expect(lines).toContain('"class_name": "Dense"');
    }
  });

  it('names a shared layer\'s calls apart and a nested model\'s layers inside it', async () => {
    const x = tf.input({ shape: [3], name: 'x' });
    const shared = L.dense({ units: 3, name: 'shared' });
    const inner = tf.sequential({ name: 'inner', layers: [L.dense({ units: 3, inputShape: [3], name: 'inner_dense' })] });
    const y = inner.apply(shared.apply(shared.apply(x))) as tf.SymbolicTensor;
    const ours = await open(await save(tf.model({ inputs: x, outputs: y, name: 'outer' })));
    expect(tree(ours)).toBe([
      '<model> (Model)',
      '  shared (Dense)', '    shared/matmul = matmul', '    shared/add = add',
      '  shared (call 2) (Dense)', '    shared (call 2)/matmul = matmul', '    shared (call 2)/add = add',
      '  inner (Sequential)', '    inner/inner_dense (Dense)', '      inner/inner_dense/matmul = matmul', '      inner/inner_dense/add = add',
    ].join('\n'));
    expect(ours.root.body.map((m) => m.name)).toEqual(['shared', 'shared', 'inner']);
    expect(ours.outputs.map((o) => o.name)).toEqual(['inner']);
  });

  it('documents every supported layer class in docs/tfjs.md', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/tfjs.md'), 'utf8');
    const table = doc.split('\n').filter((l) => l.startsWith('| ')).map((l) => l.split('|')[1]).join(',');
    const listed = new Set(table.split(',').map((c) => c.trim()));
    expect([...KERAS_LAYERS.keys()].filter((c) => !listed.has(c))).toEqual([]);
  });

  it('names outputs after their layers, copying an input or a repeated output through an identity node', async () => {
    const json = {
      modelTopology: { class_name: 'Model', config: {
        name: 'm',
        layers: [
          { name: 'x', class_name: 'InputLayer', config: { batch_input_shape: [null, 2], name: 'x' }, inbound_nodes: [] },
          { name: 'act', class_name: 'Activation', config: { name: 'act', activation: 'tanh' }, inbound_nodes: [[['x', 0, 0, {}]]] },
        ],
        input_layers: [['x', 0, 0]], output_layers: [['x', 0, 0], ['act', 0, 0], ['act', 0, 0]],
      } },
      weightsManifest: [],
    };
    const ours = await open({ json, files: {} });
    expect(ours.outputs.map((o) => o.name)).toEqual(['x_output', 'act', 'act_1']);
    expect(tree(ours)).toBe(['<model> (Model)', '  act (Activation)', '    act/tanh = tanh', '  output = identity', '  output_1 = identity'].join('\n'));
  });
});
