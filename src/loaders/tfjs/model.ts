import type { DType, Shape } from '../../engine/tensor';
import { inferModuleTree } from '../../model/inferTree';
import type { Model, ValueInfo } from '../../model/ir';
import { fmt } from '../../model/shapes';
import type { LoadOptions } from '../types';
import { ModelBuilder, ModuleBuilder, renameValue } from '../native/builder';
import type { Value } from '../native/builder';
import type { JsonDocument, JsonNode } from '../native/json';
import { describe, items, prop } from '../native/json';
import type { Flavor } from './flavor';
import type { LayerSpec } from './graph';
import { layersOf, readLayerSpec, readRefList } from './graph';
import { defaultNamer, NetworkBuilder } from './network';
import type { WeightTable } from './weights';

export const FORMAT = 'tfjs-layers';

/** TF.js layers take their weights from the manifest, never through the native loader's weight specs. */
const NO_RESOLVER = {
  resolve: (): never => { throw new Error('tfjs: layer weights come from the weights manifest'); },
  declaredShape: (): undefined => undefined,
};

interface InputDecl {
  readonly name: string;
  /** As the file declares it: `null` where a size is open. */
  readonly dims: readonly (number | null)[];
  readonly shape: number[];
  readonly dtype: DType;
  readonly node: JsonNode;
}

/** The model's inputs as the file declares them, `null` where a size is open (the batch, an image's height). */
export function declaredInputInfo(doc: JsonDocument, spec: LayerSpec): ValueInfo[] {
  return declaredInputs(doc, spec, undefined).map((d) => ({ name: d.name, dtype: d.dtype, shape: d.dims }));
}

/**
 * Builds the model for given input shapes (src/model/specialize.ts `layOut` chooses them where the file leaves
 * sizes open): its inputs (named by the input layers), the module tree, and its outputs (named by the output
 * layers). A shape that does not fit the declared one is refused naming the input.
 */
export function buildModel(doc: JsonDocument, spec: LayerSpec, table: WeightTable, flavor: Flavor, options: LoadOptions, shapes?: ReadonlyMap<string, Shape>): Model {
  table.reset();
  const mb = new ModelBuilder(doc, NO_RESOLVER, options.maxBytes);
  const declared = declaredInputs(doc, spec, shapes);
  const inputs: Value[] = declared.map((d) => {
    mb.addValue(d.name, d.shape, d.dtype, d.node, `input '${d.name}'`);
    return { name: d.name, shape: d.shape, dtype: d.dtype, from: `the input '${d.name}'` };
  });
  const root = new ModuleBuilder(mb, '', spec.name, spec.className, spec.node, `model '${spec.name}'`);
  const outs = new NetworkBuilder({ doc, mb, table, flavor }).model(root, spec, inputs);
  const renamed = new Map<string, string>();
  const named = outputNames(doc, spec).map((name, i) => {
    const v = outs[i];
    const prior = renamed.get(v.name);
    // An input, or a value already named after another output, is copied by an `identity` node first.
    const src = prior || declared.some((d) => d.name === v.name) ? root.op('identity', [{ ...v, name: prior ?? v.name }], {}, 'output') : v;
    const target = mb.shapes.has(name) ? `${name}_output` : name;
    renameValue(root.draft, mb, src.name, target);
    renamed.set(v.name, target);
    return { ...src, name: target };
  });
  root.finish(named);
  const info = (v: Value): ValueInfo => ({ name: v.name, dtype: v.dtype, shape: v.shape });
  // A functional model's layers sit flat under it: blocks are inferred from their names and the graph.
  const inferred = inferModuleTree(root.draft, (n) => mb.weights.has(n) || table.pending.has(n));
  return {
    format: FORMAT, name: spec.name, file: doc.file,
    inputs: declared.map((d) => ({ name: d.name, dtype: d.dtype, shape: d.dims })), outputs: named.map(info),
    weights: mb.weights, pendingWeights: table.pending, root: inferred ?? root.draft, examples: [], shapes: mb.shapes,
    metadata: { moduleTree: inferred ? 'inferred' : 'file' },
  };
}

/** The input layers: a functional model's `input_layers`; a Sequential's InputLayer or first layer (`<layer>_input`). */
function declaredInputs(doc: JsonDocument, spec: LayerSpec, shapes: ReadonlyMap<string, Shape> | undefined): InputDecl[] {
  const name = defaultNamer();
  const layers = layersOf(doc, spec).map((n) => readLayerSpec(doc, n, name));
  if (spec.className === 'Sequential') {
    const first = layers[0];
    if (!first) throw doc.error(spec.node, `model '${spec.name}' has no layers.`);
    return [inputDecl(doc, first, first.className === 'InputLayer' ? first.name : `${first.name}_input`, shapes)];
  }
  return readRefList(doc, spec.config!, 'input_layers', spec.name).map((r) => {
    const layer = layers.find((l) => l.name === r.layer);
    if (!layer || layer.className !== 'InputLayer') throw doc.error(r.at, `model '${spec.name}' lists '${r.layer}' among its input_layers, but it has no InputLayer of that name.`);
    return inputDecl(doc, layer, layer.name, shapes);
  });
}

const DTYPES: Readonly<Record<string, DType>> = {
  float32: 'float32', float16: 'float32', float64: 'float32', bfloat16: 'float32',
  int32: 'int32', int16: 'int32', int8: 'int32', uint8: 'int32', uint16: 'int32', int64: 'int64',
};

/** An input's shape and dtype from a layer's `batch_input_shape` (Keras 3: `batch_shape`; old configs: `input_shape`). */
function inputDecl(doc: JsonDocument, layer: LayerSpec, name: string, shapes: ReadonlyMap<string, Shape> | undefined): InputDecl {
  const config = layer.config?.type === 'object' ? layer.config : undefined;
  const batchShape = config && (prop(config, 'batch_input_shape') ?? prop(config, 'batch_shape'));
  const inputShape = config && prop(config, 'input_shape');
  const node = batchShape ?? inputShape;
  const dimOk = (d: JsonNode): boolean => d.type === 'null' || (d.type === 'number' && Number.isInteger(d.value) && d.value >= 0);
  if (!node || node.type !== 'array' || !items(node).every(dimOk)) {
    const what = node ? `has ${describe(node)} as its input shape` : 'gives no batch_input_shape';
    throw doc.error(node ?? layer.node, `input '${name}' ${what}; Layerstep needs the input's shape, e.g. "batch_input_shape": [null, 28, 28, 1].`);
  }
  const dims = items(node).map((d) => (d.type === 'number' ? (d.value as number) : null));
  if (!batchShape) dims.unshift(null);
  const given = shapes?.get(name);
  if (given && (given.length !== dims.length || dims.some((d, i) => d !== null && d !== given[i]))) {
    throw doc.error(node, `input '${name}' takes shape [${dims.map((d) => d ?? 'null').join(', ')}], not ${fmt(given)}.`);
  }
  const shape = given ? [...given] : dims.map((d) => d ?? 1);
  const dtypeNode = config && prop(config, 'dtype');
  const raw = dtypeNode?.type === 'object' ? prop(prop(dtypeNode, 'config') ?? dtypeNode, 'name')?.value : dtypeNode?.value;
  const dtype = raw === undefined || raw === null ? 'float32' : DTYPES[String(raw)];
  if (!dtype) throw doc.error(dtypeNode, `input '${name}' has dtype ${JSON.stringify(raw)}; Layerstep reads float and integer inputs.`);
  if (shape.reduce((a, d) => a * d, 1) === 0) throw doc.error(node, `input '${name}' has shape ${fmt(shape)}, which holds no values.`);
  return { name, dims, shape, dtype, node };
}

/** The model's output names: its output layers' names (a Sequential's last layer), made unique. */
function outputNames(doc: JsonDocument, spec: LayerSpec): string[] {
  let names: string[];
  if (spec.className === 'Sequential') {
    const name = defaultNamer();
    const layers = layersOf(doc, spec).map((n) => readLayerSpec(doc, n, name));
    names = [layers[layers.length - 1].name];
  } else {
    names = readRefList(doc, spec.config!, 'output_layers', spec.name).map((r) => r.layer);
  }
  const seen = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let k = 1; seen.has(name); k++) name = `${n}_${k}`;
    seen.add(name);
    return name;
  });
}

