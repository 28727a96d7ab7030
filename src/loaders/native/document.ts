import { Tensor } from '../../engine/tensor';
import type { DType } from '../../engine/tensor';
import type { Example, Model, ValueInfo } from '../../model/ir';
import { fmt } from '../../model/shapes';
import { layOut } from '../../model/specialize';
import { validateModel } from '../../model/validate';
import { ModelError } from '../../model/errors';
import type { LoadOptions } from '../types';
import { ModelBuilder, ModuleBuilder, renameValue } from './builder';
import type { Value } from './builder';
import type { WeightFiles } from './files';
import type { JsonDocument, JsonNode } from './json';
import { describe, entries, items, prop } from './json';
import { LayerListBuilder } from './layerList';
import { readTargets } from './targets';
import { readTraining } from './training';
import { Budget, WeightResolver } from './weights';

export const FORMAT = 'layerstep/1';

export const TOP_KEYS: readonly string[] = ['$schema', 'format', 'name', 'description', 'metadata', 'inputs', 'output', 'weightsFile', 'layers', 'labels', 'examples', 'training'];
const INPUT_KEYS = ['name', 'shape', 'dtype', 'description'];
const EXAMPLE_KEYS = ['name', 'description', 'inputs', 'targets', 'label'];
const INPUT_DTYPES: readonly DType[] = ['float32', 'int32', 'int64'];

/** Defaults the format promises (docs/model-format.md). */
export const DEFAULT_INPUT_NAME = 'input';
export const DEFAULT_OUTPUT_NAME = 'output';

function notAModel(doc: JsonDocument, hint = ''): ModelError {
  return new ModelError(
    `${doc.shortName} is not a Layerstep model${hint}: a model is a JSON object with "format": "${FORMAT}", ` +
    '"inputs" (one input with a name and a shape) and "layers" (an array of layer objects).', doc.file);
}

/**
 * Reads and checks a parsed `layerstep/1` document into a model, inferring every value's shape. An input whose
 * shape has `null` axes is laid out for each run's sizes (src/model/specialize.ts), sharing its weights.
 */
export function readModel(doc: JsonDocument, files: WeightFiles, options: LoadOptions): Model {
  checkHeader(doc);
  const input = readInput(doc, doc.root);
  const model = layOut([{ name: input.name, dtype: input.dtype, shape: input.dims }], (shapes) => {
    const laid = layModel(doc, files, options, { ...input, shape: [...(shapes.get(input.name) ?? input.shape)] });
    validateModel(laid);
    return laid;
  });
  // Targets are checked against the output's shape as laid out, and hold for every layout of the model.
  const weightsFile = optionalString(doc, doc.root, 'weightsFile');
  const examples = readTargets(doc, model, new WeightResolver(doc, files, new Budget(options.maxBytes), weightsFile));
  const training = readTraining(doc, doc.root);
  const specialize = model.specialize;
  const extra = training ? { examples, training } : { examples };
  return { ...model, ...extra, specialize: specialize && ((shapes) => ({ ...specialize(shapes), ...extra })) };
}

/** The document is a model: an object saying our format, with only the properties a model has. */
function checkHeader(doc: JsonDocument): void {
  const root = doc.root;
  if (root.type !== 'object') throw notAModel(doc, ` (it holds ${describe(root)})`);
  const format = prop(root, 'format');
  if (!format) throw notAModel(doc, prop(root, 'modelTopology') ? ' (it looks like a TensorFlow.js model)' : ' (it has no "format")');
  if (format.type !== 'string' || format.value !== FORMAT) {
    throw doc.error(format, `"format" is ${describe(format)}, which this version does not read; it reads "${FORMAT}".`);
  }
  for (const [key, keyNode] of entries(root)) {
    if (!TOP_KEYS.includes(key)) throw doc.error(keyNode, `a model has no property '${key}'; it takes ${TOP_KEYS.join(', ')}.`);
  }
}

/** The model laid out for one input shape. */
function layModel(doc: JsonDocument, files: WeightFiles, options: LoadOptions, input: InputDecl): Model {
  const root = doc.root;
  const metadata = prop(root, 'metadata');
  if (metadata && metadata.type !== 'object') throw doc.error(metadata, `"metadata" is ${describe(metadata)}; expected an object.`);
  optionalString(doc, root, 'description');
  const name = optionalString(doc, root, 'name') ?? doc.shortName.replace(/\.json$/i, '');
  const weightsFile = optionalString(doc, root, 'weightsFile');
  const output = optionalString(doc, root, 'output') ?? DEFAULT_OUTPUT_NAME;

  const resolver = new WeightResolver(doc, files, new Budget(options.maxBytes), weightsFile);
  const mb = new ModelBuilder(doc, resolver, options.maxBytes);
  mb.addValue(input.name, input.shape, input.dtype, input.node, `input '${input.name}'`);
  const model = new ModuleBuilder(mb, '', name, 'model', root, `model '${name}'`);

  const layersNode = prop(root, 'layers');
  if (!layersNode) throw notAModel(doc, ' (it has no "layers")');
  if (layersNode.type !== 'array' || items(layersNode).length === 0) {
    throw doc.error(layersNode, `"layers" is ${describe(layersNode)}; a model needs a non-empty array of layers.`);
  }
  const x: Value = { name: input.name, shape: input.shape, dtype: input.dtype, from: `the input '${input.name}'` };
  const y = new LayerListBuilder(doc).layers(model, items(layersNode), x);

  // The last node's output takes the declared output name.
  const outputNode = prop(root, 'output') ?? root;
  if (output === input.name || mb.weights.has(output) || mb.pending.has(output) || (mb.shapes.has(output) && output !== y.name)) {
    throw doc.error(outputNode, `"output" is '${output}', which already names another value of the model; choose another name.`);
  }
  renameValue(model.draft, mb, y.name, output);
  model.finish([{ ...y, name: output }]);

  const outputs: ValueInfo[] = [{ name: output, dtype: y.dtype, shape: y.shape }];
  const labels = readLabels(doc, root, y);
  const examples = readExamples(doc, root, resolver, input);
  return {
    format: FORMAT, name, file: doc.file,
    inputs: [{ name: input.name, dtype: input.dtype, shape: input.dims }],
    outputs, weights: mb.weights, pendingWeights: mb.pending.size ? mb.pending : undefined, root: model.draft, labels, examples, shapes: mb.shapes,
  };
}

function optionalString(doc: JsonDocument, node: JsonNode, key: string): string | undefined {
  const v = prop(node, key);
  if (!v) return undefined;
  if (v.type !== 'string' || v.value === '') throw doc.error(v, `"${key}" is ${describe(v)}; expected a non-empty string.`);
  return v.value as string;
}

interface InputDecl {
  readonly name: string;
  /** As declared: `null` where the size is open. */
  readonly dims: readonly (number | null)[];
  /** The sizes this layout is for. */
  readonly shape: number[];
  readonly dtype: DType;
  readonly node: JsonNode;
}

function readInput(doc: JsonDocument, root: JsonNode): InputDecl {
  const inputs = prop(root, 'inputs');
  if (!inputs) throw notAModel(doc, ' (it has no "inputs")');
  if (inputs.type !== 'array' || items(inputs).length !== 1) {
    throw doc.error(inputs, `"inputs" is ${describe(inputs)}${inputs.type === 'array' ? ` of ${items(inputs).length}` : ''}; this version takes exactly one input, e.g. [{ "name": "x", "shape": [1, 784] }].`);
  }
  const node = items(inputs)[0];
  if (node.type !== 'object') throw doc.error(node, `the input is ${describe(node)}; expected { "name", "shape", "dtype"? }.`);
  for (const [key, keyNode] of entries(node)) {
    if (!INPUT_KEYS.includes(key)) throw doc.error(keyNode, `the input has no property '${key}'; it takes ${INPUT_KEYS.join(', ')}.`);
  }
  const name = optionalString(doc, node, 'name') ?? DEFAULT_INPUT_NAME;
  const shapeNode = prop(node, 'shape');
  if (!shapeNode) throw doc.error(node, `input '${name}' needs a "shape" with the batch dimension, e.g. [1, 784].`);
  const dimOk = (d: JsonNode): boolean => d.type === 'null' || (d.type === 'number' && Number.isInteger(d.value) && (d.value as number) >= 1);
  if (shapeNode.type !== 'array' || items(shapeNode).length === 0 || !items(shapeNode).every(dimOk)) {
    const shown = shapeNode.type === 'array' && items(shapeNode).every((d) => d.type === 'number' || d.type === 'null')
      ? `[${items(shapeNode).map((d) => (d.type === 'null' ? 'null' : String(d.value))).join(', ')}]` : describe(shapeNode);
    throw doc.error(shapeNode, `input '${name}' has shape ${shown}; give every dimension, batch first, each at least 1 or null where any size goes.`);
  }
  const dims = items(shapeNode).map((d) => (d.type === 'null' ? null : (d.value as number)));
  const shape = dims.map((d) => d ?? 1);
  const dtypeNode = prop(node, 'dtype');
  let dtype: DType = 'float32';
  if (dtypeNode) {
    if (dtypeNode.type !== 'string' || !INPUT_DTYPES.includes(dtypeNode.value)) {
      throw doc.error(dtypeNode, `input '${name}' has dtype ${describe(dtypeNode)}; expected one of ${INPUT_DTYPES.join(', ')}.`);
    }
    dtype = dtypeNode.value as DType;
  }
  return { name, dims, shape, dtype, node: shapeNode };
}

function readLabels(doc: JsonDocument, root: JsonNode, y: Value): string[] | undefined {
  const node = prop(root, 'labels');
  if (!node) return undefined;
  if (node.type !== 'array' || !items(node).every((n) => n.type === 'string')) {
    throw doc.error(node, `"labels" is ${describe(node)}; expected an array of class names (strings).`);
  }
  const labels = items(node).map((n) => n.value as string);
  const classes = y.shape[y.shape.length - 1];
  if (labels.length !== classes) {
    throw doc.error(node, `"labels" has ${labels.length} names but the output has ${classes} classes (its shape is ${fmt(y.shape)}).`);
  }
  return labels;
}

function readExamples(doc: JsonDocument, root: JsonNode, resolver: WeightResolver, input: InputDecl): Example[] {
  const node = prop(root, 'examples');
  if (!node) return [];
  if (node.type !== 'array') throw doc.error(node, `"examples" is ${describe(node)}; expected an array of { "name", "inputs" }.`);
  return items(node).map((ex, i) => {
    if (ex.type !== 'object') throw doc.error(ex, `example ${i} is ${describe(ex)}; expected { "name", "inputs": { "${input.name}": ... } }.`);
    for (const [key, keyNode] of entries(ex)) {
      if (!EXAMPLE_KEYS.includes(key)) throw doc.error(keyNode, `example ${i} has no property '${key}'; it takes ${EXAMPLE_KEYS.join(', ')}.`);
    }
    const name = optionalString(doc, ex, 'name') ?? `example ${i}`;
    const inputs = prop(ex, 'inputs');
    if (!inputs || inputs.type !== 'object') throw doc.error(inputs ?? ex, `example '${name}' needs "inputs": { "${input.name}": <tensor> }.`);
    const tensors: Record<string, Tensor> = {};
    for (const [key, keyNode, value] of entries(inputs)) {
      if (key !== input.name) throw doc.error(keyNode, `example '${name}' gives input '${key}' but the model's input is '${input.name}'.`);
      const t = resolver.resolve({
        spec: value, label: `example '${name}'`, role: key, what: `example '${name}' input '${key}'`,
        valueName: `examples.${name}.${key}`, expected: input.dims.includes(null) ? undefined : input.shape, layerNode: ex, dtype: input.dtype,
      });
      if (t.rank !== input.dims.length || input.dims.some((d, k) => d !== null && d !== t.shape[k])) {
        throw doc.error(value, `example '${name}' input '${key}' has shape ${fmt(t.shape)}, but the input takes [${input.dims.map((d) => d ?? 'null').join(', ')}].`);
      }
      tensors[key] = input.dtype === 'float32' ? t : toInteger(doc, value, t, input.dtype, `example '${name}' input '${key}'`);
    }
    if (!tensors[input.name]) throw doc.error(inputs, `example '${name}' has no value for the input '${input.name}'.`);
    return { name, inputs: tensors };
  });
}

function toInteger(doc: JsonDocument, node: JsonNode, t: Tensor, dtype: DType, what: string): Tensor {
  for (const v of t.data) {
    if (!Number.isInteger(v)) throw doc.error(node, `${what} holds ${v}, but the input is ${dtype} and takes whole numbers only.`);
  }
  return Tensor.from(t.shape, t.data, dtype);
}
