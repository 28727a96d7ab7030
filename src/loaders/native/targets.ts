import { Tensor } from '../../engine/tensor';
import type { Dim, Example, Model } from '../../model/ir';
import { fmt } from '../../model/shapes';
import { isOpen } from '../../model/specialize';
import type { JsonDocument, JsonNode } from './json';
import { describe, entries, items, prop } from './json';
import type { WeightResolver } from './weights';

/**
 * What an example says the model should answer: `"targets": { "<output name>": <tensor> }`, or a class
 * `"label"` (a name from the model's `labels`, or a class index) made one-hot. Read once the model is laid
 * out, so that a target is checked against the output's shape for its example's input.
 */
export function readTargets(doc: JsonDocument, model: Model, resolver: Pick<WeightResolver, 'resolve'>): Example[] {
  const list = prop(doc.root, 'examples');
  const nodes = list ? items(list) : [];
  return model.examples.map((example, i) => {
    const node = nodes[i];
    const targets = node && prop(node, 'targets');
    const label = node && prop(node, 'label');
    if (!targets && !label) return example;
    const name = example.name;
    if (targets && label) throw doc.error(label, `example '${name}' gives both "label" and "targets"; give one of them.`);
    const output = model.outputs[0];
    const shape = outputShape(model, example);
    const tensor = targets ? readTarget(doc, resolver, name, output.name, targets, shape) : oneHot(doc, model, name, label!, shape);
    return { ...example, targets: { [output.name]: tensor } };
  });
}

/**
 * The output's shape for an example's input, `null` where it cannot be told without laying the model out again:
 * the declared size where the file fixes it; where it is open, the size of the layout the model was loaded for
 * when the example's input has that layout's shape, and otherwise, on the leading axis, the example's batch.
 */
function outputShape(model: Model, example: Example): Dim[] {
  const input = model.inputs[0];
  const given = example.inputs[input.name].shape;
  const builtFor = model.builtFor?.get(input.name);
  const base = model.shapes?.get(model.outputs[0].name);
  const sameLayout = !!builtFor && builtFor.length === given.length && builtFor.every((d, k) => d === given[k]);
  return model.outputs[0].shape.map((d, k) => {
    if (!isOpen(d)) return d;
    if (sameLayout && base) return base[k];
    return k === 0 && input.shape.length > 0 && isOpen(input.shape[0]) ? given[0] : null;
  });
}

const known = (shape: readonly Dim[]): shape is number[] => shape.every((d) => typeof d === 'number');
const shown = (shape: readonly Dim[]): string => `[${shape.map((d) => (typeof d === 'number' ? d : 'null')).join(', ')}]`;

function readTarget(doc: JsonDocument, resolver: Pick<WeightResolver, 'resolve'>, name: string, output: string, node: JsonNode, shape: Dim[]): Tensor {
  if (node.type !== 'object') throw doc.error(node, `example '${name}' has "targets" ${describe(node)}; expected { "${output}": <tensor> }.`);
  let target: Tensor | undefined;
  for (const [key, keyNode, value] of entries(node)) {
    if (key !== output) throw doc.error(keyNode, `example '${name}' gives a target for '${key}' but the model's output is '${output}'.`);
    const what = `example '${name}' target '${key}'`;
    target = resolver.resolve({
      spec: value, label: `example '${name}'`, role: key, what, expectation: `the output '${output}' is`,
      valueName: `examples.${name}.targets.${key}`, expected: known(shape) ? shape : undefined, layerNode: node, dtype: 'float32',
    });
    if (target.rank !== shape.length || shape.some((d, k) => d !== null && d !== target!.shape[k])) {
      throw doc.error(value, `${what} has shape ${fmt(target.shape)} but the output '${output}' takes ${shown(shape)}.`);
    }
  }
  if (!target) throw doc.error(node, `example '${name}' has no target for the output '${output}'.`);
  return target;
}

/** A class label as a one-hot [1, classes] tensor. */
function oneHot(doc: JsonDocument, model: Model, name: string, node: JsonNode, shape: Dim[]): Tensor {
  if (shape.length !== 2 || shape[0] !== 1 || typeof shape[1] !== 'number') {
    throw doc.error(node, `example '${name}' has a "label", which needs an output of shape [1, classes], but the output is ${shown(shape)} for its input; give "targets" instead.`);
  }
  const classes = shape[1];
  const labels = model.labels;
  const range = `a class index from 0 to ${classes - 1}`;
  let index: number;
  if (node.type === 'string') {
    if (!labels) throw doc.error(node, `example '${name}' has label ${describe(node)}, but the model has no "labels" to find it in; give ${range} instead.`);
    index = labels.indexOf(node.value as string);
    if (index < 0) throw doc.error(node, `example '${name}' has label ${describe(node)}, which is not one of the model's labels (${listed(labels)}).`);
  } else if (node.type === 'number' && Number.isInteger(node.value)) {
    index = node.value as number;
    if (index < 0 || index >= classes) throw doc.error(node, `example '${name}' has label ${index}, but the output has ${classes} classes: give ${range}.`);
  } else {
    throw doc.error(node, `example '${name}' has label ${describe(node)}; expected ${labels ? 'a class name from "labels" or ' : ''}${range}.`);
  }
  const data = new Float32Array(classes);
  data[index] = 1;
  return new Tensor('float32', [1, classes], data);
}

function listed(labels: readonly string[]): string {
  const quoted = labels.map((l) => JSON.stringify(l));
  return quoted.length <= 12 ? quoted.join(', ') : `${quoted.slice(0, 12).join(', ')} and ${quoted.length - 12} more`;
}
