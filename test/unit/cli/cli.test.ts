import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { spawnCli } from './spawnCli';
import type { CliResult } from './spawnCli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLoaders } from '../../../src/loaders/registry';
import { parseNpy, parseTensorJson } from '../../../src/loaders/tensors';
import { expectClose } from '../engine/helpers';

/**
 * The CLI contract (DESIGN.md §4) end to end: the built `dist/cli.js` is spawned on fixtures and its stdout,
 * stderr and exit code checked. `dist/` is built once, by the unit tests' global set-up.
 */

const root = resolve(__dirname, '../../..');
const fixtures = join(__dirname, 'fixtures');
const model = join(fixtures, 'mlp', 'model.json');
const fixture = (name: string): string => join(fixtures, name);
let tmp: string;

type Result = CliResult;

const cli = (...args: string[]): Result => spawnCli(tmp, args);

/** A failure: the given exit code, nothing on stdout, one line on stderr (plus the usage hint for code 2), no stack. */
function fails(r: Result, code: number, message: string | RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(code === 2 ? 2 : 1);
  expect(lines[0]).toMatch(/^layerstep: /);
  if (typeof message === 'string') expect(lines[0]).toBe(`layerstep: ${message}`);
  else expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** The fixture model's forward pass in TensorFlow.js: softmax(relu(x·K1 + b1)·K2 + b2). */
function oracle(x: number[]): number[] {
  const m = JSON.parse(readFileSync(model, 'utf8'));
  const [h, o] = m.layers;
  return tf.tidy(() => {
    const hidden = tf.relu(tf.add(tf.matMul(tf.tensor2d(x, [1, 4]), tf.tensor2d(h.weights.kernel.data, [4, 3])), tf.tensor1d(h.weights.bias)));
    const out = tf.softmax(tf.add(tf.matMul(hidden, tf.tensor2d(o.weights.kernel.data, [3, 2])), tf.tensor1d(o.weights.bias)));
    return Array.from(out.dataSync());
  });
}

const INPUT = [0.5, -1, 2, 0.25];

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = mkdtempSync(join(tmpdir(), 'layerstep-cli-'));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('layerstep CLI: help, version, usage errors', () => {
  it('prints help and the version', () => {
    const help = cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: layerstep <command>/);
    expect(cli('run', '--help').stdout).toMatch(/^Usage: layerstep run MODEL/);
    const version = cli('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });

  it('exits 2 with one sentence for usage errors', () => {
    fails(cli(), 2, 'no command given.');
    fails(cli('frob'), 2, "unknown command 'frob'.");
    fails(cli('run'), 2, "'run' needs a MODEL file.");
    fails(cli('run', model, '--output', 'out.txt'), 2, "--output 'out.txt' must be a tensor file ending in .json or .npy.");
    fails(cli('inspect', model, '--break', 'x'), 2, "'inspect' does not take '--break'.");
  });
});

describe('layerstep run', () => {
  it('runs the first example and prints tensor JSON keyed by output name', () => {
    const r = cli('run', model);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const out = parseTensorJson('stdout', r.stdout);
    expect([...out.keys()]).toEqual(['probs']);
    expectClose(out.get('probs')!, oracle([1, 1, 1, 1]), [1, 2], { atol: 1e-6 });
  });

  it('reads named tensor JSON, one unnamed tensor, and .npy', () => {
    for (const input of ['input-x.json', 'input-unnamed.json', 'npy/x_1x4.npy']) {
      const r = cli('run', model, '--input', fixture(input));
      expect(r.code, r.stderr).toBe(0);
      expectClose(parseTensorJson('stdout', r.stdout).get('probs')!, oracle(INPUT), [1, 2], { atol: 1e-6 });
    }
  });

  it('writes --output as .json or .npy', () => {
    expect(cli('run', model, '--input', fixture('input-x.json'), '--output', 'out.json').code).toBe(0);
    expectClose(parseTensorJson('out.json', readFileSync(join(tmp, 'out.json'), 'utf8')).get('probs')!, oracle(INPUT), [1, 2], { atol: 1e-6 });
    expect(cli('run', model, '--input', fixture('input-x.json'), '--output', 'out.npy').code).toBe(0);
    expectClose(parseNpy('out.npy', new Uint8Array(readFileSync(join(tmp, 'out.npy')))), oracle(INPUT), [1, 2], { atol: 1e-6 });
  });

  it('uses a seeded random input when the model has no example, the same on every run', () => {
    const m = JSON.parse(readFileSync(model, 'utf8'));
    delete m.examples;
    writeFileSync(join(tmp, 'noexample.json'), JSON.stringify(m));
    const a = cli('run', 'noexample.json');
    expect(a.code, a.stderr).toBe(0);
    expect(cli('run', 'noexample.json').stdout).toBe(a.stdout);
  });

  it('refuses inputs of the wrong shape or dtype, naming the input and both shapes', () => {
    fails(cli('run', model, '--input', fixture('input-bad-shape.json')), 1, /input-bad-shape\.json: input 'x' expects shape \[1, 4\], got \[1, 5\]\.$/);
    fails(cli('run', model, '--input', fixture('input-bad-dtype.json')), 1, /input-bad-dtype\.json: input 'x' expects dtype float32 \(shape \[1, 4\]\), got int32 \(shape \[1, 4\]\)\.$/);
    fails(cli('run', model, '--input', fixture('input-unknown-name.json')), 1, /input-unknown-name\.json: has a tensor 'y' but the model has no such input \(its inputs: 'x'\)\.$/);
    fails(cli('run', model, '--input', fixture('npy/f4_3x4.npy')), 1, /f4_3x4\.npy: input 'x' expects shape \[1, 4\], got \[3, 4\]\.$/);
  });

  it('refuses malformed input files with one sentence naming the file', () => {
    fails(cli('run', model, '--input', fixture('input-broken.json')), 1, /input-broken\.json: is not valid JSON/);
    fails(cli('run', model, '--input', fixture('npy/fortran_2x3.npy')), 1, /fortran_2x3\.npy: is stored in Fortran \(column-major\) order; only C order is supported/);
    fails(cli('run', model, '--input', fixture('npy/be_f4.npy')), 1, /be_f4\.npy: holds dtype '>f4' \(big-endian/);
    const truncated = readFileSync(fixture('npy/x_1x4.npy')).subarray(0, 130);
    writeFileSync(join(tmp, 'truncated.npy'), truncated);
    fails(cli('run', model, '--input', 'truncated.npy'), 1, "truncated.npy: claims shape (1, 4) of '<f4' (16 bytes of data) but holds 2 bytes of data.");
    fails(cli('run', model, '--input', 'missing.json'), 1, 'missing.json: cannot read the input file (no such file).');
  });

  it('names the model file when it is missing or malformed', () => {
    fails(cli('run', 'nope.json'), 1, /nope\.json/);
    writeFileSync(join(tmp, 'broken-model.json'), '{ "format": "layerstep/1", ');
    fails(cli('inspect', 'broken-model.json'), 1, /broken-model\.json/);
  });

  it('writes nothing to --output when the run fails, and leaves no temporary file', () => {
    const before = readdirSync(tmp).length;
    fails(cli('run', model, '--input', fixture('input-bad-shape.json'), '--output', 'fail.json'), 1, /expects shape/);
    expect(existsSync(join(tmp, 'fail.json'))).toBe(false);
    writeFileSync(join(tmp, 'keep.json'), 'old');
    fails(cli('run', model, '--input', fixture('input-broken.json'), '--output', 'keep.json'), 1, /not valid JSON/);
    expect(readFileSync(join(tmp, 'keep.json'), 'utf8')).toBe('old');
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(tmp).length).toBe(before + 1);
    fails(cli('run', model, '--output', join(tmp, 'no', 'such', 'dir', 'o.json')), 1, /o\.json: cannot write the output \(the folder '.*dir' does not exist\)\.$/);
  });

  it('shows the stack trace only with --verbose', () => {
    const r = cli('run', model, '--input', fixture('input-bad-shape.json'), '--verbose');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^layerstep: .*expects shape/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('layerstep trace and inspect', () => {
  it('prints one line per call and return with tensor summaries', () => {
    const r = cli('trace', model, '--input', fixture('input-x.json'));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^trace of model\.json \(tiny-mlp\) on input .*input-x\.json$/);
    expect(lines[1]).toMatch(/^→ tiny-mlp /);
    expect(lines[lines.length - 1]).toMatch(/^← tiny-mlp .*float32\[1,2\]/);
    expect(lines.filter((l) => l.trimStart().startsWith('→')).length).toBe(lines.filter((l) => l.trimStart().startsWith('←')).length);
    expect(r.stdout).toMatch(/\n {2}→ hidden \(dense\) x=float32\[1,4\] \[0\.5, -1, 2, 0\.25\]\n/);
  });

  it('marks each hit of --break with the call stack and goes on', () => {
    const r = cli('trace', model, '--break', 'hidden', '--break', 'out');
    expect(r.code, r.stderr).toBe(0);
    const marks = r.stdout.split('\n').filter((l) => l.startsWith('● breakpoint'));
    expect(marks).toHaveLength(2);
    expect(r.stdout).toMatch(/● breakpoint.*\n {4}#\d+ call hidden\n {4}hidden \(dense\) model\.json/);
    expect(r.stdout.trimEnd().split('\n').pop()).toMatch(/^← tiny-mlp/);
    fails(cli('trace', model, '--break', 'nothing*'), 1, "model.json: --break 'nothing*': no layer or op named 'nothing*'.");
  });

  it('inspects modules, ops, parameter counts and weight statistics', () => {
    const r = cli('inspect', model);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/parameters: 23 /);
    expect(r.stdout).toMatch(/hidden \[dense\] {2}15 params\n\s+kernel = float32\[4,3\] μ=/);
    expect(r.stdout).toMatch(/\nops:\n/);
  });
});

/** The ONNX loader is written separately; until it is registered, the two-input case is covered by tensors-bind.test.ts. */
const hasOnnx = defaultLoaders.ids().some((id) => id.toLowerCase().includes('onnx'));

describe('layerstep with a two-input ONNX model', () => {
  it.skipIf(!hasOnnx)('refuses one unnamed tensor for a model with two inputs, and runs on named ones', async () => {
    const { onnx } = await import('../../../src/loaders/onnx/proto');
    const vi = (name: string): object => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } });
    const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({
      irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'add2', node: [{ name: 'add', opType: 'Add', input: ['a', 'b'], output: ['sum'] }], input: [vi('a'), vi('b')], output: [vi('sum')] },
    })).finish();
    writeFileSync(join(tmp, 'add2.onnx'), bytes);
    copyFileSync(fixture('input-unnamed.json'), join(tmp, 'unnamed.json'));
    fails(cli('run', 'add2.onnx', '--input', 'unnamed.json'), 1,
      "unnamed.json: holds one unnamed tensor but the model has 2 inputs ('a', 'b'); key the tensors by input name in tensor JSON.");
    writeFileSync(join(tmp, 'ab.json'), JSON.stringify({ a: { shape: [1, 4], data: [1, 2, 3, 4] }, b: { shape: [1, 4], data: [10, 20, 30, 40] } }));
    const r = cli('run', 'add2.onnx', '--input', 'ab.json', '--output', 'sum.npy');
    expect(r.code, r.stderr).toBe(0);
    expect(parseNpy('sum.npy', new Uint8Array(readFileSync(join(tmp, 'sum.npy')))).toArray()).toEqual([11, 22, 33, 44]);
  });
});
