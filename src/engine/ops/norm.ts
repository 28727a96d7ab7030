import { EngineError } from '../errors';
import type { OpDef } from '../registry';
import type { Tensor } from '../tensor';
import { batchNormalization, layerNormalization } from '../kernels/norm';
import { floatAttr, intAttr } from '../kernels/opArgs';
import { needShape, normAxis, sameAsFirst } from '../shapeRules';

function need(op: string, name: string, t: Tensor | undefined): Tensor {
  if (!t) throw new EngineError(`input '${name}' is required`, op);
  return t;
}

export const normOps: readonly OpDef[] = [
  {
    name: 'batchNormalization',
    doc: 'Per-channel normalisation with stored mean and variance (inference), then scale and bias.',
    minInputs: 5,
    maxInputs: 5,
    run: ([x, scale, bias, mean, variance], attrs) => {
      const op = 'batchNormalization';
      if (intAttr(op, attrs, 'trainingMode', 0) !== 0) {
        throw new EngineError(`attribute 'trainingMode' = 1 is not supported: the engine runs inference only`, op);
      }
      return [batchNormalization(
        need(op, 'x', x), need(op, 'scale', scale), need(op, 'bias', bias), need(op, 'mean', mean), need(op, 'var', variance),
        floatAttr(op, attrs, 'epsilon', 1e-5),
      )];
    },
    shape: sameAsFirst('batchNormalization'),
  },
  {
    name: 'layerNormalization',
    // Returns ONNX's three outputs (Y, Mean, InvStdDev); a node that names only Y uses the first.
    doc: 'Normalises over the axes from axis to the last to zero mean and unit variance, then scale and bias.',
    minInputs: 2,
    maxInputs: 3,
    run: ([x, scale, bias], attrs) => {
      const op = 'layerNormalization';
      const r = layerNormalization(need(op, 'x', x), need(op, 'scale', scale), bias,
        intAttr(op, attrs, 'axis', -1), floatAttr(op, attrs, 'epsilon', 1e-5));
      return [r.y, r.mean, r.invStdDev];
    },
    shape: (inputs, attrs) => {
      const x = needShape('layerNormalization', inputs, 0);
      const axis = normAxis(intAttr('layerNormalization', attrs, 'axis', -1), x.length);
      const stats = x.map((d, i) => (i < axis ? d : 1));
      return [[...x], stats, [...stats]];
    },
  },
];
