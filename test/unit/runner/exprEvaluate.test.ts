import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { WorkBudget } from '../../../src/runner/expr/budget';
import { evaluate, truthy } from '../../../src/runner/expr/evaluate';
import type { EvalScope } from '../../../src/runner/expr/evaluate';
import { Collection } from '../../../src/runner/expr/values';
import type { Val } from '../../../src/runner/expr/values';
import { randomTensor } from '../engine/helpers';

/** 0, 1, 2, ... in a tensor of the given shape: hand-checkable indexing. */
function arange(shape: number[], dtype: 'float32' | 'int32' = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(shape, Array.from({ length: n }, (_, i) => i), dtype);
}

function scope(vars: Record<string, Val>, values: Record<string, Tensor> = {}): EvalScope {
  return {
    lookup: (n) => (Object.hasOwn(vars, n) ? vars[n] : undefined),
    value: (n) => {
      if (!Object.hasOwn(values, n)) throw new Error(`no value '${n}'`);
      return values[n];
    },
    names: () => Object.keys(vars),
  };
}

const x23 = arange([2, 3]);
const base = scope({
  x: x23,
  v: arange([3]),
  c: arange([2, 1]),
  r: arange([1, 3]),
  i: arange([4], 'int32'),
  s: 'hidden',
  inputs: new Collection('inputs', new Map<string, () => Val>([['x', () => x23], ['h', () => arange([2])]])),
  attrs: new Collection('attrs', new Map<string, () => Val>([['units', () => 128], ['activation', () => 'relu']])),
}, { 'hidden/matmul:0': arange([2, 2]) });

const ev = (src: string, sc: EvalScope = base, budget?: WorkBudget): Val => evaluate(src, sc, budget);
const arr = (v: Val): number[] => (v as Tensor).toArray();

describe('evaluate: scalars', () => {
  it.each([
    ['1 + 2 * 3', 7], ['(1 + 2) * 3', 9], ['2 ** 10', 1024], ['-2 ** 2', -4], ['7 % 3', 1], ['-7 % 3', 2], ['7 % -3', -2],
    ['10 / 4', 2.5], ['1 < 2', true], ['2 <= 1', false], ['3 == 3', true], ['3 != 3', false],
    ['true && false', false], ['false || 1 > 0', true], ['!0', true], ['-(1 + 1)', -2], ['NaN == NaN', false],
  ])('%s = %s', (src, want) => {
    expect(ev(src)).toBe(want);
  });

  it('short-circuits && and || on scalars', () => {
    expect(ev("false && value('missing')")).toBe(false);
    expect(ev("true || value('missing')")).toBe(true);
  });

  it('compares strings and lists', () => {
    expect(ev("s == 'hidden'")).toBe(true);
    expect(ev("s != 'hidden'")).toBe(false);
    expect(ev("s + '/x'")).toBe('hidden/x');
    expect(ev('shape(x) == x.shape')).toBe(true);
    expect(ev('shape(x) == shape(v)')).toBe(false);
    expect(ev('shape(x)[1]')).toBe(3);
    expect(ev('x.shape[-2]')).toBe(2);
    expect(ev('x.shape.length')).toBe(2);
  });
});

describe('evaluate: tensors', () => {
  it('broadcasts tensors with scalars and with tensors (NumPy rules)', () => {
    expect(arr(ev('x * 2'))).toEqual([0, 2, 4, 6, 8, 10]);
    expect(arr(ev('1 - x'))).toEqual([1, 0, -1, -2, -3, -4]);
    expect(arr(ev('x + v'))).toEqual([0, 2, 4, 3, 5, 7]);
    const outer = ev('c * 10 + r') as Tensor;
    expect(outer.shape).toEqual([2, 3]);
    expect(outer.toArray()).toEqual([0, 1, 2, 10, 11, 12]);
    expect(() => ev('x + arangeless')).toThrow(/unknown name 'arangeless'/);
    expect(() => ev('x + inputs.h')).toThrow('column 3: shapes [2,3] and [2] do not broadcast');
  });

  it('compares elementwise into bool tensors and counts them', () => {
    const gt = ev('x > 2') as Tensor;
    expect(gt.dtype).toBe('bool');
    expect(gt.toArray()).toEqual([0, 0, 0, 1, 1, 1]);
    expect(ev('count(x > 2)')).toBe(3);
    expect(ev('count(x >= 1 && x < 4)')).toBe(3);
    expect(arr(ev('!(x > 2) || x == 5'))).toEqual([1, 1, 1, 0, 0, 1]);
  });

  it('keeps integer dtypes where NumPy would', () => {
    expect((ev('i * 2') as Tensor).dtype).toBe('int32');
    expect((ev('i / 2') as Tensor).dtype).toBe('float32');
    expect((ev('i + 0.5') as Tensor).dtype).toBe('float32');
    expect(arr(ev('i % 3'))).toEqual([0, 1, 2, 0]);
    expect(arr(ev('-i'))).toEqual([0, -1, -2, -3]);
  });

  it('indexes and slices with NumPy rules, returning copies', () => {
    const t = scope({ t: arange([2, 3, 4]) });
    expect(ev('t[1, 2, 3]', t)).toBe(23);
    expect(ev('t[-1, -1, -1]', t)).toBe(23);
    const row = ev('t[0, 1]', t) as Tensor;
    expect(row.shape).toEqual([4]);
    expect(row.toArray()).toEqual([4, 5, 6, 7]);
    const s = ev('t[0, :2, ::2]', t) as Tensor;
    expect(s.shape).toEqual([2, 2]);
    expect(s.toArray()).toEqual([0, 2, 4, 6]);
    expect(arr(ev('t[1, 0, ::-1]', t))).toEqual([15, 14, 13, 12]);
    expect(arr(ev('t[0, 0, 3:0:-2]', t))).toEqual([3, 1]);
    expect(arr(ev('t[0, 0, -2:]', t))).toEqual([2, 3]);
    expect(arr(ev('t[0, 0, 10:]', t))).toEqual([]);
    expect((ev('t[:, 1:, -1]', t) as Tensor).shape).toEqual([2, 2]);
    expect((ev('t[1]', t) as Tensor).shape).toEqual([3, 4]);
    expect(ev('(t > 5)[0, 1, 2]', t)).toBe(true);
    expect(ev('t[0, 0, argmax(t[0, 0])]', t)).toBe(3);
  });

  it('reports bad indices with the column', () => {
    const t = scope({ t: arange([2, 3]) });
    expect(() => ev('t[2]', t)).toThrow('column 2: index 2 is out of range for axis 0 of size 2');
    expect(() => ev('t[0, 0, 0]', t)).toThrow(/too many indices \(3\) for a tensor of rank 2/);
    expect(() => ev('t[::0]', t)).toThrow(/slice step cannot be zero/);
    expect(() => ev('t[0.5]', t)).toThrow('column 3: an index must be an integer, got 0.5');
  });

  it('reads collections by member, name and position, never JavaScript properties', () => {
    expect(ev('inputs.x')).toBe(x23);
    expect(ev("inputs['h']")).toEqual(arange([2]));
    expect(ev('inputs[-1]')).toEqual(arange([2]));
    expect(ev('attrs.units')).toBe(128);
    expect(ev("attrs.activation == 'relu'")).toBe(true);
    expect(() => ev('attrs.toString')).toThrow("attrs has no 'toString'; it has units, activation");
    expect(() => ev('attrs.hasOwnProperty')).toThrow(/attrs has no 'hasOwnProperty'/);
    expect(() => ev("inputs['__proto__']")).toThrow(/is not allowed/);
    expect(() => ev('x.constructor')).toThrow(/is not allowed/);
    expect(() => ev('x.data')).toThrow(/has no property 'data'/);
    expect(() => ev('inputs[5]')).toThrow(/out of range/);
  });

  it('calls value() for names that are not identifiers', () => {
    expect(ev("value('hidden/matmul:0').sum()")).toBe(6);
    expect(() => ev("value('nope')")).toThrow("no value 'nope'");
    expect(() => ev('value(1)')).toThrow(/value expects a value name in quotes/);
  });

  it('explains misuse of functions and methods', () => {
    expect(() => ev('max')).toThrow("'max' is a function; call it: max(x)");
    expect(() => ev('x.max')).toThrow("'max' is a method; call it: .max()");
    expect(() => ev('frobnicate(x)')).toThrow(/unknown function 'frobnicate'/);
    expect(() => ev('mean(x, 1)')).toThrow('mean takes 1 argument, got 2');
    expect(() => ev("mean('a')")).toThrow('mean expects a tensor or a number, got a string');
  });

  it('stops expressions that do too much work', () => {
    const big = scope({ t: Tensor.zeros([1000]) });
    expect(() => ev('t + t + t', big, new WorkBudget(1500))).toThrow(/too much work/);
    expect(ev('(t + 1).sum()', big, new WorkBudget(5000))).toBe(1000);
  });
});

describe('builtins', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reduce like tfjs on random data', () => {
    const t = randomTensor([7, 9], 42, -3, 3);
    const sc = scope({ t });
    const o = tf.tensor(t.toArray(), [7, 9]);
    const close = (got: Val, want: number) => expect(got as number).toBeCloseTo(want, 4);
    close(ev('t.sum()', sc), o.sum().dataSync()[0]);
    close(ev('mean(t)', sc), o.mean().dataSync()[0]);
    close(ev('t.std()', sc), Math.sqrt(tf.moments(o).variance.dataSync()[0]));
    close(ev('norm(t)', sc), o.norm().dataSync()[0]);
    close(ev('t.min()', sc), o.min().dataSync()[0]);
    close(ev('t.max()', sc), o.max().dataSync()[0]);
    expect(ev('t.argmax()', sc)).toBe(o.flatten().argMax().dataSync()[0]);
    const a = tf.tensor(t.toArray()).abs().dataSync();
    expect(arr(ev('abs(t)', sc))).toEqual(Array.from(a));
    expect(arr(ev('max(t, 0)', sc))).toEqual(Array.from(tf.tensor(t.toArray()).relu().dataSync()));
  });

  it('answers shape, size, dtype and NaN questions', () => {
    const bad = Tensor.from([3], [1, NaN, Infinity]);
    const sc = scope({ bad, x: x23 });
    expect(ev('shape(x)', sc)).toEqual([2, 3]);
    expect(ev('x.size', sc)).toBe(6);
    expect(ev('size(x)', sc)).toBe(6);
    expect(ev('x.dtype', sc)).toBe('float32');
    expect(ev('dtype(x > 1)', sc)).toBe('bool');
    expect(ev('x.rank', sc)).toBe(2);
    expect(ev('hasNaN(bad)', sc)).toBe(true);
    expect(ev('hasInf(bad)', sc)).toBe(true);
    expect(ev('isFinite(bad)', sc)).toBe(false);
    expect(ev('isFinite(x) && !hasNaN(x)', sc)).toBe(true);
    expect(ev('bad.max()', sc)).toBeNaN();
    expect(ev('bad.argmax()', sc)).toBe(1);
    expect(ev('any(x > 4)', sc)).toBe(true);
    expect(ev('all(x > 4)', sc)).toBe(false);
    expect(ev('max(3, 5)', sc)).toBe(5);
    expect(ev('min(2)', sc)).toBe(2);
  });
});

describe('truthy', () => {
  it('takes one-element tensors by value and refuses larger ones', () => {
    expect(truthy(Tensor.from([1, 1], [2]))).toBe(true);
    expect(truthy(Tensor.from([1], [0]))).toBe(false);
    expect(() => truthy(x23)).toThrow(/has no single truth value; use any\(...\) or all\(...\)/);
  });
});
