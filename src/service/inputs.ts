import type { Tensor } from '../engine/tensor';
import { InputError } from '../loaders/tensors/image';
import { readInputFile } from '../loaders/tensors/inputFile';
import { randomInputs } from '../loaders/tensors/random';
import { ModelError } from '../model/errors';
import type { Model } from '../model/ir';
import type { InputSpec } from '../protocol/engine';

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
      return { inputs: randomInputs(model.inputs, RANDOM_INPUT_SEED), origin: { kind: 'random', seed: RANDOM_INPUT_SEED } };
    }
    case 'random':
      return { inputs: randomInputs(model.inputs, spec.seed), origin: { kind: 'random', seed: spec.seed } };
  }
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
