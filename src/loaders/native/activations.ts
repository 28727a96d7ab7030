import type { Attrs } from '../../engine/registry';

/**
 * The `activation` values a layer may name, and the op each one calls (docs/ops.md). `linear` calls nothing.
 * Parameterised ones use these fixed settings; for other settings use the activation's own layer type.
 */
export const ACTIVATIONS: Readonly<Record<string, { readonly op: string; readonly attrs: Attrs; readonly doc: string } | null>> = {
  linear: null,
  relu: { op: 'relu', attrs: {}, doc: 'max(x, 0)' },
  relu6: { op: 'clip', attrs: { min: 0, max: 6 }, doc: 'min(max(x, 0), 6)' },
  leakyRelu: { op: 'leakyRelu', attrs: { alpha: 0.01 }, doc: 'x if x > 0 else 0.01·x' },
  elu: { op: 'elu', attrs: { alpha: 1 }, doc: 'x if x > 0 else exp(x) - 1' },
  selu: { op: 'selu', attrs: {}, doc: 'scaled ELU (Klambauer et al. 2017)' },
  gelu: { op: 'gelu', attrs: { approximate: 'none' }, doc: 'x·Φ(x), exact erf form' },
  sigmoid: { op: 'sigmoid', attrs: {}, doc: '1 / (1 + exp(-x))' },
  hardSigmoid: { op: 'hardSigmoid', attrs: { alpha: 0.2, beta: 0.5 }, doc: 'clip(0.2·x + 0.5, 0, 1)' },
  tanh: { op: 'tanh', attrs: {}, doc: 'hyperbolic tangent' },
  softplus: { op: 'softplus', attrs: {}, doc: 'log(1 + exp(x))' },
  softsign: { op: 'softsign', attrs: {}, doc: 'x / (1 + |x|)' },
  swish: { op: 'silu', attrs: { beta: 1 }, doc: 'x·sigmoid(x)' },
  silu: { op: 'silu', attrs: { beta: 1 }, doc: 'x·sigmoid(x)' },
  softmax: { op: 'softmax', attrs: { axis: -1 }, doc: 'softmax over the last axis' },
  logSoftmax: { op: 'logSoftmax', attrs: { axis: -1 }, doc: 'log of softmax over the last axis' },
};

export const ACTIVATION_NAMES: readonly string[] = Object.keys(ACTIVATIONS);
