import type { ModelError } from '../../../model/errors';
import type { ModuleBuilder, Value } from '../../native/builder';
import type { JsonNode } from '../../native/json';
import type { LayerConfig } from '../config';
import type { Flavor } from '../flavor';
import type { LayerWeights } from '../weights';

/** What a Keras layer's `build` gets for one call of the layer. */
export interface LayerCall {
  /** The call's module: emit nodes, nest children. */
  readonly m: ModuleBuilder;
  /** The layer's `config`, read with positioned errors. */
  readonly cfg: LayerConfig;
  /** The layer's weights, shared by all its calls. */
  readonly weights: LayerWeights;
  readonly flavor: Flavor;
  /** An error at the layer: `model.json line N: layer '<id>' <message>`. */
  fail(message: string): ModelError;
  /**
   * Calls a wrapped layer (`config.layer` of TimeDistributed) as a child module of `parent`, reading
   * `weights` (the wrapper's).
   */
  inner(parent: ModuleBuilder, layer: JsonNode, inputs: readonly Value[], weights: LayerWeights): Value;
}

/** One Keras layer class: how one call of it expands into engine ops. */
export interface KerasLayer {
  /** `class_name` in the topology. */
  readonly className: string;
  /** One line for docs/tfjs.md. */
  readonly doc: string;
  /** How many inputs a call takes: one, or two and more (merge layers). */
  readonly inputs: 'one' | 'many';
  /** Takes integer inputs (token ids); otherwise an integer input is refused. */
  readonly acceptsIntegers?: boolean;
  build(call: LayerCall, inputs: readonly Value[]): Value;
}
