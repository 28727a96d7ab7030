import type { EngineEvent, EngineMethod, WireError } from '../protocol/engine';

/** Messages between the extension host and the engine worker thread. */
export type ToWorker = { readonly id: number; readonly method: EngineMethod; readonly params: unknown };

export type FromWorker =
  | { readonly kind: 'result'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError }
  | { readonly kind: 'event'; readonly event: EngineEvent };
