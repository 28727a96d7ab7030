import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { spawnCli } from './spawnCli';
import type { CliResult } from './spawnCli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, parseArgs } from '../../../src/cli/args';
import { helpText } from '../../../src/cli/help';
import { Tensor } from '../../../src/engine/tensor';
import { parseTensorJson } from '../../../src/loaders/tensors';
import { openModelFile } from '../../../src/node/localModel';
import { encodeModel, graphProto } from '../loaders/onnxHelpers';

/**
 * `layerstep trace --dump DIR` and `layerstep diff` end to end: the built `dist/cli.js` is spawned on small models
 * with one planted difference each, and where it says the runs part, and by how much, is checked against
 * TensorFlow.js and against numbers computed here from the `.npy` files.
 */

const root = resolve(__dirname, '../../..');
const mlp = join(__dirname, 'fixtures', 'mlp', 'model.json');
const encoder = join(root, 'examples', 'onnx-encoder', 'model.onnx');
let tmp: string;

type Result = CliResult;

const cli = (...args: string[]): Result => spawnCli(tmp, args);

/** A successful run: exit 0, nothing on stderr. */
function ok(r: Result): string {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** A failure: the exit code, nothing on stdout, one sentence on stderr (plus the usage hint for code 2), no stack. */
function fails(r: Result, code: number, message: string | RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(code === 2 ? 2 : 1);
  if (typeof message === 'string') expect(lines[0]).toBe(`layerstep: ${message}`);
  else expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

interface DiffJson {
  firstDivergence: null | { value: string; node: string; op: string; maxAbs: number | null; maxRel: number | null };
  values: { value: string; maxAbs: number | null; maxRel: number | null; cosine: number | null }[];
}

function diffJson(...args: string[]): DiffJson {
  return JSON.parse(ok(cli('diff', ...args, '--json'))) as DiffJson;
}

/** The text table's row of a value (the first column is the value's name). */
function row(text: string, value: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${value} `));
  if (!line) throw new Error(`no row for ${value} in:\n${text}`);
  return line;
}

/** A float32 .npy file read here, apart from the loader: its shape and elements. */
function readF32(file: string): { shape: number[]; data: Float32Array } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const headerLen = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLen).toString('latin1');
  expect(header).toContain("'descr': '<f4'");
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1].split(',').filter((s) => s.trim()).map(Number);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLen, bytes.byteOffset + bytes.length));
  return { shape, data };
}

/** Adds `delta` to one element of a float32 .npy file in place, by rewriting its bytes. */
function perturbNpy(file: string, index: number, delta: number): void {
  const bytes = readFileSync(file);
  const offset = 10 + bytes.readUInt16LE(8) + 4 * index;
  bytes.writeFloatLE(bytes.readFloatLE(offset) + delta, offset);
  writeFileSync(file, bytes);
}

/** max |a−b|, max |a−b|/|b| over b ≠ 0, and a·b/(|a||b|), in float64: the definitions, computed here. */
function measure(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbs: number; maxRel: number; cosine: number } {
  let maxAbs = 0, maxRel = 0, dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    maxAbs = Math.max(maxAbs, d);
    if (b[i] !== 0) maxRel = Math.max(maxRel, d / Math.abs(b[i]));
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return { maxAbs, maxRel, cosine: dot / Math.sqrt(na * nb) };
}

/** Every intermediate value of the fixture MLP in TensorFlow.js, by our value names. */
function mlpValues(x: number[], edit?: (m: MlpJson) => void): Map<string, number[]> {
  const m = JSON.parse(readFileSync(mlp, 'utf8'));
  edit?.(m);
  const [h, o] = m.layers;
  const out = new Map<string, number[]>();
  tf.tidy(() => {
    const values = new Map<string, tf.Tensor>();
    values.set('hidden/matmul:0', tf.matMul(tf.tensor2d(x, [1, 4]), tf.tensor2d(h.weights.kernel.data, [4, 3])));
    values.set('hidden/add:0', tf.add(values.get('hidden/matmul:0')!, tf.tensor1d(h.weights.bias)));
    values.set('hidden/relu:0', tf.relu(values.get('hidden/add:0')!));
    values.set('out/matmul:0', tf.matMul(values.get('hidden/relu:0')! as tf.Tensor2D, tf.tensor2d(o.weights.kernel.data, [3, 2])));
    values.set('out/add:0', tf.add(values.get('out/matmul:0')!, tf.tensor1d(o.weights.bias)));
    values.set('probs', tf.softmax(values.get('out/add:0')!));
    for (const [k, v] of values) out.set(k, Array.from(v.dataSync()));
  });
  return out;
}

type MlpJson = { layers: { weights: { kernel: { data: number[] } } }[] };
const changeWeight = (m: MlpJson): void => {
  m.layers[1].weights.kernel.data[0] += 0.5;
};

/**
 * An ONNX Loop whose trip count is an input, so its iterations and their values (`grow_loop/iter 0/s_out`, …) are
 * made at run time: s ← 1.5·s, n times. With `clash`, a later node's output is named `grow_loop/iter_0/s_out`.
 */
function loopModel(clash: boolean): Uint8Array {
  const body = graphProto({
    name: 'body',
    inputs: [{ name: 'i', dtype: 'int64', shape: [] }, { name: 'c_in', dtype: 'bool', shape: [] }, { name: 's_in', dtype: 'float32', shape: [3] }],
    outputs: [{ name: 'c_in' }, { name: 's_out', dtype: 'float32', shape: [3] }],
    initializers: { k: Tensor.scalar(1.5) },
    nodes: [{ op: 'Mul', name: 'grow', inputs: ['s_in', 'k'], outputs: ['s_out'] }],
  });
  const after = clash ? 'grow_loop/iter_0/s_out' : 'relu_out';
  return encodeModel({
    inputs: [{ name: 'x', dtype: 'float32', shape: [3] }, { name: 'n', dtype: 'float32', shape: [] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [3] }],
    initializers: { start: Tensor.scalar(1, 'bool') },
    nodes: [
      { op: 'Cast', name: 'count', inputs: ['n'], outputs: ['M'], attrs: { to: 7 } },
      { op: 'Loop', name: 'grow_loop', inputs: ['M', 'start', 'x'], outputs: ['final'], attrs: { body } },
      { op: 'Relu', name: 'again', inputs: ['final'], outputs: [after] },
      { op: 'Identity', name: 'out', inputs: [after], outputs: ['y'] },
    ],
  });
}

const MLP_VALUES = ['hidden/matmul:0', 'hidden/add:0', 'hidden/relu:0', 'out/matmul:0', 'out/add:0', 'probs'];
const ONES = [1, 1, 1, 1];
const SOFTMAX = '/encoder/layer.0/attn/Softmax_output_0';

/** A deterministic input for the encoder, [1, 6, 16]. */
const encoderInput = (): number[] => Array.from({ length: 96 }, (_, i) => Math.sin(0.37 * i + 0.1));
const writeInput = (name: string, data: number[], shape: number[]): string => {
  writeFileSync(join(tmp, name), JSON.stringify({ shape, data }));
  return name;
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = mkdtempSync(join(tmpdir(), 'layerstep-diff-'));
  // The encoder's dump, once: several tests copy and change it.
  ok(cli('trace', encoder, '--input', writeInput('enc-x.json', encoderInput(), [1, 6, 16]), '--dump', 'enc-dump'));
  // The MLP with one weight element changed, read by the 'out' layer's matmul.
  const m = JSON.parse(readFileSync(mlp, 'utf8'));
  changeWeight(m);
  writeFileSync(join(tmp, 'mlp-w.json'), JSON.stringify(m));
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('layerstep trace --dump DIR', () => {
  it('writes every produced value as .npy, made folder included, with the trace printed as before', () => {
    const out = ok(cli('trace', mlp, '--dump', join('made', 'here')));
    expect(out).toBe(ok(cli('trace', mlp)));
    const dir = join(tmp, 'made', 'here');
    expect(readdirSync(dir).sort()).toEqual(
      ['hidden_add_0.npy', 'hidden_matmul_0.npy', 'hidden_relu_0.npy', 'out_add_0.npy', 'out_matmul_0.npy', 'probs.npy'],
    );
    const oracle = mlpValues(ONES);
    for (const value of MLP_VALUES) {
      const { shape, data } = readF32(join(dir, `${value.replace(/[/:]/g, '_')}.npy`));
      expect(shape).toEqual([1, value.startsWith('hidden') ? 3 : 2]);
      const want = oracle.get(value)!;
      data.forEach((v, i) => expect(v, `${value}[${i}]`).toBeCloseTo(want[i], 6));
    }
  });

  it('names the files of ONNX values, one per value the trace shows produced, and none for inputs or weights', () => {
    const trace = ok(cli('trace', encoder, '--input', 'enc-x.json'));
    // A node's return line: `← Name [op] value=summary; value=summary`.
    const produced = trace.split('\n').filter((l) => /^\s*← \S+ \[/.test(l))
      .flatMap((l) => l.replace(/^\s*← \S+ \[[^\]]*\] /, '').split('; ').map((s) => s.slice(0, s.indexOf('=float32'))));
    expect(produced).toContain(SOFTMAX);
    const files = produced.map((name) => name.replace(/[^A-Za-z0-9._-]/g, '_') + '.npy');
    expect(readdirSync(join(tmp, 'enc-dump')).sort()).toEqual([...new Set(files)].sort());
    expect(files).toContain('_encoder_layer.0_attn_Softmax_output_0.npy');
    // The last one is the model's output, as `run` prints it.
    const logits = parseTensorJson('run', ok(cli('run', encoder, '--input', 'enc-x.json'))).get('logits')!;
    const dumped = readF32(join(tmp, 'enc-dump', 'logits.npy'));
    expect(dumped.shape).toEqual([...logits.shape]);
    expect(Array.from(dumped.data)).toEqual(Array.from(logits.data));
  });

  it('refuses two values whose names become one file, naming both, and writes nothing', () => {
    const relu = (name: string): object => ({ name, type: 'activation', activation: 'relu' });
    writeFileSync(join(tmp, 'clash.json'), JSON.stringify({
      format: 'layerstep/1', name: 'clash', inputs: [{ name: 'x', shape: [1, 2] }], layers: [relu('a:b'), relu('a_b'), relu('c')],
    }));
    fails(cli('trace', 'clash.json', '--dump', 'clash-dump'), 1, "--dump clash-dump: values 'a:b/relu:0' and 'a_b/relu:0' would both be written to a_b_relu_0.npy; nothing was written.");
    expect(existsSync(join(tmp, 'clash-dump'))).toBe(false);
  });

  it('fails when DIR is a file', () => {
    writeFileSync(join(tmp, 'a-file'), '');
    fails(cli('trace', mlp, '--dump', 'a-file'), 1, '--dump a-file: cannot write the values there (it is a file, not a folder).');
  });
});

describe('values made at run time (a Loop)', () => {
  it('dumps and compares each iteration\'s values', () => {
    writeFileSync(join(tmp, 'loop.onnx'), loopModel(false));
    const x = [1, -2, 3];
    writeFileSync(join(tmp, 'loop-a.json'), JSON.stringify({ x: { shape: [3], data: x }, n: { shape: [], data: [2] } }));
    writeFileSync(join(tmp, 'loop-b.json'), JSON.stringify({ x: { shape: [3], data: [1, -2, 3.5] }, n: { shape: [], data: [2] } }));
    ok(cli('trace', 'loop.onnx', '--input', 'loop-a.json', '--dump', 'loop-dump'));
    // s after one and two iterations: 1.5·x and 2.25·x.
    readF32(join(tmp, 'loop-dump', 'grow_loop_iter_0_s_out.npy')).data.forEach((v, i) => expect(v).toBeCloseTo(1.5 * x[i], 6));
    readF32(join(tmp, 'loop-dump', 'grow_loop_iter_1_s_out.npy')).data.forEach((v, i) => expect(v).toBeCloseTo(2.25 * x[i], 6));
    expect(ok(cli('diff', 'loop.onnx', '--input', 'loop-a.json', '--reference', 'loop-dump')).split('\n')[0]).toBe('no divergence');
    const text = ok(cli('diff', 'loop.onnx', '--input', 'loop-a.json', '--against-input', 'loop-b.json'));
    expect(text.split('\n')[0]).toBe('first divergence: grow_loop/iter 0/s_out (node grow, Mul)');
    expect(row(text, 'grow_loop/iter 0/s_out')).toMatch(/^grow_loop\/iter 0\/s_out\s+iter 0\s+Mul\s+0\.75\s/);
    expect(row(text, 'grow_loop/iter 1/s_out')).toMatch(/\s+iter 1\s+Mul\s+1\.125\s/);
  });

  it('refuses a run-time value and a later one that share a file, leaving no file', () => {
    writeFileSync(join(tmp, 'loop-clash.onnx'), loopModel(true));
    // Found as the trace goes, after what it printed until then.
    const r = cli('trace', 'loop-clash.onnx', '--input', 'loop-a.json', '--dump', 'clash-run');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("layerstep: --dump clash-run: values 'grow_loop/iter 0/s_out' and 'grow_loop/iter_0/s_out' would both be written to grow_loop_iter_0_s_out.npy; the files written were removed.\n");
    expect(readdirSync(join(tmp, 'clash-run'))).toEqual([]);
    // A reference folder cannot tell which of the two its file is.
    fails(cli('diff', 'loop-clash.onnx', '--input', 'loop-a.json', '--reference', 'loop-dump'), 1,
      "--reference loop-dump: grow_loop_iter_0_s_out.npy could be the value 'grow_loop/iter 0/s_out' or 'grow_loop/iter_0/s_out', whose names both become that file name.");
  });
});

describe('layerstep diff --reference DIR', () => {
  it('finds no divergence against its own dump, exactly, even with tolerance 0,0', () => {
    const text = ok(cli('diff', encoder, '--input', 'enc-x.json', '--reference', 'enc-dump', '--tolerance', '0,0'));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('no divergence');
    expect(lines).toHaveLength(2 + readdirSync(join(tmp, 'enc-dump')).length);
    expect(text).not.toContain('✗');
    const json = diffJson(encoder, '--input', 'enc-x.json', '--reference', 'enc-dump');
    expect(json.firstDivergence).toBeNull();
    for (const v of json.values) expect(v).toMatchObject({ maxAbs: 0, maxRel: 0, cosine: 1 });
  });

  it('names a value perturbed in the middle of the run as the first divergence, with its numbers', () => {
    cpSync(join(tmp, 'enc-dump'), join(tmp, 'enc-perturbed'), { recursive: true });
    const file = join(tmp, 'enc-perturbed', '_encoder_layer.0_attn_Softmax_output_0.npy');
    perturbNpy(file, 7, 0.01);
    const text = ok(cli('diff', encoder, '--input', 'enc-x.json', '--reference', 'enc-perturbed'));
    expect(text.split('\n')[0]).toBe(`first divergence: ${SOFTMAX} (node /encoder/layer.0/attn/Softmax, Softmax)`);
    // Only that row is marked: the values after it are compared with the unperturbed files.
    expect(text.split('\n').filter((l) => l.includes('✗'))).toEqual([row(text, SOFTMAX)]);
    expect(row(text, SOFTMAX)).toMatch(/\s+attn\s+Softmax\s/);

    const expected = measure(readF32(join(tmp, 'enc-dump', '_encoder_layer.0_attn_Softmax_output_0.npy')).data, readF32(file).data);
    expect(expected.maxAbs).toBeGreaterThan(0.009);
    const json = diffJson(encoder, '--input', 'enc-x.json', '--reference', 'enc-perturbed');
    expect(json.firstDivergence).toEqual({ value: SOFTMAX, node: '/encoder/layer.0/attn/Softmax', op: 'Softmax', maxAbs: expected.maxAbs, maxRel: expected.maxRel });
    const v = json.values.find((x) => x.value === SOFTMAX)!;
    expect(v.maxAbs).toBe(expected.maxAbs);
    expect(v.maxRel).toBe(expected.maxRel);
    expect(v.cosine).toBeCloseTo(expected.cosine, 12);
  });

  it('skips values that have no file, keeping execution order', () => {
    ok(cli('trace', mlp, '--dump', 'mlp-skip'));
    unlinkSync(join(tmp, 'mlp-skip', 'hidden_relu_0.npy'));
    unlinkSync(join(tmp, 'mlp-skip', 'probs.npy'));
    writeFileSync(join(tmp, 'mlp-skip', 'unrelated.npy'), readFileSync(join(tmp, 'mlp-skip', 'out_add_0.npy')));
    const json = diffJson(mlp, '--reference', 'mlp-skip');
    expect(json.values.map((v) => v.value)).toEqual(['hidden/matmul:0', 'hidden/add:0', 'out/matmul:0', 'out/add:0']);
    const text = ok(cli('diff', mlp, '--reference', 'mlp-skip'));
    expect(text).not.toMatch(/^(hidden\/relu:0|probs) /m);
  });

  it('calls a reference value of another shape diverged, with null numbers in JSON', () => {
    ok(cli('trace', mlp, '--dump', 'mlp-shape'));
    const bytes = readFileSync(join(tmp, 'mlp-shape', 'out_add_0.npy'));
    // '(1, 2)' becomes '(2, 1)': same length, same data, another shape.
    writeFileSync(join(tmp, 'mlp-shape', 'out_add_0.npy'), Buffer.from(bytes.toString('latin1').replace("'shape': (1, 2)", "'shape': (2, 1)"), 'latin1'));
    const json = diffJson(mlp, '--reference', 'mlp-shape');
    expect(json.firstDivergence).toEqual({ value: 'out/add:0', node: 'out/add', op: 'add', maxAbs: null, maxRel: null });
    expect(json.values.find((v) => v.value === 'out/add:0')).toEqual({ value: 'out/add:0', maxAbs: null, maxRel: null, cosine: null });
    expect(row(ok(cli('diff', mlp, '--reference', 'mlp-shape')), 'out/add:0')).toMatch(/✗ shapes \[1,2\] vs \[2,1\]$/);
  });

  it('fails with one sentence on a missing folder, a file, a folder with none of the values, a broken file', () => {
    fails(cli('diff', mlp, '--reference', 'no-such-dir'), 1, '--reference no-such-dir: there is no such folder.');
    writeFileSync(join(tmp, 'plain-file'), '');
    fails(cli('diff', mlp, '--reference', 'plain-file'), 1, "--reference plain-file: is a file; give the folder that 'layerstep trace --dump' wrote.");
    mkdirSync(join(tmp, 'empty-dir'));
    fails(cli('diff', mlp, '--reference', 'empty-dir'), 1, /^layerstep: --reference empty-dir: none of the values of model\.json has a file there/);
    mkdirSync(join(tmp, 'broken-dir'));
    writeFileSync(join(tmp, 'broken-dir', 'probs.npy'), 'not numpy');
    fails(cli('diff', mlp, '--reference', 'broken-dir'), 1, /probs\.npy: is not a NumPy \.npy file/);
  });
});

describe('layerstep diff --against-model MODEL2', () => {
  it('names the node that reads a changed weight element, with max abs and max rel as TensorFlow.js gives them', () => {
    const text = ok(cli('diff', mlp, '--against-model', 'mlp-w.json'));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('first divergence: out/matmul:0 (node out/matmul, matmul)');
    expect(lines[1]).toMatch(/^value\s+layer\s+op\s+max abs\s+max rel\s+cosine$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(MLP_VALUES);
    for (const v of MLP_VALUES) expect(row(text, v).includes('✗'), v).toBe(v.startsWith('out') || v === 'probs');
    expect(row(text, 'out/matmul:0')).toMatch(/^out\/matmul:0\s+out\s+matmul\s/);

    const a = mlpValues(ONES);
    const b = mlpValues(ONES, changeWeight);
    const json = diffJson(mlp, '--against-model', 'mlp-w.json');
    const want = measure(a.get('out/matmul:0')!, b.get('out/matmul:0')!);
    expect(json.firstDivergence).toMatchObject({ value: 'out/matmul:0', node: 'out/matmul', op: 'matmul' });
    expect(json.firstDivergence!.maxAbs).toBeCloseTo(want.maxAbs, 6);
    expect(json.firstDivergence!.maxRel).toBeCloseTo(want.maxRel, 5);
    for (const v of json.values) {
      const w = measure(a.get(v.value)!, b.get(v.value)!);
      expect(v.maxAbs, v.value).toBeCloseTo(w.maxAbs, 6);
      expect(v.cosine, v.value).toBeCloseTo(w.cosine, 6);
    }
  });

  it('finds a changed weight of an ONNX model at the MatMul that reads it', async () => {
    const model = await openModelFile(encoder);
    const w = model.weights.get('encoder.layer.0.attn.v_proj.weight')!.data as Float32Array;
    const bytes = readFileSync(encoder);
    // The weight's first four elements, as stored: they occur once in the file.
    const pattern = Buffer.from(w.buffer.slice(w.byteOffset, w.byteOffset + 16));
    const at = bytes.indexOf(pattern);
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf(pattern, at + 1)).toBe(-1);
    bytes.writeFloatLE(w[0] + 0.25, at);
    writeFileSync(join(tmp, 'encoder-w.onnx'), bytes);

    const json = diffJson(encoder, '--input', 'enc-x.json', '--against-model', 'encoder-w.onnx');
    expect(json.firstDivergence).toMatchObject({ value: '/encoder/layer.0/attn/v_proj/MatMul_output_0', node: '/encoder/layer.0/attn/v_proj/MatMul', op: 'MatMul' });
    // y = x·W: W[0][0] + 0.25 moves column 0 of each row by 0.25·x[row][0].
    const x = encoderInput();
    const want = 0.25 * Math.max(...Array.from({ length: 6 }, (_, r) => Math.abs(x[16 * r])));
    expect(json.firstDivergence!.maxAbs).toBeCloseTo(want, 5);
    const order = json.values.map((v) => v.value);
    expect(order.indexOf('/encoder/layer.0/attn/v_proj/MatMul_output_0')).toBeGreaterThan(order.indexOf('/encoder/layer.0/attn/k_proj/Add_output_0'));
  });

  it('skips values the other model does not produce', () => {
    const m = JSON.parse(readFileSync(mlp, 'utf8'));
    delete m.layers[0].activation;
    writeFileSync(join(tmp, 'mlp-linear.json'), JSON.stringify(m));
    const json = diffJson(mlp, '--against-model', 'mlp-linear.json');
    expect(json.values.map((v) => v.value)).toEqual(MLP_VALUES.filter((v) => v !== 'hidden/relu:0'));
    expect(json.firstDivergence?.value).toBe('out/matmul:0');
  });

  it('follows --tolerance', () => {
    expect(ok(cli('diff', mlp, '--against-model', 'mlp-w.json', '--tolerance', '1,1')).split('\n')[0]).toBe('no divergence');
    // out/matmul:0 moves by 0.275, probs by about 0.066: a tolerance between them moves the first divergence.
    expect(ok(cli('diff', mlp, '--against-model', 'mlp-w.json', '--tolerance=0.1,0')).split('\n')[0]).toBe('first divergence: out/matmul:0 (node out/matmul, matmul)');
    expect(diffJson(mlp, '--against-model', 'mlp-w.json', '--tolerance', '0.28,0').firstDivergence).toBeNull();
  });
});

describe('layerstep diff --against-input FILE2', () => {
  it('names the first node that reads a changed input element', () => {
    const x = [0.5, -1, 2, 0.25];
    const x2 = [0.5, -1, 2.5, 0.25];
    writeInput('x1.json', x, [1, 4]);
    writeInput('x2.json', x2, [1, 4]);
    const text = ok(cli('diff', mlp, '--input', 'x1.json', '--against-input', 'x2.json'));
    expect(text.split('\n')[0]).toBe('first divergence: hidden/matmul:0 (node hidden/matmul, matmul)');
    const json = diffJson(mlp, '--input', 'x1.json', '--against-input', 'x2.json');
    const want = measure(mlpValues(x).get('hidden/matmul:0')!, mlpValues(x2).get('hidden/matmul:0')!);
    expect(json.firstDivergence!.maxAbs).toBeCloseTo(want.maxAbs, 6);
    expect(json.firstDivergence!.maxRel).toBeCloseTo(want.maxRel, 5);
  });

  it('names the MatMul that first reads the input of an ONNX model', () => {
    const x2 = encoderInput();
    x2[16 * 2 + 5] += 1;
    writeInput('enc-x2.json', x2, [1, 6, 16]);
    const text = ok(cli('diff', encoder, '--input', 'enc-x.json', '--against-input', 'enc-x2.json'));
    expect(text.split('\n')[0]).toBe('first divergence: /encoder/layer.0/attn/q_proj/MatMul_output_0 (node /encoder/layer.0/attn/q_proj/MatMul, MatMul)');
    expect(row(text, '/encoder/layer.0/attn/q_proj/MatMul_output_0')).toMatch(/\s+q_proj\s+MatMul\s.*✗$/);
  });
});

describe('layerstep diff: usage and output', () => {
  it('prints one JSON document with exactly the pinned fields', () => {
    const r = cli('diff', mlp, '--against-model', 'mlp-w.json', '--json');
    const json = JSON.parse(ok(r));
    expect(Object.keys(json)).toEqual(['firstDivergence', 'values']);
    expect(Object.keys(json.firstDivergence).sort()).toEqual(['maxAbs', 'maxRel', 'node', 'op', 'value']);
    expect(json.values).toHaveLength(MLP_VALUES.length);
    for (const v of json.values) expect(Object.keys(v).sort()).toEqual(['cosine', 'maxAbs', 'maxRel', 'value']);
  });

  it('needs exactly one counterpart and a well-formed tolerance (exit 2)', () => {
    fails(cli('diff', mlp), 2, "'diff' needs what to compare with: --against-input FILE, --against-model MODEL2 or --reference DIR.");
    fails(cli('diff', mlp, '--reference', 'enc-dump', '--against-model', 'mlp-w.json'), 2, "'diff' compares with one counterpart, got both --against-model and --reference.");
    fails(cli('diff', mlp, '--reference', 'enc-dump', '--tolerance', '1e-4'), 2, "--tolerance '1e-4' must be ATOL,RTOL: two numbers, 0 or more, separated by a comma (e.g. 1e-4,1e-3).");
    // The rest in-process: the same parser, without a process each.
    const usage = (...argv: string[]): string => {
      try {
        parseArgs(['diff', 'm.json', ...argv]);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(usage('--against-input', 'x.json', '--reference', 'd')).toBe("'diff' compares with one counterpart, got both --against-input and --reference.");
    expect(usage('--against-input', 'x.json', '--against-model', 'm2.json', '--reference', 'd')).toBe("'diff' compares with one counterpart, got both --against-input and --against-model.");
    for (const bad of ['a,b', '-1,0', '1,2,3', '', '1e-3;1e-3']) {
      expect(usage('--reference', 'd', `--tolerance=${bad}`)).toBe(`--tolerance '${bad}' must be ATOL,RTOL: two numbers, 0 or more, separated by a comma (e.g. 1e-4,1e-3).`);
    }
    expect(usage('--reference', 'd', '--tolerance', '1,1', '--tolerance', '2,2')).toBe("option '--tolerance' is given more than once.");
    expect(usage('--reference', 'd', '--json=x')).toBe("option '--json' takes no value.");
    expect(usage('--against-input', 'x.txt')).toBe("--against-input 'x.txt' must be a tensor file ending in .json or .npy, or an image ending in .png.");
    expect(usage('--reference', 'd', '--break', 'hidden')).toBe("'diff' does not take '--break'.");
    expect(usage('--reference', 'd', '--size', '28,28')).toBe('--size applies to an image input: give --input FILE.png.');
    expect(usage('--reference', 'd', '--input', 'x.json', '--shape', 'x=1,4')).toBe('--shape sets the sizes of random inputs; it cannot be used with --input.');
  });

  it('parses its flags, and keeps --json FILE for bench', () => {
    expect(parseArgs(['diff', 'm.onnx', '--input', 'a.npy', '--against-input', 'b.png', '--size', '28,28', '--json', '--tolerance', '0,0.01', '--threads', '1']).command)
      .toMatchObject({
        kind: 'diff', model: 'm.onnx', input: 'a.npy', against: { kind: 'input', file: 'b.png' }, tolerance: { atol: 0, rtol: 0.01 },
        json: true, preprocess: { size: [28, 28] }, threads: 1,
      });
    expect(parseArgs(['diff', 'm.onnx', '--against-model', 'n.onnx']).command)
      .toMatchObject({ against: { kind: 'model', file: 'n.onnx' }, tolerance: { atol: 1e-4, rtol: 1e-3 }, json: false });
    expect(parseArgs(['diff', 'm.onnx', '--reference', 'dir', '--shape', '1,3,8,8']).command)
      .toMatchObject({ against: { kind: 'reference', dir: 'dir' }, shapes: { '': [1, 3, 8, 8] } });
    expect(parseArgs(['bench', '--json', 'r.json']).command).toMatchObject({ kind: 'bench', json: 'r.json' });
    expect(parseArgs(['trace', 'm.onnx', '--dump', 'out']).command).toMatchObject({ kind: 'trace', dump: 'out' });
  });

  it('fails with one sentence when the other side cannot be read', () => {
    fails(cli('diff', mlp, '--against-input', 'missing.json'), 1, 'missing.json: cannot read the input file (no such file).');
    fails(cli('diff', mlp, '--against-model', 'missing-model.json'), 1, /missing-model\.json/);
  });

  it('documents the commands and flags', () => {
    expect(ok(cli('help', 'diff'))).toBe(helpText('diff'));
    expect(helpText('diff')).toMatch(/^Usage: layerstep diff MODEL/);
    expect(helpText('diff')).toMatch(/--json[\s\S]*written as null/);
    expect(helpText('trace')).toContain('--dump DIR');
    expect(helpText('run')).toContain('--set EXPR');
    expect(helpText()).toMatch(/\n {2}diff MODEL/);
  });
});

describe('layerstep run --set', () => {
  it('takes --set EXPR, repeatable, for run only', () => {
    expect(parseArgs(['run', 'm.json', '--set', "value('a') *= 2", "--set=weight('b')[0] = 0"]).command)
      .toMatchObject({ kind: 'run', sets: ["value('a') *= 2", "weight('b')[0] = 0"] });
    expect(() => parseArgs(['trace', 'm.json', '--set', 'x'])).toThrow("'trace' does not take '--set'.");
  });

  it('passes the edits to the run', () => {
    const out = parseTensorJson('run', ok(cli('run', mlp, '--set', "weight('out.kernel') *= 0")));
    const m = JSON.parse(readFileSync(mlp, 'utf8'));
    const want = tf.tidy(() => Array.from(tf.softmax(tf.tensor1d(m.layers[1].weights.bias)).dataSync()));
    Array.from(out.get('probs')!.data).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });
});
