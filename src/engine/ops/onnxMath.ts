import type { OpDef } from '../registry';
import type { Tensor } from '../tensor';
import { floatAttr, intAttr, required } from '../kernels/opArgs';
import { broadcasting, sameAsFirst } from '../shapeRules';
import { celu, floatFunction, mod, prelu, sign, thresholdedRelu } from '../kernels/unaryMore';
import type { FloatFunction } from '../kernels/unaryMore';

export { celu, floatFunction, mod, prelu, roundHalfEven, sign, thresholdedRelu } from '../kernels/unaryMore';

function unary(name: string, doc: string, f: (x: Tensor) => Tensor): OpDef {
  return { name, doc, minInputs: 1, maxInputs: 1, run: (inputs) => [f(required(name, inputs, 0, 'x'))], shape: sameAsFirst(name) };
}

const FLOAT_DOCS: Readonly<Record<FloatFunction, string>> = {
  sin: 'Sine.', cos: 'Cosine.', tan: 'Tangent.', asin: 'Arcsine.', acos: 'Arccosine.', atan: 'Arctangent.',
  sinh: 'Hyperbolic sine.', cosh: 'Hyperbolic cosine.', asinh: 'Inverse hyperbolic sine.',
  acosh: 'Inverse hyperbolic cosine.', atanh: 'Inverse hyperbolic tangent.',
  round: 'Rounds to the nearest integer, halves to even.',
  hardSwish: 'x · max(0, min(1, x/6 + 1/2)).',
  mish: 'x · tanh(softplus(x)).',
};

/** More elementwise math from ONNX (Sign, Round, trigonometry, HardSwish, Mish, Celu, ThresholdedRelu, PRelu, Mod). */
export const onnxMathOps: readonly OpDef[] = [
  ...(Object.keys(FLOAT_DOCS) as FloatFunction[]).map((name) => unary(name, FLOAT_DOCS[name], (x) => floatFunction(name, x))),
  unary('sign', '-1, 0 or 1 by the sign of x.', sign),
  {
    name: 'celu',
    doc: 'max(0, x) + min(0, alpha · (e^(x/alpha) − 1)).',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [celu(required('celu', inputs, 0, 'x'), floatAttr('celu', attrs, 'alpha', 1))],
    shape: sameAsFirst('celu'),
  },
  {
    name: 'thresholdedRelu',
    doc: 'x where x > alpha, else 0.',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [thresholdedRelu(required('thresholdedRelu', inputs, 0, 'x'), floatAttr('thresholdedRelu', attrs, 'alpha', 1))],
    shape: sameAsFirst('thresholdedRelu'),
  },
  {
    name: 'prelu',
    doc: 'x, or slope · x below zero; slope broadcasts to x.',
    minInputs: 2,
    maxInputs: 2,
    run: (inputs) => [prelu(required('prelu', inputs, 0, 'X'), required('prelu', inputs, 1, 'slope'))],
    shape: broadcasting('prelu'),
  },
  {
    name: 'mod',
    doc: 'Remainder of a / b, broadcast: the sign of b, or with fmod the sign of a (C fmod; required for floats).',
    minInputs: 2,
    maxInputs: 2,
    run: (inputs, attrs) => [mod(required('mod', inputs, 0, 'A'), required('mod', inputs, 1, 'B'), intAttr('mod', attrs, 'fmod', 0) !== 0)],
    shape: broadcasting('mod'),
  },
];
