import { Tensor } from '../../../engine/tensor';
import { fmt } from '../../../model/shapes';
import type { LayerConfig } from '../config';
import { isChannelsLast, toChannelsLast } from '../layout';
import type { KerasLayer } from './types';

/** Layers that move values without arithmetic. Shapes in their configs leave out the batch axis, as Keras does. */

const flatten: KerasLayer = {
  className: 'Flatten',
  doc: 'Flattens all axes but the batch, in the model\'s own (channels-last) order.',
  inputs: 'one',
  acceptsIntegers: true,
  build({ m, cfg }, [x]) {
    // Keras flattens channels-first data in channels-last order.
    const last = isChannelsLast(cfg);
    const y = !last && x.shape.length > 2 ? toChannelsLast(m, x, true) : x;
    return m.op('flatten', [y], { axis: 1 });
  },
};

const reshape: KerasLayer = {
  className: 'Reshape',
  doc: 'Reshapes to `target_shape` (batch axis excluded; -1 or null is inferred).',
  inputs: 'one',
  acceptsIntegers: true,
  build: ({ m, cfg }, [x]) => m.op('reshape', [x], { shape: [x.shape[0], ...cfg.integers('target_shape', -1)] }),
};

const permute: KerasLayer = {
  className: 'Permute',
  doc: 'Permutes the axes after the batch by `dims` (1-based).',
  inputs: 'one',
  acceptsIntegers: true,
  build({ m, cfg, fail }, [x]) {
    const dims = cfg.integers('dims');
    const sorted = [...dims].sort((a, b) => a - b);
    if (dims.length !== x.shape.length - 1 || sorted.some((d, i) => d !== i + 1)) {
      throw fail(`has dims ${fmt(dims)}, which is not a permutation of 1..${x.shape.length - 1} for its input ${fmt(x.shape)} from ${x.from}.`);
    }
    return m.op('transpose', [x], { perm: [0, ...dims] });
  },
};

const repeatVector: KerasLayer = {
  className: 'RepeatVector',
  doc: 'Repeats a [batch, features] input n times: [batch, n, features].',
  inputs: 'one',
  acceptsIntegers: true,
  build({ m, cfg, fail }, [x]) {
    const n = cfg.integer('n', undefined, 1);
    if (x.shape.length !== 2) throw fail(`expects an input [batch, features] but ${x.from} gives ${fmt(x.shape)}.`);
    const y = m.op('unsqueeze', [x], { axes: [1] });
    // Broadcast against ones [1, n, 1]: the static shape inference has no rule for `expand`.
    const ones = Tensor.zeros([1, n, 1]);
    ones.data.fill(1);
    return m.op('mul', [y, m.constant('ones', ones)], {}, 'repeat');
  },
};

/** Keras' 2-D padding/cropping amounts: `n`, `[h, w]` or `[[top, bottom], [left, right]]`. */
function amounts(cfg: LayerConfig, key: string): [[number, number], [number, number]] {
  const node = cfg.raw(key);
  const v = node ? cfg.value(key) : 0;
  const int = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  const pair = (p: unknown): [number, number] | undefined => (int(p) ? [p, p] : Array.isArray(p) && p.length === 2 && p.every(int) ? [p[0], p[1]] : undefined);
  let out: [[number, number], [number, number]] | undefined;
  if (int(v)) out = [[v, v], [v, v]];
  else if (Array.isArray(v) && v.length === 2 && v.every(int)) out = [[v[0], v[0]], [v[1], v[1]]];
  else if (Array.isArray(v) && v.length === 2) {
    const [a, b] = [pair(v[0]), pair(v[1])];
    if (a && b) out = [a, b];
  }
  if (!out) throw cfg.fail(`has "${key}" set to ${JSON.stringify(v)}; expected n, [rows, cols] or [[top, bottom], [left, right]] of non-negative integers.`, node);
  cfg.note(key, [...out[0], ...out[1]]);
  return out;
}

/** The two spatial axes of a rank-4 value. */
function spatialAxes(cfg: LayerConfig, fail: (m: string) => Error, x: { shape: readonly number[]; from: string }): [number, number] {
  if (x.shape.length !== 4) throw fail(`expects an input of rank 4 (batch, rows, cols and channels) but ${x.from} gives ${fmt(x.shape)}.`);
  return isChannelsLast(cfg) ? [1, 2] : [2, 3];
}

const zeroPadding2d: KerasLayer = {
  className: 'ZeroPadding2D',
  doc: 'Pads rows and columns with zeros.',
  inputs: 'one',
  build({ m, cfg, fail }, [x]) {
    const [[top, bottom], [left, right]] = amounts(cfg, 'padding');
    const [h, w] = spatialAxes(cfg, fail, x);
    const begin = [0, 0, 0, 0];
    const end = [0, 0, 0, 0];
    [begin[h], end[h], begin[w], end[w]] = [top, bottom, left, right];
    return m.op('pad', [x], { pads: [...begin, ...end], mode: 'constant', value: 0 });
  },
};

const cropping2d: KerasLayer = {
  className: 'Cropping2D',
  doc: 'Removes rows and columns at the edges.',
  inputs: 'one',
  build({ m, cfg, fail }, [x]) {
    const [[top, bottom], [left, right]] = amounts(cfg, 'cropping');
    const [h, w] = spatialAxes(cfg, fail, x);
    if (top + bottom >= x.shape[h] || left + right >= x.shape[w]) {
      throw fail(`crops ${top + bottom} rows and ${left + right} columns from ${fmt(x.shape)} (from ${x.from}), which leaves nothing.`);
    }
    return m.op('slice', [x], { starts: [top, left], ends: [x.shape[h] - bottom, x.shape[w] - right], axes: [h, w], steps: [1, 1] });
  },
};

const upSampling2d: KerasLayer = {
  className: 'UpSampling2D',
  doc: 'Repeats rows and columns `size` times (nearest), or interpolates (bilinear: TF.js samples from the corners, Keras from pixel centres).',
  inputs: 'one',
  build({ m, cfg, flavor, fail }, [x]) {
    const [sh, sw] = cfg.tuple('size', 2, 2);
    const interpolation = cfg.oneOf('interpolation', ['nearest', 'bilinear'], 'nearest');
    const [h, w] = spatialAxes(cfg, fail, x);
    const scales = [1, 1, 1, 1];
    [scales[h], scales[w]] = [sh, sw];
    // Nearest: out[i] = in[floor(i / size)] exactly.
    if (interpolation === 'nearest') return m.op('resize', [x], { scales, mode: 'nearest', coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' });
    return m.op('resize', [x], { scales, mode: 'linear', coordinateTransformationMode: flavor.tfjs ? 'asymmetric' : 'half_pixel' });
  },
};

const upSampling3d: KerasLayer = {
  className: 'UpSampling3D',
  doc: 'Repeats depth, rows and columns `size` times (nearest).',
  inputs: 'one',
  build({ m, cfg, fail }, [x]) {
    const size = cfg.tuple('size', 3, 2);
    if (x.shape.length !== 5) throw fail(`expects an input of rank 5 (batch, depth, rows, cols and channels) but ${x.from} gives ${fmt(x.shape)}.`);
    const first = isChannelsLast(cfg) ? 1 : 2;
    const scales = [1, 1, 1, 1, 1];
    size.forEach((s, i) => { scales[first + i] = s; });
    // out[i] = in[floor(i / size)] exactly, as Keras repeats each element.
    return m.op('resize', [x], { scales, mode: 'nearest', coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' });
  },
};

export const reshapingLayers: readonly KerasLayer[] = [flatten, reshape, permute, repeatVector, zeroPadding2d, cropping2d, upSampling2d, upSampling3d];
