import { Tensor } from '../../../engine/tensor';
import { fmt } from '../../../model/shapes';
import type { Value } from '../builder';
import type { JsonNode } from '../json';
import { describe, items } from '../json';
import { activate } from './activation';
import type { LayerContext, LayerType } from './types';

/** Builds `nodes` inside a child module `name` of the layer (a shortcut, a branch), which is finished here. */
function group(ctx: LayerContext, name: string, node: JsonNode, nodes: readonly JsonNode[], x: Value): Value {
  const child = ctx.m.child(name, 'sequential', node);
  const y = ctx.layers(child, nodes, x);
  child.finish([y]);
  return y;
}

const sequential: LayerType = {
  type: 'sequential',
  doc: 'Runs its layers one after the other: a named block.',
  params: { layers: { kind: 'layers', doc: 'The layers, in order.', required: true } },
  acceptsIntegers: true,
  build(ctx, x) {
    const layers = ctx.p.layers('layers')!;
    if (layers.length === 0) throw ctx.fail('needs at least one layer in "layers".', ctx.p.at('layers'));
    return ctx.layers(ctx.m, layers, x);
  },
};

const residual: LayerType = {
  type: 'residual',
  doc: 'activation(f(x) + shortcut(x)): its layers are f; the shortcut is the identity unless `shortcut` lists layers.',
  params: {
    layers: { kind: 'layers', doc: 'The layers of the main path f, in order.', required: true },
    shortcut: { kind: 'layers', doc: 'Layers of the shortcut path (e.g. a 1×1 convolution when shapes change); absent: the identity.' },
    activation: { kind: 'activation', doc: 'Activation applied after the sum.', default: 'linear' },
  },
  build(ctx, x) {
    const { p, m, fail } = ctx;
    const main = p.layers('layers')!;
    if (main.length === 0) throw fail('needs at least one layer in "layers".', p.at('layers'));
    const shortcut = p.layers('shortcut');
    const act = p.activation();
    const y = ctx.layers(m, main, x, shortcut?.length ? ['shortcut'] : []);
    const s = shortcut?.length ? group(ctx, 'shortcut', p.at('shortcut'), shortcut, x) : x;
    if (fmt(y.shape) !== fmt(s.shape)) {
      const sc = shortcut?.length ? `its shortcut's ${fmt(s.shape)} (from ${s.from})` : `its input ${fmt(s.shape)} (from ${s.from}; add a "shortcut" to change its shape)`;
      throw fail(`adds its layers' output ${fmt(y.shape)} (from ${y.from}) to ${sc}, but the two shapes must be equal.`);
    }
    return activate(m, m.op('add', [y, s]), act);
  },
};

const parallel: LayerType = {
  type: 'parallel',
  doc: 'Runs each branch on the same input and merges their outputs (concat along `axis`, add, mul or average).',
  params: {
    branches: { kind: 'branches', doc: 'The branches: each an array of layers run in order.', required: true },
    merge: { kind: 'enum', doc: 'How the branch outputs are combined.', values: ['concat', 'add', 'mul', 'average'], default: 'concat' },
    axis: { kind: 'integer', doc: 'The concatenation axis (1: channels of [N, C, H, W], features of [N, F]).', default: 1 },
  },
  acceptsIntegers: true,
  build(ctx, x) {
    const { p, m, fail, doc } = ctx;
    const node = p.raw('branches');
    if (!node) throw fail('needs "branches" (an array of arrays of layers).');
    if (node.type !== 'array' || items(node).length === 0) throw fail(`has "branches" set to ${describe(node)}; expected a non-empty array of arrays of layers.`, node);
    const merge = p.enum<'concat' | 'add' | 'mul' | 'average'>('merge');
    const axis = p.integer('axis');
    const outs = items(node).map((branch, i) => {
      // A branch of one layer may be written as the layer object itself.
      const layers = branch.type === 'object' ? [branch] : items(branch);
      if (branch.type !== 'object' && (branch.type !== 'array' || layers.length === 0)) {
        throw doc.error(branch, `${m.label} has branch ${i} set to ${describe(branch)}; a branch is a non-empty array of layers.`);
      }
      return group(ctx, `branch ${i}`, branch, layers, x);
    });
    if (merge === 'concat') return m.op('concat', outs, { axis });
    for (const [i, o] of outs.entries()) {
      if (fmt(o.shape) !== fmt(outs[0].shape)) {
        throw fail(`merges its branches with ${merge}, which needs equal shapes, but branch 0 gives ${fmt(outs[0].shape)} and branch ${i} gives ${fmt(o.shape)}.`);
      }
    }
    const op = merge === 'mul' ? 'mul' : 'add';
    let y = outs[0];
    for (const o of outs.slice(1)) y = m.op(op, [y, o]);
    return merge === 'average' ? m.op('div', [y, m.constant('count', Tensor.scalar(outs.length))]) : y;
  },
};

export const compositeLayers: readonly LayerType[] = [sequential, residual, parallel];
