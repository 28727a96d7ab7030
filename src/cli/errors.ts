import { UsageError } from './args';

/** A failure the CLI itself detects (a file it cannot read or write): one sentence for the user, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Where the CLI writes. Tests pass strings; `cli.ts` passes the process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal: progress is shown only then. */
  readonly stderrIsTTY: boolean;
}

/**
 * Reports an error on stderr as one line naming the file, layer or node (the error classes of the core
 * already phrase their messages so), with the stack trace only when `verbose`. Returns the exit code:
 * 2 for usage errors, 1 for everything else.
 */
export function reportError(e: unknown, verbose: boolean, io: Io): number {
  const err = e instanceof Error ? e : new Error(String(e));
  const message = err.message.trim() || err.name;
  const internal = isInternal(err) ? ` (an internal error${verbose ? '' : '; --verbose shows where'})` : '';
  io.err(`layerstep: ${message}${internal}\n`);
  if (e instanceof UsageError) {
    io.err("Run 'layerstep --help' for usage.\n");
    return 2;
  }
  if (verbose) {
    // The runner wraps an op's error to name the layer; the kernel's own stack is the useful one.
    for (let c: unknown = err, depth = 0; c instanceof Error && depth < 5; c = causeOf(c), depth++) {
      io.err(`${depth ? 'caused by: ' : ''}${c.stack ?? c.message}\n`);
    }
  }
  return 1;
}

/**
 * Errors meant for the user come as the core's own classes (ModelError, RunnerError, TensorFileError...) or
 * as system errors with a code (EACCES); a bare built-in error (TypeError...) is a bug of ours and says so.
 */
function isInternal(e: Error): boolean {
  const builtin = [Error, TypeError, RangeError, ReferenceError, SyntaxError].some((c) => e.constructor === c);
  return builtin && (e as NodeJS.ErrnoException).code === undefined;
}

function causeOf(e: Error): unknown {
  return e.cause ?? (e as { details?: { cause?: unknown } }).details?.cause;
}
