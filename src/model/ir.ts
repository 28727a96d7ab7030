import type { Attrs } from '../engine/registry';
import type { DType, Shape, Tensor } from '../engine/tensor';

/** A span of the model file, 1-based lines and columns, end inclusive. Used for gutter breakpoints and highlighting. */
export interface SourceRange {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** A dimension: a number, or a symbolic name / null where the file leaves it open (batch size). */
export type Dim = number | string | null;

/** A named value flowing between nodes: a model input, an intermediate, an output. */
export interface ValueInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

/** One op call: the leaf frame of the call stack. */
/** A node's name (when it has one) and op as its model file writes them. */
export interface NodeOrigin {
  readonly name?: string;
  readonly op: string;
}

export interface NodeDef {
  readonly kind: 'node';
  /** Unique within the model. */
  readonly id: string;
  /** Display name, e.g. `matmul` or `/encoder/layer.0/attn/MatMul`. */
  readonly name: string;
  /** Op name in the engine's registry. */
  readonly op: string;
  /** Value names; an empty string is an optional input that is left out. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
  readonly source?: SourceRange;
  /**
   * The node as the model file writes it, when it differs from the engine's terms (an ONNX node's `name` and
   * `op_type`): what `layerstep diff` reports, so a node can be found in the file and in other tools.
   */
  readonly origin?: NodeOrigin;
}

/**
 * A module is a function: the model itself, a block, a layer. Its body runs in order; its inputs are the
 * values it reads from outside, its outputs the values it hands back.
 */
export interface ModuleDef {
  readonly kind: 'module';
  /** Unique within the model, e.g. `block1/conv`. */
  readonly id: string;
  /** Display name, e.g. `conv`. */
  readonly name: string;
  /** The layer or block type as the file says it, e.g. `dense`, `residual`, `Sequential`. */
  readonly type: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Weights by role (`kernel`, `bias`, `gamma`...) → value name in {@link Model.weights}. */
  readonly weights: Readonly<Record<string, string>>;
  /** The layer's own settings, shown in the Attributes scope (units, activation, strides...). */
  readonly attrs: Attrs;
  readonly body: readonly Item[];
  readonly source?: SourceRange;
  /**
   * Control flow decided at run time (ONNX If, Loop, Scan; TensorFlow While): the module's `body` is empty in the model and is
   * made as the run reaches it, from the templates here (src/runner/control.ts): the branch taken, or one
   * module per iteration. Its inputs are what the control flow reads, its outputs what it hands back.
   */
  readonly control?: ControlFlow;
}

export type Item = ModuleDef | NodeDef;

/**
 * A subgraph run by control flow: `params` are the names its body reads as parameters (bound to actual values
 * each time it runs), `module.outputs` the values it returns, in order. Its body reads any other value by
 * name from the scopes around it. Value names inside are unique in the model; a run that makes a template
 * more than once (iterations) renames them per copy.
 */
export interface Template {
  readonly params: readonly string[];
  readonly module: ModuleDef;
  /** The declared type of each result, where the file gives it (a loop that runs zero times stacks nothing of it). */
  readonly results?: readonly (ValueInfo | undefined)[];
}

/** `If`: `cond` (a scalar) chooses `then` or `else`; the branch's results are the module's outputs. */
export interface IfFlow {
  readonly kind: 'if';
  readonly cond: string;
  readonly then: Template;
  readonly else: Template;
}

/**
 * `Loop` (ONNX Loop semantics): runs `body` while the iteration count is below `tripCount` (when given) and the
 * condition holds (`cond` at first, then the body's first result, when given). Body params: iteration number
 * (int64 scalar), condition, then one per carried value; body results: condition, carried values, then scan
 * values, which are stacked along a new first axis. The module's outputs: the final carried values, then the
 * stacked scan values.
 */
export interface LoopFlow {
  readonly kind: 'loop';
  /** Value names; `''` when not given. */
  readonly tripCount: string;
  readonly cond: string;
  readonly initial: readonly string[];
  readonly body: Template;
}

/**
 * `Scan` (ONNX Scan-9+): one iteration per slice of the scan inputs along their scan axes. Body params: the
 * state values, then one slice of each scan input; results: the states, then one slice of each scan output,
 * stacked along its output axis. The module's outputs: the final states, then the stacked scan outputs.
 */
export interface ScanFlow {
  readonly kind: 'scan';
  readonly initial: readonly string[];
  readonly scanInputs: readonly string[];
  readonly inputAxes: readonly number[];
  /** 1 = last slice first. */
  readonly inputDirections: readonly number[];
  readonly outputAxes: readonly number[];
  readonly outputDirections: readonly number[];
  readonly body: Template;
}

/**
 * `While` (TensorFlow While / StatelessWhile, and a TF1 loop frame rebuilt from Enter, Merge, Switch, Exit and
 * NextIteration): `cond` runs on the loop variables (`initial` at first); while its one result (a scalar) holds,
 * `body` runs on them and its results are the next values. Both take one param per loop variable, `body`
 * returns one value per loop variable. The module's outputs: the final loop variables, those `cond` refused.
 */
export interface WhileFlow {
  readonly kind: 'while';
  readonly initial: readonly string[];
  readonly cond: Template;
  readonly body: Template;
}

export type ControlFlow = IfFlow | LoopFlow | ScanFlow | WhileFlow;

/** The templates of a control-flow module (none for an ordinary one): static walks of the tree look inside them too. */
export function templatesOf(m: ModuleDef): Template[] {
  const c = m.control;
  if (!c) return [];
  if (c.kind === 'if') return [c.then, c.else];
  return c.kind === 'while' ? [c.cond, c.body] : [c.body];
}

/** A named example input shipped with the model. */
export interface Example {
  readonly name: string;
  readonly inputs: Readonly<Record<string, Tensor>>;
  /**
   * What the model should answer for these inputs, by output name: what a Train measures the loss against. A
   * native file gives them as `"targets"`, or as a class `"label"` (made one-hot over the model's labels here).
   */
  readonly targets?: Readonly<Record<string, Tensor>>;
}

/** How a model file suggests it be trained (a native file's `"training"`): the defaults of a Train on it. */
export interface TrainingHints {
  readonly loss?: 'mse' | 'bce' | 'cce' | 'bce-logits' | 'cce-logits';
  readonly optimizer?: 'sgd' | 'momentum' | 'adam';
  readonly learningRate?: number;
  /** Steps of Train N Steps. */
  readonly steps?: number;
  /** Examples per step; all of them when left out (or one at a time when the model's batch size is fixed at 1). */
  readonly batch?: number;
}

/** Where a model file came from, as the file records it (shown in the ONNX summary editor). */
export interface ModelMetadata {
  /** The tool that wrote the file and its version (`pytorch 2.3.0`). */
  readonly producer?: string;
  /** The ONNX IR version. */
  readonly irVersion?: number;
  /** Operator set versions by domain (`''` is the default ONNX domain). */
  readonly opsets?: Readonly<Record<string, number>>;
  /** Where the module tree comes from: the file (its name scopes, layers) or inferred from the graph (src/model/inferTree.ts). */
  readonly moduleTree?: 'file' | 'inferred';
  /** Fields of the file that its format's schema here does not know (a newer format version), as `Message.field-number`. */
  readonly unknownFields?: readonly string[];
}

/**
 * A weight whose data is still in its file: declared dtype and shape (known from the header or manifest,
 * already checked against the file's length and maxBytes at open), and a `load` that reads and decodes it.
 * `load` fails with the same one-sentence ModelError a broken file gave at open before weights were lazy.
 */
export interface PendingWeight {
  readonly dtype: DType;
  readonly shape: Shape;
  /** Bytes the decoded tensor will take. */
  readonly bytes: number;
  load(): Promise<Tensor>;
}

/** A loaded model: format-neutral, ready to run. */
export interface Model {
  /** Format id, e.g. `layerstep/1`. */
  readonly format: string;
  readonly name: string;
  /** The file it came from, as the source port names it (for messages and source maps). */
  readonly file: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /**
   * Constant tensors (weights, initializers) by value name. Weights still in {@link pendingWeights} are not
   * here until `loadPendingWeights` (src/model/lazyWeights.ts) moves them in; readers that ask "is this
   * name a weight?" use `isWeight`/`weightNames` from that file.
   */
  readonly weights: ReadonlyMap<string, Tensor>;
  /** Weights read lazily, by value name: the loader registered them instead of reading their data at open. */
  readonly pendingWeights?: ReadonlyMap<string, PendingWeight>;
  /** The root module: the model itself. */
  readonly root: ModuleDef;
  /** Class names for the last output, when the file gives them. */
  readonly labels?: readonly string[];
  readonly examples: readonly Example[];
  /**
   * In a training step (src/runner/train/trainingModel.ts): the forward item each backward item mirrors, so that a
   * breakpoint on a layer stops at its gradient too.
   */
  readonly mirror?: ReadonlyMap<Item, Item>;
  /** How the file suggests it be trained, when it says. */
  readonly training?: TrainingHints;
  /** Shapes of every value where the loader knows them (for validation messages and the sidebar). */
  readonly shapes?: ReadonlyMap<string, Shape>;
  readonly metadata?: ModelMetadata;
  /**
   * Lays the model out again for other input shapes (src/model/specialize.ts), sharing its weights: formats whose
   * layers need sizes provide it when the file leaves input sizes open. Runs use `modelFor`, never this directly.
   */
  readonly specialize?: (shapes: ReadonlyMap<string, Shape>) => Model;
  /** The input shapes this layout is for, when a layout was made for sizes the file left open. */
  readonly builtFor?: ReadonlyMap<string, Shape>;
  /** Whether the model's layers accept these input shapes, checked without running (throws or returns false when not). */
  readonly checkShapes?: (shapes: ReadonlyMap<string, Shape>) => boolean;
}
