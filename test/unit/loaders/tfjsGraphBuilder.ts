import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { Tensor } from '../../../src/engine/tensor';
import { openModel } from '../../../src/loaders/registry';
import type { Model } from '../../../src/model/ir';
import { Runner } from '../../../src/runner/runner';
import { MemorySource } from './memorySource';
import { tfOf } from './tfjsGraphHelpers';

/**
 * Builds small TF.js graph models (GraphDef JSON + one shard) in a test, as tfjs-converter writes them, so
 * each op can be checked against TF.js's own graph executor on the same file.
 */

type Json = Record<string, unknown>;
export const A = {
  i: (n: number): Json => ({ i: String(n) }),
  f: (x: number): Json => ({ f: x }),
  b: (x: boolean): Json => ({ b: x }),
  s: (x: string): Json => ({ s: btoa(x) }),
  type: (t: string): Json => ({ type: t }),
  ints: (xs: readonly number[]): Json => ({ list: { i: xs.map(String) } }),
  strs: (xs: readonly string[]): Json => ({ list: { s: xs.map((x) => btoa(x)) } }),
};

const TF_DTYPE = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' } as const;

export class GraphBuilder {
  readonly nodes: Json[] = [];
  readonly weights: Json[] = [];
  /** `library.function` entries (function-based control flow). */
  readonly functions: Json[] = [];
  private bytes: number[] = [];

  input(name: string, shape: readonly number[], dtype: keyof typeof TF_DTYPE = 'float32'): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: A.type(TF_DTYPE[dtype]), shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } } });
    return name;
  }

  const(name: string, values: readonly number[], shape: readonly number[], dtype: 'float32' | 'int32' = 'float32'): string {
    const dt = TF_DTYPE[dtype];
    this.nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: dt, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: A.type(dt) } });
    this.weights.push({ name, shape, dtype });
    const arr = dtype === 'float32' ? new Float32Array(values) : new Int32Array(values);
    this.bytes.push(...new Uint8Array(arr.buffer));
    return name;
  }

  /** A float32 Const stored quantized: `stored` are the uint8 / uint16 codes, value = code · scale + min. */
  quantized(name: string, stored: readonly number[], shape: readonly number[], storage: 'uint8' | 'uint16', scale: number, min: number): string {
    this.nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: A.type('DT_FLOAT') } });
    this.weights.push({ name, shape, dtype: 'float32', quantization: { dtype: storage, scale, min } });
    const arr = storage === 'uint8' ? Uint8Array.from(stored) : new Uint8Array(Uint16Array.from(stored).buffer);
    this.bytes.push(...arr);
    return name;
  }

  /** A seeded random float Const. */
  random(name: string, shape: readonly number[], seed: number, lo = -1, hi = 1): string {
    let s = seed;
    const n = shape.reduce((a, d) => a * d, 1);
    const v = Array.from({ length: n }, () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return lo + ((hi - lo) * s) / 2147483648;
    });
    return this.const(name, v, shape);
  }

  op(name: string, op: string, input: readonly string[], attr: Json = {}): string {
    this.nodes.push({ name, op, input, attr: { T: A.type('DT_FLOAT'), ...attr } });
    return name;
  }

  /** model.json and its shard; `outputs` (`node` or `node:1`) become the signature's outputs, in order. */
  files(outputs?: readonly string[]): { json: Json; files: Record<string, Uint8Array> } {
    const signature = outputs ? { outputs: Object.fromEntries(outputs.map((o) => [o, { name: o.includes(':') ? o : `${o}:0` }])) } : undefined;
    return {
      json: {
        ...(signature ? { signature } : {}),
        format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0',
        modelTopology: { node: this.nodes, library: this.functions.length ? { function: this.functions } : {}, versions: { producer: 1482 } },
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: this.weights }],
      },
      files: { 'group1-shard1of1.bin': Uint8Array.from(this.bytes) },
    };
  }
}

export async function openBuilt(g: GraphBuilder): Promise<Model> {
  const { json, files } = g.files();
  return openModel(MemorySource.of(json, files));
}

/** Opens the graph with our loader and with TF.js; runs both on `inputs`; compares `outputs` within tolerances. Returns the largest abs error. */
export async function expectLikeTfjsGraph(g: GraphBuilder, inputs: Record<string, Tensor>, outputs: readonly string[], tol = { atol: 1e-5, rtol: 1e-5 }): Promise<number> {
  const { json, files } = g.files(outputs);
  const ours = await openModel(MemorySource.of(json, files));
  const runner = new Runner(ours, inputs);
  const stop = await runner.continue();
  expect(stop.reason, runner.error?.message).toBe('end');
  const got = runner.outputs();
  const j = json as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const oracle = await tf.loadGraphModel({ load: async () => ({
    modelTopology: j.modelTopology, format: 'graph-model', weightSpecs: j.weightsManifest[0].weights,
    weightData: files['group1-shard1of1.bin'].slice().buffer,
  }) });
  const feed: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) feed[k] = tfOf(v);
  const res = await oracle.executeAsync(feed, [...outputs]);
  const want = Array.isArray(res) ? res : [res];
  let worst = 0;
  for (const [k, name] of outputs.entries()) {
    const have = got.get(name);
    expect(have, `output '${name}'`).toBeDefined();
    expect([...have!.shape], `shape of '${name}'`).toEqual(want[k].shape);
    const w = await want[k].data();
    for (let i = 0; i < w.length; i++) {
      const err = Math.abs(Number(have!.data[i]) - Number(w[i]));
      worst = Math.max(worst, err);
      expect(err, `'${name}' element ${i}: ${have!.data[i]} vs ${w[i]}`).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(Number(w[i])));
    }
  }
  return worst;
}
