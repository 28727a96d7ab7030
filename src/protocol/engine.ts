import type { Histogram } from '../engine/histogram';
import type { TensorStats } from '../engine/stats';
import type { DType } from '../engine/tensor';
import type { ImagePreprocess } from '../loaders/tensors/image';
import type { ModelMetadata, SourceRange, ValueInfo } from '../model/ir';
import type { ChannelLayout } from './tensorLayout';
import type { GraphDesc, GraphValues } from './graph';
import type {
  BreakpointStatus, ExceptionFilter, LineBreakpoint, NameBreakpoint, StopPoint, StopReason,
} from '../runner/types';
import type { BreakpointMode } from '../runner/breakpoints';
import type { Completion } from '../runner/expr/completions';
import type { GotoTarget, StepInTargets } from '../runner/navigation';

/**
 * The engine service: what the debug adapter, the panel and the sidebar ask of a loaded model and its runner.
 * Every message is plain JSON (plus typed arrays for tensor values), so the service can live in a worker thread
 * and the extension host never runs a forward pass on its own thread.
 */

/**
 * Which input to run: a tensor file (or a `.png` image, turned into the model's one input by `preprocess`),
 * an example of the model by name, or seeded random values.
 */
export type InputSpec =
  | { readonly kind: 'file'; readonly path: string; readonly preprocess?: ImagePreprocess }
  | { readonly kind: 'example'; readonly name?: string; readonly shapes?: InputShapes }
  | { readonly kind: 'random'; readonly seed: number; readonly shapes?: InputShapes };

/** Shapes for random inputs, by input name: they fix the sizes a model leaves open (`[?, 3, ?, ?]`). */
export type InputShapes = Readonly<Record<string, readonly number[]>>;

export interface TensorSummary {
  /** Value name in the model (`hidden/matmul:0`, `hidden.kernel`). */
  readonly name: string;
  /** Name shown in a scope: the role for weights (`kernel`), the input/output name otherwise. */
  readonly label: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly stats: TensorStats;
  /** `float32[1,128] μ=0.013 σ=0.41 [-1.2, 2.3] 37% zeros`. */
  readonly summary: string;
  /** A what-if edit changed this value, weight or input. */
  readonly edited?: boolean;
  /**
   * Where a rank-3 or rank-4 activation keeps its channels: `NCHW` channels first, `NHWC` channels last (for a
   * rank-3 tensor, CHW and HWC). Absent when nothing tells (the panel then guesses from the shape).
   */
  readonly layout?: ChannelLayout;
  /** What said so: `op` the frame's op or layer (its `data_format`, a layout transpose), `guess` the shape. */
  readonly layoutFrom?: 'op' | 'guess';
}

export interface WeightOutline {
  readonly role: string;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly summary: string;
}

/** The static module tree, for the sidebar and the panel. */
export interface OutlineNode {
  readonly id: string;
  readonly name: string;
  readonly kind: 'module' | 'node';
  /** Layer type for modules, op name for nodes. */
  readonly type: string;
  readonly source?: SourceRange;
  /** Parameters held by this module and everything under it. */
  readonly params: number;
  readonly weights: readonly WeightOutline[];
  readonly outputShape?: readonly number[];
  readonly children: readonly OutlineNode[];
}

export interface ModelOutline {
  readonly name: string;
  readonly format: string;
  readonly file: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly labels?: readonly string[];
  readonly examples: readonly string[];
  readonly params: number;
  readonly root: OutlineNode;
  /** Timeline events a full pass takes (2 per module or node call). */
  readonly totalEvents: number;
  /** What the file says about where it came from (ONNX: producer, IR version, opsets), when it says it. */
  readonly metadata?: ModelMetadata;
  /** When inputs leave sizes open: a full shape per input that the model accepts, to offer before a run. */
  readonly suggestedShapes?: Readonly<Record<string, readonly number[]>>;
}

export interface FrameInfo {
  readonly id: number;
  /** Id of the module or node this frame calls. */
  readonly itemId: string;
  readonly name: string;
  readonly kind: 'module' | 'node';
  readonly type: string;
  readonly depth: number;
  readonly parentId?: number;
  readonly source?: SourceRange;
  /** A what-if edit changed one of its outputs or weights. */
  readonly edited?: boolean;
  /** How far its first output is from the counterpart's, when the run is compared (see {@link Divergence}). */
  readonly divergence?: Divergence;
  /** Its outputs' health once it has returned (absent before, and while an edit left them stale). */
  readonly health?: FrameHealth;
}

/**
 * A frame's tensor health (src/runner/health.ts): NaN/Inf counts of its outputs, the largest |output|, the scale
 * against its first float input, and for relu-like, sigmoid and tanh outputs the shares of dead or saturated units.
 */
export interface FrameHealth {
  readonly nan: number;
  readonly inf: number;
  /** Largest |finite output|; null when no output value is finite. */
  readonly maxAbs: number | null;
  /** rms(first output) / rms(first float input); absent without a float input or when the input is all zeros. */
  readonly scale?: number;
  /** Which units were looked at: relu-like (dead units) or sigmoid / tanh (saturated units). */
  readonly activation?: 'relu' | 'sigmoid' | 'tanh';
  /** Units (channels or features) of the first output. */
  readonly units?: number;
  /** Share 0..1 of units that are exactly 0 at every position and batch item (relu-like outputs). */
  readonly dead?: number;
  /** Share 0..1 of zero elements (relu-like outputs). */
  readonly zeros?: number;
  /** Share 0..1 of units saturated at every position and batch item (sigmoid, tanh outputs). */
  readonly saturated?: number;
  /** Share 0..1 of saturated elements (sigmoid, tanh outputs). */
  readonly saturatedElements?: number;
}

/** One row of the summary of a run (`layerstep inspect --run`, the panel's Summary): a module or op call. */
export interface SummaryRow {
  readonly frameId: number;
  /** The timeline event a click goes to: its return when recorded, else its call. */
  readonly index: number;
  readonly name: string;
  /** Names from the model down to this frame, joined by `/`. */
  readonly path: string;
  readonly depth: number;
  readonly kind: 'module' | 'node';
  /** Layer type of a module, op of a node. */
  readonly type: string;
  /** Its first output's shape as the run made it; null before it returns. */
  readonly shape: readonly number[] | null;
  readonly params: number;
  /** Floating-point operations (see docs/cli.md: a multiply-add is 2), its ops' sum for a module. */
  readonly flops: number;
  /** Milliseconds its ops took to run (a module: all of its ops); null when not run (yet). */
  readonly timeMs: number | null;
  /** Bytes of the values it produced (a module: every value of its ops). */
  readonly bytes: number;
  /** Bytes of the weights it uses. */
  readonly weightBytes: number;
  readonly health: FrameHealth | null;
  /** The engine error this frame failed with. */
  readonly error?: string;
}

export interface RunSummary {
  readonly model: string;
  /** Frames called up to the position (all of them at the end), in call order. */
  readonly rows: readonly SummaryRow[];
  readonly totals: {
    readonly params: number;
    readonly flops: number;
    readonly timeMs: number;
    readonly bytes: number;
    readonly weightBytes: number;
    readonly nan: number;
    readonly inf: number;
  };
  /** The frame whose op failed, and the error's sentence. */
  readonly failed?: { readonly name: string; readonly message: string };
  /** The frame of the position (highlighted in the panel). */
  readonly current?: number;
}

/** How far a value is from its counterpart's: see src/runner/divergence.ts. NaN (shapes differ) travels as null. */
export interface Divergence {
  readonly maxAbs: number | null;
  readonly maxRel: number | null;
  readonly cosine: number | null;
  /** Beyond the run's tolerance. */
  readonly diverged: boolean;
}

/** The counterpart of a compared run: the same model on another input, another model on this input, or dumped values. */
export type CompareSpec =
  | { readonly kind: 'input'; readonly input: InputSpec }
  | { readonly kind: 'model'; readonly path: string }
  | { readonly kind: 'reference'; readonly dir: string };

/** A compared run's counterpart, as the second thread shows it. */
export interface CounterpartInfo {
  /** `input digit-7.json`, `model finetuned.onnx`, `reference dumps/`. */
  readonly label: string;
  readonly kind: CompareSpec['kind'];
  /** |a − b| ≤ atol + rtol·|b|. */
  readonly tolerance: { readonly atol: number; readonly rtol: number };
}

/** A what-if edit, as made. */
export interface EditInfo {
  readonly text: string;
  readonly kind: 'value' | 'weight' | 'input';
  readonly name: string;
}

/** What an assignment did: the tensor it changed, and where the run stands after it. */
export interface AssignResult {
  readonly text: string;
  readonly tensor: TensorSummary;
  readonly stop: StopInfo;
}

/** Where the runner stands after a request that moved it. */
export interface StopInfo {
  readonly reason: StopReason;
  readonly description?: string;
  readonly breakpointIds?: readonly number[];
  readonly exception?: { readonly filter: ExceptionFilter; readonly message: string };
  readonly index: number;
  readonly point: StopPoint;
  /** Innermost first, as DAP's stackTrace wants it. */
  readonly stack: readonly FrameInfo[];
  readonly finished: boolean;
  /** Events recorded so far. */
  readonly recorded: number;
  /** What-if edits in force. */
  readonly edits?: number;
  /**
   * Changes when an edit (or Revert, or Restart Frame after one) made the timeline again: events after the
   * position were dropped and frames may differ. A view that keeps the timeline or frames reads them again from 0.
   */
  readonly generation?: number;
  /** Set in a training run (see {@link TrainSpec}). */
  readonly training?: TrainingInfo;
}

/** The losses a training step measures, and the optimizers that update weights (as `layerstep train` names them). */
export type TrainLoss = 'mse' | 'bce' | 'cce' | 'bce-logits' | 'cce-logits';
export type TrainOptimizer = 'sgd' | 'momentum' | 'adam';

/**
 * A training run (Train, Train N Steps): `steps` steps one after another, each a run of the step's program (the
 * forward pass, the loss, the backward pass as frames, the update). Forward moves at the end of a step go on into
 * the next one; breakpoints and exception filters hold in every step. Left out, each setting comes from the model
 * file's training hints, else: the loss from the model's last op (softmax: `cce`, sigmoid: `bce`, else `mse`),
 * `sgd`, learning rate 0.01, 1 step, and all the data in each step (or as many rows as a fixed batch size takes).
 */
export interface TrainSpec {
  readonly loss?: TrainLoss;
  readonly optimizer?: TrainOptimizer;
  readonly learningRate?: number;
  readonly steps?: number;
  readonly batch?: number;
  /** A data file (`{"inputs": {...}, "targets": {...}}`, tensor JSON); the model's examples with targets when left out. */
  readonly data?: string;
}

/** Where a training run stands. */
export interface TrainingInfo {
  /** The step the runner is in, from 1. */
  readonly step: number;
  readonly steps: number;
  /** The loss of every finished step, in order (measured in its forward pass, before its update). */
  readonly losses: readonly number[];
  readonly loss: TrainLoss;
  readonly optimizer: TrainOptimizer;
  readonly learningRate: number;
  /** Rows per step, and rows in the data. */
  readonly batch: number;
  readonly rows: number;
  /** Where the data comes from (a file name, or `the examples of model.json`). */
  readonly data: string;
  /** The names of the weights the steps change. */
  readonly trainable: readonly string[];
}

export interface ScopesInfo {
  readonly inputs: readonly TensorSummary[];
  /** Empty until the frame has returned. */
  readonly outputs: readonly TensorSummary[];
  readonly weights: readonly TensorSummary[];
  readonly attrs: Readonly<Record<string, string>>;
  /** With a counterpart: each output's divergence from the counterpart's value of that name (absent: it has none). */
  readonly divergence?: readonly (Divergence & { readonly name: string; readonly label: string })[];
}

/** Values of a tensor, row-major, from element `start`, at most `count` of them. */
export interface TensorValues {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly start: number;
  readonly values: Float32Array | Float64Array | Int32Array | Uint8Array;
}

export interface EvalResult {
  /** For people: a number, a string, or a tensor's one-line summary. */
  readonly text: string;
  /** Set when the result is a tensor: it can be expanded and fetched under this handle. */
  readonly tensor?: TensorSummary;
}

/** One entry of the recorded timeline, for the panel's stack-over-time view. */
export interface TimelineEvent {
  readonly point: StopPoint;
  readonly frameId: number;
}

export type StepKind = 'in' | 'over' | 'out' | 'continue' | 'back' | 'reverseContinue';

/**
 * Part of a tensor to draw: `maps` matrices of `rows × cols` elements, the first at flat index `offset`, each
 * `mapStride` elements after the previous (one matrix for a heatmap, one per channel for feature maps, a single
 * row for a vector), sampled to at most `maxValues` values.
 */
export interface GridSpec {
  readonly name: string;
  readonly offset: number;
  readonly maps: number;
  readonly mapStride: number;
  readonly rows: number;
  readonly cols: number;
  /**
   * Elements between a row and the next, and between a column and the next (default `cols` and 1: each map a
   * contiguous row-major matrix). Other strides read any two axes of a tensor without copying it: the rows ×
   * cols of a channels-last [N, H, W, C] map are `rowStride` W·C and `colStride` C apart, with `mapStride` 1.
   */
  readonly rowStride?: number;
  readonly colStride?: number;
  readonly maxValues: number;
}

/** Counts of a tensor's finite values in equal bins over [min, max], and its non-finite values apart. */
export type HistogramCounts = Histogram;

export interface TensorGrid {
  /** Sampled rows and columns per map. */
  readonly outRows: number;
  readonly outCols: number;
  /** The source row (within a map) of each sampled row, and the source column of each sampled column. */
  readonly rowIndex: Int32Array;
  readonly colIndex: Int32Array;
  /** `maps × outRows × outCols` values, row-major. A typed array, so NaN and ±Inf survive the trip. */
  readonly values: Float64Array;
  /** True when every element is present: no sampling. */
  readonly exact: boolean;
  /**
   * Sampled cells whose block held a NaN or Inf and that show it instead of the block's centre, so a
   * non-finite value is never hidden by sampling (only when the whole span was read).
   */
  readonly substituted: number;
  /** The histogram of every value of the tensor (not only the sampled ones), binned where the values live. */
  readonly histogram?: HistogramCounts;
}

/**
 * Requests to the engine service: one params and one result type each. A service holds one model and any
 * number of runs of it; a request is about one run (a debug session), named by the connection it comes on
 * (see {@link EngineClient}). `load`, and `tensor`, `grid` and `element` on a connection with no run, are about
 * the model alone: its outline and its weights.
 */
export interface EngineRequests {
  /** Loads the model (once: a second load of an unchanged file answers from memory). */
  load: { params: { readonly path: string; readonly force?: boolean }; result: ModelOutline };
  /** Starts this connection's run of the model (loading it if needed); an earlier run on it is replaced. */
  open: {
    params: {
      readonly path: string; readonly input: InputSpec; readonly memoryBudgetBytes?: number; readonly maxLoopIterations?: number;
      /** Compare this run with a counterpart: a second thread, divergences, the Diverged stop. */
      readonly compare?: CompareSpec;
      /** `ATOL,RTOL` for divergences (default `1e-4,1e-3`). */
      readonly tolerance?: string;
      /** Train instead of run: `input` and `compare` are then not used. */
      readonly train?: TrainSpec;
    };
    result: ModelOutline;
  };
  /** `mode`: stop at the layer's call or at its return (left out: at the call, or the return when the condition reads outputs). */
  setLineBreakpoints: { params: { readonly breakpoints: readonly (LineBreakpoint & { readonly mode?: BreakpointMode })[] }; result: readonly BreakpointStatus[] };
  setNameBreakpoints: { params: { readonly breakpoints: readonly NameBreakpoint[] }; result: readonly BreakpointStatus[] };
  /**
   * `tolerance` (`ATOL,RTOL`) is the Diverged filter's; `thresholds` the conditions of the Dead units filter (a
   * percentage) and of the Activation magnitude filter (a number), as typed: a bad one is refused with a sentence.
   */
  setExceptionFilters: {
    params: { readonly filters: readonly ExceptionFilter[]; readonly tolerance?: string; readonly thresholds?: { readonly deadUnits?: string; readonly magnitude?: string } };
    result: void;
  };
  position: { params: Record<string, never>; result: StopInfo };
  step: { params: { readonly kind: StepKind }; result: StopInfo };
  restartFrame: { params: { readonly frameId: number }; result: StopInfo };
  /** Moves to a timeline index without running anything past what is recorded (the panel's click on a frame). */
  goto: { params: { readonly index: number }; result: StopInfo };
  /**
   * On to the next call of a layer or op whose name or id matches the glob `name`; with `byId` the item of that id
   * exactly, with `point` its return instead, with `within` only a call made by that frame (Step Into Target).
   */
  runTo: { params: { readonly name: string; readonly point?: StopPoint; readonly byId?: boolean; readonly within?: number }; result: StopInfo };
  /** The layer or op of a line, with its nearest recorded call and return events (Jump to Cursor, Run to Cursor). */
  gotoTargets: { params: { readonly line: number }; result: readonly GotoTarget[] };
  /** The child calls a step into the frame can go to, not yet made, and the frame that makes them (Step Into Target). */
  stepInTargets: { params: { readonly frameId: number }; result: StepInTargets };
  /** Completions in a frame (the current one by default) for `text` with the cursor at `offset` (0-based). */
  completions: { params: { readonly text: string; readonly offset: number; readonly frameId?: number }; result: readonly Completion[] };
  pause: { params: Record<string, never>; result: void };
  scopes: { params: { readonly frameId: number }; result: ScopesInfo };
  tensor: { params: { readonly name: string; readonly start: number; readonly count: number }; result: TensorValues };
  /** Values to draw, sampled where they live so a large tensor never crosses whole. */
  grid: { params: GridSpec; result: TensorGrid };
  /** One exact element (NaN and ±Infinity as numbers). */
  element: { params: { readonly name: string; readonly index: number }; result: { readonly value: number } };
  evaluate: { params: { readonly expression: string; readonly frameId?: number }; result: EvalResult };
  timeline: { params: { readonly from: number }; result: { readonly events: readonly TimelineEvent[]; readonly frames: readonly FrameInfo[] } };
  /** An assignment (`output[:, 5] = 0`, `weights.kernel *= 0.5`) in a frame (the current one by default): a what-if edit. */
  assign: { params: { readonly expression: string; readonly frameId?: number }; result: AssignResult };
  /** Forgets every edit: the model as loaded. */
  revertEdits: { params: Record<string, never>; result: StopInfo };
  edits: { params: Record<string, never>; result: readonly EditInfo[] };
  /**
   * Every weight of the run's model as the run sees it (edited ones as edited), for writing a new weights file. In
   * a training run: every weight as the finished steps have trained it.
   */
  weights: { params: Record<string, never>; result: readonly TensorValues[] };
  /** The counterpart of a compared run, or null. */
  counterpart: { params: Record<string, never>; result: CounterpartInfo | null };
  /** A frame's scopes with the counterpart's tensors (the second thread's VARIABLES); names read with `tensor` as `counterpart:<name>`. */
  counterpartScopes: { params: { readonly frameId: number }; result: ScopesInfo };
  /** The summary of the run up to the position: a row per module and op called, with health (see {@link RunSummary}). */
  summary: { params: Record<string, never>; result: RunSummary };
  /**
   * The model's dataflow graph for the panel: modules, ops, value names, static shapes (src/protocol/graph.ts).
   * With a run, the run's model (laid out for its input sizes; a training run's step program); else the loaded one.
   */
  graph: { params: Record<string, never>; result: GraphDesc };
  /** Shapes and statistics of the values recorded from position `from` of the recording order on, for the graph. */
  graphValues: { params: { readonly from: number }; result: GraphValues };
  /** Ends this connection's run (the model stays loaded). */
  close: { params: Record<string, never>; result: void };
}

export type EngineMethod = keyof EngineRequests;

/** Messages the service sends without being asked, about one run. */
export type EngineEvent =
  | { readonly type: 'output'; readonly text: string; readonly source?: SourceRange }
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  /** A training step finished: its loss (the panel's loss curve draws it as it comes). */
  | { readonly type: 'loss'; readonly step: number; readonly steps: number; readonly loss: number };

/** The prefix of a counterpart's tensor names in `tensor`, `grid` and `element` requests. */
export const COUNTERPART_PREFIX = 'counterpart:';

/** The run a connection speaks for when it names none (the CLI, tests). */
export const DEFAULT_RUN = '';

/**
 * Anything that answers engine requests for one run: the in-process service in tests, a worker-thread proxy in
 * the extension. Its events are that run's; `dispose` ends the run, not the service.
 */
export interface EngineClient {
  request<M extends EngineMethod>(method: M, params: EngineRequests[M]['params']): Promise<EngineRequests[M]['result']>;
  onEvent(listener: (event: EngineEvent) => void): { dispose(): void };
  dispose(): void;
}

/** An error that crossed a boundary: the message is for the user. */
export interface WireError {
  readonly message: string;
  /** `model` (bad file), `input`, `engine` (an op failed), `expression`, `internal`. */
  readonly kind: 'model' | 'input' | 'engine' | 'expression' | 'internal';
  readonly stack?: string;
  /** The file a `model` error is about, and where in it (1-based), when the loader knows. */
  readonly file?: string;
  readonly source?: SourceRange;
}
