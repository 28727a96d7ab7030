import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops';
import { pad } from '../../../src/engine/ops/pad';
import type { PadMode } from '../../../src/engine/ops/pad';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomIntTensor, randomTensor } from './helpers';
import { runOrt } from './ortOracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');
const int64 = (values: number[]): Tensor<'int64'> => Tensor.from([values.length], values, 'int64');
/** ONNX pads [begin…, end…] as tf paddings [[begin, end], …]. */
const pairs = (pads: number[]): [number, number][] =>
  pads.slice(0, pads.length / 2).map((b, i) => [b, pads[i + pads.length / 2]]);

describe('pad', () => {
  it('matches tf.pad in constant mode with a fill value', () => {
    const x = randomTensor([2, 3, 4, 5], 1);
    const pads = [0, 1, 2, 0, 1, 0, 3, 2];
    const want = tf.pad(tfOf(x), pairs(pads), 1.5);
    const got = defaultOps.run('pad', [x, int64(pads), Tensor.scalar(1.5)])[0];
    expectClose(got, want.dataSync(), want.shape, { atol: 0, rtol: 0 });
  });

  it('matches tf.mirrorPad in reflect mode on NCHW spatial axes', () => {
    const x = randomTensor([1, 2, 5, 6], 2);
    const pads = [0, 0, 4, 2, 0, 0, 1, 5];
    const want = tf.mirrorPad(tfOf(x), pairs(pads), 'reflect');
    const got = defaultOps.run('pad', [x], { mode: 'reflect', pads })[0];
    expectClose(got, want.dataSync(), want.shape, { atol: 0, rtol: 0 });
  });

  it('matches onnxruntime in every mode, with negative pads cropping', async () => {
    const x = randomTensor([3, 4, 5], 3);
    const cases: [PadMode, number[]][] = [
      ['constant', [1, -1, 2, 0, 2, -3]],
      ['edge', [2, 0, 3, 1, 4, 0]],
      ['edge', [-1, 2, 0, 0, -2, 1]],
      ['reflect', [2, 3, 0, 1, 0, 4]],
      ['reflect', [-1, 1, 2, 0, -2, -1]],
      ['wrap', [2, 1, 4, 1, 3, 0]],
    ];
    for (const [mode, pads] of cases) {
      const want = (await runOrt({ opType: 'Pad', inputs: [x, int64(pads)], attributes: { mode }, opset: 19 }))[0];
      const got = pad(x, pads, mode);
      expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
    }
  });

  it('pads only the listed axes when axes are given (opset 18)', async () => {
    const x = randomTensor([2, 3, 4], 4);
    const inputs = [x, int64([1, 2, 0, 3]), Tensor.scalar(-2), int64([-1, 0])];
    const want = (await runOrt({ opType: 'Pad', inputs, opset: 18 }))[0];
    expectClose(defaultOps.run('pad', inputs)[0], want.data, want.shape, { atol: 0, rtol: 0 });
  });

  it('keeps the dtype of integer inputs, as does onnxruntime', async () => {
    const x = randomIntTensor([3, 3], 5, -5, 5, 'int64');
    const pads = [1, 0, 0, 2];
    const want = (await runOrt({ opType: 'Pad', inputs: [x, int64(pads), Tensor.scalar(7, 'int64')] }))[0];
    const got = defaultOps.run('pad', [x, int64(pads)], { value: 7 })[0];
    expect(got.dtype).toBe('int64');
    expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
  });

  it('reflects again and again when a pad exceeds the axis, as numpy (the ONNX reference) does', () => {
    expect(pad(Tensor.from([3], [1, 2, 3]), [5, 0], 'reflect').toArray()).toEqual([2, 1, 2, 3, 2, 1, 2, 3]);
  });

  it('names the argument that does not fit', () => {
    const x = randomTensor([2, 3], 0);
    expect(() => pad(x, [1, 1])).toThrow("pad: 'pads' has 2 values but an input of rank 2 needs 4 ([begin…, end…])");
    expect(() => pad(x, [0, -2, 0, -2])).toThrow(/pad: 'pads' \[0, -2, 0, -2\] crop axis 1 of \[2, 3\] below zero/);
    expect(() => defaultOps.run('pad', [x], { pads: [0, 0, 0, 0], mode: 'mirror' })).toThrow(/pad: attribute 'mode' must be one of/);
    expect(() => defaultOps.run('pad', [x])).toThrow("pad: needs 'pads' as input 1 or as an attribute");
  });
});
