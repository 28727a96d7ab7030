import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convGradRules } from '../../../../src/engine/grad/conv';
import { batchNormTrainingGrad } from '../../../../src/engine/grad/norm';
import { EngineError } from '../../../../src/engine/errors';
import { defaultOps } from '../../../../src/engine/ops';
import type { Attrs } from '../../../../src/engine/registry';
import { Tensor } from '../../../../src/engine/tensor';
import { randomTensor } from '../helpers';
import { expectGrad, finiteDifference, ruleGrads, runOp, tfGrads, useTfCpu, worstErrors } from './check';

/**
 * Gradient rules of conv, the pools and the normalisations. Oracles: tfjs autodiff of sum(f(x)·r) with the same
 * function built from tfjs ops in the engine's NCHW layout (transposes inside the tfjs function), compared with
 * max error ≤ 1e-4·(1 + max|expected|); and central finite differences of the engine's own forward kernels,
 * compared with ≤ 2e-3·(1 + max|expected|) (float32 forwards, eps 1e-3).
 */

const TF_TOL = 1e-4;
const FD_TOL = 2e-3;

beforeAll(useTfCpu);
afterAll(() => {
  const line = [...worstErrors()].map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ');
  console.log(`max abs errors: ${line}`);
});

const rule = (op: string) => convGradRules.get(op);

/** The output of `op` and a fixed random ∂loss/∂output of its shape. */
function forwardAndR(op: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs, seed: number): Tensor {
  const y = runOp(op, inputs, attrs)[0];
  return randomTensor(y.shape, seed);
}

/** Checks the rule's gradients of the listed inputs against tfjs's gradients of the same function. */
function againstTf(
  op: string, inputs: Tensor[], attrs: Attrs, f: (...xs: tf.Tensor[]) => tf.Tensor, label: string, seed = 99,
): void {
  const r = forwardAndR(op, inputs, attrs, seed);
  const expected = tfGrads(f, inputs, r);
  const got = ruleGrads(rule(op), op, inputs, attrs, r);
  expected.forEach((e, i) => expectGrad(got[i], e.values, e.shape, TF_TOL, `${label} input ${i}`));
}

/** Checks the rule's gradient of each listed input against finite differences of output `out` of the op. */
function againstFd(op: string, inputs: Tensor[], attrs: Attrs, which: readonly number[], label: string, out = 0): void {
  const ys = runOp(op, inputs, attrs);
  const r = randomTensor(ys[out].shape, 7);
  const gradOutputs = ys.map((_, i) => (i === out ? r : undefined));
  const got = ruleGrads(rule(op), op, inputs, attrs, gradOutputs);
  for (const i of which) {
    const fd = finiteDifference((xs) => runOp(op, xs, attrs)[out], inputs, r, i);
    expectGrad(got[i], fd.data, inputs[i].shape, FD_TOL, `${label} input ${i}`);
  }
}

// ---- tfjs builders in the engine's layouts ----------------------------------------------------------------

/** Inserts d − 1 zeros between kernel taps along `axis`: a dilated kernel as a plain one. */
function dilate(w: tf.Tensor, axis: number, d: number): tf.Tensor {
  if (d === 1) return w;
  const k = w.shape[axis];
  const parts = [w, ...Array.from({ length: d - 1 }, () => tf.zerosLike(w))];
  const stacked = tf.stack(parts, axis + 1);
  const shape = [...w.shape];
  shape[axis] = k * d;
  return tf.slice(tf.reshape(stacked, shape), 0, shape.map((s, i) => (i === axis ? (k - 1) * d + 1 : s)));
}

interface Conv2dSpec { strides?: [number, number]; pads?: [number, number, number, number]; dilations?: [number, number]; group?: number }

/** ONNX Conv in tfjs: NCHW x, [M, C/group, KH, KW] w, [M] b, explicit pads [top, left, bottom, right]. */
function tfConv2d(spec: Conv2dSpec) {
  const { strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1 } = spec;
  return (x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor => {
    const xh = tf.transpose(tf.pad(x, [[0, 0], [0, 0], [pads[0], pads[2]], [pads[1], pads[3]]]), [0, 2, 3, 1]) as tf.Tensor4D;
    const wd = dilate(dilate(w, 2, dilations[0]), 3, dilations[1]);
    const C = x.shape[1];
    const M = w.shape[0];
    let y: tf.Tensor;
    if (group === 1) {
      y = tf.conv2d(xh, tf.transpose(wd, [2, 3, 1, 0]) as tf.Tensor4D, strides, 'valid');
    } else if (group === C) {
      const f = tf.transpose(tf.reshape(wd, [C, M / C, wd.shape[2] ?? 1, wd.shape[3] ?? 1]), [2, 3, 0, 1]) as tf.Tensor4D;
      y = tf.depthwiseConv2d(xh, f, strides, 'valid');
    } else {
      const xs = tf.split(xh, group, 3);
      const ws = tf.split(wd, group, 0);
      y = tf.concat(xs.map((xi, g) => tf.conv2d(xi as tf.Tensor4D, tf.transpose(ws[g], [2, 3, 1, 0]) as tf.Tensor4D, strides, 'valid')), 3);
    }
    y = tf.transpose(y, [0, 3, 1, 2]);
    return b ? tf.add(y, tf.reshape(b, [1, M, 1, 1])) : y;
  };
}

describe('conv gradient', () => {
  it('matches tfjs for a 2-D conv with stride, asymmetric pads and bias', () => {
    const x = randomTensor([2, 3, 6, 7], 1);
    const w = randomTensor([4, 3, 3, 2], 2);
    const b = randomTensor([4], 3);
    const attrs = { strides: [2, 1], pads: [1, 0, 2, 1] };
    againstTf('conv', [x, w, b], attrs, tfConv2d({ strides: [2, 1], pads: [1, 0, 2, 1] }), 'conv-tfjs');
  });

  it('matches tfjs for a dilated 2-D conv with stride', () => {
    const x = randomTensor([1, 2, 9, 8], 4);
    const w = randomTensor([3, 2, 2, 3], 5);
    const attrs = { strides: [2, 2], dilations: [2, 3], pads: [1, 2, 0, 1] };
    againstTf('conv', [x, w], attrs, tfConv2d({ strides: [2, 2], dilations: [2, 3], pads: [1, 2, 0, 1] }), 'conv-tfjs');
  });

  it('matches tfjs for a depthwise conv (group = channels, multiplier 2)', () => {
    const x = randomTensor([2, 3, 7, 6], 6);
    const w = randomTensor([6, 1, 3, 3], 7);
    const b = randomTensor([6], 8);
    const attrs = { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] };
    againstTf('conv', [x, w, b], attrs, tfConv2d({ group: 3, strides: [2, 2], pads: [1, 1, 1, 1] }), 'conv-tfjs');
  });

  it('matches tfjs for a grouped conv (2 groups of 2 channels)', () => {
    const x = randomTensor([1, 4, 5, 5], 9);
    const w = randomTensor([6, 2, 3, 3], 10);
    const b = randomTensor([6], 11);
    againstTf('conv', [x, w, b], { group: 2, pads: [1, 1, 1, 1] }, tfConv2d({ group: 2, pads: [1, 1, 1, 1] }), 'conv-tfjs');
  });

  it('matches tfjs for a 1-D conv with stride, dilation and asymmetric pads', () => {
    const x = randomTensor([2, 3, 11], 12);
    const w = randomTensor([4, 3, 3], 13);
    const b = randomTensor([4], 14);
    const attrs = { strides: [2], dilations: [2], pads: [2, 1] };
    const conv2 = tfConv2d({ strides: [1, 2], dilations: [1, 2], pads: [0, 2, 0, 1] });
    const f = (xt: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor): tf.Tensor => {
      const y = conv2(tf.expandDims(xt, 2), tf.expandDims(wt, 2), bt);
      return tf.squeeze(y, [2]);
    };
    againstTf('conv', [x, w, b], attrs, f, 'conv-tfjs');
  });

  it('matches finite differences with SAME_UPPER padding, groups, stride and dilation', () => {
    const x = randomTensor([1, 4, 5, 6], 15);
    const w = randomTensor([2, 2, 2, 3], 16);
    const b = randomTensor([2], 17);
    againstFd('conv', [x, w, b], { autoPad: 'SAME_UPPER', group: 2, strides: [2, 1], dilations: [1, 2] }, [0, 1, 2], 'conv-fd');
  });

  it('matches finite differences for a 3-D conv', () => {
    const x = randomTensor([1, 2, 3, 4, 4], 18);
    const w = randomTensor([2, 2, 2, 2, 3], 19);
    againstFd('conv', [x, w], { pads: [0, 1, 1, 1, 0, 1], strides: [1, 2, 1] }, [0, 1], 'conv-fd');
  });

  it('gives zeros when the output does not reach the loss and refuses a gradient of the wrong shape', () => {
    const x = randomTensor([1, 1, 3, 3], 20);
    const w = randomTensor([1, 1, 2, 2], 21);
    const outputs = runOp('conv', [x, w], {});
    const g = rule('conv')!({ inputs: [x, w], outputs, attrs: {}, gradOutputs: [undefined] });
    expect(g[0]!.toArray().every((v) => v === 0)).toBe(true);
    expect(() => rule('conv')!({ inputs: [x, w], outputs, attrs: {}, gradOutputs: [Tensor.zeros([1, 1, 3, 3])] }))
      .toThrow(/conv: the output gradient must be float32 \[1, ?1, ?2, ?2\]/);
    expect(() => rule('conv')!({ inputs: [x, w], outputs, attrs: { autoPad: 'SIDEWAYS' }, gradOutputs: [outputs[0]] }))
      .toThrow(EngineError);
  });
});

// ---- pools ---------------------------------------------------------------------------------------------------

type TfPool = 'max' | 'avg';

/** A tfjs pool over NCHW input; explicit pads are added with `fill` (−1e9 for max, 0 for an average that counts them). */
function tfPool2d(kind: TfPool, k: [number, number], s: [number, number], pad: 'valid' | 'same', pads?: [number, number, number, number], fill = 0) {
  return (x: tf.Tensor): tf.Tensor => {
    const xp = pads ? tf.pad(x, [[0, 0], [0, 0], [pads[0], pads[2]], [pads[1], pads[3]]], fill) : x;
    const xh = tf.transpose(xp, [0, 2, 3, 1]) as tf.Tensor4D;
    const y = kind === 'max' ? tf.maxPool(xh, k, s, pad) : tf.avgPool(xh, k, s, pad);
    return tf.transpose(y, [0, 3, 1, 2]);
  };
}

describe('pool gradients', () => {
  it('maxPool matches tfjs with explicit pads and overlapping windows', () => {
    const x = randomTensor([2, 3, 7, 6], 30);
    const attrs = { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 0] };
    againstTf('maxPool', [x], attrs, tfPool2d('max', [3, 3], [2, 2], 'valid', [1, 1, 1, 0], -1e9), 'pool-tfjs');
  });

  it('maxPool matches tfjs with SAME_UPPER', () => {
    const x = randomTensor([1, 2, 5, 7], 31);
    againstTf('maxPool', [x], { kernelShape: [2, 3], strides: [2, 2], autoPad: 'SAME_UPPER' },
      tfPool2d('max', [2, 3], [2, 2], 'same'), 'pool-tfjs');
  });

  it('maxPool 1-D matches tfjs (as a pool of height 1)', () => {
    const x = randomTensor([2, 3, 9], 32);
    const p = tfPool2d('max', [1, 3], [1, 2], 'valid');
    againstTf('maxPool', [x], { kernelShape: [3], strides: [2] }, (xt) => tf.squeeze(p(tf.expandDims(xt, 2)), [2]), 'pool-tfjs');
  });

  it('maxPool matches finite differences with ceilMode and dilations', () => {
    const x = randomTensor([1, 2, 6, 7], 33);
    againstFd('maxPool', [x], { kernelShape: [2, 2], strides: [2, 2], dilations: [1, 2], ceilMode: 1, pads: [0, 1, 0, 0] }, [0], 'pool-fd');
  });

  it('maxPool sends a tied window to its first maximum', () => {
    const x = Tensor.from([1, 1, 2, 2], [5, 5, 5, 5]);
    const [dx] = ruleGrads(rule('maxPool'), 'maxPool', [x], { kernelShape: [2, 2] }, Tensor.from([1, 1, 1, 1], [3]));
    expect(dx!.toArray()).toEqual([3, 0, 0, 0]);
  });

  it('averagePool matches tfjs with SAME_UPPER padding left out of the count', () => {
    // tfjs's own avgPool gradient with pad 'same' divides every window by the full kernel size, which disagrees
    // with its forward at the edges; the oracle is therefore the sum over the zero-padded input (a valid pool)
    // divided by the count of real inputs per window (a constant). SAME_UPPER pads here: rows [1, 1], columns [0, 1].
    const x = randomTensor([2, 3, 7, 5], 34);
    const sums = tfPool2d('avg', [3, 2], [2, 2], 'valid', [1, 0, 1, 1], 0);
    const f = (xt: tf.Tensor): tf.Tensor => tf.div(sums(xt), sums(tf.onesLike(xt)));
    againstTf('averagePool', [x], { kernelShape: [3, 2], strides: [2, 2], autoPad: 'SAME_UPPER' }, f, 'pool-tfjs');
  });

  it('averagePool matches tfjs with countIncludePad (zero-padded input, valid pool)', () => {
    const x = randomTensor([1, 2, 6, 6], 35);
    againstTf('averagePool', [x], { kernelShape: [3, 3], strides: [2, 1], pads: [1, 2, 2, 0], countIncludePad: 1 },
      tfPool2d('avg', [3, 3], [2, 1], 'valid', [1, 2, 2, 0], 0), 'pool-tfjs');
  });

  it('averagePool matches finite differences with explicit pads, ceilMode and both counts', () => {
    const x = randomTensor([1, 2, 7, 6], 36);
    for (const countIncludePad of [0, 1]) {
      againstFd('averagePool', [x], { kernelShape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], ceilMode: 1, countIncludePad }, [0], 'pool-fd');
    }
  });

  it('averagePool matches finite differences in 3-D', () => {
    const x = randomTensor([1, 1, 4, 3, 4], 37);
    againstFd('averagePool', [x], { kernelShape: [2, 2, 2], strides: [2, 1, 2], pads: [1, 0, 0, 0, 1, 1] }, [0], 'pool-fd');
  });

  it('globalAveragePool and globalMaxPool match tfjs mean and max over the spatial axes', () => {
    const x = randomTensor([2, 3, 4, 5], 38);
    againstTf('globalAveragePool', [x], {}, (xt) => tf.mean(xt, [2, 3], true), 'pool-tfjs');
    againstTf('globalMaxPool', [x], {}, (xt) => tf.max(xt, [2, 3], true), 'pool-tfjs');
  });

  it('globalMaxPool sends a tied plane to its first maximum', () => {
    const x = Tensor.from([1, 2, 3], [1, 4, 4, 2, 0, 2]);
    const [dx] = ruleGrads(rule('globalMaxPool'), 'globalMaxPool', [x], {}, Tensor.from([1, 2, 1], [2, 5]));
    expect(dx!.toArray()).toEqual([0, 2, 0, 5, 0, 0]);
  });

  it('refuses a pool without kernelShape', () => {
    const x = randomTensor([1, 1, 2, 2], 39);
    expect(() => rule('averagePool')!({ inputs: [x], outputs: [x], attrs: {}, gradOutputs: [x] }))
      .toThrow(/averagePool: attribute 'kernelShape' is required/);
  });
});

// ---- normalisations -----------------------------------------------------------------------------------------

/** LayerNorm from tfjs ops: moments over the axes from `axis` on. */
function tfLayerNorm(axis: number, epsilon: number) {
  return (x: tf.Tensor, s: tf.Tensor, b?: tf.Tensor): tf.Tensor => {
    const axes = Array.from({ length: x.rank - axis }, (_, i) => axis + i);
    const { mean, variance } = tf.moments(x, axes, true);
    const y = tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), s);
    return b ? tf.add(y, b) : y;
  };
}

/** Batch norm from tfjs ops on [N, C, ...]: given statistics, or (when absent) the batch's own. */
function tfBatchNorm(epsilon: number, rank: number, axis = 1) {
  const shape = Array.from({ length: rank }, () => 1);
  return (x: tf.Tensor, s: tf.Tensor, b: tf.Tensor, mean?: tf.Tensor, variance?: tf.Tensor): tf.Tensor => {
    const c = [...shape];
    c[axis] = x.shape[axis];
    const axes = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis);
    const m = mean ? tf.reshape(mean, c) : tf.moments(x, axes, true).mean;
    const v = variance ? tf.reshape(variance, c) : tf.moments(x, axes, true).variance;
    const y = tf.div(tf.sub(x, m), tf.sqrt(tf.add(v, epsilon)));
    return tf.add(tf.mul(y, tf.reshape(s, c)), tf.reshape(b, c));
  };
}

describe('normalisation gradients', () => {
  it('layerNormalization matches tfjs over the last axis', () => {
    const x = randomTensor([3, 4, 6], 40, -2, 2);
    const s = randomTensor([6], 41);
    const b = randomTensor([6], 42);
    againstTf('layerNormalization', [x, s, b], { epsilon: 1e-5 }, tfLayerNorm(2, 1e-5), 'norm-tfjs');
  });

  it('layerNormalization matches tfjs over two axes with a broadcast scale and no bias', () => {
    const x = randomTensor([2, 3, 4], 43, -2, 2);
    const s = randomTensor([1, 4], 44);
    againstTf('layerNormalization', [x, s], { axis: 1, epsilon: 1e-3 }, tfLayerNorm(1, 1e-3), 'norm-tfjs');
  });

  it('layerNormalization passes gradients reaching its Mean and InvStdDev outputs (finite differences)', () => {
    const x = randomTensor([3, 5], 45, -2, 2);
    const s = randomTensor([5], 46);
    againstFd('layerNormalization', [x, s], {}, [0], 'norm-fd', 1);
    againstFd('layerNormalization', [x, s], {}, [0], 'norm-fd', 2);
  });

  it('batchNormalization (inference) matches tfjs for x, scale and bias and gives no gradient to the statistics', () => {
    const x = randomTensor([2, 3, 2, 3], 47);
    const s = randomTensor([3], 48);
    const b = randomTensor([3], 49);
    const mean = randomTensor([3], 50, -0.5, 0.5);
    const variance = randomTensor([3], 51, 0.2, 2);
    const r = forwardAndR('batchNormalization', [x, s, b, mean, variance], { epsilon: 1e-3 }, 52);
    const expected = tfGrads((xt, st, bt) => tfBatchNorm(1e-3, 4)(xt, st, bt, toTfConst(mean), toTfConst(variance)), [x, s, b], r);
    const got = ruleGrads(rule('batchNormalization'), 'batchNormalization', [x, s, b, mean, variance], { epsilon: 1e-3 }, r);
    expected.forEach((e, i) => expectGrad(got[i], e.values, e.shape, TF_TOL, `norm-tfjs input ${i}`));
    expect(got[3]).toBeUndefined();
    expect(got[4]).toBeUndefined();
  });

  it('batchNormTrainingGrad matches tfjs with batch statistics on [N, C, H, W] and on [N, features] with axis -1', () => {
    for (const [shape, axis] of [[[4, 3, 2, 2], 1], [[6, 3], -1]] as const) {
      const x = randomTensor(shape, 53, -2, 2);
      const s = randomTensor([shape[axis === 1 ? 1 : shape.length - 1]], 54);
      const b = randomTensor(s.shape, 55);
      const r = randomTensor(shape, 56);
      const ax = axis < 0 ? shape.length + axis : axis;
      const expected = tfGrads(tfBatchNorm(1e-5, shape.length, ax), [x, s, b], r);
      const got = batchNormTrainingGrad(x, s, r, 1e-5, axis);
      expectGrad(got.dx, expected[0].values, expected[0].shape, TF_TOL, 'norm-tfjs input 0');
      expectGrad(got.dScale, expected[1].values, expected[1].shape, TF_TOL, 'norm-tfjs input 1');
      expectGrad(got.dBias, expected[2].values, expected[2].shape, TF_TOL, 'norm-tfjs input 2');
    }
  });

  it('instanceNormalization matches tfjs (moments per (n, c) plane)', () => {
    const x = randomTensor([2, 3, 3, 4], 62, -2, 2);
    const s = randomTensor([3], 63);
    const b = randomTensor([3], 64);
    const f = (xt: tf.Tensor, st: tf.Tensor, bt: tf.Tensor): tf.Tensor => {
      const { mean, variance } = tf.moments(xt, [2, 3], true);
      const y = tf.div(tf.sub(xt, mean), tf.sqrt(tf.add(variance, 1e-4)));
      return tf.add(tf.mul(y, tf.reshape(st, [1, 3, 1, 1])), tf.reshape(bt, [1, 3, 1, 1]));
    };
    againstTf('instanceNormalization', [x, s, b], { epsilon: 1e-4 }, f, 'norm-tfjs');
  });

  it('the batchNormalizationTraining op rule matches finite differences and refuses losses on its running statistics', () => {
    const x = randomTensor([3, 2, 2, 2], 57, -2, 2);
    const s = randomTensor([2], 58);
    const b = randomTensor([2], 59);
    const stats = [randomTensor([2], 60), randomTensor([2], 61, 0.5, 1)];
    againstFd('batchNormalizationTraining', [x, s, b, ...stats], {}, [0, 1, 2], 'norm-fd');
    const outputs = runOp('batchNormalizationTraining', [x, s, b, ...stats], {});
    expect(() => rule('batchNormalizationTraining')!({ inputs: [x, s, b, ...stats], outputs, attrs: {}, gradOutputs: [undefined, outputs[1]] }))
      .toThrow(/batchNormalizationTraining: gradients through the running mean/);
  });
});

describe('the rule table', () => {
  it('is keyed by ops the engine registers', () => {
    for (const op of convGradRules.keys()) expect(defaultOps.has(op), op).toBe(true);
  });
});

function toTfConst(t: Tensor): tf.Tensor {
  return tf.tensor(t.toArray(), [...t.shape]);
}
