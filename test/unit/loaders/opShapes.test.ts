import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import type { Model } from '../../../src/model/ir';
import { ShapeError, broadcastShapes, samePads } from '../../../src/engine/shapeRules';
import { inferOpShapes } from '../../../src/model/shapes';
import { validateModel } from '../../../src/model/validate';

describe('op shape inference (src/model/shapes.ts)', () => {
  it('broadcasts like NumPy and names both shapes when it cannot', () => {
    expect(broadcastShapes([2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(() => broadcastShapes([2, 3], [4])).toThrow(new ShapeError('shapes [2, 3] and [4] do not broadcast'));
  });

  it('follows NumPy matmul for batched and 1-D operands', () => {
    expect(inferOpShapes('matmul', [[5, 2, 3], [3, 4]], {})).toEqual([[5, 2, 4]]);
    expect(inferOpShapes('matmul', [[3], [3, 4]], {})).toEqual([[4]]);
    expect(inferOpShapes('matmul', [[2, 1, 2, 3], [4, 3, 5]], {})).toEqual([[2, 4, 2, 5]]);
    expect(() => inferOpShapes('matmul', [[1, 4], [3, 2]], {})).toThrow(/inner dimensions 4 and 3 differ/);
  });

  it('computes convolution, transposed convolution and pooling sizes', () => {
    expect(inferOpShapes('conv', [[1, 4, 9, 9], [8, 2, 3, 3]], { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] })).toEqual([[1, 8, 5, 5]]);
    expect(inferOpShapes('convTranspose', [[1, 4, 3, 3], [4, 2, 2, 2]], { strides: [2, 2] })).toEqual([[1, 2, 6, 6]]);
    expect(inferOpShapes('maxPool', [[1, 1, 5, 5]], { kernelShape: [2, 2], strides: [2, 2], ceilMode: 1 })).toEqual([[1, 1, 3, 3]]);
    expect(samePads(5, 3, 2, 1)).toEqual([1, 1]);
    expect(samePads(4, 2, 2, 1)).toEqual([0, 0]);
    expect(samePads(6, 4, 1, 1)).toEqual([1, 2]);
  });

  it('clamps slices, splits evenly, and reshapes with 0 and -1', () => {
    expect(inferOpShapes('slice', [[4, 10]], { starts: [-3], ends: [100], axes: [1], steps: [1] })).toEqual([[4, 3]]);
    expect(inferOpShapes('slice', [[10]], { starts: [8], ends: [-100], axes: [0], steps: [-3] })).toEqual([[3]]);
    expect(inferOpShapes('split', [[2, 12]], { axis: -1, numOutputs: 3 })).toEqual([[2, 4], [2, 4], [2, 4]]);
    expect(inferOpShapes('reshape', [[2, 3, 4]], { shape: [0, -1] })).toEqual([[2, 12]]);
    expect(inferOpShapes('gather', [[10, 3], [1, 5]], { axis: 0 })).toEqual([[1, 5, 3]]);
    expect(inferOpShapes('unknownOp', [[1]], {})).toBeUndefined();
  });
});

describe('validateModel (src/model/validate.ts)', () => {
  const model = (inputs: string[]): Model => ({
    format: 'test', name: 't', file: 'm.json', inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
    weights: new Map([['w', Tensor.from([1], [2])]]), examples: [],
    root: {
      kind: 'module', id: '', name: 't', type: 'model', inputs: ['x'], outputs: ['y'], weights: {}, attrs: {},
      body: [{ kind: 'node', id: 'n', name: 'n', op: 'mul', inputs, outputs: ['y'], attrs: {} }],
    },
  });

  it('accepts a graph whose values are defined before use', () => {
    expect(() => validateModel(model(['x', 'w']))).not.toThrow();
  });

  it('names the node that reads an undefined value', () => {
    expect(() => validateModel(model(['x', 'nope']))).toThrow("m.json: node 'n' reads 'nope' before anything defines it.");
  });
});
