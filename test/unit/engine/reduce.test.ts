import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops';
import { argMax, reduceMax, reduceMean, reduceMin, reduceSum } from '../../../src/engine/ops/reduce';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomIntTensor, randomTensor } from './helpers';
import { runOrt } from './ortOracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');

const REDUCTIONS = [
  ['reduceSum', reduceSum, tf.sum],
  ['reduceMean', reduceMean, tf.mean],
  ['reduceMax', reduceMax, tf.max],
  ['reduceMin', reduceMin, tf.min],
] as const;

const AXES: (number[] | undefined)[] = [undefined, [0], [1], [3], [-1], [1, 2], [0, 3], [0, 2, 3], [2, 1]];

describe('reductions', () => {
  for (const [name, ours, theirs] of REDUCTIONS) {
    it(`${name} matches tfjs over axis sets, with and without keepdims`, () => {
      const x = randomTensor([3, 4, 5, 6], name.length, -3, 3);
      for (const axes of AXES) {
        for (const keepdims of [true, false]) {
          const want = theirs(tfOf(x), axes, keepdims);
          expectClose(ours(x, axes, keepdims), want.dataSync(), want.shape, { atol: 1e-5, rtol: 1e-5 });
        }
      }
    });
  }

  it('takes axes as an input or an attribute and honours noopWithEmptyAxes, as ReduceSum-18 does', async () => {
    const x = randomTensor([2, 3, 4], 9);
    const axes = Tensor.from([2], [0, -1], 'int64');
    const want = (await runOrt({ opType: 'ReduceSum', inputs: [x, axes], attributes: { keepdims: 0 }, opset: 18 }))[0];
    expectClose(defaultOps.run('reduceSum', [x, axes], { keepdims: 0 })[0], want.data, want.shape, { atol: 1e-6 });
    expectClose(defaultOps.run('reduceSum', [x], { axes: [0, -1], keepdims: 0 })[0], want.data, want.shape, { atol: 1e-6 });

    const empty = Tensor.from([0], [], 'int64');
    const noop = (await runOrt({ opType: 'ReduceMean', inputs: [x, empty], attributes: { noop_with_empty_axes: 1 }, opset: 18 }))[0];
    expectClose(defaultOps.run('reduceMean', [x, empty], { noopWithEmptyAxes: 1 })[0], noop.data, noop.shape, { atol: 0, rtol: 0 });
    const all = (await runOrt({ opType: 'ReduceMax', inputs: [x], opset: 18 }))[0];
    expectClose(defaultOps.run('reduceMax', [x])[0], all.data, all.shape, { atol: 0, rtol: 0 });
  });

  it('reduces integers in their dtype, with the mean truncated like onnxruntime', async () => {
    const x = randomIntTensor([4, 7], 3, -100, 100, 'int64');
    for (const [ours, onnx] of [['reduceSum', 'ReduceSum'], ['reduceMean', 'ReduceMean'], ['reduceMax', 'ReduceMax'], ['reduceMin', 'ReduceMin']]) {
      const want = (await runOrt({ opType: onnx, inputs: [x, Tensor.from([1], [1], 'int64')], opset: 18 }))[0];
      const got = defaultOps.run(ours, [x], { axes: [1] })[0];
      expect(got.dtype).toBe('int64');
      expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
    }
  });

  it('propagates NaN through max, min, sum and mean', () => {
    const x = Tensor.from([2, 3], [1, NaN, 3, 4, 5, 6]);
    for (const f of [reduceMax, reduceMin, reduceSum, reduceMean]) {
      const y = f(x, [1], false).toArray();
      expect(y[0]).toBeNaN();
      expect(Number.isFinite(y[1])).toBe(true);
    }
    expect(reduceMax(x, [0], false).toArray()).toEqual([4, NaN, 6]);
  });

  it('uses the ONNX identities over an empty axis', () => {
    const x = Tensor.zeros([2, 0]);
    expect(reduceSum(x, [1]).toArray()).toEqual([0, 0]);
    expect(reduceMean(x, [1]).toArray()).toEqual([NaN, NaN]);
    expect(reduceMax(x, [1]).toArray()).toEqual([-Infinity, -Infinity]);
    expect(reduceMin(x, [1]).toArray()).toEqual([Infinity, Infinity]);
  });

  it('names the op and the axis that is out of range or repeated', () => {
    const x = randomTensor([2, 3], 1);
    expect(() => defaultOps.run('reduceMean', [x], { axes: [2] })).toThrow('reduceMean: axis 2 is out of range for rank 2');
    expect(() => defaultOps.run('reduceSum', [x], { axes: [1, -1] })).toThrow("reduceSum: 'axes' repeats an axis");
  });
});

describe('argMax', () => {
  it('matches tf.argMax on every axis', () => {
    const x = randomTensor([3, 4, 5], 4);
    for (const axis of [0, 1, 2, -1]) {
      const want = tf.argMax(tfOf(x), axis);
      const got = argMax(x, axis, false);
      expect(got.dtype).toBe('int64');
      expectClose(got, want.dataSync(), want.shape, { atol: 0, rtol: 0 });
    }
  });

  it('matches onnxruntime ArgMax-13 with keepdims and selectLastIndex on ties', async () => {
    const x = randomIntTensor([4, 6], 6, 0, 2, 'int32');
    const xf = Tensor.from(x.shape, x.data);
    for (const keepdims of [0, 1]) {
      for (const selectLastIndex of [0, 1]) {
        for (const axis of [0, 1]) {
          const want = (await runOrt({
            opType: 'ArgMax', inputs: [xf], attributes: { axis, keepdims, select_last_index: selectLastIndex }, opset: 13,
          }))[0];
          expectClose(defaultOps.run('argMax', [xf], { axis, keepdims, selectLastIndex })[0], want.data, want.shape, { atol: 0, rtol: 0 });
        }
      }
    }
  });

  it('points at a NaN, as NumPy does', () => {
    expect(argMax(Tensor.from([4], [1, NaN, 5, NaN])).toArray()).toEqual([1]);
    expect(argMax(Tensor.from([4], [1, NaN, 5, NaN]), 0, true, true).toArray()).toEqual([3]);
  });

  it('names the op when the axis is empty or out of range', () => {
    expect(() => argMax(Tensor.zeros([2, 0]), 1)).toThrow('argMax: axis 1');
    expect(() => defaultOps.run('argMax', [randomTensor([2, 3], 1)], { axis: -3 })).toThrow('argMax: axis -3 is out of range');
  });
});
