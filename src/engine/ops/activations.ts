import { EngineError } from '../errors';
import type { Attrs, OpDef } from '../registry';
import type { Tensor } from '../tensor';
import {
  SELU_ALPHA, SELU_GAMMA, clip, elu, gelu, hardSigmoid, leakyRelu, relu, selu, sigmoid, silu, softplus, softsign, tanh,
} from '../kernels/activations';
import { enumAttr, floatAttr, numberList, required } from '../kernels/opArgs';
import { sameAsFirst } from '../shapeRules';

export {
  SELU_ALPHA, SELU_GAMMA, clip, elu, gelu, hardSigmoid, leakyRelu, relu, selu, sigmoid, silu, softplus, softsign, tanh,
} from '../kernels/activations';

function activation(name: string, doc: string, f: (x: Tensor, attrs: Attrs) => Tensor): OpDef {
  return {
    name, doc, minInputs: 1, maxInputs: 1, run: (inputs, attrs) => [f(required(name, inputs, 0, 'x'), attrs)], shape: sameAsFirst(name),
  };
}

/** A clip bound: the input when the node has it (a scalar), else the attribute, else none. */
function bound(name: 'min' | 'max', input: Tensor | undefined, attrs: Attrs): number | undefined {
  const values = numberList('clip', name, input, attrs[name]);
  if (values === undefined) return undefined;
  if (values.length !== 1) throw new EngineError(`'${name}' must be a single number, got ${values.length} values`, 'clip');
  return values[0];
}

/** Activation functions (ONNX semantics and attribute defaults, docs/ops.md). */
export const activationsOps: readonly OpDef[] = [
  activation('relu', 'max(x, 0).', (x) => relu(x)),
  activation('sigmoid', '1 / (1 + e^−x).', (x) => sigmoid(x)),
  activation('tanh', 'Hyperbolic tangent.', (x) => tanh(x)),
  activation('softplus', 'log(1 + e^x).', (x) => softplus(x)),
  activation('softsign', 'x / (1 + |x|).', (x) => softsign(x)),
  activation('leakyRelu', 'x, or alpha · x below zero.', (x, a) => leakyRelu(x, floatAttr('leakyRelu', a, 'alpha', 0.01))),
  activation('elu', 'x, or alpha · (e^x − 1) below zero.', (x, a) => elu(x, floatAttr('elu', a, 'alpha', 1))),
  activation('selu', 'gamma · x, or gamma · alpha · (e^x − 1) at or below zero.',
    (x, a) => selu(x, floatAttr('selu', a, 'alpha', SELU_ALPHA), floatAttr('selu', a, 'gamma', SELU_GAMMA))),
  activation('gelu', 'x · Φ(x), exact (erf) or with the tanh approximation.',
    (x, a) => gelu(x, enumAttr('gelu', a, 'approximate', ['none', 'tanh'] as const, 'none'))),
  activation('hardSigmoid', 'max(0, min(1, alpha · x + beta)).',
    (x, a) => hardSigmoid(x, floatAttr('hardSigmoid', a, 'alpha', 0.2), floatAttr('hardSigmoid', a, 'beta', 0.5))),
  activation('silu', 'x · sigmoid(beta · x) (swish).', (x, a) => silu(x, floatAttr('silu', a, 'beta', 1))),
  {
    name: 'clip',
    doc: 'Clamps x to [min, max]; each bound is an input or an attribute, and either may be absent.',
    minInputs: 1,
    maxInputs: 3,
    run: (inputs, attrs) => [clip(required('clip', inputs, 0, 'x'),
      bound('min', inputs[1], attrs) ?? -Infinity, bound('max', inputs[2], attrs) ?? Infinity)],
    shape: sameAsFirst('clip'),
  },
];
