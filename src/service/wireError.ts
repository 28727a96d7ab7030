import { EngineError } from '../engine/errors';
import { ModelError } from '../model/errors';
import type { WireError } from '../protocol/engine';

/** Errors a user can act on, by class name; anything else is an internal error and keeps its stack. */
const KINDS: Readonly<Record<string, WireError['kind']>> = {
  ModelError: 'model',
  InputError: 'input',
  TensorFileError: 'input',
  RunnerError: 'engine',
  EngineError: 'engine',
  ExpressionError: 'expression',
};

/** Turns anything thrown into the one error shape that crosses the worker and webview boundaries. */
export function toWireError(e: unknown): WireError {
  if (isWireError(e)) return e;
  if (e instanceof Error) {
    const kind = e instanceof ModelError ? 'model' : e instanceof EngineError ? 'engine' : KINDS[e.name] ?? 'internal';
    if (kind === 'internal') return { message: e.message, kind, stack: e.stack };
    if (e instanceof ModelError && e.file !== undefined) {
      return { message: e.message, kind, file: e.file, ...(e.source ? { source: e.source } : {}) };
    }
    return { message: e.message, kind };
  }
  return { message: String(e), kind: 'internal' };
}

export function isWireError(e: unknown): e is WireError {
  return typeof e === 'object' && e !== null && !(e instanceof Error)
    && typeof (e as WireError).message === 'string' && typeof (e as WireError).kind === 'string';
}
