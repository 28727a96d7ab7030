import type { SourceRange } from '../model/ir';

/** Where a runner error happened, for tools that want more than the message. */
export interface RunnerErrorDetails {
  /** The model file as the loader named it. */
  readonly file?: string;
  /** The source of the failing node, or of the nearest layer around it. */
  readonly source?: SourceRange;
  /** Id of the module (layer) whose body holds the failing node. */
  readonly moduleId?: string;
  readonly nodeId?: string;
  readonly op?: string;
  /** What the engine threw. */
  readonly cause?: unknown;
}

/**
 * An error of the forward pass or of the runner's use: an op that failed (wrapped with the file, the
 * layer's line, the module and the node), an input that does not fit, a frame or value that does not exist.
 * The message is one sentence for the user: `model.json line 12: layer 'hidden', op matmul (hidden/matmul): …`.
 */
export class RunnerError extends Error {
  override readonly name = 'RunnerError';
  constructor(
    message: string,
    readonly details: RunnerErrorDetails = {},
  ) {
    super(message);
  }
}

/** The last path segment of a file name or URI: `model.json` for `/home/me/mlp/model.json`. */
export function baseName(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut === -1 ? file : file.slice(cut + 1);
}
