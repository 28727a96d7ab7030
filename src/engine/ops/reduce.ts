import type { OpDef } from '../registry';
import type { Tensor } from '../tensor';
import { argMax, reduce } from '../kernels/reduce';
import type { ReduceKind } from '../kernels/reduce';
import { identity } from '../kernels/unary';
import { intAttr, intList, required } from '../kernels/opArgs';

export { argMax, reduce, reduceMax, reduceMean, reduceMin, reduceSum } from '../kernels/reduce';
export type { ReduceKind } from '../kernels/reduce';

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
  },
];
