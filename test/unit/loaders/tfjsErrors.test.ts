import { describe, expect, it } from 'vitest';
import { openModel } from '../../../src/loaders/registry';
import { MemorySource } from './memorySource';
import { openError } from './tfjsHelpers';

/** Broken TF.js models: each refused with one sentence that names the file, the shard, weight or layer, and what was expected. */

interface Files {
  json: Record<string, unknown>;
  files: Record<string, Uint8Array>;
}

/** A hand-written Sequential [Dense(3)] over [null, 4] with its weights in one shard. */
function denseModel(layers: unknown[] = [{ class_name: 'Dense', config: { name: 'dense', units: 3, activation: 'relu', batch_input_shape: [null, 4] } }]): Files {
  return {
    json: {
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 'seq', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [
        { name: 'dense/kernel', shape: [4, 3], dtype: 'float32' },
        { name: 'dense/bias', shape: [3], dtype: 'float32' },
      ] }],
    },
    files: { 'group1-shard1of1.bin': new Uint8Array(4 * 15) },
  };
}

const manifest = (f: Files) => (f.json.weightsManifest as { paths: string[]; weights: Record<string, unknown>[] }[])[0];

describe('tfjs loader: refusing broken models', () => {
  it('loads the untouched model (the cases below each break one thing)', async () => {
    expect(await openError(denseModel())).toBe('');
  });

  it('refuses a shard shorter than the manifest says, naming the shard and the weight, before reading it', async () => {
    const f = denseModel();
    f.files['group1-shard1of1.bin'] = new Uint8Array(50);
    const source = MemorySource.of(f.json, f.files);
    const message = await openModel(source).then(() => '', (e: Error) => e.message);
    expect(message).toMatch(/^model\.json line \d+: weights shard 'group1-shard1of1\.bin' is 50 bytes, shorter than the weights manifest says: weight 'dense\/bias' \[3\] \(float32\) needs bytes 48 to 60/);
    expect(source.reads).toEqual([]);
  });

  it('names the short shard among several', async () => {
    const f = denseModel();
    manifest(f).paths = ['a', 'b', 'c'];
    f.files = { a: new Uint8Array(24), b: new Uint8Array(10), c: new Uint8Array(12) };
    expect(await openError(f)).toMatch(/weights shard 'b' is 10 bytes, shorter than the weights manifest says: weight 'dense\/kernel'/);
  });

  it('refuses a manifest that names a missing shard', async () => {
    const f = denseModel();
    manifest(f).paths = ['group1-shard1of1.bin', 'group1-shard2of2.bin'];
    expect(await openError(f)).toMatch(/^model\.json line \d+: the weights manifest names shard 'group1-shard2of2\.bin', which is not in the model's folder\.$/);
  });

  it('refuses shard paths that leave the model folder without touching them', async () => {
    for (const path of ['../secret.bin', '/etc/passwd', 'C:/x.bin', 'https://example.com/w.bin']) {
      const f = denseModel();
      manifest(f).paths = [path];
      const source = MemorySource.of(f.json, f.files);
      const message = await openModel(source).then(() => '', (e: Error) => e.message);
      expect(message).toContain(`names shard '${path}', which is refused`);
      expect([...source.reads, ...source.stats]).toEqual([]);
    }
  });

  it('refuses weight dtypes it cannot read', async () => {
    const f = denseModel();
    manifest(f).weights[1].dtype = 'string';
    expect(await openError(f)).toMatch(/weight 'dense\/bias' has dtype 'string', which Layerstep cannot read; it reads float32, int32 and bool weights/);
    const g = denseModel();
    manifest(g).weights[0].quantization = { dtype: 'int4', scale: 1, min: 0 };
    expect(await openError(g)).toMatch(/weight 'dense\/kernel' is quantized as 'int4', which Layerstep cannot read/);
    const h = denseModel();
    manifest(h).weights[0].quantization = { dtype: 'uint8', min: 0 };
    expect(await openError(h)).toMatch(/weight 'dense\/kernel' is quantized to uint8 but its quantization has no "scale" number/);
  });

  it('leaves a TF.js graph model to the graph-model loader, which names what an empty graph lacks', async () => {
    const graph = { format: 'graph-model', modelTopology: { node: [], library: {}, versions: { producer: 1 } }, weightsManifest: [] };
    expect(await openError({ json: graph, files: {} })).toMatch(/^model\.json line \d+: the graph has no output: no signature names one and it has no nodes\.$/);
    const { format, ...unlabelled } = graph;
    expect(format).toBe('graph-model');
    expect(await openError({ json: unlabelled, files: {} })).toMatch(/the graph has no output/);
  });

  it('refuses an unknown layer class and lists the known ones', async () => {
    const message = await openError(denseModel([
      { class_name: 'Dense', config: { name: 'dense', units: 3, batch_input_shape: [null, 4] } },
      { class_name: 'Lambda', config: { name: 'lambda_1', function: 'x' } },
    ]));
    expect(message).toMatch(/^model\.json line \d+: layer 'lambda_1' is a Lambda, which Layerstep does not support; it supports .*Conv2D.*LSTM.*TimeDistributed.*, InputLayer, and nested Sequential and functional models\.$/);
  });

  it('refuses malformed JSON with its line and column', async () => {
    const source = new MemorySource('model.json', '{\n  "modelTopology": {"class_name": "Sequential",\n  "config": }\n}');
    const message = await openModel(source).then(() => '', (e: Error) => e.message);
    expect(message).toMatch(/^model\.json line 3, column \d+: the JSON is malformed/);
  });

  it('names the layer whose weight the manifest lacks or gives another shape', async () => {
    const f = denseModel();
    manifest(f).weights[0].name = 'other/kernel';
    expect(await openError(f)).toMatch(/layer 'dense' needs its weight 'kernel' \[4, 3\], but the weights manifest has none under 'dense\/' \(it holds dense\/bias\)\./);
    const g = denseModel([{ class_name: 'Dense', config: { name: 'dense', units: 3, batch_input_shape: [null, 5] } }]);
    expect(await openError(g)).toMatch(/layer 'dense' needs its weight 'kernel' to be \[5, 3\] for its input, but 'dense\/kernel' in the weights manifest is \[4, 3\] \(float32\)\./);
  });

  it('refuses weights past maxBytes before reading a shard', async () => {
    const f = denseModel([{ class_name: 'Dense', config: { name: 'dense', units: 300, batch_input_shape: [null, 4] } }]);
    manifest(f).weights = [{ name: 'dense/kernel', shape: [4, 300], dtype: 'float32' }, { name: 'dense/bias', shape: [300], dtype: 'float32' }];
    f.files['group1-shard1of1.bin'] = new Uint8Array(4 * 1500);
    const source = MemorySource.of(f.json, f.files);
    const message = await openModel(source, { maxBytes: 4000 }).then(() => '', (e: Error) => e.message);
    expect(message).toBe('model.json: the weights take 12000 bytes to load, more than the 4000 bytes a model may load (maxBytes).');
    expect(source.reads).toEqual([]);
  });

  it('refuses settings it cannot honour rather than computing something else', async () => {
    const rnn = (config: Record<string, unknown>) => denseModel([{ class_name: 'LSTM', config: { name: 'lstm', units: 2, batch_input_shape: [null, 3, 4], ...config } }]);
    expect(await openError(rnn({ return_state: true }))).toMatch(/layer 'lstm' returns its states \(return_state: true\); Layerstep supports recurrent layers that return their output only\./);
    const relu = denseModel([{ class_name: 'ReLU', config: { name: 'relu', threshold: 0.5, batch_input_shape: [null, 4] } }]);
    expect(await openError(relu)).toMatch(/layer 'relu' has threshold 0\.5; Layerstep supports ReLU layers with threshold 0 only\./);
    const padding = denseModel([{ class_name: 'Conv2D', config: { name: 'conv', filters: 2, kernel_size: 3, padding: 'full', batch_input_shape: [null, 5, 5, 1] } }]);
    expect(await openError(padding)).toMatch(/layer 'conv' has "padding" set to 'full', which Layerstep does not support; it takes 'valid', 'same'\./);
  });

  it('names a functional layer that reads from a layer the model does not have', async () => {
    const json = {
      modelTopology: { class_name: 'Model', config: {
        name: 'm',
        layers: [
          { name: 'x', class_name: 'InputLayer', config: { batch_input_shape: [null, 2], name: 'x' }, inbound_nodes: [] },
          { name: 'add', class_name: 'Add', config: { name: 'add' }, inbound_nodes: [[['x', 0, 0, {}], ['ghost', 0, 0, {}]]] },
        ],
        input_layers: [['x', 0, 0]], output_layers: [['add', 0, 0]],
      } },
      weightsManifest: [],
    };
    expect(await openError({ json, files: {} })).toMatch(/^model\.json line \d+: layer 'add' reads from layer 'ghost', which model 'm' does not have\.$/);
  });

  it('refuses a model.json with no modelTopology', async () => {
    expect(await openError({ json: { weightsManifest: [] }, files: {} })).toMatch(/^model\.json line 1: model\.json has no "modelTopology"; a TF\.js layers model describes its Keras model there\.$/);
  });
});
