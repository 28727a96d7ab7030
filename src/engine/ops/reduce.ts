import type { Attrs, OpDef } from '../registry';
import type { Shape, Tensor } from '../tensor';
import { argMax, reduce } from '../kernels/reduce';
import type { ReduceKind } from '../kernels/reduce';
import { identity } from '../kernels/unary';
import { intAttr, intList, required } from '../kernels/opArgs';
import { ShapeError, needShape, normAxis } from '../shapeRules';

export { argMax, reduce, reduceMax, reduceMean, reduceMin, reduceSum } from '../kernels/reduce';
export type { ReduceKind } from '../kernels/reduce';

/** The shape of a reduction over `axes` (all when none are given), reduced axes kept as 1 with keepdims. */
function reducedShape(op: string, inputs: readonly (Shape | undefined)[], attrs: Attrs): Shape[] {
  const x = needShape(op, inputs, 0);
  const given = intList(op, 'axes', undefined, attrs.axes) ?? [];
  if (given.length === 0 && inputs[1] !== undefined) throw new ShapeError(`${op} needs 'axes' as an attribute: its output shape depends on it`);
  if (given.length === 0 && intAttr(op, attrs, 'noopWithEmptyAxes', 0) !== 0) return [[...x]];
  const axes = given.length ? given.map((a) => normAxis(a, x.length)) : x.map((_, i) => i);
  if (new Set(axes).size !== axes.length) throw new ShapeError(`${op} axes repeat an axis`);
  const keep = intAttr(op, attrs, 'keepdims', 1) !== 0;
  return [x.flatMap((d, i) => (!axes.includes(i) ? [d] : keep ? [1] : []))];
}

/** The shape of argMax and argMin: the axis kept as 1 or dropped. */
export function argShape(op: string, inputs: readonly (Shape | undefined)[], attrs: Attrs): Shape[] {
  const x = needShape(op, inputs, 0);
  const axis = normAxis(intAttr(op, attrs, 'axis', 0), x.length);
  return [intAttr(op, attrs, 'keepdims', 1) !== 0 ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis)];
}

/**
 * An ONNX-style reduction op (opset 18: axes as an input or, before, an attribute; `keepdims`;
 * `noopWithEmptyAxes`) over a kernel that reduces `x` over `axes`.
 */
export function reductionOp(name: string, doc: string, kernel: (x: Tensor, axes: readonly number[], keepdims: boolean) => Tensor): OpDef {
  return {
    name,
    doc,
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const x = required(name, inputs, 0, 'x');
      const axes = intList(name, 'axes', inputs[1], attrs.axes) ?? [];
      // ONNX-18: empty axes reduce everything unless noop_with_empty_axes asks for the input unchanged.
      if (axes.length === 0 && intAttr(name, attrs, 'noopWithEmptyAxes', 0) !== 0) return [identity(x)];
      return [kernel(x, axes, intAttr(name, attrs, 'keepdims', 1) !== 0)];
    },
    shape: (inputs, attrs) => reducedShape(name, inputs, attrs),
  };
}

function reduction(name: string, kind: ReduceKind, doc: string): OpDef {
  return reductionOp(name, doc, (x, axes, keepdims) => reduce(kind, x, axes, keepdims));
}

/** Reductions over axes and argMax (ONNX opset 18 / 13 semantics, docs/ops.md). */
export const reduceOps: readonly OpDef[] = [
  reduction('reduceSum', 'sum', 'Sum over axes (all by default).'),
  reduction('reduceMean', 'mean', 'Mean over axes (all by default).'),
  reduction('reduceMax', 'max', 'Maximum over axes (all by default); NaN wins.'),
  reduction('reduceMin', 'min', 'Minimum over axes (all by default); NaN wins.'),
  {
    name: 'argMax',
    doc: 'Index of the largest element along axis, as int64; ties go to the first (or last) index.',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [argMax(required('argMax', inputs, 0, 'x'), intAttr('argMax', attrs, 'axis', 0),
      intAttr('argMax', attrs, 'keepdims', 1) !== 0, intAttr('argMax', attrs, 'selectLastIndex', 0) !== 0)],
    shape: (inputs, attrs) => argShape('argMax', inputs, attrs),
  },
];
