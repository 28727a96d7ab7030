import type { Tensor } from '../../engine/tensor';
import type { ValueInfo } from '../../model/ir';
import { failFile } from './errors';
import { UNNAMED, formatTensorJson, parseTensorJson } from './json';
import { formatNpy, parseNpy } from './npy';

/**
 * Tensor files for model inputs and outputs (DESIGN.md §3): tensor JSON and NumPy `.npy`, chosen by the
 * file's extension. Pure: bytes in, tensors out and back; the caller does the I/O.
 */

export { TensorFileError } from './errors';
export { UNNAMED, formatFloat32, formatTensorJson, formatTensorObject, parseTensorJson, parseTrainingJson } from './json';
export { formatNpy, parseNpy } from './npy';

export type TensorFileFormat = 'json' | 'npy';

/** The format a file name implies, or undefined for an extension we do not read. */
export function tensorFileFormat(file: string): TensorFileFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.npy')) return 'npy';
  return undefined;
}

/**
 * Reads a tensor file by its extension. Returns tensors by name; a file with one unnamed tensor (every
 * `.npy`, and tensor JSON of the form `{ "shape", "data" }`) gives one entry under {@link UNNAMED}.
 */
export function decodeTensorFile(file: string, bytes: Uint8Array): Map<string, Tensor> {
  switch (tensorFileFormat(file)) {
    case 'npy': return new Map([[UNNAMED, parseNpy(file, bytes)]]);
    case 'json': return parseTensorJson(file, new TextDecoder('utf-8', { fatal: false }).decode(bytes));
    default: return failFile(file, 'has an unknown extension; input files are tensor JSON (.json) or NumPy (.npy).');
  }
}

/**
 * Writes tensors by the file's extension: tensor JSON keyed by name, or `.npy` for exactly one tensor.
 */
export function encodeTensorFile(file: string, tensors: ReadonlyMap<string, Tensor>): Uint8Array {
  switch (tensorFileFormat(file)) {
    case 'json': return new TextEncoder().encode(formatTensorJson(tensors));
    case 'npy': {
      if (tensors.size !== 1) {
        failFile(file, `a .npy file holds one tensor but the model has ${tensors.size} outputs (${[...tensors.keys()].join(', ')}); write .json instead.`);
      }
      return formatNpy([...tensors.values()][0]);
    }
    default: return failFile(file, 'has an unknown extension; output files are tensor JSON (.json) or NumPy (.npy).');
  }
}

function shapeText(shape: readonly unknown[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** Does a concrete shape fit a declared one? Symbolic (string) and unknown (null) dimensions take any size. */
export function shapeFits(declared: ValueInfo['shape'], actual: readonly number[]): boolean {
  return declared.length === actual.length && declared.every((d, i) => typeof d !== 'number' || d === actual[i]);
}

/**
 * Matches the tensors read from `file` to a model's inputs. One unnamed tensor goes to a single-input model;
 * otherwise every input must be present by name and no other name may appear. Each tensor's dtype and
 * shape must fit its input's declaration; a refusal names the input, the expected and the given shape.
 */
export function bindInputs(file: string, tensors: ReadonlyMap<string, Tensor>, inputs: readonly ValueInfo[]): Map<string, Tensor> {
  const names = inputs.map((i) => `'${i.name}'`).join(', ');
  const bound = new Map<string, Tensor>();
  const unnamed = tensors.get(UNNAMED);
  if (unnamed && tensors.size === 1) {
    if (inputs.length !== 1) {
      failFile(file, `holds one unnamed tensor but the model has ${inputs.length} inputs (${names}); key the tensors by input name in tensor JSON.`);
    }
    bound.set(inputs[0].name, unnamed);
  } else {
    for (const name of tensors.keys()) {
      if (!inputs.some((i) => i.name === name)) failFile(file, `has a tensor '${name}' but the model has no such input (its inputs: ${names}).`);
    }
    for (const input of inputs) {
      const t = tensors.get(input.name);
      if (!t) failFile(file, `has no tensor for input '${input.name}' (the model's inputs: ${names}).`);
      bound.set(input.name, t);
    }
  }
  for (const input of inputs) {
    const t = bound.get(input.name) as Tensor;
    if (!shapeFits(input.shape, t.shape)) {
      failFile(file, `input '${input.name}' expects shape ${shapeText(input.shape)}, got ${shapeText(t.shape)}.`);
    }
    if (t.dtype !== input.dtype) {
      failFile(file, `input '${input.name}' expects dtype ${input.dtype} (shape ${shapeText(input.shape)}), got ${t.dtype} (shape ${shapeText(t.shape)}).`);
    }
  }
  return bound;
}
