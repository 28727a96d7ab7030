import type { DebugProtocol } from '@vscode/debugprotocol';
import { parsePreprocess } from '../loaders/tensors/image';
import { isImageFile } from '../loaders/tensors/inputFile';
import type { InputSpec } from '../protocol/engine';

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
}

/**
 * Reads the `input` attribute: a path when it names a tensor file or an image, `random`, else an example's
 * name. An image takes the checked `preprocess` attribute along; a bad one throws an InputError.
 */
export function inputSpecOf(args: Pick<LaunchArgs, 'input' | 'seed' | 'preprocess'>, resolvePath: (p: string) => string): InputSpec {
  const input = args.input?.trim();
  if (!input) return { kind: 'example' };
  if (input === 'random') return { kind: 'random', seed: args.seed ?? 0 };
  if (isImageFile(input)) {
    const preprocess = parsePreprocess(args.preprocess);
    return { kind: 'file', path: resolvePath(input), ...(Object.keys(preprocess).length ? { preprocess } : {}) };
  }
  if (/\.(json|npy)$/i.test(input)) return { kind: 'file', path: resolvePath(input) };
  return { kind: 'example', name: input };
}
