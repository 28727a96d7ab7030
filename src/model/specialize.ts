import type { Shape, Tensor } from '../engine/tensor';
import type { Dim, Model, PendingWeight, ValueInfo } from './ir';

/**
 * Shapes from the inputs. A model is loaded once, with its inputs' sizes as the file declares them: a number,
 * or open (`null`, a symbolic name such as `batch`). When a run starts, the actual inputs fix every open size:
 * {@link modelFor} gives the model to run for those shapes. Formats whose graphs hold no sizes (ONNX) run the
 * loaded model as it is; formats whose layers are laid out for given sizes (TF.js layers, Keras, layerstep/1)
 * provide `Model.specialize`, which lays the same layers out again for the new sizes, sharing every weight.
 */

/** Is this dimension left open by the file? */
export const isOpen = (d: Dim): boolean => typeof d !== 'number' || d < 0;

/** The axes of an input the file leaves open. */
export function openAxes(info: ValueInfo): number[] {
  return info.shape.flatMap((d, i) => (isOpen(d) ? [i] : []));
}

/** Does a random input need its shape given: an open size past the leading axis (the batch is 1 by default)? */
export const needsShape = (info: ValueInfo): boolean => info.shape.some((d, i) => i > 0 && isOpen(d));

/** Does any input have an open size? */
export function hasOpenSizes(model: Pick<Model, 'inputs'>): boolean {
  return model.inputs.some((v) => openAxes(v).length > 0);
}

/** `[?, 3, ?, ?]`, naming symbolic dimensions: `[batch, 3, height, width]`. */
export function formatDims(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (typeof d === 'number' && d >= 0 ? String(d) : typeof d === 'string' && d ? d : '?')).join(', ')}]`;
}

/** Does a concrete shape fit a declared one (same rank, equal wherever the file fixes a size)? */
export function fitsDeclared(declared: readonly Dim[], shape: Shape): boolean {
  return declared.length === shape.length && declared.every((d, i) => isOpen(d) || d === shape[i]);
}

/** The input shapes as a cache key. */
const keyOf = (shapes: ReadonlyMap<string, Shape>): string => [...shapes].map(([n, s]) => `${n}:${s.join('x')}`).sort().join(';');

/** Layouts kept per model: a session that switches between two input sizes does not lay the model out again. */
const MAX_LAYOUTS = 4;
const layouts = new WeakMap<Model, Map<string, Model>>();

/**
 * The model to run on these inputs: the loaded one when it needs no layout for their sizes, else its layout
 * for them (made once per set of sizes, the last few kept). Throws what the layout throws: a ModelError naming
 * the layer and both shapes when the actual sizes do not chain through it.
 */
export function modelFor(model: Model, inputs: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>): Model {
  if (!model.specialize) return model;
  const entries = inputs instanceof Map ? [...inputs] : Object.entries(inputs as Record<string, Tensor>);
  const shapes = new Map<string, Shape>();
  for (const [name, t] of entries) if (model.inputs.some((v) => v.name === name)) shapes.set(name, t.shape);
  if (model.builtFor && [...shapes].every(([n, s]) => sameShape(model.builtFor!.get(n), s))) return model;
  let cache = layouts.get(model);
  if (!cache) layouts.set(model, (cache = new Map()));
  const key = keyOf(shapes);
  let laid = cache.get(key);
  if (laid) {
    cache.delete(key);
  } else {
    laid = model.specialize(shapes);
    if (cache.size >= MAX_LAYOUTS) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, laid);
  return laid;
}

function sameShape(a: Shape | undefined, b: Shape): boolean {
  return a !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * A layout of `base` for other sizes, as a loader made it again, made to share `base`'s weights: every weight
 * the two have in common is `base`'s tensor, or `base`'s pending weight (read once for both, see lazyWeights).
 * Constants only the new layout has (a mask for another sequence length) stay its own. The declared inputs stay
 * the file's, with their open sizes; `builtFor` says which sizes this layout is for.
 */
export function shareWeights(base: Model, laid: Model, shapes: ReadonlyMap<string, Shape>): Model {
  const weights = new Map<string, Tensor>();
  const pending = new Map<string, PendingWeight>();
  const names = [...laid.weights.keys(), ...(laid.pendingWeights?.keys() ?? [])];
  for (const name of names) {
    const loaded = base.weights.get(name);
    const waiting = base.pendingWeights?.get(name);
    if (loaded) weights.set(name, loaded);
    else if (waiting) pending.set(name, waiting);
    else {
      const own = laid.weights.get(name);
      if (own) weights.set(name, own);
      else pending.set(name, laid.pendingWeights!.get(name)!);
    }
  }
  return {
    ...laid,
    inputs: base.inputs,
    weights,
    pendingWeights: pending.size ? pending : undefined,
    examples: base.examples,
    specialize: undefined,
    builtFor: new Map(shapes),
    metadata: base.metadata,
  };
}

/**
 * The outputs as declared for any size: an output axis that changes when the open input sizes change (the batch,
 * an image's height) is open (`null`) too. Found by laying the model out once more with every open size doubled.
 */
function openOutputs(base: Model, inputs: readonly ValueInfo[], shapes: ReadonlyMap<string, Shape>, build: (shapes: ReadonlyMap<string, Shape>) => Model): ValueInfo[] {
  const other = new Map(inputs.map((v) => [v.name, shapes.get(v.name)!.map((d, i) => (isOpen(v.shape[i]) ? d * 2 : d))]));
  let second: Model;
  try {
    second = build(other);
  } catch {
    return [...base.outputs];
  }
  return base.outputs.map((o, k) => {
    const s = second.outputs[k]?.shape;
    if (!s || s.length !== o.shape.length) return o;
    return { ...o, shape: o.shape.map((d, i) => (d === s[i] ? d : null)) };
  });
}

/** Smallest sizes tried for an open axis when no input says it: image axes start at 32, others at 1. */
const SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 224, 256, 512];

/**
 * Sizes to offer for a model's open axes when the user gives no input: a leading open axis (the batch) is 1,
 * another the smallest size the model accepts (its strides and pools), found with `accepts` (all open axes of
 * an input take the same size). Returns the full shape of every input.
 */
export function suggestShapes(model: Model, accepts?: (shapes: ReadonlyMap<string, Shape>) => boolean): Map<string, number[]> {
  const fill = (size: number): Map<string, number[]> => new Map(model.inputs.map((v) => [v.name, v.shape.map((d, i) => {
    if (!isOpen(d)) return d as number;
    return i === 0 ? 1 : size;
  })]));
  const imageLike = model.inputs.some((v) => v.shape.length >= 3 && openAxes(v).some((a) => a > 0));
  const check = accepts ?? model.checkShapes;
  const sizes = imageLike ? SIZES.filter((s) => s >= 32) : SIZES;
  if (!check) return fill(sizes[0]);
  for (const size of sizes) {
    const shapes = fill(size);
    try {
      if (check(shapes)) return shapes;
    } catch {
      // Not accepted: try the next size.
    }
  }
  return fill(sizes[0]);
}

/**
 * A model laid out by a loader whose layers need sizes (`build` lays the file's layers out for given input
 * shapes). Without open sizes it is laid out once. With them, the first layout is for the smallest sizes the
 * layers accept (what the sidebar shows until a run gives real ones), and `specialize` lays it out again for a
 * run's sizes, sharing the weights. When no size fits, the error of the first size tried is thrown: it names the
 * layer whose sizes do not chain.
 */
export function layOut(inputs: readonly ValueInfo[], build: (shapes: ReadonlyMap<string, Shape>) => Model): Model {
  const declared = { inputs } as unknown as Model;
  let first: unknown;
  let base: Model | undefined;
  const shapes = suggestShapes(declared, (s) => {
    try {
      base = build(s);
      return true;
    } catch (e) {
      first ??= e;
      return false;
    }
  });
  if (!base) throw first;
  if (!hasOpenSizes(declared)) return { ...base, builtFor: shapes };
  const loaded: Model = { ...base, builtFor: shapes, outputs: openOutputs(base, inputs, shapes, build) };
  const self: Model = {
    ...loaded,
    specialize: (s) => shareWeights(self, build(s), s),
    checkShapes: (s) => (build(s), true),
  };
  return self;
}
