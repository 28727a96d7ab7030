import type { Tensor } from '../engine/tensor';
import type { ImagePreprocess } from '../loaders/tensors/image';
import { readInputFile } from '../loaders/tensors/inputFile';
import { randomInputs } from '../loaders/tensors/random';
import type { Model } from '../model/ir';
import { readUserFile } from './files';

/** The seed of the random input used when neither `--input` nor an example is there: the same input every run, and the same as the extension uses. */
export const RANDOM_INPUT_SEED = 0;

/** Where a run's inputs came from, for `trace`'s header line. */
export type InputOrigin = { kind: 'file'; path: string } | { kind: 'example'; name: string } | { kind: 'random'; seed: number };

/**
 * The inputs of a run: the tensor file the user gave, checked against the model's inputs, or the image
 * (`.png`) preprocessed for the model's one input; else the model's first example; else a seeded random input.
 */
export async function resolveInputs(
  model: Model, inputFile: string | undefined, preprocess?: ImagePreprocess,
): Promise<{ inputs: Map<string, Tensor>; origin: InputOrigin }> {
  if (inputFile !== undefined) {
    const inputs = readInputFile(inputFile, await readUserFile(inputFile, 'input file'), model.inputs, preprocess);
    return { inputs, origin: { kind: 'file', path: inputFile } };
  }
  const example = model.examples[0];
  if (example) return { inputs: new Map(Object.entries(example.inputs)), origin: { kind: 'example', name: example.name } };
  return { inputs: randomInputs(model.inputs, RANDOM_INPUT_SEED), origin: { kind: 'random', seed: RANDOM_INPUT_SEED } };
}
