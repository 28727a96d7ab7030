import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { readWhole } from '../../../src/debug/tensorRead';
import { decodePng } from '../../../src/loaders/tensors/png';
import { formatTensorObject, parseNpy, parseTensorJson, UNNAMED } from '../../../src/loaders/tensors';
import { encodeSaved, fileNameFor, MAX_JSON_VALUES, saveFormatOf, saveRefusal } from '../../../src/loaders/tensors/savedFile';
import type { EngineClient, TensorValues } from '../../../src/protocol/engine';
import { DapDriver, REPO } from './dapDriver';

const MNIST = 'examples/mnist-mlp/model.json';

describe('the file a tensor is saved to', () => {
  it('takes its format from the extension, in any case', () => {
    expect(['a.npy', 'b.JSON', 'dir.x/c.png', 'd.txt', 'e'].map(saveFormatOf)).toEqual(['npy', 'json', 'png', undefined, undefined]);
  });

  it('names the file after the tensor, with only safe characters', () => {
    expect(fileNameFor('hidden1/relu:0')).toBe('hidden1_relu_0');
    expect(fileNameFor('dense.kernel')).toBe('dense.kernel');
    expect(fileNameFor('outputs["a b"][3]')).toBe('outputs_a_b_3');
    expect(fileNameFor('../..')).toBe('tensor');
    expect(fileNameFor('x'.repeat(200))).toHaveLength(80);
  });

  it('refuses before reading what a format cannot hold, in one sentence naming the file', async () => {
    expect(saveRefusal('png', [], 'float32', 'v.png')).toBe('v.png: It is a single number: save it as .json or .npy.');
    expect(saveRefusal('json', [MAX_JSON_VALUES + 1], 'float32', 'v.json')).toMatch(/^v\.json: 1,048,577 values are too many for tensor JSON .* save it as \.npy\.$/);
    expect(saveRefusal('npy', [MAX_JSON_VALUES + 1], 'float32', 'v.npy')).toBeUndefined();
    await expect(encodeSaved('png', Tensor.from([], [3]), 'v.png')).rejects.toThrow('v.png: It is a single number');
  });

  it('writes .npy, tensor JSON and PNG that read back', async () => {
    const t = Tensor.from([2, 3], [0, 0.5, 1, NaN, Infinity, -2.25]);
    const npy = parseNpy('t.npy', await encodeSaved('npy', t, 't.npy'));
    expect(npy.shape).toEqual([2, 3]);
    expect([...npy.data]).toEqual([...t.data]);
    const json = parseTensorJson('t.json', new TextDecoder().decode(await encodeSaved('json', t, 't.json'))).get(UNNAMED)!;
    expect(json.shape).toEqual([2, 3]);
    expect([...json.data]).toEqual([...t.data]);
    const png = decodePng('t.png', await encodeSaved('png', t, 't.png'));
    expect(png).toMatchObject({ width: 3, height: 2, channels: 1 });
    const ints = Tensor.from([2], [3, -4], 'int64');
    expect([...parseNpy('i.npy', await encodeSaved('npy', ints, 'i.npy')).data]).toEqual([3, -4]);
    const flags = Tensor.from([3], [1, 0, 1], 'bool');
    expect(new TextDecoder().decode(await encodeSaved('json', flags, 'b.json'))).toBe('{ "shape": [3], "dtype": "bool", "data": [true, false, true] }\n');
  });

  it('writes a large tensor JSON in slices, the same text as in one piece', async () => {
    const big = Tensor.from([3, 40_000], Float32Array.from({ length: 120_000 }, (_, i) => (i % 7 === 0 ? NaN : Math.sin(i))));
    const text = new TextDecoder().decode(await encodeSaved('json', big, 'big.json'));
    expect(text).toBe(formatTensorObject(big) + '\n');
    const ints = Tensor.from([70_000], Int32Array.from({ length: 70_000 }, (_, i) => i - 5), 'int32');
    expect(new TextDecoder().decode(await encodeSaved('json', ints, 'i.json'))).toBe(formatTensorObject(ints) + '\n');
  });
});

describe('reading a whole tensor in chunks', () => {
  const source = Float32Array.from({ length: 10 }, (_, i) => i * 0.5);
  const requests: [number, number][] = [];
  const read = async (start: number, count: number): Promise<TensorValues> => {
    requests.push([start, count]);
    return { name: 't', shape: [2, 5], dtype: 'float32', start, values: source.slice(start, start + count) };
  };

  it('asks for chunk after chunk and reports progress', async () => {
    requests.length = 0;
    const progress: number[] = [];
    const t = await readWhole(read, { shape: [2, 5], dtype: 'float32' }, { chunk: 4, progress: (done) => progress.push(done) });
    expect(requests).toEqual([[0, 4], [4, 4], [8, 2]]);
    expect(progress).toEqual([4, 8, 10]);
    expect(t?.shape).toEqual([2, 5]);
    expect([...t!.data]).toEqual([...source]);
  });

  it('stops when cancelled, before the next chunk', async () => {
    requests.length = 0;
    let calls = 0;
    const t = await readWhole(read, { shape: [2, 5], dtype: 'float32' }, { chunk: 4, cancelled: () => ++calls > 1 });
    expect(t).toBeUndefined();
    expect(requests).toEqual([[0, 4]]);
  });

  it('says so when the tensor changed under the read', async () => {
    const short = async (start: number): Promise<TensorValues> => ({ name: 't', shape: [3], dtype: 'float32', start, values: new Float32Array(1) });
    await expect(readWhole(short, { shape: [2, 5], dtype: 'float32' }, { chunk: 4 })).rejects.toThrow("'t' changed while it was read");
  });
});

describe.skipIf(!existsSync(join(REPO, MNIST)))('a saved tensor fed back as the input (mnist-mlp)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layerstep-save-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The model's input and the first layer's output in a session on `input`, read through the engine like Save does. */
  async function runOn(input?: string): Promise<{ x: Tensor; hidden: Tensor }> {
    const d = new DapDriver();
    await d.launch({ model: MNIST, input }, { functionBreakpoints: [{ name: 'hidden1', condition: 'hasNaN(output) == false' }] });
    await d.nextStop();
    const frameId = (await d.stackTrace())[0].id;
    const client = (d.session as unknown as { client: EngineClient }).client;
    const whole = async (expression: string) => {
      const ev = await client.request('evaluate', { expression, frameId });
      const t = ev.tensor!;
      return (await readWhole((start, count) => client.request('tensor', { name: t.name, start, count }), t, { chunk: 100 }))!;
    };
    const x = await whole('inputs.x');
    const hidden = await whole('output');
    await d.disconnect();
    return { x, hidden };
  }

  it('runs the same from a saved .json and a saved .npy as from the original input', async () => {
    const first = await runOn();
    for (const ext of ['json', 'npy'] as const) {
      const file = join(dir, `x.${ext}`);
      writeFileSync(file, await encodeSaved(ext, first.x, file));
      const again = await runOn(file);
      expect([...again.x.data]).toEqual([...first.x.data]);
      expect([...again.hidden.data]).toEqual([...first.hidden.data]);
    }
  });
});
