import type { EngineEvent, EngineMethod, WireError } from '../protocol/engine';

/** Messages between the extension host and an engine worker thread. `run` names the run a request or event is about. */
export type ToWorker = { readonly id: number; readonly run: string; readonly method: EngineMethod; readonly params: unknown };

export type FromWorker =
  | { readonly kind: 'result'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError }
  | { readonly kind: 'event'; readonly run: string; readonly event: EngineEvent };
