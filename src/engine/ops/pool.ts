import { EngineError } from '../errors';
import type { Attrs, OpDef } from '../registry';
import type { Shape, Tensor } from '../tensor';
import { perAxis, readWindowOptions } from '../kernels/convGeometry';
import { ShapeError } from '../shapeRules';
import { imageShape, windowOutput } from './conv';
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

/** Output shape of the windowed pools, through the window geometry their kernels use. */
export function poolShape(op: string, inputs: readonly (Shape | undefined)[], attrs: Attrs): number[] {
  const x = imageShape(op, inputs);
  const given = intList(op, 'kernelShape', undefined, attrs.kernelShape);
  if (!given || given.length === 0) throw new ShapeError(`${op} needs the attribute kernelShape`);
  const kernel = perAxis(op, 'kernelShape', given, x.length - 2, 1, 1);
  return [x[0], x[1], ...windowOutput(op, x.slice(2), kernel, readWindowOptions(op, attrs), intAttr(op, attrs, 'ceilMode', 0) !== 0)];
}

/** Global pools keep N and C and reduce every spatial axis to 1. */
function globalShape(op: string): (inputs: readonly (Shape | undefined)[]) => Shape[] {
  return (inputs) => {
    const x = imageShape(op, inputs);
    return [[x[0], x[1], ...x.slice(2).map(() => 1)]];
  };
}

export const poolOps: readonly OpDef[] = [
  {
    name: 'maxPool',
    doc: 'Largest value of each sliding window over 1 to 3 spatial axes (ONNX MaxPool, output Y).',
    minInputs: 1,
    maxInputs: 1,
    run: ([x], attrs) => [maxPool(need('maxPool', x), poolOptions('maxPool', attrs))],
    shape: (inputs, attrs) => [poolShape('maxPool', inputs, attrs)],
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
    shape: (inputs, attrs) => [poolShape('averagePool', inputs, attrs)],
  },
  {
    name: 'globalAveragePool',
    doc: 'Mean over all spatial positions of each channel; spatial axes kept as 1.',
    minInputs: 1,
    maxInputs: 1,
    run: ([x]) => [globalAveragePool(need('globalAveragePool', x))],
    shape: globalShape('globalAveragePool'),
  },
  {
    name: 'globalMaxPool',
    doc: 'Largest value over all spatial positions of each channel; spatial axes kept as 1.',
    minInputs: 1,
    maxInputs: 1,
    run: ([x]) => [globalMaxPool(need('globalMaxPool', x))],
    shape: globalShape('globalMaxPool'),
  },
];
