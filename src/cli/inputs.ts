import type { Tensor } from '../engine/tensor';
import type { ImagePreprocess } from '../loaders/tensors/image';
import type { Model } from '../model/ir';
import { nodePorts } from '../node/ports';
import type { InputOrigin } from '../service/inputs';
import { resolveInputs as resolveRunInputs } from '../service/inputs';

export { RANDOM_INPUT_SEED } from '../service/inputs';
export type { InputOrigin } from '../service/inputs';

/**
 * The inputs of a CLI run, resolved by the engine service as the debugger resolves them: the tensor file the
 * user gave, checked against the model's inputs, or the image (`.png`) preprocessed for the model's one input;
 * else the model's first example; else a seeded random input.
 */
export function resolveInputs(
  model: Model, inputFile: string | undefined, preprocess?: ImagePreprocess,
): Promise<{ inputs: Map<string, Tensor>; origin: InputOrigin }> {
  const spec = inputFile === undefined ? { kind: 'example' as const } : { kind: 'file' as const, path: inputFile, ...(preprocess ? { preprocess } : {}) };
  return resolveRunInputs(model, spec, nodePorts().readFile);
}
