import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../../src/loaders/registry';
import { kerasLoader } from '../../../src/loaders/keras/index';
import type { Model } from '../../../src/model/ir';
import { MemorySource } from './memorySource';
import { inputsFor, run, tree } from './tfjsHelpers';

/**
 * Keras files written by scripts/make-keras-fixtures.mjs (Keras 2 .h5, Keras 3 .keras), opened by the Keras
 * loader, run by the runner, and compared with TF.js running the same architecture and weights (the fixture's
 * `.oracle.json`, written from the same arrays as the Keras file) on the cpu backend.
 */

const DIR = join(__dirname, '../../fixtures/keras');
const TOL = 1e-5;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const bytes = (file: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, file)));

function openFixture(file: string): Promise<Model> {
  return openModel(new MemorySource(`/models/${file}`, bytes(file)));
}

/** The fixture's model in TF.js: its topology and the weights the Keras file holds. */
async function oracleOf(file: string): Promise<tf.LayersModel> {
  const { topology, weights } = JSON.parse(readFileSync(join(DIR, `${file}.oracle.json`), 'utf8')) as {
    topology: object; weights: { name: string; shape: number[]; values: number[] }[];
  };
  const data = Float32Array.from(weights.flatMap((w) => w.values));
  const specs = weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' as const }));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData: data.buffer }));
}

/** Runs the fixture with our loader and runner and with TF.js; returns the largest absolute difference. */
async function compare(file: string, seed: number): Promise<{ model: Model; diff: number }> {
  const model = await openFixture(file);
  const oracle = await oracleOf(file);
  const inputs = inputsFor(model, seed);
  const got = await run(model, inputs);
  const xs = model.inputs.map((i) => tf.tensor(Array.from(inputs[i.name].data as Float32Array), [...inputs[i.name].shape]));
  const predicted = oracle.predict(xs.length === 1 ? xs[0] : xs);
  const want = Array.isArray(predicted) ? predicted : [predicted];
  expect(model.outputs.length).toBe(want.length);
  let diff = 0;
  for (const [k, info] of model.outputs.entries()) {
    const have = got.get(info.name)!;
    expect([...have.shape], `output '${info.name}'`).toEqual(want[k].shape);
    const w = await want[k].data();
    expect(have.data.length).toBe(w.length);
    for (let i = 0; i < w.length; i++) diff = Math.max(diff, Math.abs(have.data[i] - w[i]));
  }
  return { model, diff };
}

describe('keras loader: matching files', () => {
  it('matches .h5, .hdf5 and .keras by name, and any file by the HDF5 signature', () => {
    const hdf5 = bytes('mlp.h5').subarray(0, 4096);
    expect(kerasLoader.match('m.h5', new Uint8Array(0))).toBe(true);
    expect(kerasLoader.match('m.HDF5', new Uint8Array(0))).toBe(true);
    expect(kerasLoader.match('m.keras', new Uint8Array(0))).toBe(true);
    expect(kerasLoader.match('weights.bin', hdf5)).toBe(true);
    expect(kerasLoader.match('model.json', new TextEncoder().encode('{"modelTopology": {}}'))).toBe(false);
    expect(kerasLoader.match('archive.zip', bytes('volume.keras').subarray(0, 4096))).toBe(false);
  });
});

describe('keras loader: outputs match TF.js', () => {
  it('runs a Keras 2 Sequential MLP (.h5)', async () => {
    const { model, diff } = await compare('mlp.h5', 1);
    expect(diff).toBeLessThanOrEqual(TOL);
    expect(model.format).toBe('keras');
    expect(model.name).toBe('mlp');
    expect(model.inputs.map((v) => v.name)).toEqual(['hidden_input']);
    expect(model.outputs.map((v) => v.name)).toEqual(['probs']);
    expect(tree(model)).toMatch(/hidden \(Dense\)[\s\S]*probs \(Dense\)/);
  });

  it('runs a Keras 2 functional CNN with Conv2D, BatchNormalization and pooling (.h5, split layer_names)', async () => {
    const { model, diff } = await compare('cnn.h5', 2);
    expect(diff).toBeLessThanOrEqual(TOL);
    expect(model.root.body.map((i) => i.id)).toEqual(['conv1', 'bn1', 'pool1', 'conv2', 'pool2', 'flat', 'logits']);
    const bn = model.root.body.find((i) => i.id === 'bn1');
    expect(bn?.kind === 'module' && Object.keys(bn.weights).sort()).toEqual(['beta', 'gamma', 'moving_mean', 'moving_variance']);
  });

  it('runs a Keras 3 functional model with Conv3D, a residual Add and a nested Sequential (.keras)', async () => {
    const { model, diff } = await compare('volume.keras', 3);
    expect(diff).toBeLessThanOrEqual(TOL);
    expect(model.inputs.map((v) => `${v.name} ${v.dtype}`)).toEqual(['volume float32']);
    expect(model.root.body.map((i) => `${i.id} (${i.kind === 'module' ? i.type : i.op})`)).toEqual(
      ['c1 (Conv3D)', 'c2 (Conv3D)', 'residual (Add)', 'pool (MaxPooling3D)', 'flat (Flatten)', 'head (Sequential)']);
    const head = model.root.body.find((i) => i.id === 'head');
    expect(head?.kind === 'module' && head.body.map((i) => i.id)).toEqual(['head/head_dense', 'head/head_bn']);
  });

  it('runs a Keras 3 Sequential with Bidirectional LSTM and SimpleRNN (weights under cell, forward_layer, backward_layer)', async () => {
    const { model, diff } = await compare('sequence.keras', 4);
    expect(diff).toBeLessThanOrEqual(TOL);
    expect(model.root.body.map((i) => i.id)).toEqual(['bi', 'rnn', 'out']);
  });

  it('reads every weight of a file once, at the first run', async () => {
    const model = await openFixture('cnn.h5');
    // conv1 (2), bn1 (4), conv2 (2), logits (2): not read at open.
    expect(model.pendingWeights?.size).toBe(10);
    expect(model.weights.size).toBe(0);
  });
});
