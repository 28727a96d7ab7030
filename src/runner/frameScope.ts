import type { Tensor } from '../engine/tensor';
import type { Item } from '../model/ir';
import type { ChannelLayout } from '../protocol/tensorLayout';
import { guessLayout } from '../protocol/tensorLayout';
import { ExpressionError } from './expr/errors';
import type { EvalScope } from './expr/evaluate';
import { Collection } from './expr/values';
import type { Val } from './expr/values';
import type { EditTarget, TargetResolver } from './edits';
import type { FrameScopes } from './types';

/** What a frame's scope reads from the runner at its current position. */
export interface ScopeSource {
  isWeight(name: string): boolean;
  /**
   * The weight a value is: itself for a weight, the weight behind an identity/cast op that only passes a weight
   * on (src/model/weightUse.ts), undefined for a computed value. Without it only weights themselves count.
   */
  weightBehind?(name: string): string | undefined;
  weight(name: string): Tensor | undefined;
  /** A value that exists at the current position (recomputed if evicted); throws otherwise. */
  value(name: string): Tensor;
  /** Does a value by this name exist at the current position? */
  visible(name: string): boolean;
  /** Is this a model input (given, not produced)? */
  isInput?(name: string): boolean;
}

const behind = (n: string, src: ScopeSource): string | undefined => (src.weightBehind ? src.weightBehind(n) : src.isWeight(n) ? n : undefined);

/** Input value names of an item that are not weights: weights have their own scope. */
function inputNames(item: Item, src: ScopeSource): string[] {
  return item.inputs.filter((n) => n !== '' && behind(n, src) === undefined);
}

/** Weights of a frame: by role for a module; for a node, by the name it reads (a weight, or one passed on by identity/cast). */
function weightNames(item: Item, src: ScopeSource): [string, string][] {
  if (item.kind === 'module') return Object.entries(item.weights);
  const out: [string, string][] = [];
  for (const n of item.inputs) {
    const w = n === '' ? undefined : behind(n, src);
    if (w !== undefined && !out.some(([label]) => label === n)) out.push([n, w]);
  }
  return out;
}

/** The Inputs / Outputs / Weights / Attributes scopes of a frame; outputs only once it has returned. */
export function frameScopes(item: Item, returned: boolean, src: ScopeSource): FrameScopes {
  const inputs = new Map<string, Tensor>();
  for (const n of inputNames(item, src)) if (src.visible(n)) inputs.set(n, src.value(n));
  const outputs = new Map<string, Tensor>();
  if (returned) for (const n of item.outputs) if (n !== '' && src.visible(n)) outputs.set(n, src.value(n));
  const weights = new Map<string, Tensor>();
  for (const [label, name] of weightNames(item, src)) {
    const t = src.weight(name);
    if (t) weights.set(label, t);
  }
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item.attrs)) if (v !== undefined) attrs[k] = v;
  return { inputs, outputs, weights, attrs };
}

/**
 * The names an expression sees in a frame: `input` and `output` (the first of each), `inputs`, `outputs`,
 * `weights`, `attrs`, `name`, `type`, `id`, and every value that exists at this point and whose name is an
 * identifier (`x`, `logits`). Values are fetched only when an expression names them.
 */
export function frameEvalScope(item: Item, returned: boolean, src: ScopeSource, extra: (name: string) => Tensor | undefined): EvalScope {
  const notReturned = (what: string): never => {
    throw new ExpressionError(`'${what}' is not ready: ${item.name} has not returned yet (step over it first)`);
  };
  const tensors = (label: string, names: readonly (readonly [string, string])[]): Collection =>
    new Collection(label, new Map(names.map(([key, name]) => [key, (): Val => src.value(name)])));
  const ins = inputNames(item, src);
  const outs = item.outputs.filter((n) => n !== '');
  const fixed = new Map<string, () => Val>([
    ['input', () => {
      if (ins.length === 0) throw new ExpressionError(`${item.name} has no inputs besides weights`);
      return src.value(ins[0]);
    }],
    ['output', () => (returned ? src.value(outs[0]) : notReturned('output'))],
    ['inputs', () => tensors('inputs', ins.map((n) => [n, n]))],
    ['outputs', () => (returned ? tensors('outputs', outs.map((n) => [n, n])) : notReturned('outputs'))],
    ['weights', () => new Collection('weights', new Map(weightNames(item, src).map(([label, name]) => [label, (): Val => src.weight(name) ?? null])))],
    ['attrs', () => new Collection('attrs', new Map(Object.entries(item.attrs).filter(([, v]) => v !== undefined).map(([k, v]) => [k, (): Val => v as Val])))],
    ['name', () => item.name],
    ['type', () => (item.kind === 'module' ? item.type : item.op)],
    ['id', () => item.id],
  ]);
  // In a training step's backward pass: `grad` is the gradient arriving at the frame (∂loss/∂output of the layer
  // it mirrors).
  const arriving = ins.find((n) => n.startsWith('∂loss/∂'));
  if (arriving !== undefined) fixed.set('grad', () => src.value(arriving));
  return {
    lookup(name) {
      if (name === 'grad' && arriving === undefined && !src.visible(name)) {
        throw new ExpressionError(`'grad' is the gradient arriving at a frame of a training step's backward pass; ${item.name} has none`);
      }
      const f = fixed.get(name);
      if (f) return f();
      const kept = extra(name);
      if (kept) return kept;
      return src.visible(name) ? src.value(name) : undefined;
    },
    value(name) {
      return extra(name) ?? src.value(name);
    },
    weight(name) {
      const t = src.isWeight(name) ? src.weight(name) : undefined;
      if (!t) throw new ExpressionError(`the model has no weight named '${name}'`);
      return t;
    },
    names() {
      return [...fixed.keys(), ...ins, ...(returned ? outs : [])].filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
    },
  };
}

/**
 * How an assignment's left side names a tensor in a frame: `output`, `input`, `outputs.y`, `inputs[0]`,
 * `weights.kernel`, a value or weight named like an identifier, `value('NAME')`, `weight('NAME')`. A value must
 * exist at the current position: an edit is checked against what it changes when it is made.
 */
export function frameTargets(item: Item, returned: boolean, src: ScopeSource): TargetResolver {
  const ins = inputNames(item, src);
  const outs = item.outputs.filter((n) => n !== '');
  const notReturned = (what: string): never => {
    throw new ExpressionError(`'${what}' is not ready: ${item.name} has not returned yet (step over it first)`);
  };
  const valueTarget = (name: string): EditTarget => {
    const w = behind(name, src);
    if (w !== undefined) return { kind: 'weight', name: w };
    if (src.isInput?.(name)) return { kind: 'input', name };
    return { kind: 'value', name };
  };
  const pick = (label: string, names: readonly string[], key: string | number): EditTarget => {
    const name = typeof key === 'number' ? names[key < 0 ? key + names.length : key] : names.find((n) => n === key);
    if (name === undefined) throw new ExpressionError(`${label} has no ${typeof key === 'number' ? `entry ${key}` : `'${key}'`}; it has ${names.join(', ') || 'nothing'}`);
    return valueTarget(name);
  };
  return {
    name(id) {
      if (id === 'output') return outs.length ? (returned ? valueTarget(outs[0]) : notReturned('output')) : undefined;
      if (id === 'input') {
        if (ins.length === 0) throw new ExpressionError(`${item.name} has no inputs besides weights`);
        return valueTarget(ins[0]);
      }
      if (src.isWeight(id)) return { kind: 'weight', name: id };
      return src.visible(id) ? valueTarget(id) : undefined;
    },
    member(collection, key) {
      if (collection === 'inputs') return pick('inputs', ins, key);
      if (collection === 'outputs') return returned ? pick('outputs', outs, key) : notReturned('outputs');
      if (collection === 'weights') {
        const entries = weightNames(item, src);
        const found = typeof key === 'number' ? entries[key < 0 ? key + entries.length : key] : entries.find(([label]) => label === key);
        if (!found) throw new ExpressionError(`weights has no ${typeof key === 'number' ? `entry ${key}` : `'${key}'`}; it has ${entries.map(([l]) => l).join(', ') || 'nothing'}`);
        return { kind: 'weight', name: found[1] };
      }
      return undefined;
    },
    value(name) {
      if (src.isWeight(name)) return { kind: 'weight', name };
      if (!src.visible(name)) throw new ExpressionError(`there is no value named '${name}' at this point of the run`);
      return valueTarget(name);
    },
    weight(name) {
      if (!src.isWeight(name)) throw new ExpressionError(`the model has no weight named '${name}'`);
      return { kind: 'weight', name };
    },
  };
}

/** Formats whose layers hand activations on channels last (Keras' default, and TensorFlow's graphs). */
const CHANNELS_LAST_FORMATS: ReadonlySet<string> = new Set(['keras', 'tfjs-layers', 'tfjs-graph']);

/** Engine ops that take and give channels-first tensors (ONNX's convention, docs/ops.md). */
const CHANNELS_FIRST_OPS: ReadonlySet<string> = new Set([
  'conv', 'convTranspose', 'maxPool', 'maxPoolWithIndices', 'averagePool', 'globalAveragePool', 'globalMaxPool', 'lpPool',
  'batchNormalization', 'batchNormalizationTraining', 'instanceNormalization',
]);

/** Engine ops of TensorFlow graphs that take and give channels-last tensors. */
const CHANNELS_LAST_OPS: ReadonlySet<string> = new Set(['tfResize', 'tfBatchNorm', 'tfConv2DBackpropInput']);

/**
 * Where an input or output of rank 4 of a frame keeps its channels, as the frame's op or layer says it, or
 * nothing when it says nothing:
 * - a `data_format` attribute (`channels_last`, `NHWC`; `channels_first`, `NCHW`);
 * - a transpose between the layouts: perm [0, 2, 3, 1] reads NCHW and gives NHWC, [0, 3, 1, 2] the reverse
 *   (channels-last models wrap their convolutions in these; tf2onnx puts one after an NHWC input);
 * - ops that are channels-first (convolution, pooling, batch normalisation) or channels-last (TF's resize,
 *   batch norm);
 * - any other layer or op of a channels-last model (Keras, TF.js): its activations are channels last.
 */
export function opLayout(item: Item, format: string, side: 'input' | 'output', rank: number): ChannelLayout | undefined {
  if (rank !== 4) return undefined;
  const declared = item.attrs.data_format ?? item.attrs.dataFormat;
  if (typeof declared === 'string') {
    const d = declared.toLowerCase();
    if (d === 'channels_last' || /^n\w*c$/.test(d)) return 'NHWC';
    if (d === 'channels_first' || /^nc\w*$/.test(d)) return 'NCHW';
  }
  if (item.kind === 'node') {
    if (item.op === 'transpose' || item.op === 'tfTranspose') {
      const perm = item.attrs.perm;
      const is = (p: readonly number[]) => Array.isArray(perm) && perm.length === 4 && p.every((v, i) => Number(perm[i]) === v);
      if (is([0, 2, 3, 1])) return side === 'input' ? 'NCHW' : 'NHWC';
      if (is([0, 3, 1, 2])) return side === 'input' ? 'NHWC' : 'NCHW';
      return undefined;
    }
    if (CHANNELS_FIRST_OPS.has(item.op)) return 'NCHW';
    if (CHANNELS_LAST_OPS.has(item.op)) return 'NHWC';
  }
  return CHANNELS_LAST_FORMATS.has(format) ? 'NHWC' : undefined;
}

/**
 * The layout of a frame's tensor for its summary: what the frame's op or layer says ({@link opLayout}, `op`),
 * else what the shape suggests (`guess`), else nothing.
 */
export function tensorLayoutIn(item: Item, format: string, side: 'input' | 'output', shape: readonly number[]):
  { readonly layout: ChannelLayout; readonly layoutFrom: 'op' | 'guess' } | undefined {
  const op = opLayout(item, format, side, shape.length);
  if (op) return { layout: op, layoutFrom: 'op' };
  const guess = guessLayout(shape);
  return guess ? { layout: guess, layoutFrom: 'guess' } : undefined;
}
