import type { DebugProtocol } from '@vscode/debugprotocol';
import { InputError, parsePreprocess } from '../loaders/tensors/image';
import { isImageFile } from '../loaders/tensors/inputFile';
import { isLossName, LOSS_NAMES } from '../engine/grad/losses';
import { isOptimizerName, OPTIMIZER_NAMES } from '../engine/grad/optimizers';
import type { CompareSpec, InputSpec, TrainSpec } from '../protocol/engine';

/** The attributes of a `layerstep` launch configuration (see `contributes.debuggers` in package.json). */
export interface LaunchArgs extends DebugProtocol.LaunchRequestArguments {
  /** Absolute path of the model file. */
  readonly model: string;
  /** A tensor file (.json, .npy), an image (.png), the name of one of the model's examples, or `random`. Default: the first example. */
  readonly input?: string;
  /**
   * How a `.png` input becomes a tensor: size, channels, scale (a number or `"1/255"`), mean, std, layout, all
   * optional. JSON as the user wrote it; {@link inputSpecOf} checks it into an `ImagePreprocess` (src/loaders/tensors/image.ts).
   */
  readonly preprocess?: Readonly<Record<string, unknown>>;
  /** Seed for `input: "random"`. */
  readonly seed?: number;
  /** Stop at the model's call before anything runs. */
  readonly stopOnEntry?: boolean;
  /** Budget for recorded tensor values, in MiB. */
  readonly memoryBudgetMB?: number;
  /** Shapes of random inputs by input name, fixing the sizes a model leaves open (`{ "x": [1, 3, 48, 192] }`). */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** Most iterations a loop may run before the run stops (the `layerstep.maxLoopIterations` setting). */
  readonly maxLoopIterations?: number;
  /** Compare with the same model on this input (a tensor file, an image, an example's name, or `random`). */
  readonly compareInput?: string;
  /** Compare with another model file of the same structure, on the same input. */
  readonly compareModel?: string;
  /** Compare with a folder of `.npy` values named as `layerstep trace --dump` writes them. */
  readonly compareReference?: string;
  /** `ATOL,RTOL`: how far a value may be from its counterpart's and still agree (default `1e-4,1e-3`). */
  readonly tolerance?: string;
  /** Train instead of run: each step is the forward pass, the loss, the backward pass as frames, and the update. */
  readonly train?: boolean;
  /** Training steps (default: the model file's `training.steps`, else 1). */
  readonly steps?: number;
  /** The optimizer's learning rate (default: the model file's hint, else 0.01). */
  readonly learningRate?: number;
  /** `mse`, `bce`, `cce`, `bce-logits` or `cce-logits` (default: the hint, else from the model's last op). */
  readonly loss?: string;
  /** `sgd`, `momentum` or `adam` (default: the hint, else `sgd`). */
  readonly optimizer?: string;
  /** Rows of the data per step (default: all of them, or the model's fixed batch size). */
  readonly batch?: number;
  /** A data file `{"inputs": {...}, "targets": {...}}` (default: the model's examples that carry targets). */
  readonly data?: string;
}

/** The launch attributes that only a training run (`"train": true`) takes. */
const TRAIN_ATTRIBUTES = ['steps', 'learningRate', 'loss', 'optimizer', 'batch', 'data'] as const;

/**
 * The launch's training run, when `train` is true: its attributes checked into a {@link TrainSpec}, with `data`
 * resolved like `input`. A bad attribute, a training attribute without `train`, or a compared training run
 * throws an InputError naming it.
 */
export function trainSpecOf(args: LaunchArgs, resolvePath: (p: string) => string): TrainSpec | undefined {
  const given = TRAIN_ATTRIBUTES.filter((k) => args[k] !== undefined && args[k] !== null);
  if (args.train !== undefined && typeof args.train !== 'boolean') throw new InputError(`The launch attribute "train" must be true or false, not ${JSON.stringify(args.train)}.`);
  if (!args.train) {
    if (given.length) throw new InputError(`The launch sets ${given.map((k) => `"${k}"`).join(', ')} but not "train": add "train": true to train the model.`);
    return undefined;
  }
  const compared = (['compareInput', 'compareModel', 'compareReference'] as const).find((k) => args[k] !== undefined);
  if (compared) throw new InputError(`A training run cannot be compared: remove "${compared}" or "train".`);
  const { steps, learningRate, loss, optimizer, batch, data } = args;
  if (steps !== undefined && !(Number.isSafeInteger(steps) && steps >= 1)) throw new InputError(`The launch attribute "steps" must be a whole number of 1 or more, not ${JSON.stringify(steps)}.`);
  if (batch !== undefined && !(Number.isSafeInteger(batch) && batch >= 1)) throw new InputError(`The launch attribute "batch" must be a whole number of 1 or more, not ${JSON.stringify(batch)}.`);
  if (learningRate !== undefined && !(typeof learningRate === 'number' && Number.isFinite(learningRate) && learningRate > 0)) {
    throw new InputError(`The launch attribute "learningRate" must be a number above 0, not ${JSON.stringify(learningRate)}.`);
  }
  if (loss !== undefined && !(typeof loss === 'string' && isLossName(loss))) throw new InputError(`The launch attribute "loss" must be one of ${LOSS_NAMES.join(', ')}, not ${JSON.stringify(loss)}.`);
  if (optimizer !== undefined && !(typeof optimizer === 'string' && isOptimizerName(optimizer))) {
    throw new InputError(`The launch attribute "optimizer" must be one of ${OPTIMIZER_NAMES.join(', ')}, not ${JSON.stringify(optimizer)}.`);
  }
  if (data !== undefined && !(typeof data === 'string' && data.trim())) throw new InputError(`The launch attribute "data" must be the path of a data file, not ${JSON.stringify(data)}.`);
  return {
    ...(steps !== undefined ? { steps } : {}),
    ...(learningRate !== undefined ? { learningRate } : {}),
    ...(loss !== undefined ? { loss } : {}),
    ...(optimizer !== undefined ? { optimizer } : {}),
    ...(batch !== undefined ? { batch } : {}),
    ...(data !== undefined ? { data: resolvePath(data.trim()) } : {}),
  };
}

/** The launch's counterpart to compare with, when it names one (at most one of the three attributes). */
export function compareSpecOf(args: LaunchArgs, resolvePath: (p: string) => string): CompareSpec | undefined {
  const given = (['compareInput', 'compareModel', 'compareReference'] as const).filter((k) => typeof args[k] === 'string' && (args[k] as string).trim());
  if (given.length > 1) throw new InputError(`The launch names ${given.map((k) => `"${k}"`).join(' and ')}: a run is compared with one counterpart.`);
  if (args.compareInput?.trim()) return { kind: 'input', input: inputSpecOf({ ...args, input: args.compareInput }, resolvePath) };
  if (args.compareModel?.trim()) return { kind: 'model', path: resolvePath(args.compareModel.trim()) };
  if (args.compareReference?.trim()) return { kind: 'reference', dir: resolvePath(args.compareReference.trim()) };
  return undefined;
}

/**
 * Reads the `input` attribute: a path when it names a tensor file or an image, `random`, else an example's
 * name. An image takes the checked `preprocess` attribute along; a bad one throws an InputError.
 */
export function inputSpecOf(args: Pick<LaunchArgs, 'input' | 'seed' | 'preprocess' | 'shapes'>, resolvePath: (p: string) => string): InputSpec {
  const input = args.input?.trim();
  const shapes = shapesOf(args.shapes);
  if (!input) return { kind: 'example', ...(shapes ? { shapes } : {}) };
  if (input === 'random') return { kind: 'random', seed: args.seed ?? 0, ...(shapes ? { shapes } : {}) };
  if (isImageFile(input)) {
    const preprocess = parsePreprocess(args.preprocess);
    return { kind: 'file', path: resolvePath(input), ...(Object.keys(preprocess).length ? { preprocess } : {}) };
  }
  if (/\.(json|npy)$/i.test(input)) return { kind: 'file', path: resolvePath(input) };
  return { kind: 'example', name: input };
}

/** The `shapes` attribute checked into plain arrays of sizes; a malformed one throws an InputError naming it. */
function shapesOf(value: unknown): Record<string, number[]> | undefined {
  if (value === undefined || value === null) return undefined;
  const bad = (): InputError => new InputError('The launch attribute "shapes" must map input names to arrays of sizes, e.g. { "x": [1, 3, 48, 192] }.');
  if (typeof value !== 'object' || Array.isArray(value)) throw bad();
  const out: Record<string, number[]> = {};
  for (const [name, dims] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(dims) || dims.some((d) => !Number.isSafeInteger(d) || (d as number) < 1)) throw bad();
    out[name] = dims as number[];
  }
  return out;
}
