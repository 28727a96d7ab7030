/**
 * An error raised by a kernel or by tensor construction. It names the op (and, where known, the argument)
 * so that the runner can attach the node and the model file around it.
 */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    message: string,
    /** The op whose kernel failed, e.g. `conv2d`; empty for errors outside any op. */
    readonly op = '',
  ) {
    super(op ? `${op}: ${message}` : message);
  }
}

/** Throws an {@link EngineError} for `op` unless `condition` holds. */
export function check(condition: unknown, op: string, message: () => string): asserts condition {
  if (!condition) throw new EngineError(message(), op);
}
