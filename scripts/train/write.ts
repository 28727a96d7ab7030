import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors } from '../../src/loaders/safetensors';
import { stringifyModel } from './json';
import { WEIGHTS_FILE } from './model';
import type { TrainedExample } from './types';

/** Name of the file beside model.json that holds what tfjs predicted for each example. */
export const EXPECTED_FILE = 'expected.json';

/**
 * The expected outputs as `{ "<example name>": { "<output name>": { shape, dtype, data } } }`: each value is
 * what `layerstep run MODEL --input <that example>` should print, up to float rounding.
 */
export function expectedJson(ex: TrainedExample): Record<string, unknown> {
  const output = String(ex.model.output ?? 'output');
  return Object.fromEntries(ex.expected.map((e) => [e.example, { [output]: { shape: e.shape, dtype: 'float32', data: e.data } }]));
}

/** Writes model.json, weights.safetensors (when the model has any), expected.json and README.md. */
export function writeExample(root: string, ex: TrainedExample): string[] {
  const dir = join(root, ex.folder);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(dir, name), data);
    written.push(`${ex.folder}/${name} (${typeof data === 'string' ? Buffer.byteLength(data) : data.length} bytes)`);
  };
  put('model.json', stringifyModel(ex.model));
  if (ex.weights) put(WEIGHTS_FILE, encodeSafetensors(ex.weights, { format: 'layerstep/1', source: 'scripts/train-examples.ts' }));
  put(EXPECTED_FILE, stringifyModel(expectedJson(ex)));
  put('README.md', ex.readme);
  return written;
}
