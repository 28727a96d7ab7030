import { joinId } from '../native/builder';
import type { ModelBuilder, ModuleBuilder, Value } from '../native/builder';
import type { JsonDocument, JsonNode } from '../native/json';
import { LayerConfig } from './config';
import type { Flavor } from './flavor';
import type { LayerSpec, TensorRef } from './graph';
import { layersOf, readCalls, readLayerSpec, readRefList } from './graph';
import { KERAS_LAYERS, MODEL_CLASSES } from './layers/index';
import type { LayerCall } from './layers/types';
import { LayerWeights } from './weights';
import type { WeightTable } from './weights';

/** Model-wide state the network builder reads. */
export interface BuildEnv {
  readonly doc: JsonDocument;
  readonly mb: ModelBuilder;
  readonly table: WeightTable;
  readonly flavor: Flavor;
}

/** Keras' default names for unnamed layers: `dense`, `dense_1`, ... */
export function defaultNamer(): (base: string) => string {
  const counts = new Map<string, number>();
  return (base) => {
    const k = counts.get(base) ?? 0;
    counts.set(base, k + 1);
    return k === 0 ? base : `${base}_${k}`;
  };
}

const refKey = (layer: string, node: number, tensor: number): string => `${layer}\u0000${node}\u0000${tensor}`;

/**
 * Builds Keras models into modules. A layer call is a child module named after the layer (a later call of a
 * shared layer gets the id `<name> (call 2)` and the same weights); a nested model is a child module holding
 * its own layers. Functional models run their layer calls in the order of the config's `layers` whenever
 * their inputs are ready, which is a topological order of the graph.
 */
export class NetworkBuilder {
  /** Each layer definition's weights, made at its first call and shared by every later one. */
  private readonly layerWeights = new Map<JsonNode, LayerWeights>();

  constructor(private readonly env: BuildEnv) {}

  /** Builds model `spec`'s layers into `m`, fed by `inputs`; returns its outputs. */
  model(m: ModuleBuilder, spec: LayerSpec, inputs: readonly Value[]): Value[] {
    return spec.className === 'Sequential' ? this.sequential(m, spec, inputs) : this.functional(m, spec, inputs);
  }

  private sequential(m: ModuleBuilder, spec: LayerSpec, inputs: readonly Value[]): Value[] {
    const { doc } = this.env;
    if (inputs.length !== 1) throw doc.error(spec.node, `model '${spec.name}' is a Sequential model, which takes one input, but it is called with ${inputs.length}.`);
    const name = defaultNamer();
    let x = inputs[0];
    for (const node of layersOf(doc, spec)) {
      const layer = readLayerSpec(doc, node, name);
      if (layer.className === 'InputLayer') continue;
      const outs = this.call(m, layer, [x], 0);
      if (outs.length !== 1) throw doc.error(layer.node, `layer '${layer.name}' gives ${outs.length} outputs, but a layer inside a Sequential model must give one.`);
      x = outs[0];
    }
    return [x];
  }

  private functional(m: ModuleBuilder, spec: LayerSpec, inputs: readonly Value[]): Value[] {
    const { doc } = this.env;
    const config = spec.config!;
    const name = defaultNamer();
    const layers = new Map<string, LayerSpec>();
    for (const node of layersOf(doc, spec)) {
      const layer = readLayerSpec(doc, node, name);
      if (layers.has(layer.name)) throw doc.error(node, `model '${spec.name}' has two layers named '${layer.name}'; layer names must be unique within a model.`);
      layers.set(layer.name, layer);
    }
    const inputRefs = readRefList(doc, config, 'input_layers', spec.name);
    const outputRefs = readRefList(doc, config, 'output_layers', spec.name);
    if (inputRefs.length !== inputs.length) {
      throw doc.error(spec.node, `model '${spec.name}' takes ${inputRefs.length} inputs but is called with ${inputs.length}.`);
    }
    const values = new Map<string, Value>();
    inputRefs.forEach((r, i) => {
      if (layers.get(r.layer)?.className !== 'InputLayer') throw doc.error(r.at, `model '${spec.name}' lists '${r.layer}' among its input_layers, but it has no InputLayer of that name.`);
      values.set(refKey(r.layer, 0, 0), inputs[i]);
    });

    const pending: { layer: LayerSpec; call: number; refs: TensorRef[] }[] = [];
    for (const layer of layers.values()) {
      if (layer.className === 'InputLayer') continue;
      readCalls(doc, layer).forEach((refs, call) => pending.push({ layer, call, refs }));
    }
    const ready = (refs: readonly TensorRef[]): boolean => refs.every((r) => values.has(refKey(r.layer, r.node, r.tensor)));
    while (pending.length > 0) {
      const i = pending.findIndex((p) => ready(p.refs));
      if (i < 0) throw this.unresolved(spec, layers, pending[0].layer, pending[0].refs, values);
      const { layer, call, refs } = pending.splice(i, 1)[0];
      if (refs.length === 0) throw doc.error(layer.node, `layer '${layer.name}' is called with no inputs in its inbound_nodes.`);
      const outs = this.call(m, layer, refs.map((r) => values.get(refKey(r.layer, r.node, r.tensor))!), call);
      // Keras 2 and TF.js count a nested model's node 0 as the one that built it, so its calls count from 1
      // (node 0 is accepted for the first call too); Keras 3 counts calls from 0.
      const offset = MODEL_CLASSES.includes(layer.className) && !this.env.flavor.keras3 ? 1 : 0;
      outs.forEach((v, t) => {
        values.set(refKey(layer.name, call + offset, t), v);
        if (offset && call === 0) values.set(refKey(layer.name, 0, t), v);
      });
    }
    return outputRefs.map((r) => values.get(refKey(r.layer, r.node, r.tensor)) ?? (() => {
      throw this.unresolved(spec, layers, undefined, [r], values);
    })());
  }

  /** The error for a reference nothing produces: an unknown layer, a call that does not exist, or a cycle. */
  private unresolved(spec: LayerSpec, layers: ReadonlyMap<string, LayerSpec>, reader: LayerSpec | undefined, refs: readonly TensorRef[], values: ReadonlyMap<string, Value>): Error {
    const { doc } = this.env;
    const r = refs.find((x) => !values.has(refKey(x.layer, x.node, x.tensor)))!;
    const who = reader ? `layer '${reader.name}'` : `model '${spec.name}' (its output_layers)`;
    if (!layers.has(r.layer)) return doc.error(r.at, `${who} reads from layer '${r.layer}', which model '${spec.name}' does not have.`);
    return doc.error(r.at, `${who} reads output ${r.tensor} of call ${r.node} of layer '${r.layer}', which model '${spec.name}' never makes (a missing call, or layers that read each other in a cycle).`);
  }

  /** One call of a layer (or nested model) as a child module of `parent`; `weights` overrides the layer's own (wrapped layers). */
  call(parent: ModuleBuilder, layer: LayerSpec, inputs: readonly Value[], call: number, weights?: LayerWeights): Value[] {
    const { doc, flavor } = this.env;
    const id = call === 0 ? layer.name : `${layer.name} (call ${call + 1})`;
    if (MODEL_CLASSES.includes(layer.className)) {
      const child = parent.child(id, layer.className, layer.node, `model '${joinId(parent.id, id)}'`);
      child.draft.name = layer.name;
      const outs = this.model(child, layer, inputs);
      child.finish(outs);
      return outs;
    }
    const type = KERAS_LAYERS.get(layer.className);
    if (!type) {
      throw doc.error(layer.node, `layer '${layer.name}' is a ${layer.className}, which Layerstep does not support; it supports ${[...KERAS_LAYERS.keys()].sort().join(', ')}, InputLayer, and nested Sequential and functional models.`);
    }
    const m = parent.child(id, layer.className, layer.node);
    m.draft.name = layer.name;
    const cfg = new LayerConfig(doc, layer.config ?? layer.node, m.label);
    if (type.inputs === 'one' && inputs.length !== 1) throw cfg.fail(`takes one input but is called with ${inputs.length}.`);
    if (type.inputs === 'many' && inputs.length < 2) throw cfg.fail(`merges two or more inputs but is called with ${inputs.length}.`);
    for (const x of inputs) {
      if (!type.acceptsIntegers && x.dtype !== 'float32') {
        throw cfg.fail(`expects a float32 input but ${x.from} gives ${x.dtype} [${x.shape.join(', ')}]; integer ids go into an Embedding layer first.`);
      }
    }
    const ctx: LayerCall = {
      m, cfg, flavor,
      weights: weights ?? this.weightsOf(layer, m),
      fail: (message) => cfg.fail(message),
      inner: (into, node, xs, w) => {
        const spec = readLayerSpec(doc, node, (base) => base);
        const outs = this.call(into, spec, xs, 0, w);
        if (outs.length !== 1) throw cfg.fail(`wraps a layer that gives ${outs.length} outputs; a wrapped layer must give one.`);
        return outs[0];
      },
    };
    const y = type.build(ctx, inputs);
    m.draft.attrs = cfg.values;
    m.finish([y]);
    return [y];
  }

  private weightsOf(layer: LayerSpec, m: ModuleBuilder): LayerWeights {
    let w = this.layerWeights.get(layer.node);
    if (!w) {
      w = new LayerWeights(this.env.mb, this.env.table, layer.name, m.id, m.label);
      this.layerWeights.set(layer.node, w);
    }
    return w;
  }
}
