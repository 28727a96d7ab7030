import { ACTIVATIONS } from '../activations';
import type { ModuleBuilder, Value } from '../builder';
import type { ParamTable } from '../params';
import type { LayerType } from './types';

/** Applies a named activation (`linear` adds no node); `name` gives the node a readable name. */
export function activate(m: ModuleBuilder, x: Value, activation: string, name?: string): Value {
  const def = ACTIVATIONS[activation];
  return def ? m.op(def.op, [x], def.attrs, name) : x;
}

/** A layer that calls one op on its input, its settings passed as the op's attributes. */
function unary(type: string, op: string, doc: string, params: ParamTable = {}, fixed: Record<string, number | string> = {}): LayerType {
  return {
    type, doc, params,
    build({ p, m }, x) {
      const attrs: Record<string, number | string> = { ...fixed };
      for (const [key, spec] of Object.entries(params)) {
        if (spec.kind === 'integer') attrs[key] = p.integer(key);
        else if (spec.kind === 'number') {
          const v = spec.default !== undefined ? p.number(key) : p.optionalNumber(key);
          if (v !== undefined) attrs[key] = v;
        } else if (spec.kind === 'enum') attrs[key] = p.enum(key);
      }
      return m.op(op, [x], attrs);
    },
  };
}

const axis = { kind: 'integer', doc: 'The axis to normalise over; negative counts from the end.', default: -1 } as const;

export const activationLayers: readonly LayerType[] = [
  {
    type: 'activation',
    doc: 'Applies the activation named by `activation`.',
    params: { activation: { kind: 'activation', doc: 'The activation function.', default: 'linear' } },
    build: ({ p, m }, x) => {
      const name = p.activation();
      // `linear` still emits a node so that every layer is a frame with its own output.
      return name === 'linear' ? m.op('identity', [x]) : activate(m, x, name);
    },
  },
  unary('relu', 'relu', 'max(x, 0).'),
  unary('relu6', 'clip', 'min(max(x, 0), 6).', {}, { min: 0, max: 6 }),
  unary('leakyRelu', 'leakyRelu', 'x if x > 0 else alpha·x.', { alpha: { kind: 'number', doc: 'Slope for x < 0.', default: 0.01 } }),
  unary('elu', 'elu', 'x if x > 0 else alpha·(exp(x) - 1).', { alpha: { kind: 'number', doc: 'Scale for x < 0.', default: 1 } }),
  unary('selu', 'selu', 'Scaled ELU with the fixed constants of Klambauer et al. (2017).'),
  unary('gelu', 'gelu', 'x·Φ(x).', { approximate: { kind: 'enum', doc: "'none' for the exact erf form, 'tanh' for the tanh approximation.", values: ['none', 'tanh'], default: 'none' } }),
  unary('sigmoid', 'sigmoid', '1 / (1 + exp(-x)).'),
  unary('hardSigmoid', 'hardSigmoid', 'clip(alpha·x + beta, 0, 1).', {
    alpha: { kind: 'number', doc: 'Slope.', default: 0.2 }, beta: { kind: 'number', doc: 'Offset.', default: 0.5 },
  }),
  unary('tanh', 'tanh', 'Hyperbolic tangent.'),
  unary('softplus', 'softplus', 'log(1 + exp(x)).'),
  unary('softsign', 'softsign', 'x / (1 + |x|).'),
  unary('swish', 'silu', 'x·sigmoid(beta·x).', { beta: { kind: 'number', doc: 'Scale inside the sigmoid.', default: 1 } }),
  unary('silu', 'silu', 'x·sigmoid(beta·x) (same as swish).', { beta: { kind: 'number', doc: 'Scale inside the sigmoid.', default: 1 } }),
  unary('clip', 'clip', 'Clamps x to [min, max].', {
    min: { kind: 'number', doc: 'Lower bound (none if absent).' }, max: { kind: 'number', doc: 'Upper bound (none if absent).' },
  }),
  unary('softmax', 'softmax', 'exp(x) / sum(exp(x)) along `axis`.', { axis }),
  unary('logSoftmax', 'logSoftmax', 'log(softmax(x)) along `axis`.', { axis }),
];
