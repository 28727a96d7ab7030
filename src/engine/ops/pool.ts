import { EngineError } from '../errors';
import type { Attrs, OpDef } from '../registry';
import type { Tensor } from '../tensor';
import { readWindowOptions } from '../kernels/convGeometry';
import { intAttr, intList } from '../kernels/opArgs';
import { averagePool, globalAveragePool, globalMaxPool, maxPool } from '../kernels/pool';
import type { PoolOptions } from '../kernels/pool';

function need(op: string, t: Tensor | undefined): Tensor {
  if (!t) throw new EngineError(`input 'x' is required`, op);
  return t;
}

function poolOptions(op: string, attrs: Attrs): PoolOptions {
  const kernelShape = intList(op, 'kernelShape', undefined, attrs.kernelShape);
  if (!kernelShape) throw new EngineError(`attribute 'kernelShape' is required`, op);
  return { ...readWindowOptions(op, attrs), kernelShape, ceilMode: intAttr(op, attrs, 'ceilMode', 0) !== 0 };
}

export const poolOps: readonly OpDef[] = [
  {
    name: 'maxPool',
    doc: 'Largest value of each sliding window over 1 to 3 spatial axes (ONNX MaxPool, output Y).',
    minInputs: 1,
    maxInputs: 1,
    run: ([x], attrs) => [maxPool(need('maxPool', x), poolOptions('maxPool', attrs))],
  },
  {
    name: 'averagePool',
    doc: 'Mean of each sliding window over 1 to 3 spatial axes, padding counted or not (ONNX AveragePool).',
    minInputs: 1,
    maxInputs: 1,
    run: ([x], attrs) => [averagePool(need('averagePool', x), {
      ...poolOptions('averagePool', attrs),
      countIncludePad: intAttr('averagePool', attrs, 'countIncludePad', 0) !== 0,
    })],
  },
  {
    name: 'globalAveragePool',
    doc: 'Mean over all spatial positions of each channel; spatial axes kept as 1.',
    minInputs: 1,
    maxInputs: 1,
    run: ([x]) => [globalAveragePool(need('globalAveragePool', x))],
  },
  {
    name: 'globalMaxPool',
    doc: 'Largest value over all spatial positions of each channel; spatial axes kept as 1.',
    minInputs: 1,
    maxInputs: 1,
    run: ([x]) => [globalMaxPool(need('globalMaxPool', x))],
  },
];
