import type { Item, Model, ModuleDef, NodeDef } from './ir';
import { templatesOf } from './ir';
import { isWeight, weightInfo } from './lazyWeights';

/**
 * Which weights a module or op uses, and how many parameters they hold: the one count that the outline
 * (sidebar, summary editor) and `layerstep inspect` share. A weight is used by the module that declares it
 * by role and by every op that reads it, directly or through `identity` and `cast` ops that only pass a weight
 * on (exporters route initializers through Identity nodes, and ONNX Constant-node tensors are weights too).
 */

/** Ops whose output is their weight input seen again: the weight behind it counts, not a copy. */
const PASS_THROUGH = new Set(['identity', 'cast']);

/** Every op of a subtree in execution order, the branches and loop bodies of control flow included. */
export function nodesOf(item: Item, out: NodeDef[] = []): NodeDef[] {
  if (item.kind === 'node') out.push(item);
  else {
    for (const child of item.body) nodesOf(child, out);
    for (const t of templatesOf(item)) nodesOf(t.module, out);
  }
  return out;
}

/**
 * Values that are a weight passed through `identity`/`cast` ops (`W_id` = Identity(W)): value → the weight
 * behind it. Chains resolve to the first weight.
 */
export function weightAliases(root: ModuleDef, isWeightName: (name: string) => boolean): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const n of nodesOf(root)) {
    if (!PASS_THROUGH.has(n.op) || n.inputs.length === 0 || n.outputs.length !== 1) continue;
    const source = n.inputs[0];
    const weight = isWeightName(source) ? source : aliases.get(source);
    if (weight !== undefined) aliases.set(n.outputs[0], weight);
  }
  return aliases;
}

const aliasCache = new WeakMap<Model, ReadonlyMap<string, string>>();

/** {@link weightAliases} of a model, made once per model (its tree never changes). */
export function modelAliases(model: Model): ReadonlyMap<string, string> {
  let a = aliasCache.get(model);
  if (!a) aliasCache.set(model, (a = weightAliases(model.root, (n) => isWeight(model, n))));
  return a;
}

/** The weight a value is (itself or the weight behind an alias), or undefined when it is computed from inputs. */
export function weightBehind(model: Model, name: string): string | undefined {
  if (name === '') return undefined;
  return isWeight(model, name) ? name : modelAliases(model).get(name);
}

/** An op's weight inputs: [the name it reads, the weight behind it]. */
export function nodeWeights(model: Model, node: NodeDef): [string, string][] {
  const out: [string, string][] = [];
  for (const v of node.inputs) {
    const w = weightBehind(model, v);
    if (w !== undefined && !out.some(([read]) => read === v)) out.push([v, w]);
  }
  return out;
}

/** Names of the weights a subtree uses: what its modules declare and what its ops read. */
export function usedWeights(model: Model, item: Item, out = new Set<string>()): Set<string> {
  if (item.kind === 'node') {
    for (const [, w] of nodeWeights(model, item)) out.add(w);
  } else {
    for (const w of Object.values(item.weights)) if (isWeight(model, w)) out.add(w);
    for (const child of item.body) usedWeights(model, child, out);
    for (const t of templatesOf(item)) usedWeights(model, t.module, out);
  }
  return out;
}

/** Parameters among weights: the elements of the float32 ones, loaded or still in their file, each counted once. */
export function countParams(model: Model, names: Iterable<string>): number {
  let n = 0;
  for (const name of new Set(names)) {
    const info = weightInfo(model, name);
    if (info && info.dtype === 'float32') n += info.shape.reduce((a, d) => a * d, 1);
  }
  return n;
}

/** Parameters a module or op uses, its subtree included. */
export function paramsOf(model: Model, item: Item): number {
  return countParams(model, usedWeights(model, item));
}
