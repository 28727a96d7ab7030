import { Tensor } from '../../../engine/tensor';
import { fmt } from '../../../model/shapes';
import { applyActivation } from '../activations';
import type { KerasLayer } from './types';

/** Layers that do not care about layout: Dense, Embedding, the activation layers, Dropout and its kin. */

const dense: KerasLayer = {
  className: 'Dense',
  doc: 'activation(x · kernel + bias) on the last axis (any rank).',
  inputs: 'one',
  build({ m, cfg, weights, flavor, fail }, [x]) {
    const units = cfg.integer('units', undefined, 1);
    const act = cfg.activation();
    const useBias = cfg.boolean('use_bias', true);
    if (x.shape.length < 2) throw fail(`expects an input of rank 2 or more but ${x.from} gives ${fmt(x.shape)}.`);
    const inDim = x.shape[x.shape.length - 1];
    let y = m.op('matmul', [x, weights.use(m, 'kernel', [inDim, units])]);
    if (useBias) y = m.op('add', [y, weights.use(m, 'bias', [units])]);
    return applyActivation(m, y, act, flavor);
  },
};

const embedding: KerasLayer = {
  className: 'Embedding',
  doc: 'Looks integer ids up in a table [input_dim, output_dim] (float ids are truncated to integers first, as Keras casts them).',
  inputs: 'one',
  acceptsIntegers: true,
  build({ m, cfg, weights }, [x]) {
    const inputDim = cfg.integer('input_dim', undefined, 1);
    const outputDim = cfg.integer('output_dim', undefined, 1);
    cfg.boolean('mask_zero', false);
    const ids = x.dtype === 'float32' ? m.op('cast', [x], { to: 'int32' }, 'to_ids') : x;
    return m.op('gather', [weights.use(m, 'embeddings', [inputDim, outputDim]), ids], { axis: 0 });
  },
};

const activation: KerasLayer = {
  className: 'Activation',
  doc: 'Applies the activation named by `activation`.',
  inputs: 'one',
  build({ m, cfg, flavor }, [x]) {
    const act = cfg.activation();
    // `linear` still emits a node so that the layer is a frame with its own output.
    return act === 'linear' ? m.op('identity', [x]) : applyActivation(m, x, act, flavor);
  },
};

const relu: KerasLayer = {
  className: 'ReLU',
  doc: 'max(x, 0), or leaky below 0 with `negative_slope`, capped at `max_value`; `threshold` must be 0.',
  inputs: 'one',
  build({ m, cfg, fail }, [x]) {
    const slope = cfg.number('negative_slope', 0);
    const threshold = cfg.number('threshold', 0);
    const max = cfg.has('max_value') ? cfg.number('max_value') : undefined;
    if (threshold !== 0) throw fail(`has threshold ${threshold}; Layerstep supports ReLU layers with threshold 0 only.`);
    const y = slope === 0 ? m.op('relu', [x]) : m.op('leakyRelu', [x], { alpha: slope });
    return max === undefined ? y : m.op('clip', [y], { max }, 'max_value');
  },
};

const leakyRelu: KerasLayer = {
  className: 'LeakyReLU',
  doc: 'x if x > 0 else alpha·x (`alpha`, Keras 3 `negative_slope`; default 0.3).',
  inputs: 'one',
  build: ({ m, cfg }, [x]) => m.op('leakyRelu', [x], { alpha: cfg.has('negative_slope') ? cfg.number('negative_slope') : cfg.number('alpha', 0.3) }),
};

const elu: KerasLayer = {
  className: 'ELU',
  doc: 'x if x > 0 else alpha·(exp(x) - 1).',
  inputs: 'one',
  build: ({ m, cfg }, [x]) => m.op('elu', [x], { alpha: cfg.number('alpha', 1) }),
};

const softmax: KerasLayer = {
  className: 'Softmax',
  doc: 'Softmax along `axis` (default -1).',
  inputs: 'one',
  build: ({ m, cfg }, [x]) => m.op('softmax', [x], { axis: cfg.integer('axis', -1) }),
};

const rescaling: KerasLayer = {
  className: 'Rescaling',
  doc: 'x · scale + offset (e.g. scale 1/255 for pixel values).',
  inputs: 'one',
  build({ m, cfg }, [x]) {
    const scaled = m.op('mul', [x, m.constant('scale', Tensor.scalar(cfg.number('scale')))], {}, 'scale');
    const offset = cfg.number('offset', 0);
    return offset === 0 ? scaled : m.op('add', [scaled, m.constant('offset', Tensor.scalar(offset))], {}, 'offset');
  },
};

/** Layers that only act while training: at inference they return their input. */
function inert(className: string): KerasLayer {
  return {
    className,
    doc: 'Returns its input (it only acts while training).',
    inputs: 'one',
    acceptsIntegers: true,
    build: ({ m }, [x]) => m.op('identity', [x]),
  };
}

export const coreLayers: readonly KerasLayer[] = [
  dense, embedding, activation, relu, leakyRelu, elu, softmax, rescaling,
  ...['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization'].map(inert),
];
