import { Tensor } from '../../../engine/tensor';
import { fmt } from '../../../model/shapes';
import type { ModuleBuilder, Value } from '../builder';
import type { LayerType } from './types';

/**
 * Multi-head self-attention over [B, T, D], expanded into readable ops (Vaswani et al. 2017, §3.2):
 * q/k/v projections split into heads, scores = q·kᵀ / sqrt(keyDim), optional causal mask, softmax weights,
 * context = weights·v, heads merged, then the output projection.
 */

/** Large negative added above the diagonal: exp() of it underflows to 0 without producing infinities. */
const MASKED = -1e9;

/** One projection: x · W (+ b), split into heads [B, T, H, d] and moved to [B, H, T, d] (or [B, H, d, T] for keys). */
function project(m: ModuleBuilder, x: Value, w: Value, b: Value | undefined, name: string, heads: number, dim: number, perm: number[]): Value {
  let y = m.op('matmul', [x, w], {}, name);
  if (b) y = m.op('add', [y, b], {}, `${name}_bias`);
  y = m.op('reshape', [y], { shape: [0, 0, heads, dim] }, `${name}_split`);
  return m.op('transpose', [y], { perm }, `${name}_heads`);
}

export const multiHeadAttention: LayerType = {
  type: 'multiHeadAttention',
  doc: 'Multi-head self-attention over [batch, time, features], as Keras MultiHeadAttention with query = key = value = input.',
  params: {
    numHeads: { kind: 'integer', doc: 'Number of attention heads.', min: 1, required: true },
    keyDim: { kind: 'integer', doc: 'Size of each head for queries and keys.', min: 1, required: true },
    valueDim: { kind: 'integer', doc: 'Size of each head for values (default: keyDim).', min: 1 },
    causal: { kind: 'boolean', doc: 'Mask future positions so that step t attends only to steps ≤ t.', default: false },
    useBias: { kind: 'boolean', doc: 'Whether the projections add biases.', default: true },
  },
  weights: {
    query: '[features, numHeads·keyDim]', key: '[features, numHeads·keyDim]', value: '[features, numHeads·valueDim]',
    output: '[numHeads·valueDim, features]', queryBias: '[numHeads·keyDim]', keyBias: '[numHeads·keyDim]',
    valueBias: '[numHeads·valueDim]', outputBias: '[features]',
  },
  build({ p, m, fail }, x) {
    const heads = p.integer('numHeads');
    const dk = p.integer('keyDim');
    const dv = p.has('valueDim') ? p.integer('valueDim') : dk;
    const causal = p.boolean('causal');
    const useBias = p.boolean('useBias');
    if (x.shape.length !== 3) throw fail(`expects an input [batch, time, features] but ${x.from} gives ${fmt(x.shape)}.`);
    const [, steps, features] = x.shape;
    const declared = m.declaredShape('query');
    if (declared?.length === 2 && declared[0] !== features) {
      throw fail(`expects an input whose last dimension is ${declared[0]} (its query kernel is ${fmt(declared)}) but ${x.from} gives ${fmt(x.shape)}.`);
    }
    const w = (role: string, shape: number[]): Value => m.weight(role, shape);
    const wq = w('query', [features, heads * dk]);
    const wk = w('key', [features, heads * dk]);
    const wv = w('value', [features, heads * dv]);
    const wo = w('output', [heads * dv, features]);
    const bias = (role: string, n: number): Value | undefined => (useBias ? w(role, [n]) : undefined);
    const q = project(m, x, wq, bias('queryBias', heads * dk), 'q', heads, dk, [0, 2, 1, 3]);
    const k = project(m, x, wk, bias('keyBias', heads * dk), 'k', heads, dk, [0, 2, 3, 1]);
    const v = project(m, x, wv, bias('valueBias', heads * dv), 'v', heads, dv, [0, 2, 1, 3]);
    let scores = m.op('matmul', [q, k], {}, 'scores');
    scores = m.op('mul', [scores, m.constant('scale', Tensor.scalar(1 / Math.sqrt(dk)))], {}, 'scale');
    if (causal) {
      const mask = Tensor.zeros([steps, steps]);
      for (let i = 0; i < steps; i++) for (let j = i + 1; j < steps; j++) mask.data[i * steps + j] = MASKED;
      scores = m.op('add', [scores, m.constant('causalMask', mask)], {}, 'mask');
    }
    const weights = m.op('softmax', [scores], { axis: -1 }, 'weights');
    let context = m.op('matmul', [weights, v], {}, 'context');
    context = m.op('transpose', [context], { perm: [0, 2, 1, 3] }, 'context_merge');
    context = m.op('reshape', [context], { shape: [0, 0, heads * dv] }, 'context_concat');
    const out = m.op('matmul', [context, wo], {}, 'out');
    const ob = bias('outputBias', features);
    return ob ? m.op('add', [out, ob], {}, 'out_bias') : out;
  },
};

export const attentionLayers: readonly LayerType[] = [multiHeadAttention];
