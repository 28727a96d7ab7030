import { Tensor } from '../../../engine/tensor';
import { fmt } from '../../../model/shapes';
import type { Value } from '../../native/builder';
import { kerasAxis } from '../layout';
import type { KerasLayer, LayerCall } from './types';

/** Normalisations, at inference: batch statistics are the stored moving averages. */

/** The Keras `axis` setting (an integer or a list) as axes of a rank-`rank` input. */
function axesOf(call: LayerCall, rank: number, x: Value): number[] {
  const raw = call.cfg.value('axis');
  const list = raw === undefined ? [-1] : Array.isArray(raw) ? raw : [raw];
  const axes = list.map((a) => (typeof a === 'number' && Number.isInteger(a) ? kerasAxis(a, rank) : undefined));
  if (axes.length === 0 || axes.some((a) => a === undefined)) {
    throw call.fail(`has axis ${JSON.stringify(raw)}, which does not name axes after the batch of its input ${fmt(x.shape)} from ${x.from}.`);
  }
  call.cfg.note('axis', axes as number[]);
  return [...new Set(axes as number[])].sort((a, b) => a - b);
}

/** A learned weight when the layer has it (`scale` / `center`), else the constant that leaves values alone. */
function optional(call: LayerCall, role: string, present: boolean, shape: readonly number[], fill: number): Value {
  if (present) return call.weights.use(call.m, role, shape);
  const t = Tensor.zeros(shape);
  t.data.fill(fill);
  return call.m.constant(role, t);
}

const batchNormalization: KerasLayer = {
  className: 'BatchNormalization',
  doc: 'gamma · (x - moving_mean) / sqrt(moving_variance + epsilon) + beta over `axis` (default -1: channels-last).',
  inputs: 'one',
  build(call, [x]) {
    const { m, cfg, weights } = call;
    const epsilon = cfg.number('epsilon', 1e-3);
    const center = cfg.boolean('center', true);
    const scale = cfg.boolean('scale', true);
    const axes = axesOf(call, x.shape.length, x);
    if (axes.length !== 1) throw call.fail(`normalises over axes ${fmt(axes)}; Layerstep supports one feature axis.`);
    const a = axes[0];
    const c = x.shape[a];
    const gamma = optional(call, 'gamma', scale, [c], 1);
    const beta = optional(call, 'beta', center, [c], 0);
    const mean = weights.use(m, 'moving_mean', [c]);
    const variance = weights.use(m, 'moving_variance', [c]);
    // The engine's op normalises axis 1 (NCHW); move the feature axis there and back.
    const r = x.shape.length;
    const perm = [0, a, ...Array.from({ length: r - 1 }, (_, i) => i + 1).filter((i) => i !== a)];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    const moved = a === 1 ? x : m.op('transpose', [x], { perm }, 'to_channels_first');
    const y = m.op('batchNormalization', [moved, gamma, beta, mean, variance], { epsilon });
    return a === 1 ? y : m.op('transpose', [y], { perm: inverse }, 'to_channels_last');
  },
};

const layerNormalization: KerasLayer = {
  className: 'LayerNormalization',
  doc: 'gamma · (x - mean) / sqrt(variance + epsilon) + beta over `axis` (default -1; several axes must be the last ones).',
  inputs: 'one',
  build(call, [x]) {
    const { m, cfg } = call;
    const epsilon = cfg.number('epsilon', 1e-3);
    const center = cfg.boolean('center', true);
    const scale = cfg.boolean('scale', true);
    const r = x.shape.length;
    const axes = axesOf(call, r, x);
    if (axes.some((a, i) => a !== r - axes.length + i)) {
      throw call.fail(`normalises over axes ${fmt(axes)} of ${fmt(x.shape)}; Layerstep supports the last axes only.`);
    }
    const shape = x.shape.slice(axes[0]);
    const gamma = optional(call, 'gamma', scale, shape, 1);
    const beta = optional(call, 'beta', center, shape, 0);
    return m.op('layerNormalization', [x, gamma, beta], { axis: axes[0], epsilon });
  },
};

export const normLayers: readonly KerasLayer[] = [batchNormalization, layerNormalization];
