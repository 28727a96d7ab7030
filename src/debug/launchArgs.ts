import type { DebugProtocol } from '@vscode/debugprotocol';
import { InputError, parsePreprocess } from '../loaders/tensors/image';
import { isImageFile } from '../loaders/tensors/inputFile';
import type { CompareSpec, InputSpec } from '../protocol/engine';

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
