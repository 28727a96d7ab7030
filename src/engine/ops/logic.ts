import { EngineError } from '../errors';
import type { OpDef } from '../registry';
import type { Tensor } from '../tensor';
import { compare, isInf, isNaN, logic, not, where } from '../kernels/logic';
import type { CompareKind, LogicKind } from '../kernels/logic';
import { intAttr, required } from '../kernels/opArgs';
import { broadcasting, sameAsFirst } from '../shapeRules';

export { compare, isInf, isNaN, logic, not, where } from '../kernels/logic';
export type { CompareKind, LogicKind } from '../kernels/logic';

function binary(name: string, doc: string, f: (a: Tensor, b: Tensor) => Tensor): OpDef {
  return {
    name, doc, minInputs: 2, maxInputs: 2, run: (inputs) => [f(required(name, inputs, 0, 'a'), required(name, inputs, 1, 'b'))],
    shape: broadcasting(name),
  };
}

const comparison = (kind: CompareKind, doc: string): OpDef => binary(kind, doc, (a, b) => compare(kind, a, b));
const boolean = (kind: LogicKind, doc: string): OpDef => binary(kind, doc, (a, b) => logic(kind, a, b));

/** Comparisons, boolean logic and selection (ONNX Equal, Greater, Less, And, Or, Xor, Not, Where, IsNaN, IsInf). */
export const logicOps: readonly OpDef[] = [
  comparison('equal', 'a == b elementwise, broadcast; bool.'),
  comparison('greater', 'a > b elementwise, broadcast; bool.'),
  comparison('greaterOrEqual', 'a >= b elementwise, broadcast; bool.'),
  comparison('less', 'a < b elementwise, broadcast; bool.'),
  comparison('lessOrEqual', 'a <= b elementwise, broadcast; bool.'),
  boolean('and', 'Logical and, broadcast; bool.'),
  boolean('or', 'Logical or, broadcast; bool.'),
  boolean('xor', 'Logical exclusive or, broadcast; bool.'),
  { name: 'not', doc: 'Logical negation; bool.', minInputs: 1, maxInputs: 1, run: (inputs) => [not(required('not', inputs, 0, 'x'))], shape: sameAsFirst('not') },
  {
    name: 'where',
    doc: 'x where condition is true, else y; the three inputs broadcast together.',
    minInputs: 3,
    maxInputs: 3,
    run: (inputs) => [where(required('where', inputs, 0, 'condition'), required('where', inputs, 1, 'x'), required('where', inputs, 2, 'y'))],
    shape: broadcasting('where'),
  },
  { name: 'isNaN', doc: 'True where x is NaN.', minInputs: 1, maxInputs: 1, run: (inputs) => [isNaN(required('isNaN', inputs, 0, 'x'))], shape: sameAsFirst('isNaN') },
  {
    name: 'isInf',
    doc: 'True where x is infinite (detectNegative, detectPositive choose the signs).',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => {
      const x = required('isInf', inputs, 0, 'x');
      if (x.dtype !== 'float32') throw new EngineError(`input 'x' must be float32, got ${x.dtype}`, 'isInf');
      return [isInf(x, intAttr('isInf', attrs, 'detectNegative', 1) !== 0, intAttr('isInf', attrs, 'detectPositive', 1) !== 0)];
    },
    shape: sameAsFirst('isInf'),
  },
];
