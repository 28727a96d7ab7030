import { EngineError } from '../errors';
import type { OpDef } from '../registry';
import { castTarget, cast } from '../kernels/cast';
import { concat, split, splitSizes } from '../kernels/concat';
import { intAttr, intList, normalizeAxis, required } from '../kernels/opArgs';
import { expand, flatten, reshape, shapeOf, squeeze, unsqueeze } from '../kernels/reshape';
import { slice } from '../kernels/slice';
import { transpose } from '../kernels/transpose';

export { cast, castTarget } from '../kernels/cast';
export { concat, split, splitSizes } from '../kernels/concat';
export { expand, flatten, reshape, reshapeTarget, shapeOf, squeeze, unsqueeze } from '../kernels/reshape';
export { slice, sliceRange } from '../kernels/slice';
export { transpose } from '../kernels/transpose';

/** Ops that move, join, cut or relabel elements without arithmetic (ONNX semantics, docs/ops.md). */
export const shapeOps: readonly OpDef[] = [
  {
    name: 'flatten',
    doc: 'Reshapes to 2-D [prod(dims before axis), prod(dims from axis)].',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [flatten(required('flatten', inputs, 0, 'x'), intAttr('flatten', attrs, 'axis', 1))],
  },
  {
    name: 'reshape',
    doc: 'Gives the data a new shape: 0 copies the input dimension, -1 is inferred.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const shape = intList('reshape', 'shape', inputs[1], attrs.shape);
      if (shape === undefined) throw new EngineError(`needs 'shape' as input 1 or as an attribute`, 'reshape');
      return [reshape(required('reshape', inputs, 0, 'data'), shape, intAttr('reshape', attrs, 'allowzero', 0) !== 0)];
    },
  },
  {
    name: 'transpose',
    doc: 'Permutes the axes (default: reversed).',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => [transpose(required('transpose', inputs, 0, 'data'), intList('transpose', 'perm', undefined, attrs.perm))],
  },
  {
    name: 'concat',
    doc: 'Joins its inputs along an axis.',
    minInputs: 1,
    maxInputs: Number.POSITIVE_INFINITY,
    run: (inputs, attrs) => {
      const xs = inputs.map((_, i) => required('concat', inputs, i, `inputs[${i}]`));
      if (attrs.axis === undefined) throw new EngineError(`attribute 'axis' is required`, 'concat');
      return [concat(xs, intAttr('concat', attrs, 'axis', 0))];
    },
  },
  {
    name: 'split',
    doc: 'Cuts the input along an axis into pieces of the given sizes, or into numOutputs near-equal pieces.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const x = required('split', inputs, 0, 'input');
      const axis = normalizeAxis('split', intAttr('split', attrs, 'axis', 0), x.rank);
      let sizes = intList('split', 'split', inputs[1], attrs.split);
      if (sizes === undefined || sizes.length === 0) {
        // ONNX before opset 18 splits into as many outputs as the node has; the loader passes that as numOutputs.
        if (attrs.numOutputs === undefined) {
          throw new EngineError(`needs 'split' sizes or 'numOutputs'`, 'split');
        }
        sizes = splitSizes(x.shape[axis], intAttr('split', attrs, 'numOutputs', 1));
      }
      return split(x, axis, sizes);
    },
  },
  {
    name: 'slice',
    doc: 'Takes start:end:step along some axes; negative values count from the end, ends are clamped.',
    minInputs: 1,
    maxInputs: 5,
    run: (inputs, attrs) => {
      const starts = intList('slice', 'starts', inputs[1], attrs.starts);
      const ends = intList('slice', 'ends', inputs[2], attrs.ends);
      if (starts === undefined || ends === undefined) {
        throw new EngineError(`needs 'starts' and 'ends' as inputs 1 and 2 or as attributes`, 'slice');
      }
      const axes = intList('slice', 'axes', inputs[3], attrs.axes);
      const steps = intList('slice', 'steps', inputs[4], attrs.steps);
      return [slice(required('slice', inputs, 0, 'data'), starts, ends, axes, steps)];
    },
  },
  {
    name: 'squeeze',
    doc: 'Removes axes of size 1 (the listed ones, or all).',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      // An empty axes list means "not given", as in onnxruntime: squeeze every axis of size 1.
      const axes = intList('squeeze', 'axes', inputs[1], attrs.axes);
      return [squeeze(required('squeeze', inputs, 0, 'data'), axes?.length ? axes : undefined)];
    },
  },
  {
    name: 'unsqueeze',
    doc: 'Inserts axes of size 1 at the listed output positions.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const axes = intList('unsqueeze', 'axes', inputs[1], attrs.axes);
      if (axes === undefined) throw new EngineError(`needs 'axes' as input 1 or as an attribute`, 'unsqueeze');
      return [unsqueeze(required('unsqueeze', inputs, 0, 'data'), axes)];
    },
  },
  {
    name: 'shape',
    doc: 'The input shape as an int64 vector, optionally shape[start:end].',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => {
      const end = attrs.end === undefined || attrs.end === null ? undefined : intAttr('shape', attrs, 'end', 0);
      return [shapeOf(required('shape', inputs, 0, 'data'), intAttr('shape', attrs, 'start', 0), end)];
    },
  },
  {
    name: 'cast',
    doc: 'Converts to another dtype (float32, int32, int64, bool).',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => {
      if (attrs.to === undefined) throw new EngineError(`attribute 'to' is required`, 'cast');
      return [cast(required('cast', inputs, 0, 'input'), castTarget(attrs.to))];
    },
  },
  {
    name: 'expand',
    doc: 'Broadcasts the input to a shape by NumPy rules.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const shape = intList('expand', 'shape', inputs[1], attrs.shape);
      if (shape === undefined) throw new EngineError(`needs 'shape' as input 1 or as an attribute`, 'expand');
      return [expand(required('expand', inputs, 0, 'input'), shape)];
    },
  },
];
