import type { OpDef } from '../registry';
import { gather } from '../kernels/gather';
import { intAttr, required } from '../kernels/opArgs';

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
  },
];
