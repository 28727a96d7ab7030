import type { Attrs, OpDef } from '../registry';
import { intAttr, required } from '../kernels/opArgs';
import { logSoftmax, softmax } from '../kernels/softmax';
import { needShape, normAxis } from '../shapeRules';
import type { Shape } from '../tensor';

/** Softmax keeps the input's shape; the axis must exist (a scalar or an empty input takes any, as in the kernel). */
const alongAxis = (op: string) => (inputs: readonly (Shape | undefined)[], attrs: Attrs): Shape[] => {
  const x = needShape(op, inputs, 0);
  if (x.length > 0 && !x.includes(0)) normAxis(intAttr(op, attrs, 'axis', -1), x.length);
  return [[...x]];
};

export { logSoftmax, softmax } from '../kernels/softmax';

/** Softmax and log-softmax along one axis (ONNX opset 13 semantics, docs/ops.md). */
export const softmaxOps: readonly OpDef[] = [
  {
    name: 'softmax',
    doc: 'e^x normalised to sum to 1 along axis (default the last).',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [softmax(required('softmax', inputs, 0, 'x'), intAttr('softmax', attrs, 'axis', -1))],
    shape: alongAxis('softmax'),
  },
  {
    name: 'logSoftmax',
    doc: 'log(softmax(x)) along axis (default the last), computed without forming softmax.',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [logSoftmax(required('logSoftmax', inputs, 0, 'x'), intAttr('logSoftmax', attrs, 'axis', -1))],
    shape: alongAxis('logSoftmax'),
  },
];
