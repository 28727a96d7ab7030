import { EngineError } from '../errors';
import type { OpDef } from '../registry';
import type { Tensor } from '../tensor';
import { batchNormalizationTraining, instanceNormalization } from '../kernels/normMore';
import { floatAttr, intAttr, prod, required } from '../kernels/opArgs';
import { logSoftmax, softmax } from '../kernels/softmax';
import { ShapeError, fmt, needShape, sameAsFirst } from '../shapeRules';

export { batchNormalizationTraining, instanceNormalization } from '../kernels/normMore';

/**
 * Softmax-1/11 and LogSoftmax-1/11 (before opset 13): x is coerced to 2-D [prod(dims before axis),
 * prod(dims from axis)] and each row is normalised; the result has x's shape. Axis defaults to 1.
 */
function coerced(name: string, f: (x: Tensor, axis: number) => Tensor): OpDef {
  return {
    name,
    doc: `${name === 'softmaxCoerced' ? 'Softmax' : 'LogSoftmax'} over the flattened dims from axis on (ONNX opset < 13; axis default 1).`,
    minInputs: 1,
    maxInputs: 1,
    run: (inputs, attrs) => {
      const x = required(name, inputs, 0, 'input');
      const r = x.rank;
      const axis = intAttr(name, attrs, 'axis', 1);
      if (axis < -r || axis > r || (r > 0 && axis === r)) {
        throw new EngineError(`axis ${axis} is out of range for rank ${r}`, name);
      }
      const a = axis < 0 ? axis + r : axis;
      const flat = x.reshape([prod(x.shape, 0, a), prod(x.shape, a)]);
      return [f(flat, 1).reshape(x.shape)];
    },
    shape: (inputs, attrs) => {
      const x = needShape(name, inputs, 0);
      const axis = intAttr(name, attrs, 'axis', 1);
      if (axis < -x.length || axis > x.length || (x.length > 0 && axis === x.length)) {
        throw new ShapeError(`axis ${axis} is out of range for rank ${x.length}`);
      }
      return [[...x]];
    },
  };
}

/** Normalisations ONNX defines beside batch and layer normalisation, and the pre-13 softmax forms. */
export const onnxNormOps: readonly OpDef[] = [
  {
    name: 'instanceNormalization',
    doc: 'Normalises each (n, c) plane to zero mean and unit variance, then per-channel scale and bias.',
    minInputs: 3,
    maxInputs: 3,
    run: (inputs, attrs) => [instanceNormalization(required('instanceNormalization', inputs, 0, 'input'),
      required('instanceNormalization', inputs, 1, 'scale'), required('instanceNormalization', inputs, 2, 'B'),
      floatAttr('instanceNormalization', attrs, 'epsilon', 1e-5))],
    shape: sameAsFirst('instanceNormalization'),
  },
  {
    name: 'batchNormalizationTraining',
    doc: 'Batch normalisation with the batch\'s own statistics (ONNX training_mode = 1); also returns the updated running mean and variance.',
    minInputs: 5,
    maxInputs: 5,
    run: (inputs, attrs) => {
      const op = 'batchNormalizationTraining';
      return batchNormalizationTraining(required(op, inputs, 0, 'X'), required(op, inputs, 1, 'scale'), required(op, inputs, 2, 'B'),
        required(op, inputs, 3, 'input_mean'), required(op, inputs, 4, 'input_var'),
        floatAttr(op, attrs, 'epsilon', 1e-5), floatAttr(op, attrs, 'momentum', 0.9));
    },
    shape: (inputs) => {
      const x = needShape('batchNormalizationTraining', inputs, 0);
      if (x.length < 2) throw new ShapeError(`input ${fmt(x)} must be [N, C, ...]`);
      return [[...x], [x[1]], [x[1]]];
    },
  },
  coerced('softmaxCoerced', softmax),
  coerced('logSoftmaxCoerced', logSoftmax),
];
