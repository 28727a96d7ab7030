import type { TensorStats } from '../engine/stats';
import type { DType } from '../engine/tensor';
import type { FrameInfo, GridSpec, ScopesInfo, StepKind, StopInfo, TensorGrid, TimelineEvent, WireError } from './engine';
import type { RunSummary } from './engine';
import type { GraphDesc, GraphValues } from './graph';

export type { TensorGrid } from './engine';

/**
 * The messages between the extension host and the Layerstep panel (webview). Everything crosses
 * `postMessage`, which VS Code serialises as JSON except for typed arrays: so NaN and ±Infinity in plain
 * `number` fields arrive as `null` (readers treat `null` as NaN), and tensor values travel only in typed
 * arrays, which keep them. Values are sent as exact-sized copies, never views of a larger buffer.
 *
 * Host events are past tense: each reports something that already happened. Webview requests carry ids,
 * may fail (an `error` envelope with a {@link WireError}) and time out ({@link REQUEST_TIMEOUT_MS}); no
 * exception crosses the boundary. The webview keeps no state the host cannot give back: on load it sends
 * `ready` and rebuilds itself from the {@link Snapshot}, so a hidden or reloaded view loses nothing.
 */

/** Bumped on every incompatible change; the host answers `ready` only for its own version. */
export const WEBVIEW_PROTOCOL_VERSION = 4;

/** How long the webview waits for any answer before it gives up on a request. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** At most this many values are fetched to draw one tensor; larger tensors are sampled. */
export const MAX_DRAWN_VALUES = 65_536;

/**
 * Heatmap colours (setting `layerstep.colormap`). `diverging`: signed data diverges around 0 (negative,
 * neutral, positive), one-signed data is a sequential ramp from neutral; `viridis` and `grayscale`:
 * a sequential ramp over [min, max] for all data.
 */
export type Colormap = 'diverging' | 'viridis' | 'grayscale';

export const COLORMAPS: readonly Colormap[] = ['diverging', 'viridis', 'grayscale'];

/** The debug session the panel follows. */
export interface SessionView {
  /** VS Code's id of the debug session; requests name it so a late answer for an old session is ignored. */
  readonly id: string;
  readonly modelName: string;
  readonly format: string;
  /** Class labels of the model's output, for bar charts of class scores. */
  readonly labels?: readonly string[];
  /** Events a full pass takes (2 per module or node call); the width of the stack-over-time view. */
  readonly totalEvents: number;
  /** In a compared run, what it is compared with (`input digit-7.json`): the frame view's divergence lines name it. */
  readonly counterpart?: string;
}

/** Where tensor values are read: a session's run, or the model file at `path` loaded outside a session. */
export type TensorSource =
  | { readonly kind: 'session'; readonly sessionId: string }
  | { readonly kind: 'model'; readonly path: string };

export interface TensorRef {
  readonly source: TensorSource;
  /** Value or weight name in the model (`hidden1/matmul:0`, `hidden1.kernel`). */
  readonly name: string;
}

/** A weight shown on its own (the sidebar's "Show in Panel"). */
export interface ShownWeight {
  readonly ref: TensorRef;
  /** Its role in its layer (`kernel`, `bias`). */
  readonly role: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** The one-line summary (`float32[784,128] μ=… σ=… [min, max]`). */
  readonly summary: string;
  /** Exact statistics when the host has them; otherwise the webview uses the values it fetched. */
  readonly stats?: TensorStats;
}

/** Everything the webview needs to draw itself from nothing. */
export interface Snapshot {
  readonly protocolVersion: number;
  readonly colormap: Colormap;
  /**
   * Setting `layerstep.sharedColorScale`: activations' colours use one range for the whole session (see
   * webview/sharedScale.ts), not each tensor's own. Absent: off.
   */
  readonly sharedColorScale?: boolean;
  /** The active Layerstep session, if any. */
  readonly session?: SessionView & {
    /** Where it stands; absent until the first stop. */
    readonly stop?: StopInfo;
    /** True between a step request and the stop it leads to. */
    readonly running: boolean;
    /**
     * In a training run, the loss of every finished step as the panel's curve draws it: the last stop's
     * `training.losses` and the `trainingLoss` events since (see {@link withLoss}).
     */
    readonly losses?: readonly WireNumber[];
  };
  /** The weight shown with "Show in Panel", until the webview closes it. */
  readonly weight?: ShownWeight;
  /** How the panel's Graph section was left (open or folded, its height), until the window closes. */
  readonly graph?: GraphSectionState;
}

/** The Graph section's layout, kept by the host so a reloaded panel shows it as it was. */
export interface GraphSectionState {
  readonly open: boolean;
  /** CSS pixels. */
  readonly height: number;
}

/** Host → webview: each reports something that already happened. */
export type HostEvent =
  | { readonly type: 'sessionStarted'; readonly session: SessionView }
  /**
   * The session stopped. The host sends along what the panel needs to draw it, so a stop is drawn without a
   * round trip: the timeline events recorded since those it sent last, the scopes of the top frame, and the
   * grids of its tensors (a weight's only once per session: the webview keeps weights' grids).
   */
  | {
    readonly type: 'stopped'; readonly sessionId: string; readonly stop: StopInfo;
    readonly timeline?: TimelineSlice; readonly scopes?: { readonly frameId: number; readonly scopes: ScopesInfo };
    /** The grids the top frame's tensor views fetch (see src/protocol/tensorLayout.ts), already sampled. */
    readonly grids?: readonly SentGrid[];
  }
  | { readonly type: 'continued'; readonly sessionId: string }
  /**
   * A training step finished (the debug adapter's `layerstep/loss` event): the run goes on without stopping
   * during Train N Steps, and the loss curve grows by this point.
   */
  | { readonly type: 'trainingLoss'; readonly sessionId: string; readonly step: number; readonly steps: number; readonly loss: WireNumber }
  /** The user selected another frame of the current stop in VS Code's CALL STACK. */
  | { readonly type: 'frameFocused'; readonly sessionId: string; readonly frameId: number }
  | { readonly type: 'sessionEnded'; readonly sessionId: string }
  | { readonly type: 'weightShown'; readonly weight: ShownWeight }
  | { readonly type: 'weightFailed'; readonly name: string; readonly error: WireError }
  | { readonly type: 'settingsChanged'; readonly colormap: Colormap; readonly sharedColorScale?: boolean };

export type HostEventType = HostEvent['type'];

/**
 * A sampled 2-D view of part of a tensor (see {@link GridSpec}), of the tensor `ref` names; `maxValues` is at
 * most {@link MAX_DRAWN_VALUES}.
 */
export type GridParams = Omit<GridSpec, 'name'> & { readonly ref: TensorRef };

/** The timeline from event `from` on, with the frames those events belong to. */
export interface TimelineSlice {
  readonly from: number;
  readonly events: readonly TimelineEvent[];
  readonly frames: readonly FrameInfo[];
}

/**
 * Whether what a view holds of a session's timeline (events, frames, weights' values) still stands at a stop of
 * `sessionId` whose {@link StopInfo.generation} is `generation`. An edit makes the timeline again and changes the
 * generation: the events after the position are dropped, so a view that kept counting from where it was would
 * skip the new ones. Host and webview use this one rule, so they start over from event 0 together.
 */
export function sameTimeline(held: { readonly sessionId?: string; readonly generation?: number }, sessionId: string, generation: number | undefined): boolean {
  return held.sessionId === sessionId && (held.generation ?? 0) === (generation ?? 0);
}

/**
 * The loss curve after step `step` (from 1) finished with `loss`: the held losses with that step's set, any
 * steps between left as NaN (an event that never came). Host and webview use this one rule; a stop replaces the
 * curve with its `training.losses` (the steps that run has finished), so a restarted run starts over.
 */
export function withLoss(held: readonly number[], step: number, loss: number): number[] {
  const out = [...held];
  if (!Number.isInteger(step) || step < 1) return out;
  while (out.length < step - 1) out.push(NaN);
  out[step - 1] = loss;
  return out;
}

/** A grid the host sent ahead of the request the webview would make for it. */
export interface SentGrid {
  readonly params: GridParams;
  readonly grid: TensorGrid;
}

/** The key under which a grid request is remembered: its tensor and every parameter. */
export function gridKey(p: GridParams): string {
  const s = p.ref.source;
  return [s.kind === 'session' ? s.sessionId : s.path, p.ref.name, p.offset, p.maps, p.mapStride, p.rows, p.cols, p.maxValues, p.rowStride ?? '', p.colStride ?? ''].join('|');
}

/** A number that may be NaN or ±Infinity, in a form JSON keeps. */
export type WireNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** Webview → host: one params and one result type per method. Every request can fail and time out. */
export interface WebviewRequests {
  /** The webview has loaded: answer with everything it needs to draw. */
  ready: { params: { readonly protocolVersion: number }; result: Snapshot };
  /** Recorded timeline events from index `from`, for the stack-over-time view. */
  timeline: { params: { readonly sessionId: string; readonly from: number }; result: TimelineSlice };
  /** Inputs, outputs, weights and attributes of a frame on the current stack. */
  scopes: { params: { readonly sessionId: string; readonly frameId: number }; result: ScopesInfo };
  /** Values to draw, sampled to at most `maxValues`. */
  grid: { params: GridParams; result: TensorGrid };
  /** One exact element (hover over a sampled cell). */
  element: { params: { readonly ref: TensorRef; readonly index: number }; result: { readonly value: WireNumber } };
  /** Steps the session (the same step VS Code's toolbar does); the stop arrives as a `stopped` event. */
  step: { params: { readonly sessionId: string; readonly kind: StepKind }; result: void };
  /** Moves the session to a recorded timeline event (a click on a frame); the stop arrives as an event. */
  goto: { params: { readonly sessionId: string; readonly index: number }; result: void };
  /**
   * A what-if edit from the panel (`output[:, 5] = 0`, `output[0, 3] *= 0.5`) in frame `frameId` of the current
   * stop. It goes through the debug session, so VS Code's views refresh too; the new stop arrives as a `stopped`
   * event. A failure is one sentence naming what could not be edited.
   */
  assign: { params: { readonly sessionId: string; readonly frameId: number; readonly expression: string }; result: { readonly text: string } };
  /** The model's dataflow graph for the Graph section (the session's model as its run lays it out). */
  graph: { params: { readonly sessionId: string }; result: GraphDesc };
  /** What the run measured of its values, from position `from` of the recording order on (src/protocol/graph.ts). */
  graphValues: { params: { readonly sessionId: string; readonly from: number }; result: GraphValues };
  /**
   * Runs the session forward to the next call of the module or op `itemId` (a click on a pending node in the graph),
   * through the debug session so VS Code follows; the stop arrives as a `stopped` event.
   */
  runTo: { params: { readonly sessionId: string; readonly itemId: string }; result: void };
  /** The Graph section was opened, folded or resized: the host keeps it for the next snapshot. */
  graphSection: { params: GraphSectionState; result: void };
  /** The user closed the shown weight: it is no longer part of the snapshot. */
  closeWeight: { params: Record<string, never>; result: void };
  /**
   * Adds or removes a breakpoint on a frame's module or op (the button by the frame's title): at its line in
   * the model file when it has one, else a function breakpoint on its id (formats without text lines, such
   * as ONNX). The answer says whether one is set now.
   */
  toggleBreakpoint: {
    params: { readonly sessionId: string; readonly itemId: string; readonly name: string; readonly line?: number };
    result: { readonly enabled: boolean };
  };
  /** The summary of the session's run up to where it stands (the Summary section): a row per module and op called. */
  summary: { params: { readonly sessionId: string }; result: RunSummary };
  /**
   * Copy as Markdown (to the clipboard) or Save as CSV… (the host asks where with a save dialog) of the session's
   * run summary. `done` is false when the user cancelled the dialog; `file` is where the CSV went.
   */
  exportSummary: {
    params: { readonly sessionId: string; readonly format: 'markdown' | 'csv' };
    result: { readonly done: boolean; readonly file?: string };
  };
  /**
   * Save… on a tensor view: the host asks where (a save dialog), reads the values and writes `.npy`, `.json` or
   * `.png` as VARIABLES' Save Tensor As… does. Answered at once, before the dialog: the host shows the outcome.
   */
  saveTensor: { params: { readonly ref: TensorRef; readonly label: string }; result: void };
}

export type WebviewMethod = keyof WebviewRequests;
export type ParamsOf<M extends WebviewMethod> = WebviewRequests[M]['params'];
export type ResultOf<M extends WebviewMethod> = WebviewRequests[M]['result'];

/** Milliseconds, on the webview's clock, that each part of a redraw took (they add up to `webviewMs`). */
export interface RenderPhases {
  /** Until the new timeline events were in (the frame's scopes are asked for at the same time). */
  readonly timeline: number;
  /** Then until the frame's scopes were in. */
  readonly scopes: number;
  /** Then until every tensor view had its values and was drawn. */
  readonly tensors: number;
  /** Then until the next painted frame. */
  readonly draw: number;
}

/** Webview → host, unanswered. */
export type WebviewNotification =
  /**
   * The panel has drawn the stop at timeline `index` (stack, frame and every tensor view). `webviewMs` runs
   * on the webview's clock, from the `stopped` event (or the snapshot) reaching it to the drawn frame.
   */
  | { readonly type: 'rendered'; readonly sessionId: string; readonly index: number; readonly webviewMs: number; readonly phases: RenderPhases }
  /** Something went wrong in the webview that the user cannot act on; the host logs it. */
  | { readonly type: 'log'; readonly level: 'info' | 'error'; readonly message: string };

/** The only shapes that cross postMessage. */
export type RequestEnvelope = {
  [M in WebviewMethod]: { readonly kind: 'request'; readonly id: number; readonly method: M; readonly params: ParamsOf<M> };
}[WebviewMethod];

export type WebviewToHost =
  | RequestEnvelope
  | { readonly kind: 'notification'; readonly notification: WebviewNotification };

export type HostToWebview =
  | { readonly kind: 'response'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError }
  | { readonly kind: 'event'; readonly event: HostEvent };

export function encodeNumber(v: number): WireNumber {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

/** Reads a {@link WireNumber}, or a plain number field that JSON turned from NaN into `null`. */
export function decodeNumber(v: WireNumber | null | undefined): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return NaN;
}

/** For exhaustive switches over the unions above. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
