import { readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { defaultOps } from '../../../src/engine/ops';
import {
  cast, concat, expand, flatten, reshape, shapeOf, slice, split, splitSizes, squeeze, transpose, unsqueeze,
} from '../../../src/engine/ops/shape';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomIntTensor, randomTensor, seededRandom } from './helpers';
import { loadNodeCase, NODE_CASES_DIR, runOrt } from './ortOracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');
const int64 = (values: number[]): Tensor<'int64'> => Tensor.from([values.length], values, 'int64');

/** A random permutation of 0..n-1 from `rand`. */
function shuffle(n: number, rand: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

describe('transpose', () => {
  it('matches tf.transpose for random shapes and permutations of rank 1 to 6', () => {
    const rand = seededRandom(7);
    for (let trial = 0; trial < 60; trial++) {
      const rank = 1 + (trial % 6);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 5));
      const perm = shuffle(rank, rand);
      const x = randomTensor(shape, trial);
      const want = tf.transpose(tfOf(x), perm);
      expectClose(transpose(x, perm), want.dataSync(), want.shape, { atol: 0, rtol: 0 });
    }
  });

  it('turns NCHW into NHWC and back, including tiles larger than the block size', () => {
    const x = randomTensor([2, 40, 35, 33], 1);
    const nhwc = transpose(x, [0, 2, 3, 1]);
    const want = tf.transpose(tfOf(x), [0, 2, 3, 1]);
    expectClose(nhwc, want.dataSync(), [2, 35, 33, 40], { atol: 0, rtol: 0 });
    expectClose(transpose(nhwc, [0, 3, 1, 2]), x.data, x.shape, { atol: 0, rtol: 0 });
  });

  it('reverses the axes when perm is left out and keeps the dtype', () => {
    const x = randomIntTensor([3, 1, 4], 2, -9, 9, 'int32');
    const y = defaultOps.run('transpose', [x])[0];
    expect(y.dtype).toBe('int32');
    const want = tf.transpose(tfOf(x));
    expectClose(y, want.dataSync(), [4, 1, 3], { atol: 0, rtol: 0 });
  });

  it('rejects a perm that is not a permutation, naming it', () => {
    expect(() => transpose(randomTensor([2, 3], 0), [0, 0])).toThrow(/transpose: 'perm' \[0, 0\] is not a permutation/);
  });
});

describe('reshape and flatten', () => {
  it('copies a 0 dimension, infers -1 and shares the data', () => {
    const x = randomTensor([2, 3, 4], 3);
    const y = reshape(x, [0, -1]);
    expect([...y.shape]).toEqual([2, 12]);
    expect(y.data).toBe(x.data);
  });

  it('keeps 0 as an empty dimension with allowzero', () => {
    expect([...reshape(Tensor.zeros([0, 3]), [3, 0], true).shape]).toEqual([3, 0]);
  });

  it('takes the shape as an int64 input or as an attribute', () => {
    const x = randomTensor([4, 6], 4);
    expect([...defaultOps.run('reshape', [x, int64([3, -1])])[0].shape]).toEqual([3, 8]);
    expect([...defaultOps.run('reshape', [x], { shape: [2, 2, -1] })[0].shape]).toEqual([2, 2, 6]);
  });

  it('names both shapes when the sizes disagree', () => {
    expect(() => reshape(randomTensor([2, 3], 0), [4, 2])).toThrow('reshape: cannot reshape [2, 3] into [4, 2]: 6 elements vs 8');
    expect(() => reshape(randomTensor([2, 3], 0), [4, -1])).toThrow(/cannot reshape \[2, 3\] into \[4, -1\]/);
    expect(() => reshape(randomTensor([2, 3], 0), [-1, -1])).toThrow(/more than one -1/);
  });

  it('flattens around an axis, including 0 and negative axes', () => {
    const x = randomTensor([2, 3, 4, 5], 5);
    expect([...flatten(x, 0).shape]).toEqual([1, 120]);
    expect([...flatten(x).shape]).toEqual([2, 60]);
    expect([...flatten(x, -1).shape]).toEqual([24, 5]);
    expect([...flatten(x, 4).shape]).toEqual([120, 1]);
    expect(() => flatten(x, 5)).toThrow(/flatten: axis 5 is out of range/);
  });
});

describe('concat and split', () => {
  it('matches tf.concat along every axis, negative axes included', () => {
    for (let axis = -3; axis < 3; axis++) {
      const a = axis < 0 ? axis + 3 : axis;
      const shapes = [1, 3, 2].map((n) => [2, 3, 4].map((d, i) => (i === a ? n : d)));
      const xs = shapes.map((s, i) => randomTensor(s, 10 + i));
      const want = tf.concat(xs.map(tfOf), a);
      expectClose(concat(xs, axis), want.dataSync(), want.shape, { atol: 0, rtol: 0 });
    }
  });

  it('accepts zero-size inputs and copies long blocks', () => {
    const xs = [randomTensor([3, 0], 1), randomTensor([3, 40], 2), randomTensor([3, 5], 3)];
    const want = tf.concat(xs.map(tfOf), 1);
    expectClose(defaultOps.run('concat', xs, { axis: -1 })[0], want.dataSync(), [3, 45], { atol: 0, rtol: 0 });
  });

  it('names the input whose shape or dtype does not fit', () => {
    expect(() => concat([randomTensor([2, 3], 0), randomTensor([3, 3], 1)], 1))
      .toThrow('concat: input 1 has shape [3, 3] but input 0 has [2, 3]; all dims but axis 1 must match');
    expect(() => concat<'float32' | 'int32'>([randomTensor([2], 0), Tensor.zeros([2], 'int32')], 0)).toThrow(/input 1 is int32/);
  });

  it('matches tf.split for explicit sizes on each axis', () => {
    const x = randomTensor([6, 7, 5], 6);
    const cases: [number, number[]][] = [[0, [1, 2, 3]], [1, [3, 0, 4]], [2, [5]], [-1, [2, 3]]];
    for (const [axis, sizes] of cases) {
      const a = axis < 0 ? axis + 3 : axis;
      const want = tf.split(tfOf(x), sizes, a);
      const got = split(x, axis, sizes);
      expect(got).toHaveLength(sizes.length);
      got.forEach((g, i) => expectClose(g, want[i].dataSync(), want[i].shape, { atol: 0, rtol: 0 }));
    }
  });

  it('splits into numOutputs chunks with a smaller last chunk, as onnxruntime does', async () => {
    expect(splitSizes(7, 3)).toEqual([3, 3, 1]);
    expect(() => splitSizes(6, 4)).toThrow(/split: cannot split a dimension of 6 into 4 outputs/);
    const x = randomTensor([7, 2], 8);
    const want = await runOrt({ opType: 'Split', inputs: [x], attributes: { axis: 0, num_outputs: 3 }, outputs: 3, opset: 18 });
    const got = defaultOps.run('split', [x], { numOutputs: 3 });
    got.forEach((g, i) => expectClose(g, want[i].data, want[i].shape, { atol: 0, rtol: 0 }));
  });

  it('asks for sizes or numOutputs when it has neither', () => {
    expect(() => defaultOps.run('split', [randomTensor([4], 0)])).toThrow("split: needs 'split' sizes or 'numOutputs'");
    expect(() => split(randomTensor([4], 0), 0, [1, 2])).toThrow(/'split' sizes \[1, 2\] must be non-negative and sum to 4/);
  });
});

describe('slice', () => {
  it('matches onnxruntime for random starts, ends, axes and steps (negative and out of range too)', async () => {
    const rand = seededRandom(11);
    const x = randomTensor([5, 6, 7], 12);
    const pick = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
    for (let trial = 0; trial < 40; trial++) {
      const axes = shuffle(3, rand).slice(0, pick(1, 3)).map((a) => (rand() < 0.3 ? a - 3 : a));
      const steps = axes.map(() => [1, 1, 2, 3, -1, -2][pick(0, 5)]);
      const starts = axes.map(() => pick(-9, 9));
      const ends = axes.map(() => (rand() < 0.15 ? (rand() < 0.5 ? 2 ** 62 : -(2 ** 62)) : pick(-9, 9)));
      const want = (await runOrt({ opType: 'Slice', inputs: [x, int64(starts), int64(ends), int64(axes), int64(steps)] }))[0];
      const got = defaultOps.run('slice', [x, int64(starts), int64(ends), int64(axes), int64(steps)])[0];
      expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
    }
  });

  it('takes starts and ends as attributes (opset 1) with default axes and steps', () => {
    const x = Tensor.from([2, 4], [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(defaultOps.run('slice', [x], { starts: [1, 1], ends: [2, 3] })[0].toArray()).toEqual([5, 6]);
    expect(slice(x, [-1], [-1000], [1], [-2]).toArray()).toEqual([3, 1, 7, 5]);
  });

  it('rejects a zero step and mismatched lengths, naming the argument', () => {
    const x = randomTensor([3], 0);
    expect(() => slice(x, [0], [3], [0], [0])).toThrow("slice: 'steps' must not be 0 (axis 0)");
    expect(() => slice(x, [0, 1], [3])).toThrow(/'starts' has 2 values but 'ends' has 1/);
  });
});

describe('squeeze, unsqueeze, shape, cast, expand', () => {
  it('squeezes the listed axes or every axis of size 1', () => {
    const x = randomTensor([1, 3, 1, 2], 0);
    expect([...squeeze(x).shape]).toEqual([3, 2]);
    expect([...defaultOps.run('squeeze', [x, int64([-2])])[0].shape]).toEqual([1, 3, 2]);
    expect(() => squeeze(x, [1])).toThrow('squeeze: axis 1 of [1, 3, 1, 2] has size 3, not 1');
  });

  it('unsqueezes at positions of the output, in any order', () => {
    const x = randomTensor([3, 4], 0);
    expect([...unsqueeze(x, [4, 0, -3]).shape]).toEqual([1, 3, 1, 4, 1]);
    expect(() => defaultOps.run('unsqueeze', [x])).toThrow(/unsqueeze: needs 'axes'/);
    expect(() => unsqueeze(x, [1, 1])).toThrow(/repeats an axis/);
  });

  it('returns the shape as int64, sliced by start and end', () => {
    const x = Tensor.zeros([2, 3, 4, 5]);
    const s = shapeOf(x, 1, -1);
    expect(s.dtype).toBe('int64');
    expect(s.toArray()).toEqual([3, 4]);
    expect(defaultOps.run('shape', [x], { start: -10, end: 10 })[0].toArray()).toEqual([2, 3, 4, 5]);
  });

  it('casts like onnxruntime between float32, int32, int64 and bool', async () => {
    const x = Tensor.from([8], [-2.7, -0.5, 0, 0.4, 1.5, 3.99, 1e9, -7]);
    const codes = { float32: 1, int32: 6, int64: 7, bool: 9 } as const;
    for (const to of ['int32', 'int64', 'bool'] as const) {
      const want = (await runOrt({ opType: 'Cast', inputs: [x], attributes: { to: codes[to] } }))[0];
      const got = defaultOps.run('cast', [x], { to: codes[to] })[0];
      expect(got.dtype).toBe(to);
      expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
      const back = (await runOrt({ opType: 'Cast', inputs: [got], attributes: { to: 1 } }))[0];
      expectClose(cast(got, 'float32'), back.data, back.shape, { atol: 0, rtol: 0 });
    }
    expect(defaultOps.run('cast', [x], { to: '7' })[0].dtype).toBe('int64');
    expect(() => defaultOps.run('cast', [x], { to: 11 })).toThrow(/cast: 'to' must be float32, int32, int64 or bool/);
  });

  it('expands by NumPy broadcasting like onnxruntime, keeping larger input dims', async () => {
    const cases: [number[], number[]][] = [[[3, 1], [2, 1, 4]], [[1], [2, 3]], [[2, 1, 3], [1, 4, 1]], [[4], [4]]];
    for (const [shape, target] of cases) {
      const x = randomTensor(shape, 9);
      const want = (await runOrt({ opType: 'Expand', inputs: [x, int64(target)] }))[0];
      expectClose(expand(x, target), want.data, want.shape, { atol: 0, rtol: 0 });
    }
    expect(() => expand(randomTensor([3], 0), [2, 4])).toThrow(/^expand: cannot broadcast/);
  });
});

describe.skipIf(!NODE_CASES_DIR)('ONNX backend node tests', () => {
  const names = readdirSync(NODE_CASES_DIR ?? '.')
    .filter((n) => /^test_(concat|flatten|reshape|shape|slice|split|squeeze|transpose|unsqueeze)(_|$)/.test(n));
  it.each(names)('%s', (name) => {
    const c = loadNodeCase(name);
    const op = c.opType[0].toLowerCase() + c.opType.slice(1);
    // A Split without sizes splits into as many pieces as the node has outputs; a loader passes that count.
    const attrs = op === 'split' && c.attrs.numOutputs === undefined ? { ...c.attrs, numOutputs: c.outputs.length } : c.attrs;
    const got = defaultOps.run(op, c.inputs, attrs);
    expect(got).toHaveLength(c.outputs.length);
    got.forEach((g, i) => {
      expect(g.dtype).toBe(c.outputs[i].dtype);
      expectClose(g, c.outputs[i].data, c.outputs[i].shape, { atol: 0, rtol: 0 });
    });
  });
});

it('throws EngineError from every kernel here', () => {
  expect(() => transpose(randomTensor([2], 0), [1])).toThrow(EngineError);
});
