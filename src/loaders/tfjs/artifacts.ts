import type { JsonDocument, JsonNode } from '../native/json';
import { describe, prop } from '../native/json';
import type { Flavor } from './flavor';
import { flavorOf } from './flavor';
import type { LayerSpec } from './graph';
import { readLayerSpec } from './graph';
import { MODEL_CLASSES } from './layers/index';

/** What a TF.js model.json holds (tfjs-core `io/types.ts`, ModelJSON): the Keras model and the weights manifest. */
export interface Artifacts {
  /** The Keras model: `modelTopology` itself, or its `model_config` (as the Python converter writes it). */
  readonly spec: LayerSpec;
  readonly manifest: JsonNode | undefined;
  readonly flavor: Flavor;
}

/** Reached only when the layers reader is handed a graph model directly: the registry gives those to src/loaders/tfjsGraph. */
const GRAPH_MODEL = 'is a TensorFlow.js graph model, not a layers model; it is read by the graph-model loader (docs/tfjs-graph.md)';

export function readArtifacts(doc: JsonDocument): Artifacts {
  const root = doc.root;
  if (root.type !== 'object') throw doc.error(root, `${doc.shortName} holds ${describe(root)}; a TF.js model.json is an object with "modelTopology" and "weightsManifest".`);
  const format = prop(root, 'format');
  if (format && format.type !== 'null') {
    if (format.value === 'graph-model') throw doc.error(format, `${doc.shortName} ${GRAPH_MODEL}.`);
    if (format.value !== 'layers-model') throw doc.error(format, `"format" is ${describe(format)}; Layerstep opens TF.js layers models ("layers-model").`);
  }
  const topology = prop(root, 'modelTopology');
  if (!topology || topology.type !== 'object') {
    throw doc.error(topology ?? root, `${doc.shortName} has ${topology ? `"modelTopology" set to ${describe(topology)}` : 'no "modelTopology"'}; a TF.js layers model describes its Keras model there.`);
  }
  // A graph model's topology is a TensorFlow GraphDef: { node, library, versions }.
  if (prop(topology, 'node') && !prop(topology, 'class_name')) throw doc.error(topology, `${doc.shortName} ${GRAPH_MODEL}.`);
  const modelNode = prop(topology, 'model_config') ?? topology;
  if (modelNode.type !== 'object') throw doc.error(modelNode, `"model_config" is ${describe(modelNode)}; expected the Keras model { "class_name", "config" }.`);
  const spec = readLayerSpec(doc, modelNode, () => 'model');
  if (!MODEL_CLASSES.includes(spec.className)) {
    throw doc.error(prop(modelNode, 'class_name'), `"modelTopology" describes a ${spec.className}; a layers model is a ${MODEL_CLASSES.join(', ')}.`);
  }
  if (!spec.config) throw doc.error(modelNode, `model '${spec.name}' has no "config".`);
  const version = prop(topology, 'keras_version') ?? prop(modelNode, 'keras_version');
  return { spec, manifest: prop(root, 'weightsManifest'), flavor: flavorOf(version?.value, prop(root, 'generatedBy')?.value) };
}
