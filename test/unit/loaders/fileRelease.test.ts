import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { openModel } from '../../../src/loaders/registry';
import type { ModelSource } from '../../../src/loaders/types';
import type { Model } from '../../../src/model/ir';
import { Runner } from '../../../src/runner/runner';
import { onnx } from '../../../src/loaders/onnx/proto';
import { loadPendingWeights } from '../../../src/model/lazyWeights';
import { encodeModel, modelProto } from './onnxHelpers';

/**
 * A loaded model keeps its weights, not the file they came from: once `open` has made the weights, the bytes
 * the source handed in must be collectable, or a large model is resident twice (file + weights).
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A source whose files are fresh buffers that only the loader ever sees; each one is watched through a WeakRef. */
class WatchedSource implements ModelSource {
  readonly watched: WeakRef<ArrayBuffer>[] = [];
  constructor(
    readonly name: string,
    private readonly make: () => Uint8Array,
    private readonly siblings: Record<string, () => Uint8Array> = {},
  ) {}

  private watch(bytes: Uint8Array): Uint8Array {
    // A copy into a buffer of its own, so nothing in the test holds it.
    const own = new Uint8Array(bytes.length);
    own.set(bytes);
    this.watched.push(new WeakRef(own.buffer));
    return own;
  }

  async read(): Promise<Uint8Array> {
    return this.watch(this.make());
  }

  async readSibling(path: string): Promise<Uint8Array> {
    const f = this.siblings[path];
    if (!f) throw new Error(`no file '${path}'`);
    return this.watch(f());
  }

  async statSibling(path: string): Promise<number | undefined> {
    return this.siblings[path]?.().length;
  }
}

/** How many of the source's buffers survive a full collection while `model` is still held. */
async function survivors(source: WatchedSource, model: Model): Promise<number> {
  // WeakRef targets stay alive until the current job ends: let it end first.
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  gc();
  expect(model.weights.size + (model.pendingWeights?.size ?? 0)).toBeGreaterThan(0);
  return source.watched.filter((w) => w.deref() !== undefined).length;
}

/** No weight's data lies in a buffer the source handed out (checked without keeping a reference to one). */
function notViewsOf(source: WatchedSource, model: Model): void {
  const files = new Set(source.watched.map((w) => w.deref()));
  for (const [name, t] of model.weights) expect(files.has(t.data.buffer as ArrayBuffer), name).toBe(false);
}

const weight = (n: number, seed: number): Tensor => {
  const t = Tensor.zeros([n, n], 'float32');
  for (let i = 0; i < t.size; i++) t.data[i] = Math.sin(seed + i);
  return t;
};

function chainOnnx(): Uint8Array {
  return encodeModel({
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w0'], outputs: ['h'] },
      { op: 'Constant', inputs: [], outputs: ['c'], attrs: { value: Tensor.from([1, 2], [1, 2]) } },
      { op: 'MatMul', inputs: ['h', 'w1'], outputs: ['y0'] },
      { op: 'Add', inputs: ['y0', 'c'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1, 2] }],
    initializers: { w0: weight(2, 1), w1: weight(2, 5) },
  });
}

describe('loaders release the file bytes once the weights are made', () => {
  it('ONNX: no weight is a view of the file, and the file buffer is collected while the model lives', async () => {
    const source = new WatchedSource('chain.onnx', chainOnnx);
    const model = await openModel(source);
    notViewsOf(source, model);
    expect(await survivors(source, model)).toBe(0);
  });

  it('ONNX: the model still runs, its weights intact, after the file is gone', async () => {
    const source = new WatchedSource('chain.onnx', chainOnnx);
    const model = await openModel(source);
    expect(await survivors(source, model)).toBe(0);
    const runner = new Runner(model, { x: Tensor.from([1, 2], [1, -1]) });
    await runner.continue();
    const w0 = weight(2, 1).data, w1 = weight(2, 5).data;
    const h = [w0[0] - w0[2], w0[1] - w0[3]];
    const y = [h[0] * w1[0] + h[1] * w1[2] + 1, h[0] * w1[1] + h[1] * w1[3] + 2];
    const out = runner.outputs().get('y')!.data;
    expect(out[0]).toBeCloseTo(y[0], 5);
    expect(out[1]).toBeCloseTo(y[1], 5);
  });

  it('ONNX external data: a file shared by a small tensor (read at open) and a large one (read at the first run) is not kept', async () => {
    const big = weight(20, 3); // 1600 bytes: read lazily
    const small = Tensor.from([20], Array.from({ length: 20 }, (_, i) => i / 4));
    const bin = new Uint8Array(4 * (big.size + small.size));
    new Float32Array(bin.buffer).set(big.data);
    new Float32Array(bin.buffer, 4 * big.size).set(small.data);
    const m = modelProto({
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 20] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 20] }],
      nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] }, { op: 'Add', inputs: ['h', 'b'], outputs: ['y'] }],
    });
    const ext = (name: string, dims: number[], offset: number): onnx.ITensorProto => ({
      name, dims, dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: 'location', value: 'w.bin' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(4 * dims.reduce((a, d) => a * d, 1)) }],
    });
    m.graph!.initializer = [ext('w', [20, 20], 0), ext('b', [20], 4 * big.size)];
    const bytes = encodeModel(m);
    const source = new WatchedSource('ext.onnx', () => bytes, { 'w.bin': () => bin });
    const model = await openModel(source);
    expect(model.pendingWeights?.has('w')).toBe(true);
    expect(await survivors(source, model)).toBe(0);
    await loadPendingWeights(model);
    notViewsOf(source, model);
    expect(await survivors(source, model)).toBe(0);
    expect(source.watched.length).toBe(3); // the model file, w.bin at open, w.bin again at the first run
    expect(Array.from(model.weights.get('w')!.data)).toEqual(Array.from(big.data));
    expect(Array.from(model.weights.get('b')!.data)).toEqual(Array.from(small.data));
  });
});
