import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAD_OPS, gradRule } from '../../../../src/engine/grad';
import type { Attrs } from '../../../../src/engine/registry';
import { Tensor } from '../../../../src/engine/tensor';
import { expectGrad, ruleCheckers, ruleGrads, runOp, useTfCpu, worstErrorsLine } from './check';

/**
 * Gradient rules of src/engine/grad/more.ts. Oracles: tfjs autodiff of sum(f(x)·r) (≤ 1e-4·(1 + max|expected|))
 * and central finite differences of the engine's forward kernels (≤ 3e-3·(1 + max|expected|)). Random inputs
 * keep away from kinks (ties, clip bounds) except in the tests that pin the behaviour there.
 */


beforeAll(useTfCpu);
afterAll(() => console.log(worstErrorsLine()));

const { rand, vsTf, vsFd } = ruleCheckers(7000);
const int64 = (shape: number[], values: number[]): Tensor => Tensor.from(shape, values, 'int64');

/** The rule's gradients for ∂loss/∂output = `r`. */
const grads = (op: string, inputs: (Tensor | undefined)[], attrs: Attrs, r: Tensor): (Tensor | undefined)[] =>
  ruleGrads(gradRule(op), op, inputs, attrs, r);

describe('conversions and pass-through ops', () => {
  it('cast to float32 passes the gradient, to an integer type gives zeros, and an integer input takes none', () => {
    const x = rand([2, 3]);
    const r = rand([2, 3]);
    expectGrad(grads('cast', [x], { to: 'float32' }, r)[0], r.data, [2, 3], 0, 'cast: float');
    expectGrad(grads('cast', [x], { to: 'int32' }, Tensor.from([2, 3], [1, 1, 1, 1, 1, 1], 'int32'))[0], new Float32Array(6), [2, 3], 0, 'cast: int');
    expect(grads('cast', [int64([2], [1, 2])], { to: 'float32' }, rand([2]))[0]).toBeUndefined();
    const like = grads('castLike', [x, rand([1])], {}, r);
    expectGrad(like[0], r.data, [2, 3], 0, 'cast: castLike');
    expect(like[1]).toBeUndefined();
  });
  it('dropout at inference is the identity on the data', () => {
    const r = rand([4]);
    const g = grads('dropout', [rand([4]), Tensor.from([], [0.3])], {}, r);
    expectGrad(g[0], r.data, [4], 0, 'dropout');
    expect(g[1]).toBeUndefined();
  });
});

describe('variadic and binary elementwise ops', () => {
  const SHAPES = [[[2, 3], [2, 3], [2, 3]], [[2, 1, 4], [3, 1], [4]], [[], [2, 2], [1, 2]]];
  it('sum and mean send g (over the count for mean) to each input, summed over broadcast axes', () => {
    for (const shapes of SHAPES) {
      const xs = shapes.map((s) => rand(s));
      vsTf('variadic', 'sum', xs, {}, (...t) => tf.addN(t.map((v) => tf.broadcastTo(v, [...runOp('sum', xs)[0].shape]))));
      vsTf('variadic', 'mean', xs, {}, (...t) => tf.div(t.reduce((a, b) => tf.add(a, b)), xs.length));
    }
    vsFd('variadic', 'mean', [rand([2, 3]), rand([3])], {}, 1);
  });
  it('maxN, minN, max and min send g to the chosen input as tfjs does without ties', () => {
    for (const shapes of SHAPES) {
      const xs = shapes.map((s) => rand(s));
      // tfjs's maximum and minimum do not sum their gradients over broadcast axes: broadcast first.
      const out = [...runOp('sum', xs)[0].shape];
      const wide = (t: tf.Tensor[]): tf.Tensor[] => t.map((v) => tf.broadcastTo(v, out));
      vsTf('extreme', 'maxN', xs, {}, (...t) => wide(t).reduce((a, b) => tf.maximum(a, b)));
      vsTf('extreme', 'minN', xs, {}, (...t) => wide(t).reduce((a, b) => tf.minimum(a, b)));
      const pair = (ys: Tensor[]): number[] => [...runOp('max', ys)[0].shape];
      vsTf('extreme', 'max', xs.slice(0, 2), {}, (a, b) => tf.maximum(tf.broadcastTo(a, pair(xs.slice(0, 2))), tf.broadcastTo(b, pair(xs.slice(0, 2)))));
      vsTf('extreme', 'min', xs.slice(1), {}, (a, b) => tf.minimum(tf.broadcastTo(a, pair(xs.slice(1))), tf.broadcastTo(b, pair(xs.slice(1)))));
    }
    vsFd('extreme', 'maxN', [rand([2, 3]), rand([3]), rand([2, 1])], {}, 1);
  });
  it('splits a tie evenly between the tied inputs, like reduceMax', () => {
    const a = Tensor.from([3], [1, 2, 3]);
    const b = Tensor.from([3], [1, 5, 3]);
    const c = Tensor.from([3], [0, 5, 3]);
    const g = grads('maxN', [a, b, c], {}, Tensor.from([3], [6, 6, 6]));
    expectGrad(g[0], [3, 0, 2], [3], 0, 'extreme: tie a');
    expectGrad(g[1], [3, 3, 2], [3], 0, 'extreme: tie b');
    expectGrad(g[2], [0, 3, 2], [3], 0, 'extreme: tie c');
    // A broadcast scalar tied with every element collects each shared half.
    const m = grads('min', [Tensor.from([2], [1, 1]), Tensor.scalar(1)], {}, Tensor.from([2], [2, 4]));
    expectGrad(m[1], [3], [], 0, 'extreme: tie scalar');
  });
  it('prelu sends g or g·slope to x and g·x below zero to the broadcast slope', () => {
    for (const [sx, ss] of [[[2, 3, 4], [3, 1]], [[2, 5], [5]], [[3, 4], [1]]]) {
      vsTf('prelu', 'prelu', [rand(sx), rand(ss, 0, 0.5)], {}, (x, s) => tf.prelu(x, tf.broadcastTo(s, x.shape)));
    }
    vsFd('prelu', 'prelu', [rand([2, 3]), rand([3])], {}, 1);
  });
  it('where sends g to the branch each element came from, summed over broadcast axes', () => {
    const cond = Tensor.from([2, 3], [1, 0, 1, 0, 0, 1], 'bool');
    const want = (c: Tensor, shape: number[]) => (x: tf.Tensor, y: tf.Tensor): tf.Tensor => {
      const ct = tf.broadcastTo(tf.tensor(Array.from(c.data, (v) => v !== 0), [...c.shape], 'bool'), shape);
      return tf.where(ct, tf.broadcastTo(x, shape), tf.broadcastTo(y, shape));
    };
    vsTf('where', 'where', [cond, rand([2, 3]), rand([2, 3])], {}, want(cond, [2, 3]), [1, 2]);
    vsTf('where', 'where', [cond, rand([3]), rand([2, 1])], {}, want(cond, [2, 3]), [1, 2]);
    expect(grads('where', [cond, rand([2, 3]), rand([2, 3])], {}, rand([2, 3]))[0]).toBeUndefined();
  });
  it('clip passes g inside [min, max] (bounds included, as tfjs) and gives a float bound the rest', () => {
    vsTf('clip', 'clip', [rand([3, 5], -2, 2)], { min: -0.5, max: 0.7 }, (x) => tf.clipByValue(x, -0.5, 0.7));
    vsTf('clip', 'clip', [rand([3, 5], -2, 2)], { max: 0.1 }, (x) => tf.minimum(x, 0.1));
    const x = Tensor.from([5], [-2, -1, 0, 1, 2]);
    const g = grads('clip', [x, Tensor.from([], [-1]), Tensor.from([], [1])], {}, Tensor.from([5], [1, 2, 3, 4, 5]));
    expectGrad(g[0], [0, 2, 3, 4, 0], [5], 0, 'clip: bounds');
    expectGrad(g[1], [1], [], 0, 'clip: min');
    expectGrad(g[2], [5], [], 0, 'clip: max');
    vsFd('clip', 'clip', [rand([6], -2, 2), Tensor.from([], [-0.5]), Tensor.from([], [0.5])], {}, 0);
  });
});

describe('activations and math functions', () => {
  const softplus = (x: tf.Tensor): tf.Tensor => tf.softplus(x);
  const CASES: [string, Attrs, (x: tf.Tensor) => tf.Tensor, [number, number]?][] = [
    ['selu', {}, tf.selu],
    // Masks from tf.step, whose gradient is zero (tfjs has none for comparisons).
    ['selu', { alpha: 1.2, gamma: 0.8 }, (x) => tf.mul(0.8, tf.add(tf.mul(tf.step(x), x), tf.mul(tf.sub(1, tf.step(x)), tf.mul(1.2, tf.sub(tf.exp(x), 1)))))],
    ['celu', { alpha: 0.7 }, (x) => tf.add(tf.relu(x), tf.minimum(0, tf.mul(0.7, tf.sub(tf.exp(tf.div(x, 0.7)), 1))))],
    ['thresholdedRelu', { alpha: 0.4 }, (x) => tf.mul(x, tf.step(tf.sub(x, 0.4)))],
    ['hardSigmoid', {}, (x) => tf.clipByValue(tf.add(tf.mul(0.2, x), 0.5), 0, 1), [-4, 4]],
    ['hardSigmoid', { alpha: 0.5, beta: 0.3 }, (x) => tf.clipByValue(tf.add(tf.mul(0.5, x), 0.3), 0, 1), [-3, 3]],
    ['hardSwish', {}, (x) => tf.mul(x, tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1)), [-5, 5]],
    ['mish', {}, (x) => tf.mul(x, tf.tanh(softplus(x)))],
    ['softsign', {}, (x) => tf.div(x, tf.add(1, tf.abs(x)))],
    ['erf', {}, tf.erf, [-2, 2]],
    ['sin', {}, tf.sin],
    ['cos', {}, tf.cos],
    ['tan', {}, tf.tan, [-1.2, 1.2]],
    ['asin', {}, tf.asin, [-0.9, 0.9]],
    ['acos', {}, tf.acos, [-0.9, 0.9]],
    ['atan', {}, tf.atan],
    ['sinh', {}, tf.sinh],
    ['cosh', {}, tf.cosh],
    ['asinh', {}, tf.asinh],
    ['acosh', {}, tf.acosh, [1.2, 3]],
    ['atanh', {}, tf.atanh, [-0.9, 0.9]],
  ];
  for (const [op, attrs, fn, range] of CASES) {
    it(`${op} ${JSON.stringify(attrs)} matches tfjs`, () => {
      const [lo, hi] = range ?? [-3, 3];
      vsTf('unary', op, [rand([3, 5], lo, hi)], attrs, fn);
    });
  }
  it('agrees with finite differences', () => {
    for (const op of ['mish', 'selu', 'hardSwish', 'erf', 'softsign']) vsFd('unary', op, [rand([8], -3, 3)], {});
  });
  it('gives locally constant ops (rounding, comparisons, shapes) a zero gradient', () => {
    for (const [op, inputs, attrs] of [
      ['floor', [rand([3])], {}], ['round', [rand([3])], {}], ['sign', [rand([3])], {}], ['shape', [rand([3])], {}],
      ['size', [rand([2, 3])], {}], ['greater', [rand([3]), rand([1])], {}], ['isNaN', [rand([3])], {}],
    ] as [string, Tensor[], Attrs][]) {
      const y = runOp(op, inputs, attrs)[0];
      const g = grads(op, inputs, attrs, Tensor.zeros(y.shape, y.dtype));
      inputs.forEach((x, i) => expectGrad(g[i], new Float32Array(x.size), x.shape, 0, `zero: ${op} input ${i}`));
    }
  });
});

describe('more reductions', () => {
  const TF: Record<string, (x: tf.Tensor, axes: number[] | undefined, keep: boolean) => tf.Tensor> = {
    reduceMin: (x, a, k) => tf.min(x, a, k),
    reduceL1: (x, a, k) => tf.sum(tf.abs(x), a, k),
    reduceL2: (x, a, k) => tf.sqrt(tf.sum(tf.square(x), a, k)),
    reduceSumSquare: (x, a, k) => tf.sum(tf.square(x), a, k),
    reduceLogSum: (x, a, k) => tf.log(tf.sum(x, a, k)),
    reduceLogSumExp: (x, a, k) => tf.logSumExp(x, a, k),
    reduceProd: (x, a, k) => tf.prod(x, a, k),
  };
  for (const op of Object.keys(TF)) {
    it(`${op} over axes, with and without keepdims, matches tfjs`, () => {
      const [lo, hi] = op === 'reduceLogSum' ? [0.2, 2] : op === 'reduceProd' ? [0.5, 1.5] : [-2, 2];
      for (const [axes, keepdims] of [[[1], 1], [[0, 2], 0], [[-1], 1], [undefined, 0]] as const) {
        const attrs: Attrs = { keepdims, ...(axes ? { axes: [...axes] } : {}) };
        vsTf('reduce', op, [rand([2, 3, 4], lo, hi)], attrs, (x) => TF[op](x, axes && axes.map((a) => (a < 0 ? a + 3 : a)), keepdims === 1));
      }
      // Axes as an input (opset 18), which takes no gradient.
      const g = grads(op, [rand([2, 3], lo, hi), int64([1], [1])], {}, rand([2, 1]));
      expect(g[1]).toBeUndefined();
      vsFd('reduce', op, [rand([3, 4], lo, hi)], { axes: [1], keepdims: 0 });
    });
  }
  it('reduceMin splits ties evenly; reduceProd handles zeros exactly', () => {
    const tie = grads('reduceMin', [Tensor.from([2, 3], [1, 1, 2, 0, 4, 0])], { axes: [1] }, Tensor.from([2, 1], [2, 4]));
    expectGrad(tie[0], [1, 1, 0, 2, 0, 2], [2, 3], 0, 'reduce: min ties');
    // One zero: only it gets the others' product; two zeros: all zero.
    const p = grads('reduceProd', [Tensor.from([2, 3], [2, 0, 3, 0, 5, 0])], { axes: [1] }, Tensor.from([2, 1], [1, 1]));
    expectGrad(p[0], [0, 6, 0, 0, 0, 0], [2, 3], 0, 'reduce: prod zeros');
  });
});

describe('softmax with coerced axes, tile, stack and cumSum', () => {
  it('softmaxCoerced and logSoftmaxCoerced differentiate over the flattened trailing axes', () => {
    for (const axis of [1, 2, -1, 0]) {
      const x = rand([2, 3, 4], -2, 2);
      const flat = (t: tf.Tensor): tf.Tensor => {
        const a = axis < 0 ? axis + 3 : axis;
        return tf.reshape(t, [t.shape.slice(0, a).reduce((p, d) => p * d, 1), t.shape.slice(a).reduce((p, d) => p * d, 1)]);
      };
      vsTf('softmax', 'softmaxCoerced', [x], { axis }, (t) => tf.reshape(tf.softmax(flat(t)), [2, 3, 4]));
      vsTf('softmax', 'logSoftmaxCoerced', [x], { axis }, (t) => tf.reshape(tf.logSoftmax(flat(t)), [2, 3, 4]));
    }
    vsTf('softmax', 'softmaxCoerced', [rand([2, 3, 4])], {}, (t) => tf.reshape(tf.softmax(tf.reshape(t, [2, 12])), [2, 3, 4]));
  });
  it('tile sums g over the copies', () => {
    vsTf('tile', 'tile', [rand([2, 3]), int64([2], [3, 2])], {}, (x) => tf.tile(x, [3, 2]), [0]);
    vsTf('tile', 'tile', [rand([2, 1, 3])], { repeats: [1, 4, 2] }, (x) => tf.tile(x, [1, 4, 2]));
    vsFd('tile', 'tile', [rand([3]), int64([1], [3])], {});
  });
  it('stack cuts the gradient along the new axis', () => {
    for (const axis of [0, 1, -1]) vsTf('stack', 'stack', [rand([2, 3]), rand([2, 3])], { axis }, (a, b) => tf.stack([a, b], axis));
  });
  it('cumSum runs the cumulative sum of g the other way, exclusive and reverse included', () => {
    for (const [exclusive, reverse] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      for (const axis of [0, 1, -1]) {
        vsTf('cumSum', 'cumSum', [rand([3, 4]), int64([], [axis])], { exclusive, reverse },
          // tfjs's Cumsum gradient fails off the last axis, so its oracle runs on the last axis only.
          (x) => (axis === 0
            ? tf.transpose(tf.cumsum(tf.transpose(x), 1, exclusive === 1, reverse === 1))
            : tf.cumsum(x, 1, exclusive === 1, reverse === 1)), [0]);
      }
    }
    vsFd('cumSum', 'cumSum', [rand([3, 4]), int64([], [0])], { exclusive: 1, reverse: 1 });
  });
});

describe('convTranspose', () => {
  it('matches tfjs conv2dTranspose for x, w and the bias (NCHW through transposes)', () => {
    for (const strides of [[1, 1], [2, 1]]) {
      const x = rand([2, 3, 4, 5]);
      const w = rand([3, 2, 3, 2]);
      const b = rand([2]);
      const out = [...runOp('convTranspose', [x, w, b], { strides })[0].shape];
      vsTf('convTranspose', 'convTranspose', [x, w, b], { strides }, (xt, wt, bt) => tf.add(tf.transpose(tf.conv2dTranspose(
        tf.transpose(xt, [0, 2, 3, 1]) as tf.Tensor4D, tf.transpose(wt, [2, 3, 1, 0]) as tf.Tensor4D,
        [out[0], out[2], out[3], out[1]], strides as [number, number], 'valid'), [0, 3, 1, 2]), tf.reshape(bt, [1, 2, 1, 1])));
    }
  });
  it('agrees with finite differences with groups, pads, dilations, output padding and one or three spatial axes', () => {
    const CASES: [number[], number[], Attrs][] = [
      [[1, 4, 3, 3], [4, 1, 2, 2], { group: 2, strides: [2, 2], pads: [1, 0, 0, 1], outputPadding: [1, 0] }],
      [[1, 2, 4, 3], [2, 2, 3, 2], { dilations: [2, 1], autoPad: 'SAME_UPPER', strides: [2, 1] }],
      [[2, 2, 5], [2, 3, 3], { strides: [3], outputShape: [14] }],
      [[1, 2, 2, 2, 2], [2, 1, 2, 1, 2], { strides: [1, 2, 1] }],
    ];
    for (const [xs, ws, attrs] of CASES) {
      const inputs = [rand(xs), rand(ws)];
      vsFd('convTranspose', 'convTranspose', inputs, attrs, 0);
      vsFd('convTranspose', 'convTranspose', inputs, attrs, 1);
    }
    const withBias = [rand([1, 2, 3, 3]), rand([2, 3, 2, 2]), rand([3])];
    vsFd('convTranspose', 'convTranspose', withBias, { strides: [2, 2] }, 2);
  });
});

describe('selections: trilu, nearest resize, topK and maxPoolWithIndices', () => {
  it('trilu passes g inside the kept triangle only', () => {
    for (const [k, upper] of [[0, 1], [1, 1], [-1, 0], [0, 0]]) {
      const x = rand([2, 3, 4]);
      const mask = runOp('trilu', [Tensor.from([2, 3, 4], new Array<number>(24).fill(1)), int64([], [k])], { upper });
      vsTf('trilu', 'trilu', [x, int64([], [k])], { upper }, (t) => tf.mul(t, tf.tensor(Array.from(mask[0].data), [2, 3, 4])), [0]);
    }
  });
  it('resize in nearest mode adds g onto the copied elements, as tfjs resizeNearestNeighbor', () => {
    // ONNX asymmetric + floor is TF's default nearest-neighbour sampling; NCHW here, NHWC in tfjs.
    const x = rand([1, 2, 3, 4]);
    const attrs = { mode: 'nearest', coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' };
    vsTf('resize', 'resize', [x, undefined, Tensor.from([4], [1, 1, 2, 1.5])], attrs, (t) => tf.transpose(
      tf.image.resizeNearestNeighbor(tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D, [6, 6]), [0, 3, 1, 2]), [0]);
    for (const mode of ['half_pixel', 'align_corners']) {
      vsFd('resize', 'resize', [rand([1, 1, 3, 2]), int64([0], []), int64([0], []), int64([4], [1, 1, 5, 5])], { coordinateTransformationMode: mode });
    }
  });
  it('resize refuses linear and cubic modes, naming the mode', () => {
    for (const mode of ['linear', 'cubic']) {
      expect(() => grads('resize', [rand([1, 1, 2, 2]), undefined, Tensor.from([4], [1, 1, 2, 2])], { mode }, rand([1, 1, 4, 4])))
        .toThrow(new RegExp(`resize.*'${mode}'`));
    }
  });
  it('topK sends the values gradient back to their positions, along any axis and for the smallest too', () => {
    // Distinct values 0.1 apart, so the ±1e-3 steps of finite differences never reorder them.
    const spaced = (shape: number[]): Tensor => {
      const n = shape.reduce((a, d) => a * d, 1);
      return Tensor.from(shape, Array.from({ length: n }, (_, i) => ((i * 7) % n) / 10));
    };
    vsFd('topK', 'topK', [spaced([3, 5]), int64([1], [2])], {});
    vsFd('topK', 'topK', [spaced([4, 3, 2]), int64([1], [3])], { axis: 0, largest: 0 });
    const g = grads('topK', [Tensor.from([2, 3], [0.5, 0.9, 0.1, 0.3, 0.2, 0.8]), int64([1], [2])], {}, Tensor.from([2, 2], [1, 2, 3, 4]));
    expectGrad(g[0], [2, 1, 0, 4, 0, 3], [2, 3], 0, 'topK: by hand');
  });
  it('maxPoolWithIndices differentiates Y as maxPool does', () => {
    const attrs = { kernelShape: [2, 2], strides: [2, 1] };
    vsTf('pool', 'maxPoolWithIndices', [rand([1, 2, 4, 5])], attrs, (x) => tf.transpose(
      tf.maxPool(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, [2, 2], [2, 1], 'valid'), [0, 3, 1, 2]));
  });
});

describe('the rule table', () => {
  it('has every rule of this part', () => {
    for (const op of ['cast', 'castLike', 'dropout', 'sum', 'mean', 'max', 'min', 'maxN', 'minN', 'prelu', 'where', 'clip', 'selu',
      'hardSigmoid', 'hardSwish', 'mish', 'softsign', 'erf', 'sin', 'cos', 'reduceL2', 'reduceSumSquare', 'reduceLogSumExp', 'tile', 'convTranspose', 'trilu', 'resize', 'topK', 'maxPoolWithIndices']) {
      expect(GRAD_OPS, op).toContain(op);
    }
  });
});
