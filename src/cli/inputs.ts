import type { Tensor } from '../engine/tensor';
import type { ImagePreprocess } from '../loaders/tensors/image';
import type { Model } from '../model/ir';
import { nodePorts } from '../node/ports';
import type { InputOrigin } from '../service/inputs';
import { RANDOM_INPUT_SEED, resolveInputs as resolveRunInputs } from '../service/inputs';
import { InputError } from '../loaders/tensors/image';
import type { InputSpec } from '../protocol/engine';
import type { ShapeFlags } from './args';

export { RANDOM_INPUT_SEED } from '../service/inputs';
export type { InputOrigin } from '../service/inputs';

/**
 * The inputs of a CLI run, resolved by the engine service as the debugger resolves them: the tensor file the
 * user gave, checked against the model's inputs, or the image (`.png`) preprocessed for the model's one input;
 * else the model's first example; else a seeded random input.
 */
export function resolveInputs(
  model: Model, inputFile: string | undefined, preprocess?: ImagePreprocess, shapes?: ShapeFlags,
): Promise<{ inputs: Map<string, Tensor>; origin: InputOrigin }> {
  const spec: InputSpec = shapes
    ? { kind: 'random', seed: RANDOM_INPUT_SEED, shapes: namedShapes(model, shapes) }
    : inputFile === undefined ? { kind: 'example' } : { kind: 'file', path: inputFile, ...(preprocess ? { preprocess } : {}) };
  return resolveRunInputs(model, spec, nodePorts().readFile);
}

/** `--shape 1,3,48,192` without a name is the shape of a model's one input. */
function namedShapes(model: Model, shapes: ShapeFlags): ShapeFlags {
  if (!Object.hasOwn(shapes, '')) return shapes;
  if (model.inputs.length !== 1) {
    throw new InputError(`${model.file} has ${model.inputs.length} inputs (${model.inputs.map((v) => `'${v.name}'`).join(', ')}); name the input a --shape is for (--shape NAME=SIZES).`);
  }
  const { '': one, ...named } = shapes;
  return { ...named, [model.inputs[0].name]: one };
}
