import type { OpDef } from '../registry';
import type { Tensor } from '../tensor';
import { add, div, max, min, mul, pow, sub } from '../kernels/binary';
import { required } from '../kernels/opArgs';
import { broadcasting, sameAsFirst } from '../shapeRules';
import { abs, ceil, erf, exp, floor, identity, log, neg, reciprocal, sqrt } from '../kernels/unary';

export { add, div, max, min, mul, pow, promoteDtypes, sub } from '../kernels/binary';
export { abs, ceil, erf, exp, floor, identity, log, neg, reciprocal, sqrt } from '../kernels/unary';

function binary(name: string, doc: string, f: (a: Tensor, b: Tensor) => Tensor): OpDef {
  return {
    name,
    doc,
    minInputs: 2,
    maxInputs: 2,
    run: (inputs) => [f(required(name, inputs, 0, 'a'), required(name, inputs, 1, 'b'))],
    shape: broadcasting(name),
  };
}

function unary(name: string, doc: string, f: (x: Tensor) => Tensor): OpDef {
  return { name, doc, minInputs: 1, maxInputs: 1, run: (inputs) => [f(required(name, inputs, 0, 'x'))], shape: sameAsFirst(name) };
}

/** Elementwise arithmetic (NumPy broadcasting) and math functions, as ONNX defines them (docs/ops.md). */
export const elementwiseOps: readonly OpDef[] = [
  binary('add', 'a + b, broadcast.', add),
  binary('sub', 'a − b, broadcast.', sub),
  binary('mul', 'a · b, broadcast.', mul),
  binary('div', 'a / b, broadcast; integer division truncates toward zero.', div),
  binary('pow', 'a to the power b, broadcast; the result has the dtype of a.', pow),
  binary('max', 'Elementwise maximum of a and b, broadcast; NaN wins.', max),
  binary('min', 'Elementwise minimum of a and b, broadcast; NaN wins.', min),
  unary('sqrt', 'Square root.', sqrt),
  unary('exp', 'e to the power x.', exp),
  unary('log', 'Natural logarithm.', log),
  unary('neg', '−x.', neg),
  unary('abs', '|x|.', abs),
  unary('reciprocal', '1 / x.', reciprocal),
  unary('erf', 'The error function.', erf),
  unary('floor', 'Rounds down.', floor),
  unary('ceil', 'Rounds up.', ceil),
  unary('identity', 'Passes x through unchanged.', identity),
];
