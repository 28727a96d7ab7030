import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops';
import { logSoftmax, softmax } from '../../../src/engine/ops/softmax';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomTensor } from './helpers';
import { runOrt } from './ortOracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');

describe('softmax', () => {
  it('matches tf.softmax and tf.logSoftmax along the last axis', () => {
    const x = randomTensor([7, 10], 1, -5, 5);
    const s = tf.softmax(tfOf(x));
    expectClose(softmax(x), s.dataSync(), s.shape, { atol: 1e-7, rtol: 1e-5 });
    const l = tf.logSoftmax(tfOf(x));
    expectClose(logSoftmax(x), l.dataSync(), l.shape, { atol: 1e-6, rtol: 1e-5 });
  });

  it('matches onnxruntime Softmax-13 and LogSoftmax-13 on every axis of a rank-4 tensor', async () => {
    const x = randomTensor([2, 3, 4, 5], 2, -4, 4);
    for (const axis of [0, 1, 2, 3, -1, -3]) {
      for (const [ours, onnx] of [['softmax', 'Softmax'], ['logSoftmax', 'LogSoftmax']]) {
        const want = (await runOrt({ opType: onnx, inputs: [x], attributes: { axis }, opset: 13 }))[0];
        expectClose(defaultOps.run(ours, [x], { axis })[0], want.data, want.shape, { atol: 1e-6, rtol: 1e-5 });
      }
    }
  });

  it('stays finite for huge logits by subtracting the row maximum', () => {
    const x = Tensor.from([1, 3], [1000, 1001, 1002]);
    const want = tf.softmax(tf.tensor([0, 1, 2], [1, 3]));
    expectClose(softmax(x), want.dataSync(), [1, 3], { atol: 1e-7 });
    const lwant = tf.logSoftmax(tf.tensor([0, 1, 2], [1, 3]));
    expectClose(logSoftmax(x), lwant.dataSync(), [1, 3], { atol: 1e-6 });
  });

  it('propagates NaN to its whole row and leaves other rows alone', () => {
    const x = Tensor.from([2, 3], [1, NaN, 2, 0, 1, 2]);
    for (const f of [softmax, logSoftmax]) {
      const y = f(x).toArray();
      expect(y.slice(0, 3)).toEqual([NaN, NaN, NaN]);
      expect(y.slice(3).every(Number.isFinite)).toBe(true);
    }
    const col = softmax(x, 0).toArray();
    expect(col[1]).toBeNaN();
    expect(col[4]).toBeNaN();
    expect(Number.isFinite(col[0])).toBe(true);
  });

  it('rows sum to one', () => {
    const y = softmax(randomTensor([3, 50], 4, -20, 20));
    for (let r = 0; r < 3; r++) {
      let s = 0;
      for (let j = 0; j < 50; j++) s += y.data[r * 50 + j];
      expect(s).toBeCloseTo(1, 6);
    }
  });

  it('names the op and the axis when the axis is out of range', () => {
    expect(() => defaultOps.run('softmax', [randomTensor([2, 3], 1)], { axis: 2 })).toThrow('softmax: axis 2 is out of range for rank 2');
  });

  it('handles a scalar and an empty tensor', () => {
    expect(softmax(Tensor.scalar(3)).toArray()).toEqual([1]);
    expect(logSoftmax(Tensor.scalar(3)).toArray()).toEqual([0]);
    expect(softmax(Tensor.zeros([0, 4])).shape).toEqual([0, 4]);
  });
});
