import type { ModelError } from '../../../model/errors';
import type { ModuleBuilder, Value } from '../builder';
import type { JsonDocument, JsonNode } from '../json';
import type { LayerParams, ParamTable } from '../params';

/** What a layer type's `build` gets besides its input. */
export interface LayerContext {
  readonly doc: JsonDocument;
  /** The layer's settings, read against its table. */
  readonly p: LayerParams;
  /** The layer's module: emit nodes, resolve weights, nest children. */
  readonly m: ModuleBuilder;
  /**
   * Builds a list of layers in order as children of `parent`, the first one reading `input`; returns the last
   * output. `reserved` names are taken by the caller (e.g. `shortcut`).
   */
  layers(parent: ModuleBuilder, nodes: readonly JsonNode[], input: Value, reserved?: readonly string[]): Value;
  /** An error at the layer (or at `node`): `model.json line N: layer '<id>' <message>`. */
  fail(message: string, node?: JsonNode): ModelError;
}

/** One layer type of the `layerstep/1` format: its settings, its weights, and how it expands into ops. */
export interface LayerType {
  /** The `type` string in the file. */
  readonly type: string;
  /** One line for the docs and the schema. */
  readonly doc: string;
  readonly params: ParamTable;
  /** Weight roles the layer may take, each with a one-line description of its shape. */
  readonly weights?: Readonly<Record<string, string>>;
  /** Takes integer inputs (token ids, shapes); otherwise the input must be float32. */
  readonly acceptsIntegers?: boolean;
  /** Emits the layer's nodes into `ctx.m` and returns its output. */
  build(ctx: LayerContext, input: Value): Value;
}
