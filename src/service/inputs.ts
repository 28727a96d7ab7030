import type { Tensor } from '../engine/tensor';
import { InputError } from '../loaders/tensors/image';
import { readInputFile } from '../loaders/tensors/inputFile';
import { randomInputs } from '../loaders/tensors/random';
import { ModelError } from '../model/errors';
import type { Model } from '../model/ir';
import { fitsDeclared, formatDims, isOpen, needsShape, suggestShapes } from '../model/specialize';
import type { InputShapes, InputSpec } from '../protocol/engine';
import { aliasInputs } from '../runner/inputs';

/** The seed of the random input used when neither an input file nor an example is there: the same input every run, in the CLI and in VS Code. */
export const RANDOM_INPUT_SEED = 0;

/** Where a run's inputs came from, for `trace`'s header line. */
export type InputOrigin = { kind: 'file'; path: string } | { kind: 'example'; name: string } | { kind: 'random'; seed: number };

/**
 * The tensors a run takes, for the CLI and the debugger alike: a tensor file checked against the model's
 * inputs, a PNG image preprocessed for the model's one input, an example (the first when none is named; a
 * seeded random input when the model has none), or seeded random values.
 */
export async function resolveInputs(
  model: Model, spec: InputSpec, readFile: (path: string) => Promise<Uint8Array>,
): Promise<{ inputs: Map<string, Tensor>; origin: InputOrigin }> {
  switch (spec.kind) {
    case 'file': {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(spec.path);
      } catch (e) {
        throw new InputError(`${spec.path}: cannot read the input file (${describeIoError(e)}).`);
      }
      return { inputs: readInputFile(spec.path, bytes, model.inputs, spec.preprocess), origin: { kind: 'file', path: spec.path } };
    }
    case 'example': {
      const example = spec.name === undefined ? model.examples[0] : model.examples.find((e) => e.name === spec.name);
      if (example) return { inputs: new Map(Object.entries(example.inputs)), origin: { kind: 'example', name: example.name } };
      if (spec.name !== undefined) {
        const known = model.examples.map((e) => `'${e.name}'`).join(', ') || 'none';
        throw new ModelError(`${model.file}: there is no example named '${spec.name}' (its examples: ${known}).`, model.file);
      }
      return random(model, RANDOM_INPUT_SEED, spec.shapes);
    }
    case 'random':
      return random(model, spec.seed, spec.shapes);
  }
}

function random(model: Model, seed: number, shapes: InputShapes | undefined): { inputs: Map<string, Tensor>; origin: InputOrigin } {
  return { inputs: randomInputs(model.inputs, seed, randomShapes(model, shapes)), origin: { kind: 'random', seed } };
}

/** The largest random input made, in elements: a typo in a shape must not ask for gigabytes. */
const MAX_RANDOM_ELEMENTS = 256 * 1024 * 1024;

/**
 * The shape of each random input: the one given (its rank and fixed sizes checked against the model), else
 * the model's, where a leading open axis (the batch) is 1. Any other open size needs a given shape: it is
 * not guessed, and the error suggests sizes the model accepts.
 */
export function randomShapes(model: Model, shapes: InputShapes | undefined): Map<string, number[]> {
  const file = model.file;
  const given = shapes && aliasInputs(model, shapes);
  const out = new Map<string, number[]>();
  for (const name of Object.keys(given ?? {})) {
    if (!model.inputs.some((v) => v.name === name)) {
      const known = model.inputs.map((v) => `'${v.name}'`).join(', ');
      throw new InputError(`${file}: the model has no input '${name}' to give a shape; its inputs are ${known}.`);
    }
  }
  for (const info of model.inputs) {
    const shape = given && Object.hasOwn(given, info.name) ? given[info.name] : undefined;
    if (shape) {
      if (!fitsDeclared(info.shape, shape) || shape.some((d) => !Number.isInteger(d) || d < 1)) {
        throw new InputError(`${file}: input '${info.name}' takes shape ${formatDims(info.shape)}; the shape given, [${shape.join(', ')}], does not fit it.`);
      }
      if (shape.reduce((a, d) => a * d, 1) > MAX_RANDOM_ELEMENTS) {
        throw new InputError(`${file}: the shape [${shape.join(', ')}] given for input '${info.name}' holds more than ${MAX_RANDOM_ELEMENTS} values.`);
      }
      out.set(info.name, [...shape]);
      continue;
    }
    if (needsShape(info)) {
      const suggested = suggestShapes(model).get(info.name)!;
      throw new InputError(`${file}: input '${info.name}' has open sizes ${formatDims(info.shape)}; give it a shape (such as --shape ${info.name}=${suggested.join(',')}) or an input file.`);
    }
    out.set(info.name, info.shape.map((d) => (isOpen(d) ? 1 : (d as number))));
  }
  return out;
}

/**
 * The reason a file could not be read or written, in a few words (`no such file`, `permission denied`, `it is
 * a folder`): one wording for the CLI, the engine and every port. Node's errors carry a `code`; other ports' a
 * message.
 */
export function describeIoError(e: unknown): string {
  switch ((e as { code?: unknown }).code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a folder';
    case 'ENOTDIR': return 'a part of the path is not a folder';
    default: return e instanceof Error ? e.message : String(e);
  }
}
