import type { onnx } from './proto';
import type { AttrValue } from '../../engine/registry';
import type { Shape, Tensor } from '../../engine/tensor';
import type { ValueInfo } from '../../model/ir';
import { inferOpShapes } from '../../model/shapes';
import type { FlatNode } from './flatNode';
import { staticShape, valueInfo } from './valueInfo';

/**
 * Best-effort static shapes for the sidebar and messages: weights, graph inputs and declared value infos with
 * fixed dimensions, then the engine's shape rules (each op's `shape`) node by node wherever every input's
 * shape is known and the op's constant inputs (a Reshape's shape, a Slice's starts...) are weights. A shape
 * that cannot be inferred is left out: ONNX graphs often depend on their input's size, known only when run.
 */

/** Inputs that the shape rules read as attributes: op → attribute name per input position. */
const CONSTANT_INPUTS: Readonly<Record<string, readonly (string | undefined)[]>> = {
  reshape: [undefined, 'shape'],
  slice: [undefined, 'starts', 'ends', 'axes', 'steps'],
  squeeze: [undefined, 'axes'],
  unsqueeze: [undefined, 'axes'],
  split: [undefined, 'split'],
  pad: [undefined, 'pads'],
  resize: [undefined, undefined, 'scales', 'sizes'],
  reduceMean: [undefined, 'axes'],
  reduceSum: [undefined, 'axes'],
  reduceMax: [undefined, 'axes'],
  reduceMin: [undefined, 'axes'],
};

export function inferShapes(
  nodes: readonly FlatNode[], inputs: readonly ValueInfo[], weights: ReadonlyMap<string, Tensor>, graph: onnx.IGraphProto,
  /** Weights not read yet (lazy external data): their declared shapes. */
  pending?: ReadonlyMap<string, { readonly shape: Shape }>,
  /** Throw where a rule fails on known shapes (is this input size accepted?) instead of leaving the value open. */
  strict = false,
): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const [name, t] of weights) shapes.set(name, t.shape);
  for (const [name, p] of pending ?? []) shapes.set(name, p.shape);
  for (const v of inputs) {
    const s = staticShape(v);
    if (s) shapes.set(v.name, s);
  }
  for (const v of strict ? [] : [...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    try {
      const s = staticShape(valueInfo(v, 'output', ''));
      if (s && v.name && (s.length > 0 || v.type?.tensorType?.shape)) shapes.set(v.name, s);
    } catch {
      // A sequence or a type the engine cannot hold: no shape to record.
    }
  }
  for (const node of nodes) {
    if (node.unsupported || node.outputs.every((o) => shapes.has(o))) continue;
    const folded = CONSTANT_INPUTS[node.op] ?? [];
    const attrs: Record<string, AttrValue | undefined> = { ...node.attrs };
    const inShapes: (Shape | undefined)[] = [];
    let known = true;
    node.inputs.forEach((name, i) => {
      if (name === '') return void inShapes.push(undefined);
      const asAttr = folded[i];
      if (asAttr !== undefined) {
        const w = weights.get(name);
        if (w) attrs[asAttr] = Array.from(w.data as ArrayLike<number>);
        else known = false;
        return;
      }
      const s = shapes.get(name);
      if (!s) known = false;
      inShapes.push(s);
    });
    if (!known) continue;
    try {
      const out = inferOpShapes(node.op, inShapes, attrs);
      out?.forEach((s, k) => {
        const name = node.outputs[k];
        if (name && !shapes.has(name)) shapes.set(name, s);
      });
    } catch (e) {
      if (strict) throw e;
      // The rules could not follow this node (symbolic sizes, an op they do not model): leave its outputs open.
    }
  }
  return shapes;
}
