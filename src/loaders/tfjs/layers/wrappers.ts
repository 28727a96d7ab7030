import { Tensor } from '../../../engine/tensor';
import { fmt } from '../../../model/shapes';
import { joinId } from '../../native/builder';
import type { JsonNode } from '../../native/json';
import { prop } from '../../native/json';
import { RNN_KINDS, unroll } from './recurrent';
import type { KerasLayer, LayerCall } from './types';

/**
 * Layers that wrap another (`config.layer`). The wrapped layer is a child module; its weights are stored
 * under the wrapper's name (`time_distributed/kernel`, `bidirectional/forward_lstm/kernel`).
 */

function wrapped(call: LayerCall): { node: JsonNode; className: string; config: JsonNode; name: string } {
  const node = call.cfg.raw('layer');
  const cls = node && prop(node, 'class_name');
  const config = node && prop(node, 'config');
  if (!node || node.type !== 'object' || cls?.type !== 'string' || config?.type !== 'object') {
    throw call.fail('needs "layer": the wrapped layer as { "class_name", "config" }.');
  }
  const nameNode = prop(config, 'name');
  const name = nameNode?.type === 'string' ? (nameNode.value as string) : String(cls.value).toLowerCase();
  return { node, className: cls.value as string, config, name };
}

const timeDistributed: KerasLayer = {
  className: 'TimeDistributed',
  doc: 'Applies its layer to every time step: [B, T, ...] is reshaped to [B·T, ...], passed through the layer, and reshaped back.',
  inputs: 'one',
  acceptsIntegers: true,
  build(call, [x]) {
    const { m } = call;
    if (x.shape.length < 3) throw call.fail(`expects an input [batch, steps, ...] but ${x.from} gives ${fmt(x.shape)}.`);
    const inner = wrapped(call);
    const [b, t, ...rest] = x.shape;
    const merged = m.op('reshape', [x], { shape: [b * t, ...rest] }, 'merge_time');
    const y = call.inner(m, inner.node, [merged], call.weights);
    return m.op('reshape', [y], { shape: [b, t, ...y.shape.slice(1)] }, 'split_time');
  },
};

const MERGES = ['concat', 'sum', 'mul', 'ave'] as const;

const bidirectional: KerasLayer = {
  className: 'Bidirectional',
  doc: 'Runs its recurrent layer forwards and backwards (two child modules, each one module per step) and merges the two (concat, sum, mul, ave).',
  inputs: 'one',
  build(call, [x]) {
    const { m, cfg } = call;
    if (cfg.isNull('merge_mode')) throw call.fail('returns its two directions separately (merge_mode null); Layerstep supports concat, sum, mul and ave.');
    const merge = cfg.oneOf('merge_mode', MERGES, 'concat');
    const inner = wrapped(call);
    const kind = RNN_KINDS[inner.className];
    if (!kind) throw call.fail(`wraps a ${inner.className}; Layerstep supports Bidirectional over SimpleRNN, LSTM and GRU.`);
    const backwardNode = cfg.raw('backward_layer');
    const backwardConfig = backwardNode ? prop(backwardNode, 'config') : undefined;
    const halves = (['forward', 'backward'] as const).map((dir) => {
      const name = `${dir}_${inner.name}`;
      const child = m.child(name, inner.className, inner.node);
      const sub = cfg.child(dir === 'backward' && backwardConfig?.type === 'object' ? backwardConfig : inner.config, child.label);
      const ctx = { m: child, cfg: sub, weights: call.weights.sub(dir, joinId(m.id, name), child.label), flavor: call.flavor, fail: (msg: string) => sub.fail(msg) };
      // Keras runs the backward copy of the layer with go_backwards flipped (an explicit backward_layer as it
      // is) and reverses its output sequence, which puts it back into input time order.
      const goBackwards = backwardConfig?.type === 'object' ? sub.boolean('go_backwards', true) : !sub.boolean('go_backwards', false);
      const y = unroll(ctx, kind, x, dir === 'backward' ? { goBackwards, reverseSequence: true } : {});
      child.draft.attrs = sub.values;
      child.finish([y]);
      return y;
    });
    const [f, b] = halves;
    if (merge === 'concat') return m.op('concat', [f, b], { axis: -1 });
    if (merge === 'mul') return m.op('mul', [f, b]);
    const sum = m.op('add', [f, b]);
    return merge === 'sum' ? sum : m.op('div', [sum, m.constant('count', Tensor.scalar(2))]);
  },
};

export const wrapperLayers: readonly KerasLayer[] = [timeDistributed, bidirectional];
