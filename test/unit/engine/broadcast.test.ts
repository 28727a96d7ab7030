import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import {
  binaryBroadcast, broadcastPlan, broadcastShapeN, broadcastShapes, broadcastTo, broadcastsTo,
} from '../../../src/engine/kernels/broadcast';
import type { BinaryRun } from '../../../src/engine/kernels/broadcast';
import type { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomTensor } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');

const addRun: BinaryRun = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] + b[bi];
};

/** Shape pairs covering equal shapes, scalars, bias over the last axis or channels, both-sided stretching, empty. */
const PAIRS: [number[], number[]][] = [
  [[2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], []],
  [[], [2, 3, 4]],
  [[2, 3, 4], [4]],
  [[2, 3, 4], [3, 1]],
  [[2, 5, 3, 3], [1, 5, 1, 1]],
  [[4, 1], [1, 5]],
  [[5, 1, 1, 3], [4, 3]],
  [[1], [6]],
  [[2, 1, 3, 1], [1, 4, 1, 5]],
  [[0, 3], [1, 3]],
];

describe('broadcastShapes', () => {
  it('aligns on the last axis and stretches size-1 dims', () => {
    expect(broadcastShapes([2, 1, 4], [3, 1], 'add')).toEqual([2, 3, 4]);
    expect(broadcastShapes([], [5], 'add')).toEqual([5]);
    expect(broadcastShapes([0, 1], [1, 3], 'add')).toEqual([0, 3]);
    expect(broadcastShapeN([[2, 1], [1, 3], [4, 1, 1]], 'where')).toEqual([4, 2, 3]);
  });

  it('matches tf.broadcastArgs on every test pair', () => {
    for (const [a, b] of PAIRS.filter(([x, y]) => !x.includes(0) && !y.includes(0))) {
      const want = tf.broadcastArgs(tf.tensor1d(a.length ? a : [1], 'int32'), tf.tensor1d(b.length ? b : [1], 'int32'));
      const got = broadcastShapes(a, b, 'add');
      expect(got.length ? got : [1]).toEqual(Array.from(want.dataSync()));
    }
  });

  it('names the op, both arguments and the axis when shapes clash', () => {
    expect(() => broadcastShapes([2, 3], [4], 'add')).toThrow(EngineError);
    expect(() => broadcastShapes([2, 3], [4], 'add')).toThrow("add: cannot broadcast 'a' [2, 3] with 'b' [4]: axis -1 is 3 vs 4");
    expect(() => broadcastShapes([2, 3], [5, 3], 'mul', ['x', 'y'])).toThrow(/mul: .*'x' \[2, 3\].*'y' \[5, 3\].*axis -2/);
  });

  it('tells unidirectional broadcasting apart', () => {
    expect(broadcastsTo([3], [2, 3])).toBe(true);
    expect(broadcastsTo([1, 1], [2, 3])).toBe(true);
    expect(broadcastsTo([2, 3], [3])).toBe(false);
    expect(broadcastsTo([2], [2, 3])).toBe(false);
  });
});

describe('broadcastPlan', () => {
  it('merges contiguous dims into one run for equal shapes and scalars', () => {
    expect(broadcastPlan([2, 3, 4], [[2, 3, 4], [2, 3, 4]]).dims).toEqual([24]);
    expect(broadcastPlan([2, 3, 4], [[2, 3, 4], []])).toEqual({ dims: [24], strides: [[1], [0]] });
  });

  it('keeps a per-channel bias as [N, C, H·W] with a zero inner stride', () => {
    const plan = broadcastPlan([2, 5, 3, 3], [[2, 5, 3, 3], [1, 5, 1, 1]]);
    expect(plan.dims).toEqual([2, 5, 9]);
    expect(plan.strides[1]).toEqual([0, 1, 0]);
  });
});

describe('binaryBroadcast', () => {
  it('matches tf.add on every test pair', () => {
    PAIRS.forEach(([sa, sb], i) => {
      const a = randomTensor(sa, 2 * i + 1);
      const b = randomTensor(sb, 2 * i + 2);
      const want = tf.add(tfOf(a), tfOf(b));
      expectClose(binaryBroadcast(a, b, 'float32', addRun, 'add'), want.dataSync(), want.shape, { atol: 1e-6 });
    });
  });
});

describe('broadcastTo', () => {
  it('matches tf.broadcastTo, including leading new axes', () => {
    for (const [from, to] of [[[3, 1], [2, 3, 4]], [[], [2, 2]], [[1, 4], [3, 4]], [[2, 3], [2, 3]]] as const) {
      const x = randomTensor(from, 7);
      const want = tf.broadcastTo(tfOf(x), [...to]);
      expectClose(broadcastTo(x, to, 'expand'), want.dataSync(), want.shape, { atol: 0, rtol: 0 });
    }
  });

  it('refuses a shape that would need the target to stretch', () => {
    expect(() => broadcastTo(randomTensor([2, 3], 1), [3], 'gemm', 'c')).toThrow("gemm: cannot broadcast 'c' [2, 3] to [3]");
  });
});
