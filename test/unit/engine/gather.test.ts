import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops';
import { gather } from '../../../src/engine/ops/gather';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomIntTensor, randomTensor } from './helpers';
import { loadNodeCase, NODE_CASES_DIR, runOrt } from './ortOracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');

describe('gather', () => {
  it('matches tf.gather on every axis with int32 indices of rank 0 to 2', () => {
    const x = randomTensor([4, 5, 6], 1);
    for (let axis = 0; axis < 3; axis++) {
      const dim = x.shape[axis];
      for (const shape of [[], [3], [2, 4]]) {
        const idx = randomIntTensor(shape, 10 + axis, 0, dim - 1, 'int32');
        const want = tf.gather(tfOf(x), tf.tensor(idx.toArray(), shape, 'int32'), axis);
        expectClose(gather(x, idx, axis), want.dataSync(), want.shape, { atol: 0, rtol: 0 });
      }
    }
  });

  it('matches onnxruntime for negative int64 indices and a negative axis', async () => {
    const x = randomTensor([3, 7, 2], 2);
    const idx = Tensor.from([2, 3], [-1, 0, -7, 6, 3, -4], 'int64');
    const want = (await runOrt({ opType: 'Gather', inputs: [x, idx], attributes: { axis: -2 } }))[0];
    const got = defaultOps.run('gather', [x, idx], { axis: -2 })[0];
    expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
  });

  it('looks up embeddings: rows of a [vocab, dim] table by token id', async () => {
    const table = randomTensor([50, 32], 3);
    const ids = randomIntTensor([2, 9], 4, 0, 49, 'int64');
    const want = (await runOrt({ opType: 'Gather', inputs: [table, ids] }))[0];
    const got = gather(table, ids);
    expectClose(got, want.data, [2, 9, 32], { atol: 0, rtol: 0 });
  });

  it('keeps the dtype of the data', () => {
    const x = Tensor.from([3], [10, 20, 30], 'int64');
    const y = gather(x, Tensor.from([2], [2, -3], 'int32'));
    expect(y.dtype).toBe('int64');
    expect(y.toArray()).toEqual([30, 10]);
  });

  it('names the out-of-range index, where it sits and the axis size', () => {
    const x = randomTensor([10, 4], 5);
    const idx = Tensor.from([2, 2], [1, 2, 12, 0], 'int64');
    expect(() => gather(x, idx)).toThrow(
      "gather: index 12 at position 2 of 'indices' [2, 2] is out of range for axis 0 of size 10 (data [10, 4])");
    expect(() => gather(x, Tensor.from([1], [-11], 'int32'))).toThrow(/index -11 at position 0/);
    expect(() => gather(x, idx, 2)).toThrow(/gather: axis 2 is out of range for rank 2/);
  });
});

describe.skipIf(!NODE_CASES_DIR)('ONNX backend node tests', () => {
  it.each(['test_gather_0', 'test_gather_1', 'test_gather_2d_indices', 'test_gather_negative_indices'])('%s', (name) => {
    const c = loadNodeCase(name);
    const got = defaultOps.run('gather', c.inputs, c.attrs)[0];
    expectClose(got, c.outputs[0].data, c.outputs[0].shape, { atol: 0, rtol: 0 });
  });
});
