import type { Tensor } from '../engine/tensor';
import { readInputFile } from '../loaders/tensors/inputFile';
import { randomInputs } from '../loaders/tensors/random';
import { ModelError } from '../model/errors';
import type { Model } from '../model/ir';
import type { InputSpec } from '../protocol/engine';

/**
 * The tensors a session runs on: a tensor file checked against the model's inputs, a PNG image preprocessed
 * for the model's one input, an example, or seeded random values.
 */
export async function resolveInputs(
  model: Model, spec: InputSpec, readFile: (path: string) => Promise<Uint8Array>,
): Promise<Record<string, Tensor>> {
  switch (spec.kind) {
    case 'file': {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(spec.path);
      } catch (e) {
        throw Object.assign(new Error(`${spec.path}: cannot read the input file (${ioReason(e)}).`), { name: 'InputError' });
      }
      return Object.fromEntries(readInputFile(spec.path, bytes, model.inputs, spec.preprocess));
    }
    case 'example': {
      const example = spec.name === undefined ? model.examples[0] : model.examples.find((e) => e.name === spec.name);
      if (example) return { ...example.inputs };
      if (spec.name !== undefined) {
        const known = model.examples.map((e) => `'${e.name}'`).join(', ') || 'none';
        throw new ModelError(`${model.file}: there is no example named '${spec.name}' (its examples: ${known}).`, model.file);
      }
      return Object.fromEntries(randomInputs(model.inputs, 0));
    }
    case 'random':
      return Object.fromEntries(randomInputs(model.inputs, spec.seed));
  }
}

/** The reason a port's read failed in a few words; Node's errors carry a `code`, other ports' a message. */
function ioReason(e: unknown): string {
  switch ((e as { code?: unknown }).code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a folder';
    default: return e instanceof Error ? e.message : String(e);
  }
}
