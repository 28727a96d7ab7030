import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as layerstep from '../../../src/api';
import type { LayerstepModel, TensorOutput } from '../../../src/api';
import { main } from '../../../src/cli/main';
import { decodeSafetensors } from '../../../src/loaders/safetensors';
import { seededValues } from '../../fixtures/runner/seeded';

/**
 * Training from a script (src/api.ts, src/api/training.ts): losses and trained weights against TensorFlow.js
 * training the same TF.js layers model, runs after training using the trained weights (at other batch sizes too,
 * where the model is laid out again), the defaults against `layerstep train`, saving, and the one-sentence errors.
 */

const root = resolve(__dirname, '../../..');
const tfjsMlp = join(root, 'test/fixtures/tfjs/mlp/model.json');
const line = join(root, 'examples/linear-regression/untrained.json');
const openSizes = join(root, 'test/fixtures/e2e/open-sizes/model.onnx');
const scratch = mkdtempSync(join(tmpdir(), 'layerstep-api-train-'));

const opened: LayerstepModel[] = [];
async function open(path: string): Promise<LayerstepModel> {
  const m = await layerstep.open(path, { threads: 1 });
  opened.push(m);
  return m;
}
afterEach(async () => {
  for (const m of opened.splice(0)) await m.dispose();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = seededValues;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = atol): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
  }
}

/** The TF.js fixture loaded by TensorFlow.js itself, compiled for training. */
async function tfjsModel(optimizer: tf.Optimizer): Promise<tf.LayersModel> {
  const dir = join(root, 'test/fixtures/tfjs/mlp');
  const json = JSON.parse(readFileSync(tfjsMlp, 'utf8'));
  const shards = json.weightsManifest[0].paths.map((p: string) => readFileSync(join(dir, p)));
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: new Uint8Array(Buffer.concat(shards)).buffer,
  }));
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return model;
}

const rows = 8;
const xs = values(rows * 4, 5, 2);
/** One-hot classes 0, 1, 2, 0, 1, ... */
const ts = Array.from({ length: rows * 3 }, (_, i) => (Math.floor(i / 3) % 3 === i % 3 ? 1 : 0));
const mlpData = { inputs: { features: { shape: [rows, 4], data: Float32Array.from(xs) } }, targets: { probs: { shape: [rows, 3], data: ts } } };

const flat = (o: TensorOutput): number[] => Array.from(o.data as Float32Array);

describe('api: train against TensorFlow.js', () => {
  it('trains a TF.js MLP with Adam and cross-entropy in batches as TensorFlow.js does, and runs with the trained weights', async () => {
    const model = await open(tfjsMlp);
    const before = model.weights();
    const steps: [number, number][] = [];
    const { losses } = await model.train(mlpData, {
      loss: 'cce', optimizer: 'adam', learningRate: 0.05, steps: 6, batch: 3, onStep: (step, loss) => steps.push([step, loss]),
    });

    const oracle = await tfjsModel(tf.train.adam(0.05, 0.9, 0.999, 1e-8));
    const theirs: number[] = [];
    // Batches of 3 in order (the last of each pass smaller), then the data again: 0-3, 3-6, 6-8, 0-3, ...
    for (let step = 0; step < 6; step++) {
      const start = (step % 3) * 3;
      const end = Math.min(rows, start + 3);
      const x = tf.tensor2d(xs.slice(start * 4, end * 4), [end - start, 4]);
      const t = tf.tensor2d(ts.slice(start * 3, end * 3), [end - start, 3]);
      theirs.push(await oracle.trainOnBatch(x, t) as number);
    }
    expectClose(losses, theirs, 1e-5, 1e-4);
    expect(steps).toEqual(losses.map((l, i) => [i + 1, l]));

    const after = model.weights();
    expect(Object.keys(after).sort()).toEqual(['hidden.bias', 'hidden.kernel', 'probs.bias', 'probs.kernel']);
    for (const w of oracle.weights) {
      const name = w.originalName.replace(/^mlp\//, '').replace('/', '.');
      expectClose(flat(after[name]), w.read().dataSync(), 1e-5, 1e-4);
      expect(flat(after[name])).not.toEqual(flat(before[name]));
    }

    // Runs use the trained weights, at the training's batch size and at another (the layers laid out again).
    for (const n of [3, 5]) {
      const x = values(n * 4, 40 + n, 2);
      const expected = (oracle.predict(tf.tensor2d(x, [n, 4])) as tf.Tensor).dataSync();
      for (const record of [false, true]) {
        const out = await model.run({ features: { shape: [n, 4], data: x } }, { record });
        expectClose(out.probs.data as Float32Array, expected, 1e-5, 1e-4);
      }
    }
  });

  it('goes on from the trained weights in a later call, and leaves another open copy of the file alone', async () => {
    const once = await open(tfjsMlp);
    const twice = await open(tfjsMlp);
    const all = await once.train(mlpData, { loss: 'cce', learningRate: 0.5, steps: 4 });
    const first = await twice.train(mlpData, { loss: 'cce', learningRate: 0.5, steps: 2 });
    const second = await twice.train(mlpData, { loss: 'cce', learningRate: 0.5, steps: 2 });
    // SGD keeps no state, so two calls of two steps are four steps.
    expectClose([...first.losses, ...second.losses], all.losses, 1e-7, 1e-6);
    for (const [name, t] of Object.entries(once.weights())) expectClose(flat(twice.weights()[name]), flat(t), 1e-7, 1e-6);

    const fresh = await open(tfjsMlp);
    const again = await fresh.train(mlpData, { loss: 'cce', learningRate: 0.5, steps: 1 });
    expect(again.losses[0]).toBe(all.losses[0]);
  });

  it('trains calls made together one after another', async () => {
    const model = await open(tfjsMlp);
    const [a, b] = await Promise.all([
      model.train(mlpData, { loss: 'cce', learningRate: 0.5, steps: 2 }),
      model.train(mlpData, { loss: 'cce', learningRate: 0.5, steps: 2 }),
    ]);
    const reference = await open(tfjsMlp);
    const all = await reference.train(mlpData, { loss: 'cce', learningRate: 0.5, steps: 4 });
    expectClose([...a.losses, ...b.losses], all.losses, 1e-7, 1e-6);
  });
});

describe('api: train an ONNX model', () => {
  it('trains an ONNX model with open sizes by its initializers, and runs it with them', async () => {
    const model = await open(openSizes);
    const image = { shape: [2, 3, 20, 24], data: Float32Array.from({ length: 2 * 3 * 20 * 24 }, (_, i) => Math.sin(i)) };
    const target = [1, 0, 0, 0, 0, 0, 1, 0];
    const data = { inputs: { image }, targets: { probs: { shape: [2, 4], data: target } } };
    const mseOf = (probs: TensorOutput): number => Array.from(probs.data).reduce((a, v, i) => a + (v - target[i]) ** 2, 0) / target.length;
    const before = model.weights();
    const untrained = mseOf((await model.run({ image })).probs);
    const { losses } = await model.train(data, { loss: 'mse', optimizer: 'momentum', learningRate: 0.5, steps: 4 });
    expect(losses[0]).toBeCloseTo(untrained, 6);
    expect(Math.min(...losses.slice(1))).toBeLessThan(losses[0]);
    const after = model.weights();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(Object.keys(after).filter((n) => flat(after[n]).some((v, i) => v !== before[n].data[i])).length).toBeGreaterThan(0);

    // A run now answers with the trained weights: its mean squared error is the loss the next step measures.
    for (const record of [false, true]) {
      const mse = mseOf((await model.run({ image }, { record })).probs);
      expect(mse).not.toBeCloseTo(untrained, 3);
      const next = await model.train(data, { loss: 'mse', learningRate: 1e-9, steps: 1 });
      expect(next.losses[0]).toBeCloseTo(mse, 6);
    }
  });
});

describe('api: train defaults', () => {
  it("takes the model's examples and training hints as `layerstep train` does, and finds y = 2x + 1", async () => {
    const model = await open(line);
    const { losses } = await model.train();
    let out = '';
    expect(await main(['train', line, '--json'], { out: (t) => { out += t; }, err: () => undefined, stderrIsTTY: false })).toBe(0);
    expect(losses).toEqual(JSON.parse(out).losses);
    expect(losses).toHaveLength(60);
    expect(losses[59]).toBeLessThan(1e-3 * losses[0]);

    const w = model.weights();
    const kernel = Object.entries(w).find(([n]) => n.endsWith('kernel'))![1];
    const bias = Object.entries(w).find(([n]) => n.endsWith('bias'))![1];
    expect(kernel.data[0]).toBeCloseTo(2, 1);
    expect(bias.data[0]).toBeCloseTo(1, 1);
    // One example at a time, a size training never used: the trained line.
    const y = await model.run({ x: { shape: [1, 1], data: [4] } });
    expect(y.y.data[0]).toBeCloseTo(kernel.data[0] * 4 + bias.data[0], 5);
    expect(y.y.data[0]).toBeCloseTo(9, 0);
  });

  it('saves every weight as it is now to safetensors, as --save does', async () => {
    const model = await open(line);
    await model.train(undefined, { steps: 5 });
    const file = join(scratch, 'trained.safetensors');
    await model.saveWeights(file);
    const cli = join(scratch, 'cli.safetensors');
    expect(await main(['train', line, '--steps', '5', '--save', cli, '--json'], { out: () => undefined, err: () => undefined, stderrIsTTY: false })).toBe(0);

    const saved = decodeSafetensors(new Uint8Array(readFileSync(file)), { file, maxBytes: 1e6 });
    const byCli = decodeSafetensors(new Uint8Array(readFileSync(cli)), { file: cli, maxBytes: 1e6 }).tensors;
    const weights = model.weights();
    expect(saved.metadata).toEqual({ trainedFrom: 'untrained.json', steps: '5' });
    expect([...saved.tensors.keys()].sort()).toEqual(Object.keys(weights).sort());
    expect([...byCli.keys()].sort()).toEqual(Object.keys(weights).sort());
    for (const [name, t] of Object.entries(weights)) {
      expect(Array.from(saved.tensors.get(name)!.data)).toEqual(flat(t));
      expect(Array.from(byCli.get(name)!.data)).toEqual(flat(t));
    }
  });
});

describe('api: train errors', () => {
  it('refuses options that do not make sense, naming the option', async () => {
    const model = await open(tfjsMlp);
    const cases: [unknown, string][] = [
      [{ loss: 'l2' }, "option 'loss' must be one of 'mse', 'bce', 'cce', 'bce-logits', 'cce-logits', got \"l2\"."],
      [{ optimizer: 'rmsprop' }, "option 'optimizer' must be one of 'sgd', 'momentum', 'adam', got \"rmsprop\"."],
      [{ learningRate: 0 }, "option 'learningRate' must be a number above 0, got 0."],
      [{ learningRate: '0.1' }, "option 'learningRate' must be a number above 0, got \"0.1\"."],
      [{ learningRate: NaN }, "option 'learningRate' must be a number above 0, got NaN."],
      [{ steps: 0 }, "option 'steps' must be a whole number, 1 or more, got 0."],
      [{ batch: 2.5 }, "option 'batch' must be a whole number, 1 or more, got 2.5."],
      [{ onStep: 'log' }, "option 'onStep' must be a function (step, loss) => ..., got string."],
      [{ lr: 0.1 }, "unknown train option 'lr' (the options are loss, optimizer, learningRate, steps, batch, onStep)."],
      [5, "train's options must be an object, got number."],
    ];
    for (const [options, message] of cases) {
      const e = await model.train(mlpData, options as never).then(() => undefined, (err: unknown) => err);
      expect(e, message).toBeInstanceOf(layerstep.OptionError);
      expect((e as Error).message.endsWith(message), `${(e as Error).message} / ${message}`).toBe(true);
      expect((e as Error).message.startsWith('model.json: ')).toBe(true);
    }
  });

  it('names what is wrong with the data', async () => {
    const model = await open(tfjsMlp);
    const x = mlpData.inputs.features;
    const t = mlpData.targets.probs;
    const cases: [unknown, string][] = [
      [[1, 2], "model.json: train takes its data as { inputs: { NAME: { shape, dtype, data } }, targets: { OUTPUT: { shape, dtype, data } } }."],
      [{ inputs: { features: x } }, "model.json: train's data needs targets: an object of tensors by output name, as in { inputs: { NAME: { shape, dtype, data } }, targets: { OUTPUT: { shape, dtype, data } } }."],
      [{ inputs: { features: x }, targets: { probs: t }, weights: {} }, "model.json: train's data has 'weights', but it holds only inputs and targets: { inputs: { NAME: { shape, dtype, data } }, targets: { OUTPUT: { shape, dtype, data } } }."],
      [{ inputs: {}, targets: { probs: t } }, "model.json: input 'features' is missing from train's data."],
      [{ inputs: { x, features: x }, targets: { probs: t } }, "model.json: the model has no input 'x'; its inputs are 'features'."],
      [{ inputs: { features: x }, targets: { y: t } }, "model.json: the model has no output 'y' to give a target for; its outputs are 'probs'."],
      [{ inputs: { features: x }, targets: {} }, "model.json: train's data has no targets: give what the model should answer, by output name ('probs')."],
      [{ inputs: { features: x }, targets: { probs: { shape: [4, 3], data: new Float32Array(11) } } }, "model.json: target 'probs' has 11 values in data but shape [4, 3] holds 12."],
      [{ inputs: { features: x }, targets: { probs: { shape: [4, 3], data: new Float32Array(12) } } }, "model.json: target 'probs' has 4 rows but input 'features' has 8; train's data needs one row per example in every tensor."],
      [{ inputs: { features: { shape: [8, 5], data: new Float32Array(40) } }, targets: { probs: t } }, "model.json: input 'features' must be float32[?, 4] for each example, got float32[8, 5]."],
      [{ inputs: { features: { shape: [0, 4], data: [] } }, targets: { probs: { shape: [0, 3], data: [] } } }, "model.json: train's data has no examples (input 'features' has 0 rows)."],
      [{ inputs: { features: x }, targets: { probs: { shape: [8, 2], data: new Float32Array(16) } } }, "model.json: op loss (loss): the target's shape [8, 2] is not the output's [8, 3]"],
    ];
    for (const [data, message] of cases) {
      const e = await model.train(data as never).then(() => undefined, (err: unknown) => err);
      expect(e, message).toBeInstanceOf(Error);
      expect((e as Error).message, message).toContain(message);
    }
    // Without data, a model without examples that carry targets.
    await expect(model.train()).rejects.toThrow("model.json has no examples with targets, so train needs its data: { inputs: { NAME: tensor }, targets: { OUTPUT: tensor } }.");
  });

  it('leaves the weights alone when a step or onStep fails', async () => {
    const model = await open(tfjsMlp);
    const before = model.weights();
    await expect(model.train(mlpData, { loss: 'cce', steps: 3, onStep: (step) => {
      if (step === 2) throw new Error('enough');
    } })).rejects.toThrow('enough');
    expect(model.weights()).toEqual(before);
  });

  it('refuses to train, read or save the weights of a disposed model, and saves only safetensors', async () => {
    const model = await layerstep.open(line);
    await expect(model.saveWeights(join(scratch, 'w.bin'))).rejects
      .toThrow('untrained.json: saveWeights writes safetensors; give it the path of a file ending in .safetensors, got ');
    await expect(model.saveWeights(join(scratch, 'nope', 'w.safetensors'))).rejects.toThrow(/w\.safetensors: cannot write the output \(the folder '.*nope' does not exist\)\./);
    const training = model.train(undefined, { steps: 50 });
    await model.dispose();
    await expect(training).rejects.toThrow('untrained.json: the model was disposed; open it again to train.');
    await expect(model.train()).rejects.toThrow('untrained.json: the model was disposed; open it again to train.');
    expect(() => model.weights()).toThrow('untrained.json: the model was disposed; open it again to read its weights.');
    await expect(model.saveWeights(join(scratch, 'w.safetensors'))).rejects.toThrow('untrained.json: the model was disposed; open it again to save its weights.');
  });
});

describe('api: training with the built dist/api.js', () => {
  const built = join(root, 'dist', 'api.js');
  it.skipIf(!existsSync(built))('trains from a plain node process, runs with the trained weights and lets the process exit', () => {
    const script = `
      const layerstep = require(${JSON.stringify(built)});
      (async () => {
        const model = await layerstep.open(${JSON.stringify(line)});
        const { losses } = await model.train(undefined, { steps: 60 });
        const y = await model.run({ x: { shape: [2, 1], data: [0, 4] } });
        await model.dispose();
        console.log(JSON.stringify({ first: losses[0], last: losses[losses.length - 1], y: Array.from(y.y.data) }));
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.last).toBeLessThan(1e-3 * got.first);
    expect(got.y[0]).toBeCloseTo(1, 1);
    expect(got.y[1]).toBeCloseTo(9, 1);
  });
});
