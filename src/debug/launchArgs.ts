import type { DebugProtocol } from '@vscode/debugprotocol';
import type { InputSpec } from '../protocol/engine';

/** The attributes of a `layerstep` launch configuration (see `contributes.debuggers` in package.json). */
export interface LaunchArgs extends DebugProtocol.LaunchRequestArguments {
  /** Absolute path of the model file. */
  readonly model: string;
  /** A tensor file (.json, .npy), the name of one of the model's examples, or `random`. Default: the first example. */
  readonly input?: string;
  /** Seed for `input: "random"`. */
  readonly seed?: number;
  /** Stop at the model's call before anything runs. */
  readonly stopOnEntry?: boolean;
  /** Budget for recorded tensor values, in MiB. */
  readonly memoryBudgetMB?: number;
}

/** Reads the `input` attribute: a path when it names a tensor file, `random`, else an example's name. */
export function inputSpecOf(args: Pick<LaunchArgs, 'input' | 'seed'>, resolvePath: (p: string) => string): InputSpec {
  const input = args.input?.trim();
  if (!input) return { kind: 'example' };
  if (input === 'random') return { kind: 'random', seed: args.seed ?? 0 };
  if (/\.(json|npy|png)$/i.test(input)) return { kind: 'file', path: resolvePath(input) };
  return { kind: 'example', name: input };
}
