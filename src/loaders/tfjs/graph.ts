import type { JsonDocument, JsonNode } from '../native/json';
import { describe, items, prop } from '../native/json';

/**
 * The pieces of a Keras model config: its layer entries, and for functional models the calls of each layer
 * (`inbound_nodes`) and the model's `input_layers` / `output_layers`. A tensor is named as Keras names it:
 * [layer name, node index, tensor index], the node index counting the layer's calls.
 */

/** One entry of a model's `layers`. */
export interface LayerSpec {
  /** The layer object, for messages and source ranges. */
  readonly node: JsonNode;
  readonly className: string;
  readonly name: string;
  /** The `config` object; undefined when the layer has none. */
  readonly config: JsonNode | undefined;
}

/** One output of one call of a layer. */
export interface TensorRef {
  readonly layer: string;
  readonly node: number;
  readonly tensor: number;
  /** Where the reference is written, for messages. */
  readonly at: JsonNode;
}

const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Reads a `{ class_name, config, name? }` object; `fallback` names a layer that has no name (Keras' `dense_3` style). */
export function readLayerSpec(doc: JsonDocument, node: JsonNode, fallback: (className: string) => string): LayerSpec {
  if (node.type !== 'object') throw doc.error(node, `a model lists ${describe(node)} among its layers; a layer is { "class_name", "config" }.`);
  const cls = prop(node, 'class_name');
  if (cls?.type !== 'string' || cls.value === '') throw doc.error(cls ?? node, `a layer has no "class_name" string.`);
  const config = prop(node, 'config');
  const className = cls.value as string;
  if (config && config.type !== 'object' && !(config.type === 'array' && className === 'Sequential')) {
    throw doc.error(config, `layer of class ${className} has "config" set to ${describe(config)}; expected an object.`);
  }
  const nameNode = prop(node, 'name') ?? (config?.type === 'object' ? prop(config, 'name') : undefined);
  if (nameNode && (nameNode.type !== 'string' || nameNode.value === '' || (nameNode.value as string).includes('/'))) {
    throw doc.error(nameNode, `a layer of class ${className} has name ${describe(nameNode)}; a layer name is a non-empty string without '/'.`);
  }
  const name = nameNode ? (nameNode.value as string) : fallback(snake(className));
  return { node, className, name, config };
}

/** The `layers` of a model config (Keras 2.0 wrote a Sequential's config as the bare list). */
export function layersOf(doc: JsonDocument, spec: LayerSpec): JsonNode[] {
  const list = spec.config?.type === 'array' ? spec.config : spec.config && prop(spec.config, 'layers');
  if (!list || list.type !== 'array') throw doc.error(spec.config ?? spec.node, `model '${spec.name}' (${spec.className}) has no "layers" array in its config.`);
  return items(list);
}

function readRef(doc: JsonDocument, node: JsonNode, what: string): TensorRef {
  const parts = items(node);
  const [layer, n, t] = parts;
  const index = (x: JsonNode | undefined): number | undefined => (x === undefined ? 0 : x.type === 'number' && Number.isInteger(x.value) && x.value >= 0 ? (x.value as number) : undefined);
  const nodeIndex = index(n);
  const tensorIndex = index(t);
  if (node.type !== 'array' || layer?.type !== 'string' || nodeIndex === undefined || tensorIndex === undefined) {
    throw doc.error(node, `${what} is ${describe(node)}; expected [layer name, node index, tensor index].`);
  }
  return { layer: layer.value as string, node: nodeIndex, tensor: tensorIndex, at: node };
}

/** `input_layers` / `output_layers`: a list of references (Keras 3 writes a single one unwrapped). */
export function readRefList(doc: JsonDocument, config: JsonNode, key: string, model: string): TensorRef[] {
  const node = prop(config, key);
  if (!node || node.type !== 'array' || items(node).length === 0) {
    throw doc.error(node ?? config, `model '${model}' needs "${key}": a list of [layer name, node index, tensor index].`);
  }
  const list = items(node)[0].type === 'string' ? [node] : items(node);
  return list.map((r) => readRef(doc, r, `an entry of "${key}" of model '${model}'`));
}

/**
 * The calls of a layer of a functional model, each the list of tensors it reads. Keras 2 writes a call as a
 * list of [layer, node, tensor, kwargs]; Keras 3 as `{ args, kwargs }` holding `__keras_tensor__` objects
 * whose `keras_history` is the reference. Keyword arguments (`training`, `mask`) are not inputs.
 */
export function readCalls(doc: JsonDocument, spec: LayerSpec): TensorRef[][] {
  const inbound = prop(spec.node, 'inbound_nodes');
  if (!inbound || inbound.type === 'null') return [];
  if (inbound.type !== 'array') throw doc.error(inbound, `layer '${spec.name}' has "inbound_nodes" set to ${describe(inbound)}; expected an array of calls.`);
  return items(inbound).map((call) => {
    const what = `a call of layer '${spec.name}' in its "inbound_nodes"`;
    if (call.type === 'array') return items(call).map((r) => readRef(doc, r, `an input of ${what}`));
    const args = call.type === 'object' ? prop(call, 'args') : undefined;
    if (!args) throw doc.error(call, `${what} is ${describe(call)}; expected a list of inputs or { "args": [...] }.`);
    const refs: TensorRef[] = [];
    collectKerasTensors(doc, args, refs, what);
    return refs;
  });
}

function collectKerasTensors(doc: JsonDocument, node: JsonNode, out: TensorRef[], what: string): void {
  if (node.type === 'array') {
    for (const c of items(node)) collectKerasTensors(doc, c, out, what);
    return;
  }
  if (node.type !== 'object') return;
  const cls = prop(node, 'class_name');
  const config = prop(node, 'config');
  if (cls?.value === '__keras_tensor__' && config) {
    const history = prop(config, 'keras_history');
    if (!history) throw doc.error(node, `an input of ${what} has no "keras_history".`);
    out.push(readRef(doc, history, `the keras_history of an input of ${what}`));
  }
}
