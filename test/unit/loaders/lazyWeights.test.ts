import * as tf from '@tensorflow/tfjs';
import { onnx } from '../../../src/loaders/onnx/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../../src/engine/tensor';
import { EngineService, outline } from '../../../src/service/engineService';
import { LAZY_FILE_BYTES } from '../../../src/loaders/native/files';
import { openModel } from '../../../src/loaders/registry';
import { encodeSafetensors } from '../../../src/loaders/safetensors';
import { ModelError } from '../../../src/model/errors';
import { hasPendingWeights, loadPendingWeights } from '../../../src/model/lazyWeights';
import { Runner } from '../../../src/runner/runner';
import { expectClose, randomTensor } from '../engine/helpers';
import { MemorySource } from './memorySource';
import { encodeModel, modelProto, runLayerstep, tensorProto } from './onnxHelpers';
import { inputsFor, randomizeWeights, run, save } from './tfjsHelpers';

/**
 * Lazy weights: ONNX external data and TF.js shards are checked at open (sizes, shapes, maxBytes) but read
 * only at the first run, once; the outputs are the same as when the weights are read eagerly.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 300;

/** `y = x + w`, w float32 [N]: in `w.bin` (external) or embedded. */
function addModel(external: boolean, w: Tensor): Uint8Array {
  const m = modelProto({
    inputs: [{ name: 'x', dtype: 'float32', shape: [N] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [N] }],
    nodes: [{ op: 'Add', name: 'add', inputs: ['x', 'w'], outputs: ['y'] }],
  });
  m.graph!.initializer = [external
    ? { name: 'w', dims: [N], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'w.bin' }] }
    : tensorProto('w', w)];
  return encodeModel(m);
}

/** A source whose sibling reads fail, for read errors that now surface at the first run. */
class FailingSource extends MemorySource {
  override async readSibling(relativePath: string): Promise<Uint8Array> {
    this.reads.push(relativePath);
    throw new Error('disk gone');
  }
}

describe('lazy weights: ONNX external data', () => {
  const w = randomTensor([N], 7);
  const x = randomTensor([N], 8);
  const bin = new Uint8Array(Float32Array.from(w.data).buffer);

  it('opens without reading the data file, then reads it once at the first run', async () => {
    const source = new MemorySource('model.onnx', addModel(true, w), { 'w.bin': bin });
    const model = await openModel(source);
    expect(source.reads).toEqual([]);
    expect(model.pendingWeights?.get('w')).toMatchObject({ dtype: 'float32', shape: [N], bytes: 4 * N });
    expect(model.shapes?.get('w')).toEqual([N]);
    expect(JSON.stringify(outline(model).root)).toContain(`"summary":"float32[${N}] (not read yet)"`);

    const lazy = await runLayerstep(model, { x });
    expect(source.reads).toEqual(['w.bin']);
    expect(hasPendingWeights(model)).toBe(false);
    await runLayerstep(model, { x });
    expect(source.reads).toEqual(['w.bin']);

    const eager = await runLayerstep(await openModel(new MemorySource('model.onnx', addModel(false, w))), { x });
    expectClose(lazy.get('y')!, eager.get('y')!.data, [N], { atol: 0, rtol: 0 });
    expectClose(lazy.get('y')!, Array.from(x.data, (v, i) => Math.fround(v + w.data[i])), [N], { atol: 0, rtol: 0 });
  });

  it('fails the first run with one sentence when the data file cannot be read', async () => {
    const source = new FailingSource('model.onnx', addModel(true, w), { 'w.bin': bin });
    const model = await openModel(source);
    const runner = new Runner(model, { x });
    const e = await runner.stepIn().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe('disk gone');
    expect(hasPendingWeights(model)).toBe(true);
  });

  it('refuses a data file shorter than the tensor at open, before reading it', async () => {
    const source = new MemorySource('model.onnx', addModel(true, w), { 'w.bin': bin.subarray(0, 100) });
    const e = await openModel(source).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as Error).message).toMatch(/^model\.onnx: initializer 'w' keeps its data in another file, but it claims bytes 0 to 1200 of 'w\.bin', which has only 100 bytes\.$/);
    expect(source.reads).toEqual([]);
  });
});

describe('lazy weights: TF.js shards', () => {
  const dense = (): tf.LayersModel => {
    const m = tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu', inputShape: [5, 5, 2] }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4 }),
    ] });
    randomizeWeights(m);
    return m;
  };

  it('opens without reading a shard, then reads each shard once at the first run', async () => {
    const tfModel = dense();
    const saved = await save(tfModel, { shards: 2 });
    const source = MemorySource.of(saved.json, saved.files);
    const model = await openModel(source);
    expect(source.reads).toEqual([]);
    expect(hasPendingWeights(model)).toBe(true);
    const summaries = JSON.stringify(outline(model).root);
    expect(summaries).toContain('(not read yet)');

    const inputs = inputsFor(model, 3);
    const ours = await run(model, inputs);
    expect([...source.reads].sort()).toEqual(Object.keys(saved.files).sort());
    await run(model, inputs);
    expect(source.reads.length).toBe(Object.keys(saved.files).length);

    const x = inputs[model.inputs[0].name];
    const want = tfModel.predict(tf.tensor(Array.from(x.data), [...x.shape])) as tf.Tensor;
    const [out] = [...ours.values()];
    expectClose(out, await want.data(), want.shape, { atol: 1e-4, rtol: 1e-4 });
  });

  it('fails loading with one sentence naming the shard when it cannot be read', async () => {
    const saved = await save(dense());
    const source = new FailingSource('model.json', JSON.stringify(saved.json, null, 2), saved.files);
    const model = await openModel(source);
    const e = await loadPendingWeights(model).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as Error).message).toMatch(/weights shard '.+' cannot be read: disk gone\.$/);
  });
});

describe('lazy weights: the native format\'s safetensors file', () => {
  const IN = 2048;
  const UNITS = 2048;
  // 16 MiB of kernel: at LAZY_FILE_BYTES, so the file is not read at open.
  const kernel = randomTensor([IN, UNITS], 11);
  const bias = randomTensor([UNITS], 12);
  const x = randomTensor([1, IN], 13);
  const model = { format: 'layerstep/1', name: 'big', inputs: [{ name: 'x', shape: [1, IN] }], weightsFile: 'w.safetensors', layers: [{ name: 'd', type: 'dense', units: UNITS }] };

  /** x·kernel + bias in float64, the oracle. */
  const expected = (): number[] => Array.from({ length: UNITS }, (_, j) => {
    let s = bias.data[j];
    for (let i = 0; i < IN; i++) s += x.data[i] * kernel.data[i * UNITS + j];
    return s;
  });

  it('opens a large file without reading it, then reads it once at the first run', async () => {
    const file = encodeSafetensors({ 'd.kernel': kernel, 'd.bias': bias });
    expect(file.length).toBeGreaterThanOrEqual(LAZY_FILE_BYTES);
    const source = MemorySource.of(model, { 'w.safetensors': file });
    const m = await openModel(source);
    expect(source.reads).toEqual([]);
    expect(m.pendingWeights?.get('d.kernel')).toMatchObject({ dtype: 'float32', shape: [IN, UNITS], bytes: 4 * IN * UNITS });
    expect(JSON.stringify(outline(m).root)).toContain(`"summary":"float32[${IN},${UNITS}] (not read yet)"`);
    const out = await runLayerstep(m, { x });
    expect(source.reads).toEqual(['w.safetensors']);
    await runLayerstep(m, { x });
    expect(source.reads).toEqual(['w.safetensors']);
    expectClose([...out.values()][0], expected(), [1, UNITS], { atol: 1e-3, rtol: 1e-4 });
  });

  it('fails the first run with the sentence a broken file gave at open', async () => {
    const file = encodeSafetensors({ 'other.kernel': kernel, 'd.bias': bias });
    const m = await openModel(MemorySource.of(model, { 'w.safetensors': file }));
    const e = await loadPendingWeights(m).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as Error).message).toMatch(/layer 'd' weight 'kernel' refers to key 'd\.kernel', which w\.safetensors does not hold \(it holds other\.kernel, d\.bias\)\.$/);
  });

  it('reads a small file at open but decodes its tensors at the first run, with the same outputs as inline weights', async () => {
    const small = { ...model, inputs: [{ name: 'x', shape: [1, 4] }], layers: [{ name: 'd', type: 'dense', units: 3 }] };
    const k = randomTensor([4, 3], 21);
    const b = randomTensor([3], 22);
    const xs = randomTensor([1, 4], 23);
    const source = MemorySource.of(small, { 'w.safetensors': encodeSafetensors({ 'd.kernel': k, 'd.bias': b }) });
    const m = await openModel(source);
    expect(source.reads).toEqual(['w.safetensors']);
    expect(hasPendingWeights(m)).toBe(true);
    const inline = { ...small, weightsFile: undefined, layers: [{ name: 'd', type: 'dense', units: 3, weights: { kernel: { shape: [4, 3], data: Array.from(k.data) }, bias: Array.from(b.data) } }] };
    const want = await runLayerstep(await openModel(MemorySource.of(inline)), { x: xs });
    const got = await runLayerstep(m, { x: xs });
    expectClose([...got.values()][0], [...want.values()][0].data, [1, 3], { atol: 0, rtol: 0 });
  });
});

describe('lazy weights: the runner and the engine service', () => {
  it('refuses scopes and evaluation before the weights are read, and the service reads them first', async () => {
    const small = { format: 'layerstep/1', name: 's', inputs: [{ name: 'x', shape: [1, 4] }], weightsFile: 'w.safetensors', layers: [{ name: 'd', type: 'dense', units: 3 }] };
    const file = encodeSafetensors({ 'd.kernel': randomTensor([4, 3], 1), 'd.bias': randomTensor([3], 2) });
    const m = await openModel(MemorySource.of(small, { 'w.safetensors': file }));
    const runner = new Runner(m, { x: randomTensor([1, 4], 3) });
    expect(() => runner.evaluate('1 + 1')).toThrow(/^weights of model\.json are not loaded yet: step once$/);
    await runner.stepIn();
    expect(runner.evaluate('1 + 1')).toBe(2);
    expect(hasPendingWeights(m)).toBe(false);
  });

  it('the engine service outlines without reading the weights and reads them before serving scopes', async () => {
    const small = { format: 'layerstep/1', name: 's', inputs: [{ name: 'x', shape: [1, 4] }], weightsFile: 'w.safetensors', layers: [{ name: 'd', type: 'dense', units: 3 }] };
    const file = encodeSafetensors({ 'd.kernel': randomTensor([4, 3], 1), 'd.bias': randomTensor([3], 2) });
    const service = new EngineService({ openSource: () => MemorySource.of(small, { 'w.safetensors': file }), readFile: async () => new Uint8Array() });
    const info = await service.handle('open', { path: 'model.json', input: { kind: 'random', seed: 1 } });
    expect(JSON.stringify(info.root)).toContain('"summary":"float32[4,3] (not read yet)"');
    const frameId = (await service.handle('position', {})).stack[0].id;
    await service.handle('scopes', { frameId });
    const kernel = await service.handle('tensor', { name: 'd.kernel', start: 0, count: 100 });
    expect(kernel.values.length).toBe(12);
  });
});
