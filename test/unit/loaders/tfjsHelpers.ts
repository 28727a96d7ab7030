import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import type { Model } from '../../../src/model/ir';
import { openModel } from '../../../src/loaders/registry';
import { Runner } from '../../../src/runner/runner';
import { randomTensor } from '../engine/helpers';
import { MemorySource } from './memorySource';

/**
 * Helpers for the TF.js loader tests: models are built with @tensorflow/tfjs in the test, saved through a
 * save handler into model.json + shard bytes, opened by our loader from memory, run by the real runner, and
 * compared with `model.predict` (cpu backend).
 */

export interface Saved {
  /** The model.json object. */
  json: Record<string, unknown>;
  /** Shard files by name. */
  files: Record<string, Uint8Array>;
}

export interface SaveOptions {
  /** Split the weights over this many shards (default 1). */
  shards?: number;
  /** Shard file names without an extension. */
  bare?: boolean;
  /** Store float32 weights quantized. */
  quantize?: 'uint8' | 'uint16' | 'float16';
  /** Write `modelTopology` as the Python converter does: `{ model_config, keras_version, backend }`. */
  modelConfig?: boolean;
  /** Leave `format` out. */
  noFormat?: boolean;
}

/** Saves a TF.js model as model.json + shards (in memory). */
export async function save(model: tf.LayersModel, options: SaveOptions = {}): Promise<Saved> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts!;
  let specs = a.weightSpecs!.map((s) => ({ ...s }));
  let data: Uint8Array = new Uint8Array(a.weightData as ArrayBuffer);
  if (options.quantize) ({ specs, data } = quantize(specs, data, options.quantize));
  const n = options.shards ?? 1;
  const size = Math.ceil(data.length / n);
  const files: Record<string, Uint8Array> = {};
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `group1-shard${i + 1}of${n}${options.bare ? '' : '.bin'}`;
    paths.push(name);
    files[name] = data.slice(i * size, Math.min(data.length, (i + 1) * size));
  }
  const topology = a.modelTopology as Record<string, unknown>;
  const { keras_version, backend, ...modelConfig } = topology;
  const json: Record<string, unknown> = {
    modelTopology: options.modelConfig ? { keras_version, backend, model_config: modelConfig } : topology,
    ...(options.noFormat ? {} : { format: 'layers-model' }),
    generatedBy: a.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths, weights: specs }],
  };
  return { json, files };
}

type Spec = tf.io.WeightsManifestEntry;

/** Stores every float32 weight quantized to `dtype`, as the TF.js converter's `--quantize_*` options do. */
function quantize(specs: Spec[], data: Uint8Array, dtype: 'uint8' | 'uint16' | 'float16'): { specs: Spec[]; data: Uint8Array } {
  const out: number[] = [];
  const push = (bytes: Uint8Array): void => {
    for (const b of bytes) out.push(b);
  };
  let offset = 0;
  const result = specs.map((s) => {
    const n = s.shape.reduce((a, d) => a * d, 1);
    const values = new Float32Array(data.slice(offset, offset + 4 * n).buffer);
    offset += 4 * n;
    if (dtype === 'float16') {
      push(new Uint8Array(Uint16Array.from(values, floatToHalf).buffer));
      return { ...s, quantization: { dtype } };
    }
    const levels = dtype === 'uint8' ? 255 : 65535;
    const min = Math.min(...values);
    const max = Math.max(...values);
    const scale = max > min ? (max - min) / levels : 1;
    const q = Array.from(values, (v) => Math.round((v - min) / scale));
    push(dtype === 'uint8' ? Uint8Array.from(q) : new Uint8Array(Uint16Array.from(q).buffer));
    return { ...s, quantization: { dtype, scale, min } };
  });
  return { specs: result as Spec[], data: Uint8Array.from(out) };
}

/** float32 → IEEE binary16 bits, rounding to nearest even (normal range and subnormals; overflow to Inf). */
export function floatToHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/** Opens saved artifacts through the format registry, as model.json beside its shards. */
export function open(saved: Saved): Promise<Model> {
  return openModel(MemorySource.of(saved.json, saved.files));
}

/** The error message loading fails with ('' when it loads). */
export async function openError(saved: Saved | { json: unknown; files: Record<string, Uint8Array | string> }): Promise<string> {
  try {
    await openModel(MemorySource.of(saved.json, saved.files));
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Runs a loaded model with the real runner to the end; returns its outputs by name. */
export async function run(model: Model, inputs: Record<string, Tensor>): Promise<ReadonlyMap<string, Tensor>> {
  const runner = new Runner(model, inputs);
  const stop = await runner.continue();
  expect(stop.reason, runner.error?.message).toBe('end');
  return runner.outputs();
}

/** A reproducible input for each model input (integers in [0, vocab) for int inputs). */
export function inputsFor(model: Model, seed: number, vocab = 10): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  model.inputs.forEach((info, i) => {
    const shape = info.shape.map((d) => (typeof d === 'number' ? d : 1));
    const t = randomTensor(shape, seed + i, 0, 1);
    out[info.name] = info.dtype === 'float32' ? randomTensor(shape, seed + i) : Tensor.from(shape, Array.from(t.data, (v) => Math.floor(v * vocab)), info.dtype);
  });
  return out;
}

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], t.dtype === 'float32' ? 'float32' : 'int32');

/**
 * Saves `model`, opens it with our loader, runs it, and checks every output against `model.predict` (or
 * against `oracle`, a model that reads the same inputs, e.g. the saved artifacts reloaded by TF.js).
 */
export async function expectLikeTfjs(model: tf.LayersModel, options: SaveOptions = {}, tol = { atol: 1e-4, rtol: 1e-4 }, seed = 1): Promise<Model> {
  const saved = await save(model, options);
  const ours = await open(saved);
  const oracle = options.quantize ? await tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(saved))) : model;
  const inputs = inputsFor(ours, seed);
  const got = await run(ours, inputs);
  const predicted = oracle.predict(ours.inputs.map((i) => tfOf(inputs[i.name])));
  const expected = Array.isArray(predicted) ? predicted : [predicted];
  expect(ours.outputs.length).toBe(expected.length);
  for (const [k, info] of ours.outputs.entries()) {
    const want = expected[k];
    const have = got.get(info.name)!;
    expect([...have.shape], `output '${info.name}' shape`).toEqual(want.shape);
    const w = await want.data();
    let worst = 0;
    let at = -1;
    for (let i = 0; i < w.length; i++) {
      const err = Math.abs(have.data[i] - w[i]) - tol.rtol * Math.abs(w[i]);
      if (!(err <= worst)) [worst, at] = [err, i];
    }
    expect(worst, `output '${info.name}' differs most at ${at}: ${have.data[at]} vs ${w[at]}`).toBeLessThanOrEqual(tol.atol);
  }
  return ours;
}

/** The saved model.json and shards back as TF.js artifacts (for TF.js to load quantized weights itself). */
async function artifactsOf(saved: Saved): Promise<tf.io.ModelArtifacts> {
  const json = saved.json as { modelTopology: Record<string, unknown>; weightsManifest: { paths: string[]; weights: Spec[] }[] };
  const topology = json.modelTopology.model_config ? { ...(json.modelTopology.model_config as object) } : json.modelTopology;
  const parts = json.weightsManifest[0].paths.map((p) => saved.files[p]);
  const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { modelTopology: topology, weightSpecs: json.weightsManifest[0].weights, weightData: bytes.buffer };
}

/** The module tree as indented `id (type)` lines, nodes as `id = op`. */
export function tree(model: Model): string {
  const lines: string[] = [];
  const walk = (item: Model['root'] | Model['root']['body'][number], depth: number): void => {
    const pad = '  '.repeat(depth);
    if (item.kind === 'module') {
      lines.push(`${pad}${item.id || '<model>'} (${item.type})`);
      item.body.forEach((c) => walk(c, depth + 1));
    } else lines.push(`${pad}${item.id} = ${item.op}`);
  };
  walk(model.root, 0);
  return lines.join('\n');
}

/** Gives every weight reproducible random values (variances positive), so that no layer is an identity by accident. */
export function randomizeWeights(model: tf.LayersModel, seed = 3): void {
  model.setWeights(model.weights.map((w, i) => {
    const positive = /variance/.test(w.originalName);
    return tf.randomUniform(w.shape as number[], positive ? 0.5 : -0.5, positive ? 1.5 : 0.5, 'float32', seed + i);
  }));
}
