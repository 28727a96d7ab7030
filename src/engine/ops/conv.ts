import { EngineError } from '../errors';
import type { OpDef } from '../registry';
import type { Tensor } from '../tensor';
import { conv } from '../kernels/conv';
import { readWindowOptions } from '../kernels/convGeometry';
import { convTranspose } from '../kernels/convTranspose';
import { intAttr, intList } from '../kernels/opArgs';

/** A required input, or an error naming it. */
function need(op: string, name: string, t: Tensor | undefined): Tensor {
  if (!t) throw new EngineError(`input '${name}' is required`, op);
  return t;
}

export const convOps: readonly OpDef[] = [
  {
    name: 'conv',
    doc: 'Convolution over 1 to 3 spatial axes (NCHW), with strides, dilations, padding and groups (ONNX Conv).',
    minInputs: 2,
    maxInputs: 3,
    run: ([x, w, b], attrs) => [conv(need('conv', 'x', x), need('conv', 'w', w), b, {
      ...readWindowOptions('conv', attrs),
      kernelShape: intList('conv', 'kernelShape', undefined, attrs.kernelShape),
      group: intAttr('conv', attrs, 'group', 1),
    })],
  },
  {
    name: 'convTranspose',
    doc: 'Transposed convolution (the gradient of conv with respect to its input), 1 to 3 spatial axes (ONNX ConvTranspose).',
    minInputs: 2,
    maxInputs: 3,
    run: ([x, w, b], attrs) => [convTranspose(need('convTranspose', 'x', x), need('convTranspose', 'w', w), b, {
      ...readWindowOptions('convTranspose', attrs),
      kernelShape: intList('convTranspose', 'kernelShape', undefined, attrs.kernelShape),
      outputPadding: intList('convTranspose', 'outputPadding', undefined, attrs.outputPadding),
      outputShape: intList('convTranspose', 'outputShape', undefined, attrs.outputShape),
      group: intAttr('convTranspose', attrs, 'group', 1),
    })],
  },
];
