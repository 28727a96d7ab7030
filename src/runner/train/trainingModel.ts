import { gradRule, inputsWithoutGradient, outputCarriesNoGradient } from '../../engine/grad/index';
import type { LossName } from '../../engine/grad/losses';
import type { OptimizerName } from '../../engine/grad/optimizers';
import type { Tensor } from '../../engine/tensor';
import type { Item, Model, ModuleDef, NodeDef, ValueInfo } from '../../model/ir';
import { RunnerError, baseName } from '../errors';
import { outputNames } from '../plan';
import { GRAD_PREFIX } from './ops';

/** How a model is trained: the loss, the optimizer and its learning rate. */
export interface TrainSetup {
  readonly loss: LossName;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
}

/** What one weight's update node reads and makes, by value name. */
export interface WeightUpdateNames {
  readonly weight: string;
  readonly grad: string;
  readonly next: string;
  readonly change: string;
  /** The optimizer's state the step reads (weights of the step's model) and the new state it makes, in order. */
  readonly state: readonly string[];
  readonly nextState: readonly string[];
}

/**
 * A training step laid out as one program (a module tree the runner steps through like any model):
 *
 *   step k
 *   ├─ the model's own root (the forward pass, unchanged)
 *   ├─ loss                 the loss of each output against its target
 *   ├─ ∂loss                ∂loss/∂output
 *   ├─ ∂<model>             the backward pass: the module tree mirrored, in reverse order; a module's frame reads
 *   │                       ∂loss/∂output and hands back ∂loss/∂input and ∂loss/∂weight of its weights
 *   └─ update               one node per weight: before, gradient → after, change
 *
 * Gradients are values named `∂loss/∂NAME`. A value read by several nodes gets one partial gradient from each
 * (`∂loss/∂NAME via NODE`), summed by a `sum` node just before the gradient is read (for a weight: after its last
 * part). Only what lies between a trainable weight and the loss is differentiated.
 */
export interface TrainingLayout {
  readonly root: ModuleDef;
  readonly mirror: ReadonlyMap<Item, Item>;
  /** Target inputs of the step, by the model output they belong to. */
  readonly targets: ReadonlyMap<string, string>;
  /** Float weights the step changes, in the order of their update nodes. */
  readonly trainable: readonly string[];
  readonly updates: readonly WeightUpdateNames[];
  /** The forward model the layout is for. */
  readonly forward: Model;
  readonly setup: TrainSetup;
}

export const LOSS_VALUE = 'loss';
export const gradName = (name: string): string => `∂loss/∂${name}`;

/** The optimizer's state values of one weight (as the step's model holds them). */
export function stateNames(optimizer: OptimizerName, weight: string): string[] {
  if (optimizer === 'momentum') return [`velocity ${weight}`];
  if (optimizer === 'adam') return [`adam m ${weight}`, `adam v ${weight}`];
  return [];
}

/** The target input of an output: `target` when the model has one output, else `target NAME`. */
export function targetInputName(model: Model, output: string): string {
  return outputNames(model).length === 1 ? 'target' : `target ${output}`;
}

/**
 * Lays out the training step of `forward` (a model laid out for the batch's sizes, weights read). `targeted` are
 * the outputs the loss measures. Throws a sentence naming the node when something between a weight and the loss
 * has no gradient, and when the model decides control flow at run time.
 */
export function layoutTraining(forward: Model, targeted: readonly string[], setup: TrainSetup): TrainingLayout {
  const file = baseName(forward.file);
  const nodes: NodeDef[] = [];
  const visit = (item: Item): void => {
    if (item.kind === 'node') {
      nodes.push(item);
      return;
    }
    if (item.control) throw new RunnerError(`${file}: Train cannot go through control flow decided at run time (${item.control.kind} '${item.name}')`);
    item.body.forEach(visit);
  };
  visit(forward.root);
  for (const out of targeted) {
    if (!outputNames(forward).includes(out)) throw new RunnerError(`${file} has no output named '${out}'; its outputs are ${outputNames(forward).join(', ')}`);
  }

  // What depends on a float weight, and what reaches the loss: gradients flow where both hold.
  // What a step trains: an ONNX model's float initializers; in other formats the weights its layers declare (a
  // constant a layer makes, such as attention's 1/√d scale or a causal mask, stays as it is), or every float
  // constant when no layer declares any (a graph of ops).
  const declared = new Set<string>();
  const collect = (item: Item): void => {
    if (item.kind === 'node') return;
    Object.values(item.weights).forEach((w) => declared.add(w));
    item.body.forEach(collect);
  };
  collect(forward.root);
  const layersOnly = forward.format !== 'onnx' && declared.size > 0;
  const floatWeight = (n: string): boolean => forward.weights.get(n)?.dtype === 'float32' && (!layersOnly || declared.has(n));
  const depends = new Set<string>([...forward.weights.keys()].filter(floatWeight));
  for (const node of nodes) {
    if (!node.inputs.some((n) => n && depends.has(n))) continue;
    node.outputs.forEach((o, i) => {
      if (o && !outputCarriesNoGradient(node.op, i)) depends.add(o);
    });
  }
  // Reverse-mode reach: a value gets a gradient when a node that reads it (at an input that takes one) has an
  // output that gets one, starting from the outputs the loss measures.
  const skip = (node: NodeDef): readonly number[] => inputsWithoutGradient(node.op);
  const hasGrad = new Set<string>(targeted.filter((o) => depends.has(o)));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!node.outputs.some((o) => o && hasGrad.has(o))) continue;
    node.inputs.forEach((n, slot) => {
      if (n && depends.has(n) && !skip(node).includes(slot)) hasGrad.add(n);
    });
  }
  const needed = (n: string): boolean => n !== '' && hasGrad.has(n);
  /** Does this input slot of a differentiated node take a gradient? */
  const takes = (node: NodeDef, slot: number): boolean => needed(node.inputs[slot]) && !skip(node).includes(slot);
  const differentiated = nodes.filter((n) => n.outputs.some(needed));
  for (const node of differentiated) {
    if (!gradRule(node.op)) {
      throw new RunnerError(`${file}: Train cannot pass op ${node.op} (node '${node.name}'): the engine has no gradient for it`);
    }
  }
  const trainable = [...forward.weights.keys()].filter((w) => floatWeight(w) && needed(w));
  if (!trainable.length) throw new RunnerError(`${file}: no weight reaches the loss, so a training step would change nothing`);

  // Who contributes to each gradient, in backward order: the loss first, then the nodes last to first.
  const LOSS_NODE = 'loss';
  const contributors = new Map<string, string[]>();
  const contribute = (value: string, by: string): void => {
    const list = contributors.get(value) ?? [];
    if (!list.includes(by)) list.push(by);
    contributors.set(value, list);
  };
  for (const out of targeted) contribute(out, LOSS_NODE);
  for (let i = differentiated.length - 1; i >= 0; i--) {
    const node = differentiated[i];
    node.inputs.forEach((n, slot) => {
      if (takes(node, slot)) contribute(n, node.id);
    });
  }
  /** The name a contributor gives its part of ∂loss/∂value. */
  const partName = (value: string, by: string): string => ((contributors.get(value)?.length ?? 0) > 1 ? `${gradName(value)} via ${by}` : gradName(value));
  const emitted = new Set<string>();
  const summed = new Set<string>();
  const mirror = new Map<Item, Item>();

  /** The sum node of a gradient with several parts, once every part is made; undefined when none is due. */
  const sumOf = (value: string): NodeDef | undefined => {
    const by = contributors.get(value) ?? [];
    if (by.length < 2 || summed.has(value) || !by.every((c) => emitted.has(c))) return undefined;
    summed.add(value);
    return {
      kind: 'node', id: `${GRAD_PREFIX}/sum/${value}`, name: `Σ ∂${value}`, op: 'sum',
      inputs: by.map((c) => partName(value, c)), outputs: [gradName(value)], attrs: {},
    };
  };

  const gradNode = (node: NodeDef): NodeDef => {
    const wanted = [...new Set(node.inputs.filter((_, slot) => takes(node, slot)))];
    const gradOf = node.inputs.map((n, slot) => (takes(node, slot) ? wanted.indexOf(n) : -1));
    const incoming = node.outputs.map((o) => (needed(o) ? gradName(o) : ''));
    const made: NodeDef = {
      kind: 'node', id: `${GRAD_PREFIX}/${node.id}`, name: `${GRAD_PREFIX}${node.name}`, op: `${GRAD_PREFIX}${node.op}`,
      inputs: [...node.inputs, ...node.outputs, ...incoming], outputs: wanted.map((n) => partName(n, node.id)),
      attrs: { ...node.attrs, outputs: node.outputs.length, gradOf }, source: node.source,
    };
    mirror.set(made, node);
    emitted.add(node.id);
    return made;
  };

  const hasNeeded = (item: Item): boolean => (item.kind === 'node' ? item.outputs.some(needed) : item.body.some(hasNeeded));

  /** The backward pass of one module: its body's gradients in reverse order. */
  const backwardOf = (m: ModuleDef): ModuleDef => {
    const body: Item[] = [];
    const pushSums = (values: readonly string[]): void => {
      for (const v of values) {
        const s = v && needed(v) ? sumOf(v) : undefined;
        if (s) body.push(s);
      }
    };
    for (let i = m.body.length - 1; i >= 0; i--) {
      const child = m.body[i];
      if (!hasNeeded(child)) continue;
      pushSums(child.outputs);
      if (child.kind === 'node') {
        body.push(gradNode(child));
        // A weight's gradient is summed right after its last part.
        pushSums(child.inputs.filter((n) => forward.weights.has(n)));
      } else {
        body.push(backwardOf(child));
      }
    }
    const made = body.flatMap((item) => item.outputs);
    const producedHere = new Set(made);
    const inputs = m.outputs.filter(needed).map(gradName);
    const outputs = made.filter((n) => {
      // What the module hands back: gradients of what it read from outside, and its weights' summed gradients.
      const of = m.inputs.find((x) => n === gradName(x) || n.startsWith(`${gradName(x)} via `));
      return of !== undefined || trainable.some((w) => n === gradName(w));
    });
    const module: ModuleDef = {
      kind: 'module', id: `${GRAD_PREFIX}/${m.id}`, name: `${GRAD_PREFIX}${m.name}`, type: m.type,
      inputs: inputs.filter((n) => !producedHere.has(n)), outputs, weights: m.weights, attrs: m.attrs, body, source: m.source,
    };
    mirror.set(module, m);
    return module;
  };

  const targets = new Map(targeted.map((o) => [o, targetInputName(forward, o)]));
  const lossInputs = targeted.flatMap((o) => [o, targets.get(o)!]);
  const lossNode: NodeDef = { kind: 'node', id: LOSS_NODE, name: 'loss', op: 'loss', inputs: lossInputs, outputs: [LOSS_VALUE], attrs: { loss: setup.loss } };
  const lossGrad: NodeDef = {
    kind: 'node', id: `${GRAD_PREFIX}/loss`, name: `${GRAD_PREFIX}loss`, op: `${GRAD_PREFIX}loss`,
    inputs: lossInputs, outputs: targeted.map((o) => partName(o, LOSS_NODE)), attrs: { loss: setup.loss },
  };
  emitted.add(LOSS_NODE);
  const rootSums = forward.root.outputs.flatMap((o) => (needed(o) ? [sumOf(o)].filter((s): s is NodeDef => !!s) : []));
  const backward = backwardOf(forward.root);

  const updates: WeightUpdateNames[] = trainable.map((w) => ({
    weight: w, grad: gradName(w), next: `new ${w}`, change: `Δ${w}`,
    state: stateNames(setup.optimizer, w), nextState: stateNames(setup.optimizer, w).map((s) => `new ${s}`),
  }));
  const attrs = { optimizer: setup.optimizer, learningRate: setup.learningRate };
  const update: ModuleDef = {
    kind: 'module', id: 'update', name: 'update', type: setup.optimizer, inputs: updates.map((u) => u.grad),
    outputs: updates.map((u) => u.next), weights: Object.fromEntries(updates.map((u) => [u.weight, u.weight])), attrs,
    body: updates.map((u): NodeDef => ({
      kind: 'node', id: `update/${u.weight}`, name: `update ${u.weight}`, op: 'update',
      inputs: [u.weight, u.grad, ...u.state], outputs: [u.next, u.change, ...u.nextState], attrs,
    })),
  };
  const root: ModuleDef = {
    kind: 'module', id: 'step', name: 'step', type: 'training step',
    inputs: [...forward.root.inputs, ...targets.values()], outputs: [LOSS_VALUE, ...updates.map((u) => u.next)],
    weights: {}, attrs: { loss: setup.loss, ...attrs },
    body: [forward.root, lossNode, lossGrad, ...rootSums, backward, update],
  };
  return { root, mirror, targets, trainable, updates, forward, setup };
}

/**
 * The model of step `step` (from 1): the layout's program over these weights and optimizer state. Inputs are the
 * batch's inputs and targets, with the batch's shapes; its one output is the loss.
 */
export function stepModel(layout: TrainingLayout, step: number, given: ReadonlyMap<string, Tensor>, weights: ReadonlyMap<string, Tensor>, state: ReadonlyMap<string, Tensor>): Model {
  const fwd = layout.forward;
  const info = (name: string, dtype?: ValueInfo['dtype']): ValueInfo => {
    const t = given.get(name);
    return { name, dtype: t?.dtype ?? dtype ?? 'float32', shape: t ? [...t.shape] : [] };
  };
  const all = new Map(fwd.weights);
  for (const [n, t] of weights) all.set(n, t);
  for (const [n, t] of state) all.set(n, t);
  const stepAttrs = { ...layout.root.attrs, step };
  const update = layout.root.body[layout.root.body.length - 1] as ModuleDef;
  const numbered: ModuleDef = {
    ...update,
    attrs: { ...update.attrs, step },
    body: update.body.map((n) => ({ ...(n as NodeDef), attrs: { ...(n as NodeDef).attrs, step } })),
  };
  const mirror = new Map(layout.mirror);
  const root: ModuleDef = { ...layout.root, name: `step ${step}`, attrs: stepAttrs, body: [...layout.root.body.slice(0, -1), numbered] };
  return {
    format: fwd.format,
    name: fwd.name,
    file: fwd.file,
    inputs: [...fwd.inputs.map((v) => info(v.name, v.dtype)), ...[...layout.targets.values()].map((n) => info(n))],
    outputs: [{ name: LOSS_VALUE, dtype: 'float32', shape: [] }],
    weights: all,
    root,
    labels: fwd.labels,
    examples: [],
    shapes: fwd.shapes,
    metadata: fwd.metadata,
    mirror,
  };
}
