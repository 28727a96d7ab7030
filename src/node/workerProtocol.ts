import type { EngineEvent, EngineMethod, WireError } from '../protocol/engine';

/** Messages from the extension host to an engine worker thread. */
export type ToWorker =
  /** An engine request about the run `run` names; answered by a `result` or an `error` with the same id. */
  | { readonly kind: 'request'; readonly id: number; readonly run: string; readonly method: EngineMethod; readonly params: unknown }
  /**
   * The engine's thread count (the `layerstep.threads` setting; undefined: every core). Sent before the first
   * request and again when the setting changes; it takes effect from the next op on, not answered.
   */
  | { readonly kind: 'configure'; readonly threads?: number };

export type FromWorker =
  | { readonly kind: 'result'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError }
  | { readonly kind: 'event'; readonly run: string; readonly event: EngineEvent };
