import type { OpDef } from '../registry';
import { intAttr, required } from '../kernels/opArgs';
import { argMin, reduceExtra } from '../kernels/reduceMore';
import type { ExtraReduceKind } from '../kernels/reduceMore';
import { argShape, reductionOp } from './reduce';

export { argMin, reduceExtra } from '../kernels/reduceMore';
export type { ExtraReduceKind } from '../kernels/reduceMore';

function reduction(name: string, kind: ExtraReduceKind, doc: string): OpDef {
  return reductionOp(name, doc, (x, axes, keepdims) => reduceExtra(kind, x, axes, keepdims));
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
    shape: (inputs, attrs) => argShape('argMin', inputs, attrs),
  },
];
