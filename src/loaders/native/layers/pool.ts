import type { ParamTable } from '../params';
import { padsFor, requireSpatial } from './conv';
import type { LayerType } from './types';

function pool(type: string, op: 'maxPool' | 'averagePool', n: number): LayerType {
  const params: ParamTable = {
    poolSize: { kind: 'spatial', doc: 'Window size: one integer for every spatial axis, or one per axis.', min: 1, required: true },
    strides: { kind: 'spatial', doc: 'Step of the window (default: poolSize).', min: 1 },
    padding: { kind: 'padding', doc: "'valid', 'same' or explicit pads [begin..., end...]. Averages leave padding out of the count.", default: 'valid' },
  };
  return {
    type,
    doc: `${n}-D ${op === 'maxPool' ? 'max' : 'average'} pooling over channels-first input.`,
    params,
    build(ctx, x) {
      const { p, m } = ctx;
      requireSpatial(ctx, x, n);
      const k = p.spatial('poolSize', n);
      const strides = p.has('strides') ? p.spatial('strides', n) : k;
      const dilations = k.map(() => 1);
      const pads = padsFor(p.padding('padding', n), x, k, strides, dilations);
      return m.op(op, [x], { kernelShape: k, strides, pads });
    },
  };
}

function globalPool(type: string, op: 'globalAveragePool' | 'globalMaxPool'): LayerType {
  return {
    type,
    doc: `${op === 'globalMaxPool' ? 'Maximum' : 'Mean'} over all spatial axes: [N, C, ...] → [N, C] (or [N, C, 1, ...] with keepDims).`,
    params: { keepDims: { kind: 'boolean', doc: 'Keep the spatial axes as size 1.', default: false } },
    build(ctx, x) {
      const { p, m, fail } = ctx;
      if (x.shape.length < 3) throw fail(`expects an input [N, C, ...spatial] of rank 3 or more but ${x.from} gives [${x.shape.join(', ')}].`);
      const keep = p.boolean('keepDims');
      const y = m.op(op, [x]);
      return keep ? y : m.op('squeeze', [y], { axes: x.shape.slice(2).map((_, i) => i + 2) });
    },
  };
}

export const poolLayers: readonly LayerType[] = [
  pool('maxPool1d', 'maxPool', 1), pool('maxPool2d', 'maxPool', 2),
  pool('averagePool1d', 'averagePool', 1), pool('averagePool2d', 'averagePool', 2),
  globalPool('globalAveragePool', 'globalAveragePool'), globalPool('globalMaxPool', 'globalMaxPool'),
];
