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
}

export type Item = ModuleDef | NodeDef;

/** A named example input shipped with the model. */
export interface Example {
  readonly name: string;
  readonly inputs: Readonly<Record<string, Tensor>>;
}

/** Where a model file came from, as the file records it (shown in the ONNX summary editor). */
export interface ModelMetadata {
  /** The tool that wrote the file and its version (`pytorch 2.3.0`). */
  readonly producer?: string;
  /** The ONNX IR version. */
  readonly irVersion?: number;
  /** Operator set versions by domain (`''` is the default ONNX domain). */
  readonly opsets?: Readonly<Record<string, number>>;
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
  /** Shapes of every value where the loader knows them (for validation messages and the sidebar). */
  readonly shapes?: ReadonlyMap<string, Shape>;
  readonly metadata?: ModelMetadata;
}
