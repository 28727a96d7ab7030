import { EngineError } from '../errors';
import type { OpDef } from '../registry';
import { Tensor } from '../tensor';
import { add, div, max, min } from '../kernels/binary';
import { cast } from '../kernels/cast';
import { readWindowOptions } from '../kernels/convGeometry';
import { constantOfShape, range, size, tile } from '../kernels/generate';
import { maxPoolWithIndices } from '../kernels/maxPoolIndices';
import { cumSum, trilu } from '../kernels/scan';
import { intAttr, intList, numberList, required } from '../kernels/opArgs';
import { topK } from '../kernels/topK';
import { identity } from '../kernels/unary';
import { ShapeError, broadcasting, fmt, fromAttr, needShape, normAxis, sameAsFirst } from '../shapeRules';
import { poolShape } from './pool';

export { constantOfShape, range, size, tile } from '../kernels/generate';
export { topK } from '../kernels/topK';
export { maxPoolWithIndices } from '../kernels/maxPoolIndices';
export { cumSum, trilu } from '../kernels/scan';

/** An op over any number (≥ 1) of inputs that folds them pairwise with a broadcasting binary kernel. */
function variadic(name: string, doc: string, fold: (a: Tensor, b: Tensor) => Tensor, finish?: (t: Tensor, n: number) => Tensor): OpDef {
  return {
    name,
    doc,
    minInputs: 1,
    maxInputs: Number.POSITIVE_INFINITY,
    run: (inputs) => {
      const xs = inputs.map((_, i) => required(name, inputs, i, `inputs[${i}]`));
      const folded = xs.slice(1).reduce(fold, identity(xs[0]));
      return [finish ? finish(folded, xs.length) : folded];
    },
    shape: broadcasting(name),
  };
}

/**
 * ONNX ops that build tensors from descriptions, pass values through, or pick among them: ConstantOfShape,
 * Range, Tile, Size, CastLike, Dropout (inference), Sum, Mean, Max and Min over many inputs, TopK, CumSum,
 * Trilu, and MaxPool with its Indices output.
 */
export const onnxMiscOps: readonly OpDef[] = [
  {
    name: 'constantOfShape',
    doc: 'A tensor of the given shape filled with value (a one-element tensor; default float32 0).',
    minInputs: 0,
    maxInputs: 1,
    run: (inputs, attrs) => {
      const shape = intList('constantOfShape', 'shape', inputs[0], attrs.shape);
      if (shape === undefined) throw new EngineError(`needs 'shape' as input 0 or as an attribute`, 'constantOfShape');
      const value = attrs.value;
      if (value !== undefined && value !== null && !(value instanceof Tensor)) {
        throw new EngineError(`attribute 'value' must be a one-element tensor`, 'constantOfShape');
      }
      return [constantOfShape(shape, value ?? undefined)];
    },
    shape: (_inputs, attrs) => {
      const shape = fromAttr('constantOfShape', 'shape', intList('constantOfShape', 'shape', undefined, attrs.shape));
      if (shape.some((d) => d < 0)) throw new ShapeError(`constantOfShape's shape ${fmt(shape)} holds a negative dimension`);
      return [shape];
    },
  },
  {
    name: 'range',
    doc: 'start, start + delta, … up to but excluding limit (three scalars; the dtype of start).',
    minInputs: 3,
    maxInputs: 3,
    run: (inputs) => [range(required('range', inputs, 0, 'start'), required('range', inputs, 1, 'limit'), required('range', inputs, 2, 'delta'))],
  },
  {
    name: 'tile',
    doc: 'Repeats the input repeats[i] times along each axis i.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const repeats = intList('tile', 'repeats', inputs[1], attrs.repeats);
      if (repeats === undefined) throw new EngineError(`needs 'repeats' as input 1 or as an attribute`, 'tile');
      return [tile(required('tile', inputs, 0, 'input'), repeats)];
    },
    shape: (inputs, attrs) => {
      const x = needShape('tile', inputs, 0);
      const repeats = fromAttr('tile', 'repeats', intList('tile', 'repeats', undefined, attrs.repeats));
      if (repeats.length !== x.length || repeats.some((r) => r < 0)) {
        throw new ShapeError(`tile repeats ${fmt(repeats)} must be ${x.length} counts of 0 or more for ${fmt(x)}`);
      }
      return [x.map((d, i) => d * repeats[i])];
    },
  },
  { name: 'size', doc: 'The number of elements, as an int64 scalar.', minInputs: 1, maxInputs: 1, run: (inputs) => [size(required('size', inputs, 0, 'data'))],
    shape: (inputs) => {
      needShape('size', inputs, 0);
      return [[]];
    },
  },
  {
    name: 'castLike',
    doc: 'Converts input to the dtype of target_type.',
    minInputs: 2,
    maxInputs: 2,
    run: (inputs) => [cast(required('castLike', inputs, 0, 'input'), required('castLike', inputs, 1, 'target_type').dtype)],
    shape: sameAsFirst('castLike'),
  },
  {
    name: 'dropout',
    // Outputs [output, mask]. Training mode with a nonzero ratio draws random numbers, which an inference
    // debugger should not: it is refused rather than silently run as identity.
    doc: 'Inference dropout: passes data through; the mask output is all true.',
    minInputs: 1,
    maxInputs: 3,
    run: (inputs, attrs) => {
      const x = required('dropout', inputs, 0, 'data');
      const training = inputs[2] !== undefined ? inputs[2].data[0] !== 0 : intAttr('dropout', attrs, 'trainingMode', 0) !== 0;
      const ratio = numberList('dropout', 'ratio', inputs[1], attrs.ratio)?.[0] ?? 0.5;
      if (training && ratio !== 0) {
        throw new EngineError(`training mode with ratio ${ratio} drops random elements; Layerstep runs inference only`, 'dropout');
      }
      return [identity(x), new Tensor('bool', x.shape, new Uint8Array(x.size).fill(1))];
    },
    shape: (inputs) => {
      const x = needShape('dropout', inputs, 0);
      return [[...x], [...x]];
    },
  },
  variadic('sum', 'Elementwise sum of all inputs, broadcast.', add),
  variadic('mean', 'Elementwise mean of all inputs, broadcast.', add, (t, n) => div(t, Tensor.scalar(n, t.dtype))),
  variadic('maxN', 'Elementwise maximum of all inputs, broadcast (ONNX Max with any number of inputs); NaN wins.', max),
  variadic('minN', 'Elementwise minimum of all inputs, broadcast (ONNX Min with any number of inputs); NaN wins.', min),
  {
    name: 'topK',
    doc: 'The k largest (or smallest) elements along axis and their int64 indices, sorted; ties to the lower index.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const k = intList('topK', 'k', inputs[1], attrs.k);
      if (k === undefined || k.length !== 1) throw new EngineError(`needs one 'k' as input 1 or as an attribute`, 'topK');
      return topK(required('topK', inputs, 0, 'X'), k[0], intAttr('topK', attrs, 'axis', -1), intAttr('topK', attrs, 'largest', 1) !== 0);
    },
    shape: (inputs, attrs) => {
      const x = needShape('topK', inputs, 0);
      const k = fromAttr('topK', 'k', intList('topK', 'k', undefined, attrs.k));
      const axis = normAxis(intAttr('topK', attrs, 'axis', -1), x.length);
      if (k.length !== 1 || k[0] < 0 || k[0] > x[axis]) throw new ShapeError(`topK's k ${fmt(k)} must be one count from 0 to ${x[axis]} for ${fmt(x)}`);
      const out = x.map((d, i) => (i === axis ? k[0] : d));
      return [out, [...out]];
    },
  },
  {
    name: 'maxPoolWithIndices',
    doc: 'MaxPool that also returns where each maximum is (int64 index into the flattened input); Y keeps the input dtype.',
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => {
      const op = 'maxPoolWithIndices';
      const kernelShape = intList(op, 'kernelShape', undefined, attrs.kernelShape);
      if (!kernelShape) throw new EngineError(`attribute 'kernelShape' is required`, op);
      return maxPoolWithIndices(required(op, inputs, 0, 'X'), {
        ...readWindowOptions(op, attrs), kernelShape, ceilMode: intAttr(op, attrs, 'ceilMode', 0) !== 0,
        storageOrder: intAttr(op, attrs, 'storageOrder', 0),
      });
    },
    shape: (inputs, attrs) => {
      const y = poolShape('maxPoolWithIndices', inputs, attrs);
      return [y, [...y]];
    },
  },
  {
    name: 'cumSum',
    doc: 'Running sum along axis (an input scalar or attribute); exclusive leaves out the element, reverse sums from the end.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const axis = intList('cumSum', 'axis', inputs[1], attrs.axis);
      if (axis === undefined || axis.length !== 1) throw new EngineError(`needs one 'axis' as input 1 or as an attribute`, 'cumSum');
      return [cumSum(required('cumSum', inputs, 0, 'x'), axis[0], intAttr('cumSum', attrs, 'exclusive', 0) !== 0,
        intAttr('cumSum', attrs, 'reverse', 0) !== 0)];
    },
    shape: (inputs) => {
      const x = needShape('cumSum', inputs, 0);
      if (x.length === 0) throw new ShapeError('cumSum needs an input of rank 1 or more, got a scalar');
      return [[...x]];
    },
  },
  {
    name: 'trilu',
    doc: 'The upper (or lower) triangle of the matrices in the last two axes, from diagonal k; the rest zero.',
    minInputs: 1,
    maxInputs: 2,
    run: (inputs, attrs) => {
      const k = intList('trilu', 'k', inputs[1], attrs.k)?.[0] ?? 0;
      return [trilu(required('trilu', inputs, 0, 'input'), k, intAttr('trilu', attrs, 'upper', 1) !== 0)];
    },
    shape: (inputs) => {
      const x = needShape('trilu', inputs, 0);
      if (x.length < 2) throw new ShapeError(`trilu needs an input of rank 2 or more, got ${fmt(x)}`);
      return [[...x]];
    },
  },
];
