import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../../src/engine/errors';
import { GRAD_OPS, gradRule } from '../../../../src/engine/grad';
import type { Attrs } from '../../../../src/engine/registry';
import { Tensor } from '../../../../src/engine/tensor';
import { expectGrad, ruleCheckers, ruleGrads, runOp, TF_TOL, toTf, useTfCpu, worstErrorsLine } from './check';

/**
 * Gradient rules of the TF.js graph ops (src/engine/grad/tf.ts). Oracles: tfjs autodiff of sum(f(x)·r) with f
 * built from tfjs ops (≤ 1e-4·(1 + max|expected|)), and central finite differences of the engine's forward
 * kernels (≤ 3e-3·(1 + max|expected|)). Operands that TF passes as tensors (axes, perms, sizes) are int32.
 */


beforeAll(useTfCpu);
afterAll(() => console.log(worstErrorsLine()));

const { rand, vsTf, vsFd } = ruleCheckers(5000);
const i32 = (shape: number[], values: number[]): Tensor => Tensor.from(shape, values, 'int32');
const scalar = (v: number): Tensor => Tensor.scalar(v, 'int32');

/**
 * For multi-output ops: ∂loss/∂output k = r_k, or none for the outputs in `drop`; tfjs's gradient of
 * Σ_k sum(tfFn(x)[k] · r_k) with respect to input `which`.
 */
function multiVsTf(family: string, op: string, inputs: Tensor[], attrs: Attrs, which: number,
  tfFn: (x: tf.Tensor) => tf.Tensor[], drop: number[] = []): void {
  const ys = runOp(op, inputs, attrs);
  const rs = ys.map((y, k) => (drop.includes(k) ? undefined : rand([...y.shape])));
  const ours = ruleGrads(gradRule(op), op, inputs, attrs, rs);
  const theirs = tf.tidy(() => tf.grads((x: tf.Tensor) => tfFn(x).reduce(
    (acc, t, k) => (rs[k] ? tf.add(acc, tf.sum(tf.mul(t, toTf(rs[k]!)))) : acc), tf.scalar(0)))([toTf(inputs[which])])[0]);
  expectGrad(ours[which], theirs.dataSync(), theirs.shape, TF_TOL, `${family}: ${op} input ${which}`);
  ours.forEach((g, i) => {
    if (i !== which) expect(g, `${op} gradient of constant input ${i}`).toBeUndefined();
  });
}

describe('tfMatMul', () => {
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`transposeA=${transposeA} transposeB=${transposeB} matches tfjs, batched and not`, () => {
        const sa = (m: number, k: number): number[] => (transposeA ? [k, m] : [m, k]);
        const sb = (k: number, n: number): number[] => (transposeB ? [n, k] : [k, n]);
        const attrs = { transposeA, transposeB };
        const fn = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.matMul(a, b, transposeA, transposeB);
        vsTf('matmul', 'tfMatMul', [rand(sa(3, 4)), rand(sb(4, 5))], attrs, fn, [0, 1]);
        vsTf('matmul', 'tfMatMul', [rand([2, ...sa(3, 4)]), rand([2, ...sb(4, 2)])], attrs, fn, [0, 1]);
      });
    }
  }
  it('sums broadcast batch axes back and agrees with finite differences', () => {
    const inputs = [rand([2, 1, 4, 3]), rand([3, 2, 4])];
    const attrs = { transposeA: true, transposeB: true };
    vsFd('matmul', 'tfMatMul', inputs, attrs, 0);
    vsFd('matmul', 'tfMatMul', inputs, attrs, 1);
    vsFd('matmul', 'tfMatMul', [rand([2, 3]), rand([4, 3])], { transposeB: 1 }, 1);
  });
});

describe('shape ops', () => {
  it('tfTranspose permutes the gradient back by the perm operand', () => {
    vsTf('shape', 'tfTranspose', [rand([2, 3, 4]), i32([3], [2, 0, 1])], {}, (x) => tf.transpose(x, [2, 0, 1]), [0]);
    const g = ruleGrads(gradRule('tfTranspose'), 'tfTranspose', [rand([2, 3]), i32([2], [1, 0])], {}, rand([3, 2]));
    expect(g[1]).toBeUndefined();
  });
  it('tfConcat hands each input its part, the axis operand last and negative axes included', () => {
    vsTf('shape', 'tfConcat', [rand([2, 1, 3]), rand([2, 4, 3]), rand([2, 2, 3]), scalar(1)], {},
      (a, b, c) => tf.concat([a, b, c], 1), [0, 1, 2]);
    vsTf('shape', 'tfConcat', [rand([2, 3]), rand([2, 2]), scalar(-1)], {}, (a, b) => tf.concat([a, b], -1), [0, 1]);
    const g = ruleGrads(gradRule('tfConcat'), 'tfConcat', [rand([1, 2]), rand([2, 2]), scalar(0)], {}, rand([3, 2]));
    expect(g).toHaveLength(3);
    expect(g[2]).toBeUndefined();
  });
  it('tfPack cuts the gradient along the new axis', () => {
    for (const axis of [0, 1, 2, -1]) {
      vsTf('shape', 'tfPack', [rand([2, 3]), rand([2, 3]), rand([2, 3])], { axis }, (a, b, c) => tf.stack([a, b, c], axis), [0, 1, 2]);
    }
  });
  it('tfUnpack stacks the outputs gradients back, zeros for an output that does not reach the loss', () => {
    multiVsTf('shape', 'tfUnpack', [rand([3, 2, 4])], {}, 0, (x) => tf.unstack(x, 0));
    multiVsTf('shape', 'tfUnpack', [rand([3, 2, 4])], { axis: -1 }, 0, (x) => tf.unstack(x, 2), [1, 3]);
  });
  it('tfSplit and tfSplitV join the outputs gradients back', () => {
    multiVsTf('shape', 'tfSplit', [scalar(1), rand([2, 6, 3])], { numSplit: 3 }, 1, (x) => tf.split(x, 3, 1), [1]);
    multiVsTf('shape', 'tfSplitV', [rand([2, 7]), i32([3], [2, -1, 1]), scalar(-1)], {}, 0, (x) => tf.split(x, [2, 4, 1], 1));
    multiVsTf('shape', 'tfSplitV', [rand([5, 2]), i32([2], [3, 2]), scalar(0)], {}, 0, (x) => tf.split(x, [3, 2], 0), [0]);
  });
  it('tfSlice writes the gradient back to the sliced positions, size -1 included', () => {
    vsTf('shape', 'tfSlice', [rand([4, 5, 3]), i32([3], [1, 2, 0]), i32([3], [2, -1, 2])], {}, (x) => tf.slice(x, [1, 2, 0], [2, -1, 2]), [0]);
    vsFd('shape', 'tfSlice', [rand([3, 4]), i32([2], [1, 1]), i32([2], [2, 2])], {});
  });
});

describe('tfStridedSlice', () => {
  /** The indices start, start + stride, … before end (exclusive), as a gather list. */
  const picks = (start: number, end: number, stride: number): number[] => {
    const out: number[] = [];
    for (let i = start; stride > 0 ? i < end : i > end; i += stride) out.push(i);
    return out;
  };
  /** An oracle from gathers along each axis and a final reshape, independent of the strided-slice kernel. */
  const gathers = (lists: number[][], shape: number[]) => (x: tf.Tensor): tf.Tensor =>
    tf.reshape(lists.reduce((t, idx, axis) => tf.gather(t, tf.tensor1d(idx, 'int32'), axis), x), shape);
  const CASES: [string, number[], number[][], Record<string, number>, number[][], number[]][] = [
    // name, input shape, [begin, end, strides], masks, per-axis picks, output shape
    ['plain with strides', [4, 5, 6], [[1, 0, 1], [4, 5, 6], [2, 2, 2]], {}, [picks(1, 4, 2), picks(0, 5, 2), picks(1, 6, 2)], [2, 3, 3]],
    ['begin and end masks', [4, 5], [[3, 1], [3, 0], [1, 1]], { beginMask: 1, endMask: 2 }, [picks(0, 3, 1), picks(1, 5, 1)], [3, 4]],
    ['negative stride and negative bounds', [4, 6], [[-1, -1], [0, -7], [-1, -2]], {}, [picks(3, 0, -1), picks(5, -1, -2)], [3, 3]],
    ['shrink axis', [4, 5, 3], [[2, 0], [3, 5], [1, 2]], { shrinkAxisMask: 1 }, [[2], picks(0, 5, 2), picks(0, 3, 1)], [3, 3]],
    ['new axis', [3, 4], [[0, 1, 0], [0, 3, 4], [1, 1, 2]], { newAxisMask: 1 }, [picks(1, 3, 1), picks(0, 4, 2)], [1, 2, 2]],
    ['ellipsis', [2, 3, 4], [[0, 1], [0, 4], [1, 2]], { ellipsisMask: 1 }, [picks(0, 2, 1), picks(0, 3, 1), picks(1, 4, 2)], [2, 3, 2]],
    // x[..., 1] as TF writes it: a shrink after an ellipsis (the loader's usual form).
    ['ellipsis then shrink', [2, 3, 4], [[0, 1], [0, 2], [1, 1]], { ellipsisMask: 1, shrinkAxisMask: 2 }, [picks(0, 2, 1), picks(0, 3, 1), [1]], [2, 3]],
  ];
  for (const [name, shape, [begin, end, strides], masks, lists, outShape] of CASES) {
    it(`${name} matches a gather oracle in tfjs and finite differences`, () => {
      const n = begin.length;
      const inputs = [rand(shape), i32([n], begin), i32([n], end), i32([n], strides)];
      expect([...runOp('tfStridedSlice', inputs, masks)[0].shape]).toEqual(outShape);
      vsTf('stridedSlice', 'tfStridedSlice', inputs, masks, gathers(lists, outShape), [0]);
      vsFd('stridedSlice', 'tfStridedSlice', inputs, masks);
    });
  }
});

describe('tfGather, tfPad and tfSquaredDifference', () => {
  it('tfGather adds into the picked slices, repeats included, with and without the axis operand', () => {
    vsTf('gather', 'tfGather', [rand([5, 3]), i32([2, 3], [0, 2, 2, 4, 4, 0])], {},
      (d) => tf.gather(d, tf.tensor2d([[0, 2, 2], [4, 4, 0]], [2, 3], 'int32')), [0]);
    vsTf('gather', 'tfGather', [rand([2, 4, 3]), i32([3], [3, 1, 3]), scalar(1)], {},
      (d) => tf.gather(d, tf.tensor1d([3, 1, 3], 'int32'), 1), [0]);
    vsFd('gather', 'tfGather', [rand([4, 2]), i32([3], [1, 1, 3]), scalar(-2)], {});
    const g = ruleGrads(gradRule('tfGather'), 'tfGather', [rand([4, 2]), i32([1], [1]), scalar(0)], {}, rand([1, 2]));
    expect(g[1]).toBeUndefined();
    expect(g[2]).toBeUndefined();
  });
  it('tfPad crops the gradient back in constant mode and gives the constant its border', () => {
    vsTf('pad', 'tfPad', [rand([2, 3, 4]), i32([3, 2], [1, 0, 0, 2, 2, 1])], {}, (x) => tf.pad(x, [[1, 0], [0, 2], [2, 1]]), [0]);
    const inputs = [rand([3, 4]), i32([2, 2], [1, 2, 0, 3]), Tensor.from([], [0.5])];
    vsFd('pad', 'tfPad', inputs, {}, 0);
    vsFd('pad', 'tfPad', inputs, {}, 2);
  });
  it('tfPad in reflect mode adds the mirrored border back onto the elements it copies', () => {
    // tfjs's MirrorPad gradient only crops (it drops what the border copies), so the oracles are a hand
    // computation and finite differences. [1..5] padded (2, 1) is [3 2 1 2 3 4 5 4].
    const r = Tensor.from([8], [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7]);
    const g = ruleGrads(gradRule('tfPad'), 'tfPad', [rand([5]), i32([1, 2], [2, 1])], { mode: 'reflect' }, r);
    expectGrad(g[0], [100, 1010, 10001, 1e5 + 1e7, 1e6], [5], 0, 'pad: reflect by hand');
    vsFd('pad', 'tfPad', [rand([3, 4, 5]), i32([3, 2], [2, 1, 0, 3, 1, 1])], { mode: 'reflect' });
  });
  it('tfPad refuses a symmetric mirror pad with an EngineError naming the mode', () => {
    const rule = gradRule('tfPad')!;
    const x = rand([2, 2]);
    const call = (): unknown => rule({ inputs: [x, i32([2, 2], [1, 1, 1, 1])], outputs: [rand([4, 4])], attrs: { mode: 'symmetric' }, gradOutputs: [rand([4, 4])] });
    expect(call).toThrow(EngineError);
    expect(call).toThrow(/tfPad.*symmetric/);
  });
  it('tfSquaredDifference sums each operand gradient back over broadcast axes', () => {
    for (const [sa, sb] of [[[3, 4], [3, 4]], [[2, 3, 4], [4]], [[2, 1, 4], [3, 1]], [[], [2, 2]]]) {
      // tfjs's own SquaredDifference gradient does not sum over broadcast axes; (a − b)² built from sub does.
      vsTf('binary', 'tfSquaredDifference', [rand(sa), rand(sb)], {}, (a, b) => tf.square(tf.sub(a, b)), [0, 1]);
    }
    vsFd('binary', 'tfSquaredDifference', [rand([2, 3]), rand([3])], {}, 1);
  });
});

describe('tfBatchNorm', () => {
  it('matches tfjs for x, scale and offset over the last axis, and leaves the moving statistics alone', () => {
    for (const shape of [[2, 3, 4, 5], [6, 5]]) {
      const c = shape[shape.length - 1];
      const mean = rand([c]);
      const variance = rand([c], 0.2, 2);
      const inputs = [rand(shape), rand([c], 0.5, 2), rand([c]), mean, variance];
      const attrs = { epsilon: 1e-3 };
      vsTf('batchNorm', 'tfBatchNorm', inputs, attrs,
        (x, s, o) => tf.batchNorm(x, toTf(mean), toTf(variance), o, s, 1e-3), [0, 1, 2]);
      const g = ruleGrads(gradRule('tfBatchNorm'), 'tfBatchNorm', inputs, attrs, rand(shape));
      expectGrad(g[3], new Float32Array(c), [c], 0, 'batchNorm: mean');
      expectGrad(g[4], new Float32Array(c), [c], 0, 'batchNorm: variance');
    }
    vsFd('batchNorm', 'tfBatchNorm', [rand([3, 4]), rand([4]), rand([4]), rand([4]), rand([4], 0.5, 1)], { epsilon: 0.01 }, 1);
  });
});

describe('tfConv2DBackpropInput', () => {
  // [input_sizes, filter [h, w, in, out], out_backprop shape, strides, padding]
  const CASES: [number[], number[], number[], number[], 'SAME' | 'VALID'][] = [
    [[2, 5, 5, 3], [3, 3, 3, 4], [2, 5, 5, 4], [1, 1], 'SAME'],
    [[1, 6, 7, 2], [3, 2, 2, 3], [1, 3, 4, 3], [2, 2], 'SAME'],
    [[2, 5, 6, 2], [2, 3, 2, 3], [2, 4, 4, 3], [1, 1], 'VALID'],
    // Stride 2 over 6 rows with a 1-row kernel: the last row is never read.
    [[1, 6, 7, 1], [1, 3, 1, 2], [1, 3, 3, 2], [2, 2], 'VALID'],
  ];
  for (const [sizes, fShape, dyShape, strides, padding] of CASES) {
    it(`${padding} stride ${strides} into [${sizes}] matches tfjs conv2dTranspose`, () => {
      const inputs = [i32([4], sizes), rand(fShape), rand(dyShape)];
      const attrs = { strides, padding };
      vsTf('conv', 'tfConv2DBackpropInput', inputs, attrs, (f, dy) => tf.conv2dTranspose(dy as tf.Tensor4D, f as tf.Tensor4D,
        sizes as [number, number, number, number], strides as [number, number], padding === 'SAME' ? 'same' : 'valid'), [1, 2]);
    });
  }
  it('agrees with finite differences, dilations included, and gives input_sizes no gradient', () => {
    const inputs = [i32([4], [1, 7, 6, 2]), rand([2, 3, 2, 3]), rand([1, 5, 2, 3])];
    const attrs = { strides: [1, 2], dilations: [2, 1], padding: 'VALID' };
    vsFd('conv', 'tfConv2DBackpropInput', inputs, attrs, 1);
    vsFd('conv', 'tfConv2DBackpropInput', inputs, attrs, 2);
    const same = [i32([4], [1, 5, 5, 2]), rand([3, 3, 2, 2]), rand([1, 3, 3, 2])];
    vsFd('conv', 'tfConv2DBackpropInput', same, { strides: [2, 2], padding: 'SAME' }, 1);
    expect(ruleGrads(gradRule('tfConv2DBackpropInput'), 'tfConv2DBackpropInput', inputs, attrs, rand([1, 7, 6, 2]))[0]).toBeUndefined();
  });
});

describe('tfEinsum', () => {
  const CASES: [string, number[][], (...xs: tf.Tensor[]) => tf.Tensor][] = [
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]], (a, b) => tf.matMul(a, b)],
    ['abc,cd->abd', [[2, 3, 4], [4, 5]], (a, b) => tf.reshape(tf.matMul(tf.reshape(a, [6, 4]), b), [2, 3, 5])],
    ['bhqd,bhkd->bhqk', [[1, 2, 3, 4], [1, 2, 5, 4]], (a, b) => tf.matMul(a, b, false, true)],
    ['ij,ij->i', [[3, 4], [3, 4]], (a, b) => tf.sum(tf.mul(a, b), 1)],
    // Labels only one operand has (j in a, k in b) are summed: their gradients broadcast back.
    ['ij,k->i', [[3, 4], [5]], (a, b) => tf.mul(tf.sum(a, 1), tf.sum(b))],
    ['ij->ji', [[3, 4]], (a) => tf.transpose(a)],
    ['ijk->k', [[2, 3, 4]], (a) => tf.sum(a, [0, 1])],
  ];
  for (const [equation, shapes, fn] of CASES) {
    it(`'${equation}' matches tfjs and finite differences`, () => {
      const inputs = shapes.map((s) => rand(s));
      vsTf('einsum', 'tfEinsum', inputs, { equation }, fn, inputs.map((_, i) => i));
      vsFd('einsum', 'tfEinsum', inputs, { equation }, inputs.length - 1);
    });
  }
  it('refuses a repeated label in the differentiated operand with an EngineError naming it', () => {
    const call = (): unknown => ruleGrads(gradRule('tfEinsum'), 'tfEinsum', [rand([3, 3])], { equation: 'ii->i' }, rand([3]));
    expect(call).toThrow(EngineError);
    expect(call).toThrow(/tfEinsum.*'ii'/);
  });
});

describe('more selections and index arithmetic', () => {
  it('tfGatherNd adds g into the slices the index tuples picked, repeats included', () => {
    const params = rand([3, 2, 2]);
    const indices = i32([3, 2], [0, 1, 2, 0, 0, 1]);
    vsFd('gatherNd', 'tfGatherNd', [params, indices], {});
    const g = ruleGrads(gradRule('tfGatherNd'), 'tfGatherNd', [params, indices], {}, Tensor.from([3, 2], [1, 2, 3, 4, 5, 6]));
    expectGrad(g[0], [0, 0, 1 + 5, 2 + 6, 0, 0, 0, 0, 3, 4, 0, 0], [3, 2, 2], 0, 'gatherNd: by hand');
    expect(g[1]).toBeUndefined();
  });
  for (const [alignCorners, halfPixelCenters] of [[false, false], [true, false], [false, true]]) {
    it(`tfResize nearest (alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters}) matches tfjs or finite differences`, () => {
      const attrs = { method: 'nearest', alignCorners, halfPixelCenters };
      for (const size of [[5, 7], [2, 3]]) {
        // tfjs's own gradient is right for one image without half-pixel centres (its forward matches ours in
        // every case); batches and half-pixel centres are checked by finite differences.
        if (!halfPixelCenters) {
          vsTf('resize', 'tfResize', [rand([1, 3, 4, 2]), i32([2], size)], attrs,
            (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size as [number, number], alignCorners, halfPixelCenters), [0]);
        }
        vsFd('resize', 'tfResize', [rand([2, 3, 4, 2]), i32([2], size)], attrs);
      }
    });
  }
  for (const [alignCorners, halfPixelCenters] of [[false, false], [true, false], [false, true]]) {
    it(`tfResize bilinear (alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters}) matches tfjs or finite differences, up and down`, () => {
      const attrs = { method: 'bilinear', alignCorners, halfPixelCenters };
      // tfjs's ResizeBilinear gradient mixes up height and width on non-square images and ignores half-pixel
      // centres (its forward matches ours in every case): square images and no half-pixel centres for it,
      // finite differences for the rest.
      for (const size of [[5, 7], [2, 3], [3, 9]]) {
        if (!halfPixelCenters) {
          vsTf('resize', 'tfResize', [rand([2, 4, 4, 2]), i32([2], size)], attrs,
            (x) => tf.image.resizeBilinear(x as tf.Tensor4D, size as [number, number], alignCorners, halfPixelCenters), [0]);
        }
        vsFd('resize', 'tfResize', [rand([1, 3, 4, 2]), i32([2], size)], attrs);
      }
    });
  }
  it('tfTopK sends the values gradient back to where they came from; tfFill sums it into the value', () => {
    const x = Tensor.from([2, 4], [0.1, 0.9, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4]);
    const g = ruleGrads(gradRule('tfTopK'), 'tfTopK', [x, scalar(2)], {}, [Tensor.from([2, 2], [1, 2, 3, 4]), undefined]);
    expectGrad(g[0], [0, 1, 2, 0, 0, 0, 3, 4].map((v, i) => (i < 4 ? v : [4, 0, 3, 0][i - 4])), [2, 4], 0, 'topK: by hand');
    // Values 0.1 apart, so the ±1e-3 steps of finite differences never reorder them.
    vsFd('topK', 'tfTopK', [Tensor.from([3, 5], [7, 2, 11, 0, 5, 14, 9, 3, 12, 1, 6, 13, 4, 10, 8].map((v) => v / 10)), scalar(3)], {});
    vsFd('fill', 'tfFill', [i32([2], [2, 3]), Tensor.from([], [0.5])], {}, 1);
  });
  it('tfFloorMod passes g to a and −floor(a/b)·g to b, summed over broadcast axes, as tfjs', () => {
    vsTf('binary', 'tfFloorMod', [rand([2, 3], -3, 3), rand([3], 0.7, 1.3)], {}, tf.mod, [0, 1]);
    vsFd('binary', 'tfFloorMod', [rand([2, 3], 0.1, 0.9), rand([3], 1.5, 2)], {}, 1);
    const g = ruleGrads(gradRule('tfFloorMod'), 'tfFloorMod', [Tensor.from([2], [7, -7]), Tensor.from([], [2])], {}, Tensor.from([2], [1, 1]));
    expectGrad(g[1], [-3 + 4], [], 0, 'binary: tfFloorMod by hand');
  });
  it('tfShape, tfNotEqual, tfArgMax and tfFloorDiv give their float inputs a zero gradient', () => {
    const a = ruleGrads(gradRule('tfArgMax'), 'tfArgMax', [rand([2, 3]), scalar(1)], {}, Tensor.from([2], [1, 1], 'int32'));
    expectGrad(a[0], new Float32Array(6), [2, 3], 0, 'zero: tfArgMax');
    const d = ruleGrads(gradRule('tfFloorDiv'), 'tfFloorDiv', [rand([2]), rand([2], 1, 2)], {}, rand([2]));
    expectGrad(d[1], new Float32Array(2), [2], 0, 'zero: tfFloorDiv');
    const g = ruleGrads(gradRule('tfShape'), 'tfShape', [rand([2, 3])], {}, Tensor.from([2], [1, 1], 'int32'));
    expectGrad(g[0], new Float32Array(6), [2, 3], 0, 'zero: tfShape');
    const n = ruleGrads(gradRule('tfNotEqual'), 'tfNotEqual', [rand([2]), rand([2])], {}, Tensor.from([2], [1, 0], 'bool'));
    expectGrad(n[1], new Float32Array(2), [2], 0, 'zero: tfNotEqual');
  });
});

describe('the TF rule table', () => {
  it('lists every TF op this part covers', () => {
    for (const op of ['tfMatMul', 'tfTranspose', 'tfConcat', 'tfPack', 'tfUnpack', 'tfSplit', 'tfSplitV', 'tfSlice',
      'tfStridedSlice', 'tfGather', 'tfPad', 'tfSquaredDifference', 'tfBatchNorm', 'tfConv2DBackpropInput', 'tfEinsum', 'tfGatherNd', 'tfResize', 'tfTopK', 'tfFill', 'tfShape', 'tfNotEqual', 'tfArgMax', 'tfFloorDiv', 'tfFloorMod']) {
      expect(GRAD_OPS, op).toContain(op);
    }
  });
});
