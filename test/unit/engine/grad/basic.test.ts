import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../../src/engine/errors';
import { GRAD_OPS, gradRule } from '../../../../src/engine/grad';
import type { Attrs } from '../../../../src/engine/registry';
import { Tensor } from '../../../../src/engine/tensor';
import { expectGrad, ruleCheckers, ruleGrads, runOp, TF_TOL, toTf, useTfCpu, worstErrorsLine } from './check';

// Tolerances: against tfjs, max|ours − tfjs| ≤ 1e-4·(1 + max|tfjs|) (float32 on both sides); against central
// finite differences of the float32 forward with eps 1e-3, ≤ 3e-3·(1 + max|fd|).

beforeAll(useTfCpu);
afterAll(() => console.log(worstErrorsLine()));

const { rand, vsTf, vsFd } = ruleCheckers(1000);
const int64 = (shape: number[], values: number[]): Tensor => Tensor.from(shape, values, 'int64');

describe('binary arithmetic', () => {
  const SHAPES: [number[], number[]][] = [[[3, 4], [3, 4]], [[2, 3, 4], [4]], [[2, 1, 4], [3, 1]], [[], [2, 2]], [[1, 3, 1, 1], [2, 3, 2, 3]]];
  const TF: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div, pow: tf.pow };
  for (const op of ['add', 'sub', 'mul', 'div', 'pow']) {
    it(`${op} sums gradients back over broadcast axes as tfjs does`, () => {
      for (const [sa, sb] of SHAPES) {
        const a = op === 'pow' || op === 'div' ? rand(sa, 0.5, 2) : rand(sa);
        const b = op === 'div' ? rand(sb, 0.5, 2) : op === 'pow' ? rand(sb, -1, 2) : rand(sb);
        vsTf('binary', op, [a, b], {}, TF[op]);
        // Swapped operands broadcast the other way (pow needs a positive base, so it keeps its order).
        if (op !== 'pow') vsTf('binary', op, [b, a], {}, TF[op]);
      }
    });
  }
  it('pow with a constant exponent gives the base b·a^(b−1) and ignores an integer exponent', () => {
    vsTf('binary', 'pow', [rand([2, 3], 0.5, 2), Tensor.scalar(3)], {}, tf.pow);
    const a = rand([4], -2, 2);
    const g = ruleGrads(gradRule('pow'), 'pow', [a, Tensor.scalar(2, 'int64')], {}, Tensor.from([4], [1, 1, 1, 1]));
    expectGrad(g[0], a.toArray().map((v) => 2 * v), [4], 1e-6, 'binary: pow by 2');
    expect(g[1]).toBeUndefined();
  });
  it('agrees with finite differences', () => {
    vsFd('binary', 'div', [rand([2, 3]), rand([3], 0.5, 2)], {}, 1);
    vsFd('binary', 'mul', [rand([2, 1, 3]), rand([4, 1])], {}, 0);
    vsFd('binary', 'pow', [rand([3], 0.5, 2), rand([2, 3], -1, 2)], {}, 1);
  });
});

describe('unary functions and activations', () => {
  const SQRT1_2 = Math.SQRT1_2;
  const CASES: [string, Attrs, (x: tf.Tensor) => tf.Tensor, [number, number]?][] = [
    ['identity', {}, (x) => x],
    ['neg', {}, tf.neg],
    ['exp', {}, tf.exp],
    ['log', {}, tf.log, [0.2, 3]],
    ['sqrt', {}, tf.sqrt, [0.2, 3]],
    ['abs', {}, tf.abs],
    ['reciprocal', {}, tf.reciprocal, [0.3, 3]],
    ['relu', {}, tf.relu],
    ['leakyRelu', {}, (x) => tf.leakyRelu(x, 0.01)],
    ['leakyRelu', { alpha: 0.3 }, (x) => tf.leakyRelu(x, 0.3)],
    ['elu', {}, tf.elu],
    ['elu', { alpha: 0.5 }, (x) => tf.add(tf.relu(x), tf.mul(0.5, tf.sub(tf.exp(tf.minimum(x, 0)), 1)))],
    ['gelu', {}, (x) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, SQRT1_2))))],
    ['gelu', { approximate: 'tanh' }, (x) => tf.mul(tf.mul(0.5, x),
      tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))))],
    ['sigmoid', {}, tf.sigmoid],
    ['tanh', {}, tf.tanh],
    ['softplus', {}, tf.softplus],
    ['silu', {}, (x) => tf.mul(x, tf.sigmoid(x))],
    ['silu', { beta: 1.7 }, (x) => tf.mul(x, tf.sigmoid(tf.mul(1.7, x)))],
  ];
  for (const [op, attrs, fn, range] of CASES) {
    it(`${op} ${JSON.stringify(attrs)} matches tfjs`, () => {
      const [lo, hi] = range ?? [-3, 3];
      vsTf('unary', op, [rand([3, 5], lo, hi)], attrs, fn);
    });
  }
  it('agrees with finite differences', () => {
    vsFd('unary', 'gelu', [rand([6], -3, 3)], {});
    vsFd('unary', 'gelu', [rand([6], -3, 3)], { approximate: 'tanh' });
    vsFd('unary', 'silu', [rand([6], -3, 3)], { beta: 0.5 });
    vsFd('unary', 'softplus', [rand([6], -3, 3)], {});
  });
  it('refuses an unknown gelu approximation with an error naming it', () => {
    const x = rand([3]);
    const rule = gradRule('gelu');
    expect(() => rule?.({ inputs: [x], outputs: [x], attrs: { approximate: 'fast' }, gradOutputs: [x] }))
      .toThrow(/gelu.*approximate.*fast/);
  });
});

describe('softmax and logSoftmax', () => {
  const lse = (x: tf.Tensor, axis: number): tf.Tensor => tf.logSumExp(x, axis, true);
  for (const axis of [-1, 1, 0]) {
    it(`softmax along axis ${axis} matches tfjs`, () => {
      vsTf('softmax', 'softmax', [rand([2, 3, 4], -2, 2)], { axis }, (x) => tf.exp(tf.sub(x, lse(x, axis < 0 ? axis + 3 : axis))));
    });
    it(`logSoftmax along axis ${axis} matches tfjs`, () => {
      vsTf('softmax', 'logSoftmax', [rand([2, 3, 4], -2, 2)], { axis }, (x) => tf.sub(x, lse(x, axis < 0 ? axis + 3 : axis)));
    });
  }
  it('uses the last axis by default and agrees with finite differences', () => {
    vsTf('softmax', 'softmax', [rand([3, 5], -2, 2)], {}, (x) => tf.softmax(x));
    vsFd('softmax', 'softmax', [rand([2, 3, 2], -2, 2)], { axis: 1 });
    vsFd('softmax', 'logSoftmax', [rand([2, 4], -2, 2)], {});
  });
});

describe('matmul and gemm', () => {
  /** NumPy matmul in tfjs: 1-D operands promoted, batch dims broadcast explicitly, the added axes dropped. */
  const npMatmul = (sa: number[], sb: number[], out: number[]) => (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    let a2 = sa.length === 1 ? tf.reshape(a, [1, sa[0]]) : a;
    let b2 = sb.length === 1 ? tf.reshape(b, [sb[0], 1]) : b;
    const batch = tf.broadcastArgs(tf.tensor1d(a2.shape.slice(0, -2), 'int32'), tf.tensor1d(b2.shape.slice(0, -2), 'int32'))
      .arraySync() as number[];
    if (batch.length) {
      a2 = tf.broadcastTo(a2, [...batch, ...a2.shape.slice(-2)]);
      b2 = tf.broadcastTo(b2, [...batch, ...b2.shape.slice(-2)]);
    }
    return tf.reshape(tf.matMul(a2, b2), out);
  };
  const SHAPES: [number[], number[]][] = [
    [[3, 4], [4, 5]], [[2, 3, 4], [4, 5]], [[2, 1, 3, 4], [3, 4, 2]], [[4], [4, 5]], [[2, 3, 4], [4]], [[4], [4]], [[3, 4], [2, 4, 2]],
  ];
  for (const [sa, sb] of SHAPES) {
    it(`matmul [${sa}]·[${sb}] matches tfjs`, () => {
      const a = rand(sa);
      const b = rand(sb);
      const out = [...runOp('matmul', [a, b])[0].shape];
      vsTf('matmul', 'matmul', [a, b], {}, npMatmul(sa, sb, out));
    });
  }
  for (const transA of [0, 1]) {
    for (const transB of [0, 1]) {
      it(`gemm transA=${transA} transB=${transB} with alpha, beta and a broadcast c matches tfjs`, () => {
        for (const cShape of [[5], [3, 1], [3, 5], []]) {
          const a = rand(transA ? [4, 3] : [3, 4]);
          const b = rand(transB ? [5, 4] : [4, 5]);
          const attrs = { transA, transB, alpha: 0.7, beta: 1.3 };
          vsTf('matmul', 'gemm', [a, b, rand(cShape)], attrs,
            (x, y, c) => tf.add(tf.mul(0.7, tf.matMul(x, y, transA === 1, transB === 1)), tf.mul(1.3, c)));
        }
      });
    }
  }
  it('gemm without c, and both ops against finite differences', () => {
    vsTf('matmul', 'gemm', [rand([2, 3]), rand([3, 4])], {}, (x, y) => tf.matMul(x, y));
    const g = ruleGrads(gradRule('gemm'), 'gemm', [rand([2, 3]), rand([3, 4])], {}, rand([2, 4]));
    expect(g[2]).toBeUndefined();
    vsFd('matmul', 'matmul', [rand([2, 1, 2, 3]), rand([3, 3, 2])], {}, 0);
    vsFd('matmul', 'matmul', [rand([3]), rand([2, 3, 2])], {}, 1);
    vsFd('matmul', 'gemm', [rand([3, 2]), rand([4, 3]), rand([4])], { transA: 1, transB: 1, alpha: 2, beta: 0.5 }, 2);
  });
});

describe('reductions', () => {
  const TF: Record<string, (x: tf.Tensor, axes?: number[], keep?: boolean) => tf.Tensor> = {
    reduceSum: (x, a, k) => tf.sum(x, a, k), reduceMean: (x, a, k) => tf.mean(x, a, k), reduceMax: (x, a, k) => tf.max(x, a, k),
  };
  for (const op of ['reduceSum', 'reduceMean', 'reduceMax']) {
    it(`${op} over axes, with and without keepdims, matches tfjs`, () => {
      for (const [axes, keepdims] of [[[1], 1], [[1], 0], [[0, 2], 1], [[-1], 0], [undefined, 0], [undefined, 1]] as const) {
        const attrs: Attrs = { keepdims, ...(axes ? { axes: [...axes] } : {}) };
        vsTf('reduce', op, [rand([2, 3, 4])], attrs, (x) => TF[op](x, axes && axes.map((a) => (a < 0 ? a + 3 : a)), keepdims === 1), [0]);
      }
      // Axes as an input tensor (opset 18), which takes no gradient.
      const g = ruleGrads(gradRule(op), op, [rand([2, 3]), int64([1], [1])], {}, rand([2, 1]));
      expect(g[0]?.shape).toEqual([2, 3]);
      expect(g[1]).toBeUndefined();
    });
  }
  it('passes the gradient through unchanged with noopWithEmptyAxes', () => {
    const r = rand([2, 3]);
    const g = ruleGrads(gradRule('reduceSum'), 'reduceSum', [rand([2, 3])], { noopWithEmptyAxes: 1 }, r);
    expectGrad(g[0], r.data, [2, 3], 0, 'reduce: noop');
  });
  it('reduceMax splits the gradient evenly between tied maxima', () => {
    const x = Tensor.from([2, 4], [1, 3, 3, 2, 5, 5, 5, -1]);
    const g = ruleGrads(gradRule('reduceMax'), 'reduceMax', [x], { axes: [1], keepdims: 0 }, Tensor.from([2], [6, 3]));
    expectGrad(g[0], [0, 3, 3, 0, 1, 1, 1, 0], [2, 4], 0, 'reduce: ties');
  });
  it('agrees with finite differences', () => {
    vsFd('reduce', 'reduceMean', [rand([2, 3])], { axes: [0] });
    vsFd('reduce', 'reduceMax', [rand([3, 4])], { axes: [1], keepdims: 0 });
  });
});

describe('shape and indexing ops', () => {
  it('reshape, flatten, squeeze and unsqueeze give g back under the input shape', () => {
    vsTf('shape', 'reshape', [rand([2, 3, 4]), int64([2], [4, -1])], {}, (x) => tf.reshape(x, [4, 6]), [0]);
    vsTf('shape', 'reshape', [rand([2, 3, 4])], { shape: [0, 12] }, (x) => tf.reshape(x, [2, 12]));
    vsTf('shape', 'flatten', [rand([2, 3, 4])], { axis: 2 }, (x) => tf.reshape(x, [6, 4]));
    vsTf('shape', 'squeeze', [rand([2, 1, 3, 1])], { axes: [1] }, (x) => tf.squeeze(x, [1]));
    vsTf('shape', 'squeeze', [rand([2, 1, 3, 1])], {}, (x) => tf.squeeze(x));
    vsTf('shape', 'unsqueeze', [rand([2, 3]), int64([2], [0, -1])], {}, (x) => tf.reshape(x, [1, 2, 3, 1]), [0]);
    vsTf('shape', 'expand', [rand([3, 1]), int64([3], [2, 3, 4])], {}, (x) => tf.broadcastTo(x, [2, 3, 4]), [0]);
  });
  it('transpose permutes the gradient back', () => {
    vsTf('shape', 'transpose', [rand([2, 3, 4])], { perm: [2, 0, 1] }, (x) => tf.transpose(x, [2, 0, 1]));
    vsTf('shape', 'transpose', [rand([2, 3, 4])], {}, (x) => tf.transpose(x));
  });
  it('concat hands each input its part of the gradient', () => {
    vsTf('shape', 'concat', [rand([2, 1, 3]), rand([2, 4, 3]), rand([2, 2, 3])], { axis: 1 }, (a, b, c) => tf.concat([a, b, c], 1));
    vsTf('shape', 'concat', [rand([2, 3]), rand([2, 2])], { axis: -1 }, (a, b) => tf.concat([a, b], -1));
  });
  it('split joins the outputs gradients, with zeros for an output that does not reach the loss', () => {
    const x = rand([2, 5]);
    const r0 = rand([2, 2]);
    const r2 = rand([2, 1]);
    const ours = ruleGrads(gradRule('split'), 'split', [x, int64([3], [2, 2, 1])], { axis: 1 }, [r0, undefined, r2]);
    const want = tf.grads((t: tf.Tensor) => {
      const [p0, , p2] = tf.split(t, [2, 2, 1], 1);
      return tf.add(tf.sum(tf.mul(p0, toTf(r0))), tf.sum(tf.mul(p2, toTf(r2))));
    })([toTf(x)])[0];
    expectGrad(ours[0], want.dataSync(), want.shape, TF_TOL, 'shape: split');
    expect(ours[1]).toBeUndefined();
    const even = ruleGrads(gradRule('split'), 'split', [rand([6, 2])], { axis: 0, numOutputs: 3 }, [rand([2, 2]), rand([2, 2]), rand([2, 2])]);
    expect(even[0]?.shape).toEqual([6, 2]);
  });
  it('slice scatters the gradient to the sliced positions, negative steps included', () => {
    // The oracle picks the same elements with one gather per axis, whose tfjs gradient is independent of ours.
    const picks = (dim: number, start: number, end: number, step: number): number[] => {
      const out: number[] = [];
      for (let i = start; step > 0 ? i < end : i > end; i += step) out.push(i);
      return out;
    };
    const x = rand([4, 5, 6]);
    const starts = [1, -1, 0];
    const ends = [4, 0, 100];
    const axes = [0, 2, 1];
    const steps = [2, -2, 2];
    const rows = picks(4, 1, 4, 2);
    const cols = picks(5, 0, 5, 2);
    const deep = picks(6, 5, 0, -2);
    const oracle = (t: tf.Tensor): tf.Tensor => tf.gather(tf.gather(tf.gather(t, rows, 0), cols, 1), deep, 2);
    vsTf('shape', 'slice', [x, int64([3], starts), int64([3], ends), int64([3], axes), int64([3], steps)], {}, oracle, [0]);
    vsTf('shape', 'slice', [x], { starts, ends, axes, steps }, oracle);
    vsFd('shape', 'slice', [rand([3, 4])], { starts: [1], ends: [-1], axes: [1] });
  });
  it('gather adds the gradient into the picked rows, repeats and negative indices included', () => {
    vsTf('shape', 'gather', [rand([5, 3]), int64([2, 3], [0, 2, 2, 4, -1, 0])], {},
      (d) => tf.gather(d, tf.tensor2d([[0, 2, 2], [4, 4, 0]], [2, 3], 'int32'), 0), [0]);
    vsTf('shape', 'gather', [rand([2, 4, 3]), Tensor.from([3], [3, 1, 3], 'int32')], { axis: 1 },
      (d) => tf.gather(d, tf.tensor1d([3, 1, 3], 'int32'), 1), [0]);
    const g = ruleGrads(gradRule('gather'), 'gather', [rand([4, 2]), int64([1], [1])], {}, rand([1, 2]));
    expect(g[1]).toBeUndefined();
    vsFd('shape', 'gather', [rand([4, 2]), int64([3], [1, 1, 3])], {});
  });
  it('pad crops the gradient back and gives the constant the gradient of the padded positions', () => {
    vsTf('shape', 'pad', [rand([2, 3, 4]), int64([6], [1, 0, 2, 0, 1, 1])], {},
      (x) => tf.pad(x, [[1, 0], [0, 1], [2, 1]], 0), [0]);
    vsTf('shape', 'pad', [rand([2, 3])], { pads: [0, 2], axes: [1] }, (x) => tf.pad(x, [[0, 0], [0, 2]]));
    // A crop (negative pads) and the constant value as an input, against finite differences.
    const inputs = [rand([3, 4]), int64([4], [1, -1, -1, 2]), Tensor.from([1], [0.5])];
    vsFd('shape', 'pad', inputs, {}, 0);
    vsFd('shape', 'pad', inputs, {}, 2);
  });
  it('refuses pad modes other than constant, naming the mode', () => {
    const x = rand([2, 3]);
    for (const mode of ['reflect', 'edge', 'wrap']) {
      expect(() => ruleGrads(gradRule('pad'), 'pad', [x], { pads: [1, 1, 1, 1], mode }, rand([4, 5])))
        .toThrow(new RegExp(`pad: .*'${mode}'`));
      try {
        ruleGrads(gradRule('pad'), 'pad', [x], { pads: [1, 1, 1, 1], mode }, rand([4, 5]));
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
      }
    }
  });
});

describe('the rule table', () => {
  it('has a rule for every op of this part and for the convolution part, and none for unknown ops', () => {
    for (const op of ['matmul', 'gemm', 'add', 'sub', 'mul', 'div', 'neg', 'exp', 'log', 'sqrt', 'abs', 'reciprocal', 'pow',
      'relu', 'leakyRelu', 'elu', 'gelu', 'sigmoid', 'tanh', 'softplus', 'silu', 'softmax', 'logSoftmax', 'identity', 'reshape',
      'flatten', 'squeeze', 'unsqueeze', 'transpose', 'concat', 'split', 'slice', 'gather', 'pad', 'reduceSum', 'reduceMean',
      'reduceMax', 'conv']) {
      expect(GRAD_OPS, op).toContain(op);
      expect(gradRule(op), op).toBeTypeOf('function');
    }
    expect(gradRule('argMax')).toBeUndefined();
    expect([...GRAD_OPS]).toEqual([...GRAD_OPS].sort());
  });
  it('gives integer inputs no gradient', () => {
    const g = ruleGrads(gradRule('mul'), 'mul', [rand([3]), Tensor.from([3], [1, 2, 3], 'int32')], {}, rand([3]));
    expect(g[0]).toBeDefined();
    expect(g[1]).toBeUndefined();
  });
});
