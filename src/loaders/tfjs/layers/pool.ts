import { fmt } from '../../../model/shapes';
import { isChannelsLast, toChannelsFirst, toChannelsLast } from '../layout';
import { kerasPads } from './conv';
import type { KerasLayer } from './types';

/**
 * Pooling. Windowed pools go through the engine's channels-first ops like convolutions do (padding `same`
 * leaves the padded cells out of both the max and the average, as TF does); global pools are reductions
 * over the spatial axes in the model's own layout.
 */

function pool(className: string, op: 'maxPool' | 'averagePool', n: number): KerasLayer {
  return {
    className,
    doc: `${n}-D ${op === 'maxPool' ? 'max' : 'average'} pooling; padding valid or same.`,
    inputs: 'one',
    build({ m, cfg, fail }, [x]) {
      if (x.shape.length !== n + 2) throw fail(`expects an input of rank ${n + 2} but ${x.from} gives ${fmt(x.shape)}.`);
      const k = cfg.tuple('pool_size', n, 2);
      const strides = cfg.has('strides') ? cfg.tuple('strides', n) : k;
      const last = isChannelsLast(cfg);
      const xc = toChannelsFirst(m, x, last);
      const pads = kerasPads(cfg, xc.shape.slice(2), k, strides, k.map(() => 1));
      return toChannelsLast(m, m.op(op, [xc], { kernelShape: k, strides, pads }), last);
    },
  };
}

function globalPool(className: string, op: 'reduceMean' | 'reduceMax', n: number): KerasLayer {
  return {
    className,
    doc: `${op === 'reduceMax' ? 'Maximum' : 'Mean'} over the ${n === 1 ? 'steps' : 'rows and columns'}: [N, ..., C] → [N, C] (keepdims keeps them as 1).`,
    inputs: 'one',
    build({ m, cfg, fail }, [x]) {
      if (x.shape.length !== n + 2) throw fail(`expects an input of rank ${n + 2} but ${x.from} gives ${fmt(x.shape)}.`);
      const keep = cfg.boolean('keepdims', false);
      const first = isChannelsLast(cfg) ? 1 : 2;
      const axes = Array.from({ length: n }, (_, i) => first + i);
      return m.op(op, [x], { axes, keepdims: keep ? 1 : 0 });
    },
  };
}

export const poolLayers: readonly KerasLayer[] = [
  pool('MaxPooling1D', 'maxPool', 1), pool('MaxPooling2D', 'maxPool', 2),
  pool('MaxPooling3D', 'maxPool', 3),
  pool('AveragePooling1D', 'averagePool', 1), pool('AveragePooling2D', 'averagePool', 2), pool('AveragePooling3D', 'averagePool', 3),
  globalPool('GlobalAveragePooling1D', 'reduceMean', 1), globalPool('GlobalAveragePooling2D', 'reduceMean', 2),
  globalPool('GlobalMaxPooling1D', 'reduceMax', 1), globalPool('GlobalMaxPooling2D', 'reduceMax', 2),
];
