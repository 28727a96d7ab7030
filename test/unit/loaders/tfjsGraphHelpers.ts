import * as tf from '@tensorflow/tfjs';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { Tensor } from '../../../src/engine/tensor';
import type { ModelSource } from '../../../src/loaders/types';
import type { Model } from '../../../src/model/ir';
import { randomTensor } from '../engine/helpers';

/**
 * Helpers for the TF.js graph model tests: a file source that reads shards only when asked, TF.js's own
 * `loadGraphModel` over the same files (the oracle), and reproducible inputs.
 */

/** A {@link ModelSource} over a model.json on disk; siblings are read from its folder when asked. */
export function diskSource(path: string): ModelSource {
  const dir = dirname(path);
  const sib = (p: string): string => normalize(join(dir, p));
  return {
    name: path,
    read: async () => readFileSync(path),
    readSibling: async (p) => readFileSync(sib(p)),
    statSibling: async (p) => {
      try {
        return statSync(sib(p)).size;
      } catch {
        return undefined;
      }
    },
  };
}

/** The graph model as TF.js loads it, from the same model.json and shards. */
export async function tfjsGraphModel(path: string): Promise<tf.GraphModel> {
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    modelTopology: object; format: string; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    signature?: object; userDefinedMetadata?: Record<string, object>; generatedBy?: string; convertedBy?: string;
  };
  const parts = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(path), p))));
  const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return tf.loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: bytes.buffer,
      signature: json.signature, userDefinedMetadata: json.userDefinedMetadata,
    }),
  });
}

/** A reproducible input per model input: floats in [0, 1), ints in [0, 255], open dimensions 1. */
export function graphInputs(model: Model, seed: number): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  model.inputs.forEach((info, i) => {
    const shape = info.shape.map((d) => (typeof d === 'number' ? d : 1));
    const t = randomTensor(shape, seed + i, 0, 1);
    out[info.name] = info.dtype === 'float32' ? t : Tensor.from(shape, Array.from(t.data, (v) => Math.floor(v * 256)), info.dtype);
  });
  return out;
}

export const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], t.dtype === 'float32' ? 'float32' : t.dtype === 'bool' ? 'bool' : 'int32');
