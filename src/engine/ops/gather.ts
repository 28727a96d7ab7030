import type { OpDef } from '../registry';
import { gather } from '../kernels/gather';
import { intAttr, required } from '../kernels/opArgs';
import { needShape, normAxis } from '../shapeRules';

export { gather } from '../kernels/gather';

/** Indexing ops (ONNX Gather; an embedding lookup is gather on axis 0). */
export const gatherOps: readonly OpDef[] = [
  {
    name: 'gather',
    doc: 'Picks slices along an axis by integer indices (negative count from the end).',
    minInputs: 2,
    maxInputs: 2,
    run: (inputs, attrs) => [
      gather(required('gather', inputs, 0, 'data'), required('gather', inputs, 1, 'indices'), intAttr('gather', attrs, 'axis', 0)),
    ],
    shape: (inputs, attrs) => {
      const data = needShape('gather', inputs, 0);
      const axis = normAxis(intAttr('gather', attrs, 'axis', 0), data.length);
      return [[...data.slice(0, axis), ...needShape('gather', inputs, 1), ...data.slice(axis + 1)]];
    },
  },
];
