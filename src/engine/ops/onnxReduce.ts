import type { OpDef } from '../registry';
import { intAttr, intList, required } from '../kernels/opArgs';
import { argMin, reduceExtra } from '../kernels/reduceMore';
import type { ExtraReduceKind } from '../kernels/reduceMore';
import { identity } from '../kernels/unary';

export { argMin, reduceExtra } from '../kernels/reduceMore';
export type { ExtraReduceKind } from '../kernels/reduceMore';

function reduction(name: string, kind: ExtraReduceKind, doc: string): OpDef {
  return {
    name,
    doc,
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const x = required(name, inputs, 0, 'data');
      const axes = intList(name, 'axes', inputs[1], attrs.axes) ?? [];
      // ONNX-18: empty axes reduce everything unless noop_with_empty_axes asks for the input unchanged.
      if (axes.length === 0 && intAttr(name, attrs, 'noopWithEmptyAxes', 0) !== 0) return [identity(x)];
      return [reduceExtra(kind, x, axes, intAttr(name, attrs, 'keepdims', 1) !== 0)];
    },
  };
}

/** The other ONNX reductions (opset 18: axes as an input or, before, an attribute) and ArgMin. */
export const onnxReduceOps: readonly OpDef[] = [
  reduction('reduceL1', 'l1', 'Sum of absolute values over axes (all by default).'),
  reduction('reduceL2', 'l2', 'Square root of the sum of squares over axes (all by default).'),
  reduction('reduceSumSquare', 'sumSquare', 'Sum of squares over axes (all by default).'),
  reduction('reduceProd', 'prod', 'Product over axes (all by default).'),
  reduction('reduceLogSum', 'logSum', 'Natural log of the sum over axes (all by default).'),
  reduction('reduceLogSumExp', 'logSumExp', 'log Σ e^x over axes (all by default), computed stably.'),
  {
    name: 'argMin',
    doc: 'Index of the smallest element along axis, as int64; ties go to the first (or last) index.',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [argMin(required('argMin', inputs, 0, 'data'), intAttr('argMin', attrs, 'axis', 0),
      intAttr('argMin', attrs, 'keepdims', 1) !== 0, intAttr('argMin', attrs, 'selectLastIndex', 0) !== 0)],
  },
];
