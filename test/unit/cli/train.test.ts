import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { Tensor } from '../../../src/engine/tensor';
import { decodeSafetensors } from '../../../src/loaders/safetensors';
import { encodeModel } from '../loaders/onnxHelpers';
import { openModelFile } from '../../../src/node/localModel';
import { REPO } from '../debug/dapDriver';
import { spawnCli } from './spawnCli';
import type { CliResult } from './spawnCli';
import { seededValues } from '../../fixtures/runner/seeded';

/**
 * `layerstep train` end to end: the built `dist/cli.js` is spawned on small models (native and ONNX) with a data
 * file, and what it prints and saves is checked against TensorFlow.js training the same model the same way.
 */

let tmp: string;
const cli = (...args: string[]): CliResult => spawnCli(tmp, args);

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = mkdtempSync(join(tmpdir(), 'layerstep-train-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const values = seededValues;

const K1 = values(3 * 4, 1, 0.7);
const B1 = values(4, 2, 0.1);
const K2 = values(4 * 2, 3, 0.7);
const B2 = values(2, 4, 0.1);
const ROWS = 6;
const X = values(ROWS * 3, 5);
const T = values(ROWS * 2, 6).map((v) => (v > 0 ? 1 : 0));

function writeNative(): string {
  const file = join(tmp, 'mlp.json');
  writeFileSync(file, JSON.stringify({
    format: 'layerstep/1', name: 'mlp', inputs: [{ name: 'x', shape: [null, 3] }], output: 'p',
    layers: [
      { name: 'hidden', type: 'dense', units: 4, activation: 'tanh', weights: { kernel: { shape: [3, 4], data: K1 }, bias: B1 } },
      { name: 'out', type: 'dense', units: 2, activation: 'sigmoid', weights: { kernel: { shape: [4, 2], data: K2 }, bias: B2 } },
    ],
  }, null, 2));
  return file;
}

function writeData(name = 'data.json', rows = ROWS, output = 'p'): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify({
    inputs: { x: { shape: [rows, 3], data: X.slice(0, rows * 3) } },
    targets: { [output]: { shape: [rows, 2], data: T.slice(0, rows * 2) } },
  }));
  return file;
}

/** TensorFlow.js training the same MLP with binary cross-entropy: losses and final weights. */
function tfTrain(opt: tf.Optimizer, steps: number, batch = ROWS) {
  const v = {
    'hidden.kernel': tf.variable(tf.tensor2d(K1, [3, 4])), 'hidden.bias': tf.variable(tf.tensor1d(B1)),
    'out.kernel': tf.variable(tf.tensor2d(K2, [4, 2])), 'out.bias': tf.variable(tf.tensor1d(B2)),
  };
  const losses: number[] = [];
  const perEpoch = Math.ceil(ROWS / batch);
  for (let i = 0; i < steps; i++) {
    const j = i % perEpoch;
    const [start, end] = [j * batch, Math.min(ROWS, (j + 1) * batch)];
    const x = tf.tensor2d(X.slice(start * 3, end * 3), [end - start, 3]);
    const t = tf.tensor2d(T.slice(start * 2, end * 2), [end - start, 2]);
    const cost = opt.minimize(() => {
      const h = tf.tanh(tf.add(tf.matMul(x, v['hidden.kernel']), v['hidden.bias']));
      const p = tf.clipByValue(tf.sigmoid(tf.add(tf.matMul(h, v['out.kernel']), v['out.bias'])), 1e-7, 1 - 1e-7);
      return tf.mean(tf.neg(tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p)))))) as tf.Scalar;
    }, true, Object.values(v)) as tf.Scalar;
    losses.push(cost.dataSync()[0]);
  }
  return { losses, weights: Object.fromEntries(Object.entries(v).map(([k, t]) => [k, Array.from(t.dataSync())])) };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

/** The losses of `step K loss VALUE` lines, checking that K counts 1, 2, 3... */
function stepLines(stdout: string): number[] {
  const lines = stdout.trimEnd().split('\n');
  return lines.map((line, i) => {
    const m = /^step (\d+) loss (\S+)$/.exec(line);
    if (!m) expect.fail(`not a step line: '${line}'`);
    expect(Number(m[1])).toBe(i + 1);
    return Number(m[2]);
  });
}

describe('layerstep train', () => {
  it('prints each step\'s loss as TensorFlow.js measures it, and --save writes the weights it trains', () => {
    const model = writeNative();
    const data = writeData();
    const save = join(tmp, 'trained.safetensors');
    const r = cli('train', model, '--data', data, '--loss', 'bce', '--optimizer', 'adam', '--lr', '0.05', '--steps', '8', '--save', save);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const theirs = tfTrain(tf.train.adam(0.05, 0.9, 0.999, 1e-8), 8);
    expectClose(stepLines(r.stdout), theirs.losses);
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(save)), { file: save, maxBytes: 1 << 20 });
    expect([...tensors.keys()].sort()).toEqual(['hidden.bias', 'hidden.kernel', 'out.bias', 'out.kernel']);
    for (const [name, w] of Object.entries(theirs.weights)) expectClose(tensors.get(name)!.data, w);
    // The model file is not changed.
    expect(JSON.parse(readFileSync(model, 'utf8')).layers[0].weights.bias).toEqual(B1);
  });

  it('--json prints the losses as one document; --batch takes the rows in order, a smaller last batch, then again', () => {
    const r = cli('train', writeNative(), '--data', writeData(), '--loss', 'bce', '--optimizer', 'momentum', '--lr', '0.1', '--steps', '5', '--batch', '4', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { losses: number[] };
    expect(Object.keys(doc)).toEqual(['losses']);
    expectClose(doc.losses, tfTrain(tf.train.momentum(0.1, 0.9), 5, 4).losses);
  });

  it('trains an ONNX model: its initializers, saved under their names', () => {
    const file = join(tmp, 'mlp.onnx');
    writeFileSync(file, encodeModel({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3] }],
      outputs: [{ name: 'p', dtype: 'float32', shape: ['batch', 2] }],
      initializers: {
        W1: Tensor.from([3, 4], K1), b1: Tensor.from([4], B1), W2: Tensor.from([4, 2], K2), b2: Tensor.from([2], B2),
      },
      nodes: [
        { op: 'Gemm', name: 'fc1', inputs: ['x', 'W1', 'b1'], outputs: ['h0'] },
        { op: 'Tanh', name: 'act', inputs: ['h0'], outputs: ['h'] },
        { op: 'MatMul', name: 'fc2', inputs: ['h', 'W2'], outputs: ['z0'] },
        { op: 'Add', name: 'bias2', inputs: ['z0', 'b2'], outputs: ['z'] },
        { op: 'Sigmoid', name: 'prob', inputs: ['z'], outputs: ['p'] },
      ],
    }));
    const save = join(tmp, 'onnx.safetensors');
    const r = cli('train', file, '--data', writeData(), '--loss', 'bce', '--optimizer', 'sgd', '--lr', '0.5', '--steps', '4', '--save', save);
    expect(r.code, r.stderr).toBe(0);
    const theirs = tfTrain(tf.train.sgd(0.5), 4);
    expectClose(stepLines(r.stdout), theirs.losses);
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(save)), { file: save, maxBytes: 1 << 20 });
    expectClose(tensors.get('W1')!.data, theirs.weights['hidden.kernel']);
    expectClose(tensors.get('b2')!.data, theirs.weights['out.bias']);
  });

  it('trains Keras and TF.js layers models: the loss falls, and --save keys the weights as inspect lists them', async () => {
    const cases = [
      { file: join(REPO, 'test/fixtures/keras/mlp.h5'), input: 'hidden_input', shape: [8, 5], output: 'probs', classes: 3, loss: 'cce' },
      { file: join(REPO, 'test/fixtures/tfjs/mlp/model.json'), input: 'features', shape: [8, 4], output: 'probs', classes: 3, loss: 'cce' },
      { file: join(REPO, 'test/fixtures/keras/cnn.h5'), input: 'image', shape: [4, 8, 8, 3], output: 'logits', classes: 3, loss: 'cce-logits' },
    ];
    for (const c of cases) {
      const rows = c.shape[0];
      const data = join(tmp, `${c.input}.json`);
      // Class indices as targets: one rank less than the output.
      writeFileSync(data, JSON.stringify({
        inputs: { [c.input]: { shape: c.shape, data: values(c.shape.reduce((a, b) => a * b, 1), 31) } },
        targets: { [c.output]: { shape: [rows], dtype: 'int32', data: Array.from({ length: rows }, (_, i) => i % c.classes) } },
      }));
      const save = join(tmp, `${c.input}.safetensors`);
      const r = cli('train', c.file, '--data', data, '--loss', c.loss, '--optimizer', 'adam', '--lr', '0.01', '--steps', '15', '--save', save);
      expect(r.code, r.stderr).toBe(0);
      const losses = stepLines(r.stdout);
      expect(losses).toHaveLength(15);
      expect(losses[14]).toBeLessThan(losses[0]);
      const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(save)), { file: save, maxBytes: 1 << 24 });
      const model = await openModelFile(c.file);
      expect([...tensors.keys()].sort()).toEqual([...model.weights.keys()].sort());
    }
  });

  it('fails with one sentence: an op without a gradient names its node; bad data; a target for no output', () => {
    const file = join(tmp, 'wrap.onnx');
    writeFileSync(file, encodeModel({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3] }],
      outputs: [{ name: 'p', dtype: 'float32', shape: ['batch', 2] }],
      initializers: { W: Tensor.from([3, 2], values(6, 9)), three: Tensor.from([1], [3]) },
      nodes: [
        { op: 'MatMul', name: 'fc', inputs: ['x', 'W'], outputs: ['z'] },
        { op: 'Mod', name: 'wrap_around', inputs: ['z', 'three'], outputs: ['p'], attrs: { fmod: 1 } },
      ],
    }));
    const noGrad = cli('train', file, '--data', writeData(), '--loss', 'mse', '--optimizer', 'sgd', '--lr', '0.1', '--steps', '1');
    expect(noGrad.code).toBe(1);
    expect(noGrad.stdout).toBe('');
    expect(noGrad.stderr).toMatch(/wrap\.onnx: Train cannot pass op mod \(node 'wrap_around'\): the engine has no gradient for it/);

    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ inputs: { x: { shape: [2, 3], data: [1, 2, 3] } }, targets: {} }));
    const r1 = cli('train', writeNative(), '--data', bad, '--loss', 'mse', '--optimizer', 'sgd', '--lr', '0.1', '--steps', '1');
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/bad\.json: input 'x' has 3 values but shape \[2, 3\] needs 6/);

    const wrong = cli('train', writeNative(), '--data', writeData('wrong.json', ROWS, 'y'), '--loss', 'mse', '--optimizer', 'sgd', '--lr', '0.1', '--steps', '1');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/wrong\.json gives a target for 'y', but mlp\.json has no output of that name; its outputs are p/);

    const fixed = join(tmp, 'fixed.json');
    writeFileSync(fixed, readFileSync(writeNative(), 'utf8').replace('"shape": [\n        null,', '"shape": [\n        1,'));
    const batch = cli('train', fixed, '--data', writeData(), '--loss', 'bce', '--optimizer', 'sgd', '--lr', '0.1', '--steps', '1');
    expect(batch.code).toBe(1);
    expect(batch.stderr).toMatch(/fixed\.json cannot take a batch of 6 from data\.json/);
  });

  it('checks its flags', () => {
    const usage = (...args: string[]): string => {
      try {
        parseArgs(['train', 'm.json', ...args]);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      return '';
    };
    expect(usage('--loss', 'hinge')).toBe("--loss 'hinge' must be one of mse, bce, cce, bce-logits, cce-logits.");
    expect(usage('--optimizer', 'rmsprop')).toBe("--optimizer 'rmsprop' must be one of sgd, momentum, adam.");
    expect(usage('--lr', '0')).toMatch(/^--lr '0' must be a learning rate above 0/);
    expect(usage('--lr', 'fast')).toMatch(/^--lr 'fast' must be/);
    expect(usage('--steps', '2.5')).toBe("--steps '2.5' must be a whole number, 1 or more.");
    expect(usage('--batch', '0')).toBe("--batch '0' must be a whole number, 1 or more.");
    expect(usage('--save', 'w.bin')).toBe("--save 'w.bin' must be a file ending in .safetensors.");
    expect(usage('--set', 'x=1')).toBe("'train' does not take '--set'.");
    const ok = parseArgs(['train', 'm.json', '--data', 'd.json', '--loss', 'cce', '--optimizer', 'adam', '--lr', '1e-3', '--steps', '3', '--batch', '2', '--save', 'w.safetensors', '--json']);
    expect(ok.command).toEqual({
      kind: 'train', model: 'm.json', data: 'd.json', loss: 'cce', optimizer: 'adam', lr: 0.001, steps: 3, batch: 2, save: 'w.safetensors', json: true, threads: undefined,
    });
  });
});
