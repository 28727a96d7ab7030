import type { Attrs } from '../../engine/registry';
import type { ModuleBuilder, Value } from '../native/builder';
import type { JsonNode } from '../native/json';
import { prop } from '../native/json';
import type { Flavor } from './flavor';

/**
 * Keras activations by their saved name (snake_case), as the ops they call (docs/ops.md). Formulas follow
 * tfjs-layers' `activations.ts` and Keras' `activations.py`; `hard_sigmoid` is the only one whose formula
 * changed between versions (Keras 3: relu6(x + 3) / 6), hence the {@link Flavor}.
 */
type Apply = (m: ModuleBuilder, x: Value, flavor: Flavor, name?: string) => Value;

const one = (op: string, attrs: Attrs = {}): Apply => (m, x, _f, name) => m.op(op, [x], attrs, name ?? op);

/** clip(alpha·x + beta, 0, 1) with the slope of the model's Keras version. */
export const hardSigmoidAttrs = (flavor: Flavor): Attrs => ({ alpha: flavor.keras3 ? 1 / 6 : 0.2, beta: 0.5 });

export const KERAS_ACTIVATIONS: Readonly<Record<string, Apply | null>> = {
  linear: null,
  relu: one('relu'),
  relu6: one('clip', { min: 0, max: 6 }),
  elu: one('elu', { alpha: 1 }),
  selu: one('selu'),
  sigmoid: one('sigmoid'),
  hard_sigmoid: (m, x, f, name) => m.op('hardSigmoid', [x], hardSigmoidAttrs(f), name ?? 'hardSigmoid'),
  tanh: one('tanh'),
  softplus: one('softplus'),
  softsign: one('softsign'),
  swish: one('silu', { beta: 1 }),
  silu: one('silu', { beta: 1 }),
  gelu: one('gelu', { approximate: 'none' }),
  gelu_new: one('gelu', { approximate: 'tanh' }),
  softmax: one('softmax', { axis: -1 }),
  log_softmax: one('logSoftmax', { axis: -1 }),
  exponential: one('exp'),
  leaky_relu: one('leakyRelu', { alpha: 0.2 }),
  // mish(x) = x · tanh(softplus(x))
  mish: (m, x) => m.op('mul', [x, m.op('tanh', [m.op('softplus', [x])])], {}, 'mish'),
  // hard_swish(x) = x · relu6(x + 3) / 6
  hard_swish: (m, x) => m.op('mul', [x, m.op('hardSigmoid', [x], { alpha: 1 / 6, beta: 0.5 })], {}, 'hard_swish'),
  hard_silu: (m, x) => m.op('mul', [x, m.op('hardSigmoid', [x], { alpha: 1 / 6, beta: 0.5 })], {}, 'hard_silu'),
};

export const ACTIVATION_NAMES: readonly string[] = Object.keys(KERAS_ACTIVATIONS);

/** `hardSigmoid` → `hard_sigmoid`, `ReLU` → `relu`. */
function canonical(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * The activation a config value names: a string, or a Keras 3 serialised function
 * (`{ "class_name": "function", "config": "relu" }`); undefined when it is not one Layerstep knows.
 */
export function activationName(node: JsonNode): string | undefined {
  let raw: unknown = node.value;
  if (node.type === 'object') {
    const config = prop(node, 'config');
    const cls = prop(node, 'class_name');
    raw = config?.type === 'string' ? config.value : cls?.type === 'string' ? cls.value : undefined;
  }
  if (typeof raw !== 'string') return undefined;
  const name = canonical(raw);
  return name in KERAS_ACTIVATIONS ? name : undefined;
}

/** Applies an activation (`linear` adds no node); `name` gives the node a readable name. */
export function applyActivation(m: ModuleBuilder, x: Value, activation: string, flavor: Flavor, name?: string): Value {
  const f = KERAS_ACTIVATIONS[activation];
  return f ? f(m, x, flavor, name) : x;
}

/**
 * The name the native loader's recurrent cells use for a Keras activation (they apply it with
 * `native/layers/activation.ts`), or undefined when the cells cannot apply it faithfully.
 */
export function cellActivation(activation: string, flavor: Flavor): string | undefined {
  const map: Readonly<Record<string, string>> = {
    linear: 'linear', relu: 'relu', relu6: 'relu6', elu: 'elu', selu: 'selu', sigmoid: 'sigmoid', tanh: 'tanh',
    softplus: 'softplus', softsign: 'softsign', swish: 'swish', silu: 'silu', gelu: 'gelu',
  };
  if (activation === 'hard_sigmoid') return flavor.keras3 ? undefined : 'hardSigmoid';
  return map[activation];
}
