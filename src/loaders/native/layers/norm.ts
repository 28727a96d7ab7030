import { fmt, normAxis, ShapeError } from '../../../model/shapes';
import type { LayerType } from './types';

/** `batchNorm`: inference-time batch normalisation over axis 1 (channels), with the running statistics. */
const batchNorm: LayerType = {
  type: 'batchNorm',
  doc: 'Batch normalisation at inference over axis 1: gamma · (x - mean) / sqrt(variance + epsilon) + beta.',
  params: { epsilon: { kind: 'number', doc: 'Added to the variance.', min: 0, default: 1e-3 } },
  weights: { gamma: '[C]', beta: '[C]', mean: '[C] (running mean)', variance: '[C] (running variance)' },
  build({ p, m, fail }, x) {
    const epsilon = p.number('epsilon');
    if (x.shape.length < 2) throw fail(`expects an input [N, C, ...] but ${x.from} gives ${fmt(x.shape)}.`);
    const c = x.shape[1];
    const declared = m.declaredShape('gamma');
    if (declared?.length === 1 && declared[0] !== c) {
      throw fail(`expects an input with ${declared[0]} channels on axis 1 (its gamma is ${fmt(declared)}) but ${x.from} gives ${fmt(x.shape)}.`);
    }
    const roles = ['gamma', 'beta', 'mean', 'variance'].map((r) => m.weight(r, [c]));
    return m.op('batchNormalization', [x, ...roles], { epsilon });
  },
};

/** `layerNorm`: normalises over the axes from `axis` to the last, with a learned scale and offset. */
const layerNorm: LayerType = {
  type: 'layerNorm',
  doc: 'Layer normalisation over the axes from `axis` to the last: gamma · (x - mean) / sqrt(var + epsilon) + beta.',
  params: {
    axis: { kind: 'integer', doc: 'First normalised axis; negative counts from the end.', default: -1 },
    epsilon: { kind: 'number', doc: 'Added to the variance.', min: 0, default: 1e-5 },
  },
  weights: { gamma: 'the input shape from `axis` on, e.g. [D]', beta: 'same as gamma' },
  build({ p, m, fail }, x) {
    const axis = p.integer('axis');
    const epsilon = p.number('epsilon');
    let a: number;
    try {
      a = normAxis(axis, x.shape.length);
    } catch (e) {
      if (e instanceof ShapeError) throw fail(`has axis ${axis}, out of range for the input ${fmt(x.shape)} from ${x.from}.`);
      throw e;
    }
    const normalized = x.shape.slice(a);
    const declared = m.declaredShape('gamma');
    if (declared && fmt(declared) !== fmt(normalized)) {
      throw fail(`expects an input ending in ${fmt(declared)} (its gamma is ${fmt(declared)}) but ${x.from} gives ${fmt(x.shape)}.`);
    }
    const gamma = m.weight('gamma', normalized);
    const beta = m.weight('beta', normalized);
    return m.op('layerNormalization', [x, gamma, beta], { axis, epsilon });
  },
};

export const normLayers: readonly LayerType[] = [batchNorm, layerNorm];
