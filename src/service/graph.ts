import type { Dim, Item, Model, ModuleDef } from '../model/ir';
import { templatesOf } from '../model/ir';
import { weightInfo, weightNames } from '../model/lazyWeights';
import type { GraphDesc, GraphItem, GraphModule, GraphValue } from '../protocol/graph';
import type { RecordedValue } from '../runner/types';

/**
 * The graph the panel draws of a model: its module tree with value names, the shapes known before running,
 * and which names are weights (drawn inside their op, not as edges). Control flow shows its templates as
 * children, as the outline does. Reads no weight data.
 */
export function describeGraph(model: Model): GraphDesc {
  const shapes: Record<string, readonly Dim[]> = {};
  for (const v of [...model.inputs, ...model.outputs]) shapes[v.name] = v.shape;
  for (const [name, s] of model.shapes ?? []) shapes[name] ??= s;
  const weights = weightNames(model);
  for (const w of weights) {
    const info = weightInfo(model, w);
    if (info) shapes[w] ??= info.shape;
  }
  return {
    name: model.name,
    root: describe(model.root) as GraphModule,
    inputs: model.inputs.map((v) => v.name),
    outputs: model.outputs.map((v) => v.name),
    weights,
    shapes,
  };
}

function describe(item: Item): GraphItem {
  if (item.kind === 'node') return { kind: 'node', id: item.id, name: item.name, op: item.op, inputs: item.inputs, outputs: item.outputs };
  const m: ModuleDef = item;
  const body = [...m.body, ...templatesOf(m).map((t) => t.module)].map(describe);
  return { kind: 'module', id: m.id, name: m.name, type: m.type, inputs: m.inputs, outputs: m.outputs, body };
}

/**
 * What the run measured of its recorded values, for the graph's run-time shapes and search: the shape it was
 * made with (`shapeOf`), the statistics taken when it was recorded, and the share of dead units of a relu-like
 * op's output where tensor health measures it (`deadOf`).
 */
export function graphValues(
  recorded: readonly RecordedValue[], shapeOf: (v: RecordedValue) => readonly number[] | undefined, deadOf: (v: RecordedValue) => number | undefined = () => undefined,
): GraphValue[] {
  return recorded.map((v) => {
    const shape = shapeOf(v);
    const dead = deadOf(v);
    const s = v.stats;
    return { name: v.name, ...(shape ? { shape: [...shape] } : {}), nan: s.nan, inf: s.posInf + s.negInf, zeros: s.zeros, ...(dead !== undefined ? { dead } : {}) };
  });
}
