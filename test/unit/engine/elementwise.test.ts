import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { erfScalar, erfcScalar } from '../../../src/engine/kernels/erf';
import { defaultOps } from '../../../src/engine/ops';
import {
  abs, add, ceil, div, erf, exp, floor, identity, log, max, min, mul, neg, pow, reciprocal, sqrt, sub,
} from '../../../src/engine/ops/elementwise';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomIntTensor, randomTensor } from './helpers';
import { runOrt } from './ortOracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tfOf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');

const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ['add', add, tf.add],
  ['sub', sub, tf.sub],
  ['mul', mul, tf.mul],
  ['div', div, tf.div],
  ['max', max, tf.maximum],
  ['min', min, tf.minimum],
];

const SHAPES: [number[], number[]][] = [[[3, 4], [3, 4]], [[2, 3, 4], [4]], [[2, 1, 4], [3, 1]], [[], [2, 2]], [[1, 5, 1, 1], [2, 5, 2, 3]]];

describe('binary arithmetic', () => {
  for (const [name, ours, theirs] of BINARY) {
    it(`${name} matches tfjs with broadcasting`, () => {
      SHAPES.forEach(([sa, sb], i) => {
        const a = randomTensor(sa, 10 + i);
        const b = name === 'div' ? randomTensor(sb, 20 + i, 0.5, 2) : randomTensor(sb, 20 + i);
        const want = theirs(tfOf(a), tfOf(b));
        expectClose(ours(a, b), want.dataSync(), want.shape, { atol: 1e-6, rtol: 1e-6 });
        // The registry entry is the same kernel.
        expectClose(defaultOps.run(name, [a, b])[0], want.dataSync(), want.shape, { atol: 1e-6, rtol: 1e-6 });
      });
    });
  }

  it('pow matches tfjs for positive bases and onnxruntime for integer exponents of negative bases', async () => {
    const a = randomTensor([3, 4], 1, 0.1, 3);
    const b = randomTensor([4], 2, -2, 2);
    const want = tf.pow(tfOf(a), tfOf(b));
    expectClose(pow(a, b), want.dataSync(), want.shape, { atol: 1e-6, rtol: 1e-5 });
    const neg = randomTensor([5], 3, -3, 0);
    const ints = Tensor.from([5], [0, 1, 2, 3, -1]);
    const ort = (await runOrt({ opType: 'Pow', inputs: [neg, ints] }))[0];
    expectClose(pow(neg, ints), ort.data, ort.shape, { rtol: 1e-6 });
  });

  it('divides integers with truncation toward zero, as onnxruntime does', async () => {
    for (const dtype of ['int32', 'int64'] as const) {
      const a = randomIntTensor([4, 6], 5, -50, 50, dtype);
      const b = Tensor.from([6], [7, -7, 3, -3, 1, 2], dtype);
      const want = (await runOrt({ opType: 'Div', inputs: [a, b] }))[0];
      const got = div(a, b);
      expect(got.dtype).toBe(dtype);
      expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
    }
  });

  it('adds, multiplies and takes max/min of int32 and int64 exactly, as onnxruntime does', async () => {
    for (const dtype of ['int32', 'int64'] as const) {
      const a = randomIntTensor([3, 5], 6, -1000, 1000, dtype);
      const b = randomIntTensor([5], 7, -1000, 1000, dtype);
      for (const [op, onnx] of [['add', 'Add'], ['sub', 'Sub'], ['mul', 'Mul'], ['max', 'Max'], ['min', 'Min']]) {
        const want = (await runOrt({ opType: onnx, inputs: [a, b] }))[0];
        const got = defaultOps.run(op, [a, b])[0];
        expect(got.dtype).toBe(dtype);
        expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
      }
    }
  });

  it('wraps int32 products like C instead of losing low bits', () => {
    const a = Tensor.from([1], [0x7fffffff], 'int32');
    expect(mul(a, a).toArray()).toEqual([Math.imul(0x7fffffff, 0x7fffffff)]);
  });

  it('promotes mixed dtypes to the wider one', () => {
    const f = Tensor.from([2], [0.5, 1.5]);
    const i = Tensor.from([2], [2, 3], 'int64');
    const s = add(f, i);
    expect(s.dtype).toBe('float32');
    expect(s.toArray()).toEqual([2.5, 4.5]);
    expect(add(Tensor.from([1], [1], 'int32'), i).dtype).toBe('int64');
  });

  it('propagates NaN through add, max and min', () => {
    const a = Tensor.from([3], [NaN, 1, 2]);
    const b = Tensor.from([3], [0, NaN, -1]);
    expect(add(a, b).toArray().slice(0, 2)).toEqual([NaN, NaN]);
    expect(max(a, b).toArray()).toEqual([NaN, NaN, 2]);
    expect(min(a, b).toArray()).toEqual([NaN, NaN, -1]);
  });

  it('names the op and both inputs when shapes do not broadcast', () => {
    expect(() => defaultOps.run('add', [randomTensor([2, 3], 1), randomTensor([4], 2)]))
      .toThrow("add: cannot broadcast 'a' [2, 3] with 'b' [4]: axis -1 is 3 vs 4");
    expect(() => defaultOps.run('mul', [randomTensor([2, 3], 1)])).toThrow('mul: expects 2 inputs, got 1');
  });

  it('refuses arithmetic on two bools', () => {
    const t = Tensor.from([2], [1, 0], 'bool');
    expect(() => add(t, t)).toThrow("add: inputs 'a' and 'b' are bool");
  });

  it('returns an empty result for an empty broadcast', () => {
    const r = add(randomTensor([0, 3], 1), randomTensor([3], 2));
    expect(r.shape).toEqual([0, 3]);
  });
});

describe('unary math', () => {
  const UNARY: [string, (x: Tensor) => Tensor, (x: tf.Tensor) => tf.Tensor, number, number][] = [
    ['sqrt', sqrt, tf.sqrt, 0, 4],
    ['exp', exp, tf.exp, -5, 5],
    ['log', log, tf.log, 0.01, 10],
    ['neg', neg, tf.neg, -3, 3],
    ['abs', abs, tf.abs, -3, 3],
    ['reciprocal', reciprocal, tf.reciprocal, 0.1, 3],
    ['floor', floor, tf.floor, -5, 5],
    ['ceil', ceil, tf.ceil, -5, 5],
  ];
  for (const [name, ours, theirs, lo, hi] of UNARY) {
    it(`${name} matches tfjs`, () => {
      const x = randomTensor([4, 25], name.length, lo, hi);
      const want = theirs(tfOf(x));
      expectClose(ours(x), want.dataSync(), want.shape, { atol: 1e-6, rtol: 1e-6 });
      expectClose(defaultOps.run(name, [x])[0], want.dataSync(), want.shape, { atol: 1e-6, rtol: 1e-6 });
    });
  }

  it('erf matches onnxruntime to float32 precision over [-6, 6]', async () => {
    const x = randomTensor([400], 11, -6, 6);
    const want = (await runOrt({ opType: 'Erf', inputs: [x] }))[0];
    expectClose(erf(x), want.data, want.shape, { atol: 2e-7, rtol: 0 });
  });

  it('erf and erfc match a Simpson-rule integral of the Gaussian, tail included', () => {
    // erf(x) = 2/√π ∫₀ˣ e^(−t²) dt and erfc(x) = 2/√π ∫ₓ^(x+12) e^(−t²) dt (the rest is below 1e-60).
    const integral = (from: number, to: number): number => {
      const steps = 20000;
      const h = (to - from) / steps;
      let s = 0;
      for (let i = 0; i <= steps; i++) {
        const w = i === 0 || i === steps ? 1 : i % 2 ? 4 : 2;
        const t = from + i * h;
        s += w * Math.exp(-t * t);
      }
      return ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
    };
    for (const x of [0.1, 0.5, 1, 1.5, 1.99, 2, 2.5, 3.5]) {
      expect(erfScalar(x)).toBeCloseTo(integral(0, x), 12);
      expect(erfScalar(-x)).toBeCloseTo(-integral(0, x), 12);
    }
    for (const x of [1, 2, 3, 5, 8]) {
      const want = integral(x, x + 12);
      expect(Math.abs(erfcScalar(x) - want) / want).toBeLessThan(1e-10);
      expect(erfcScalar(-x)).toBeCloseTo(2 - want, 12);
    }
    expect(erfScalar(0)).toBe(0);
    expect(erfScalar(Infinity)).toBe(1);
    expect(erfScalar(-Infinity)).toBe(-1);
    expect(erfScalar(NaN)).toBeNaN();
    expect(erfcScalar(NaN)).toBeNaN();
  });

  it('keeps integer dtypes for neg, abs, floor, ceil and identity, and returns float32 for the float-only ones', () => {
    const i = Tensor.from([3], [-2, 0, 5], 'int64');
    expect(neg(i).dtype).toBe('int64');
    expect(abs(i).toArray()).toEqual([2, 0, 5]);
    expect(floor(i).toArray()).toEqual([-2, 0, 5]);
    expect(ceil(i).dtype).toBe('int64');
    expect(identity(i).toArray()).toEqual([-2, 0, 5]);
    expect(sqrt(Tensor.from([2], [4, 9], 'int32')).dtype).toBe('float32');
  });

  it('follows IEEE at the edges: log(0) = -Inf, sqrt(-1) = NaN, 1/0 = Inf, NaN stays NaN', () => {
    expect(log(Tensor.from([2], [0, -1])).toArray()).toEqual([-Infinity, NaN]);
    expect(sqrt(Tensor.from([1], [-1])).toArray()).toEqual([NaN]);
    expect(reciprocal(Tensor.from([2], [0, -0])).toArray()).toEqual([Infinity, -Infinity]);
    for (const f of [sqrt, exp, log, neg, abs, reciprocal, erf, floor, ceil]) expect(f(Tensor.from([1], [NaN])).toArray()).toEqual([NaN]);
  });
});
