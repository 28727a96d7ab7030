import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { openModel } from '../../../src/loaders/registry';
import { MemorySource } from './memorySource';
import { randomInputs } from '../../../src/loaders/tensors/random';
import { formatDims, hasOpenSizes, suggestShapes } from '../../../src/model/specialize';
import { FileModelSource } from '../../../src/node/fileSource';
import { EngineService, InProcessEngineClient } from '../../../src/service/engineService';
import { randomShapes } from '../../../src/service/inputs';
import { Runner } from '../../../src/runner/runner';
import { open, randomizeWeights, save } from './tfjsHelpers';
import type { Saved } from './tfjsHelpers';

/**
 * Shapes come from the inputs: a model with open sizes is loaded once and runs at any size its layers accept,
 * each size checked against TF.js's own predict on the same weights.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = tf.layers;
const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');

async function expectPredict(model: tf.LayersModel, input: Tensor, got: Tensor, tol = 1e-4): Promise<void> {
  const want = model.predict(tfOf(input)) as tf.Tensor;
  expect([...got.shape]).toEqual(want.shape);
  const w = await want.data();
  let worst = 0;
  for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - w[i]) - tol * Math.abs(w[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

async function runOnce(model: Awaited<ReturnType<typeof open>>, inputs: Map<string, Tensor>): Promise<Map<string, Tensor>> {
  const runner = new Runner(model, Object.fromEntries(inputs));
  const stop = await runner.continue();
  expect(stop.reason, runner.error?.message).toBe('end');
  return new Map(runner.outputs());
}

/** Writes saved artifacts to a fresh folder; returns the model.json path. */
function onDisk(saved: Saved): string {
  const dir = mkdtempSync(join(tmpdir(), 'layerstep-open-'));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(saved.json, null, 2));
  for (const [name, bytes] of Object.entries(saved.files)) writeFileSync(join(dir, name), bytes);
  return join(dir, 'model.json');
}

function fullyConvolutional(): tf.LayersModel {
  const model = tf.sequential({ layers: [
    L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [null, null, 3] as unknown as number[] }),
    L.batchNormalization(),
    L.depthwiseConv2d({ kernelSize: 3, padding: 'valid' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 5, kernelSize: 1 }),
    L.globalAveragePooling2d({}),
    L.dense({ units: 3, activation: 'softmax' }),
  ] });
  randomizeWeights(model);
  return model;
}

describe('a model whose inputs leave sizes open', () => {
  it('runs a TF.js layers model at any batch, the loaded model reused', async () => {
    const model = tf.sequential({ layers: [
      L.dense({ units: 6, activation: 'relu', inputShape: [5] }),
      L.dense({ units: 2 }),
    ] });
    randomizeWeights(model);
    const ours = await open(await save(model));
    expect(ours.inputs[0].shape).toEqual([null, 5]);
    for (const batch of [1, 2, 7]) {
      const inputs = randomInputs(ours.inputs, batch, new Map([[ours.inputs[0].name, [batch, 5]]]));
      const out = await runOnce(ours, inputs);
      await expectPredict(model, inputs.get(ours.inputs[0].name)!, [...out.values()][0]);
    }
  });

  it('runs open image sizes, 32×32 then 48×40, in one engine session, like TF.js', async () => {
    const model = fullyConvolutional();
    const path = onDisk(await save(model));
    const service = new EngineService({
      openSource: (p) => new FileModelSource(p, p),
      readFile: async (p) => new Uint8Array(await readFile(p)),
    });
    const client = new InProcessEngineClient(service);
    const outline = await client.request('load', { path });
    const name = outline.inputs[0].name;
    expect(outline.inputs[0].shape).toEqual([null, null, null, 3]);
    for (const shape of [[1, 32, 32, 3], [2, 48, 40, 3]]) {
      await client.request('open', { path, input: { kind: 'random', seed: 3, shapes: { [name]: shape } } });
      const end = await client.request('step', { kind: 'continue' });
      expect(end.reason).toBe('end');
      const loaded = await open(await save(model));
      const inputs = randomInputs(loaded.inputs, 3, new Map([[name, shape]]));
      const outName = outline.outputs[0].name;
      const values = await client.request('tensor', { name: outName, start: 0, count: 1000 });
      expect(values.shape).toEqual([shape[0], 3]);
      const want = await (model.predict(tfOf(inputs.get(name)!)) as tf.Tensor).data();
      const got = Array.from(values.values as ArrayLike<number>);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(want[i]));
    }
  });

  it('unrolls a recurrent layer for each sequence length it is given', async () => {
    const model = tf.sequential({ layers: [
      L.lstm({ units: 3, inputShape: [null, 4] as unknown as number[], returnSequences: false }),
      L.dense({ units: 2 }),
    ] });
    randomizeWeights(model);
    const ours = await open(await save(model));
    for (const steps of [3, 6]) {
      const inputs = randomInputs(ours.inputs, steps, new Map([[ours.inputs[0].name, [2, steps, 4]]]));
      const out = await runOnce(ours, inputs);
      await expectPredict(model, inputs.get(ours.inputs[0].name)!, [...out.values()][0]);
    }
  });

  it('reports a size its layers cannot take when the run starts, naming the layer and both shapes', async () => {
    const model = tf.sequential({ layers: [
      L.conv2d({ filters: 2, kernelSize: 5, padding: 'valid', inputShape: [null, null, 1] as unknown as number[] }),
      L.globalMaxPooling2d({}),
    ] });
    randomizeWeights(model);
    const ours = await open(await save(model));
    const inputs = randomInputs(ours.inputs, 0, new Map([[ours.inputs[0].name, [1, 3, 3, 1]]]));
    expect(() => new Runner(ours, Object.fromEntries(inputs))).toThrow(/^model\.json line \d+: layer 'conv2d[^']*' cannot run its conv op 'conv' on \[1, 1, 3, 3\] from layer '[^']+' and \[2, 1, 5, 5\] from layer '[^']+' weight 'kernel'.*: .*\b5\b.*\b3\b.*\.$/);
  });

  it('asks for open sizes instead of guessing them, and suggests sizes the layers accept', async () => {
    const ours = await open(await save(fullyConvolutional()));
    expect(hasOpenSizes(ours)).toBe(true);
    expect(formatDims(ours.inputs[0].shape)).toBe('[?, ?, ?, 3]');
    const name = ours.inputs[0].name;
    expect(() => randomShapes(ours, undefined)).toThrow(new RegExp(`input '${name}' has open sizes \\[\\?, \\?, \\?, 3\\]; give it a shape \\(such as --shape ${name}=1,32,32,3\\) or an input file\\.$`));
    expect(randomShapes(ours, { [name]: [2, 9, 9, 3] }).get(name)).toEqual([2, 9, 9, 3]);
    expect(() => randomShapes(ours, { [name]: [2, 9, 9, 4] })).toThrow(/takes shape \[\?, \?, \?, 3\]; the shape given, \[2, 9, 9, 4\], does not fit it\./);
    expect(() => randomShapes(ours, { other: [1] })).toThrow(/has no input 'other' to give a shape/);
    // The suggestion is a size the model accepts: 32 passes a stride 2, a valid 3×3 and a 2×2 pool.
    expect(suggestShapes(ours).get(name)).toEqual([1, 32, 32, 3]);
  });

  it('suggests the smallest image size that a valid stack of convolutions and pools accepts', async () => {
    const model = tf.sequential({ layers: [
      L.conv2d({ filters: 2, kernelSize: 7, padding: 'valid', inputShape: [null, null, 1] as unknown as number[] }),
      L.maxPooling2d({ poolSize: 4 }),
      L.conv2d({ filters: 2, kernelSize: 9, padding: 'valid' }),
      L.globalAveragePooling2d({}),
    ] });
    randomizeWeights(model);
    const ours = await open(await save(model));
    // 32 → 26 → 6 (too small for 9); 64 → 58 → 14 → 6.
    expect(suggestShapes(ours).get(ours.inputs[0].name)).toEqual([1, 64, 64, 1]);
  });

  it('runs a Layerstep model.json whose input declares null for the batch at any batch, the same as a dense by hand', async () => {
    const doc = {
      format: 'layerstep/1', name: 'free-batch',
      inputs: [{ name: 'x', shape: [null, 3] }],
      layers: [{ type: 'dense', name: 'fc', units: 2, weights: { kernel: [[1, 2], [3, 4], [5, 6]], bias: [0.5, -0.5] } }],
      examples: [{ name: 'two rows', inputs: { x: { shape: [2, 3], data: [1, 0, 0, 0, 1, 1] } } }],
    };
    const model = await openModel(MemorySource.of(doc));
    expect(model.inputs[0].shape).toEqual([null, 3]);
    expect(model.outputs[0].shape).toEqual([null, 2]);
    const rows = Tensor.from([3, 3], [1, 1, 1, 0, 2, 0, -1, 0, 1]);
    const out = [...(await runOnce(model, new Map([['x', rows]]))).values()][0];
    expect([...out.shape]).toEqual([3, 2]);
    expect(Array.from(out.data)).toEqual([9.5, 11.5, 6.5, 7.5, 4.5, 3.5]);
    const example = [...(await runOnce(model, new Map(Object.entries(model.examples[0].inputs)))).values()][0];
    expect(Array.from(example.data)).toEqual([1.5, 1.5, 8.5, 9.5]);
  });
});
