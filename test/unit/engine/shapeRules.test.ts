import { describe, expect, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops';
import { activationsOps } from '../../../src/engine/ops/activations';
import { convOps } from '../../../src/engine/ops/conv';
import { elementwiseOps } from '../../../src/engine/ops/elementwise';
import { gatherOps } from '../../../src/engine/ops/gather';
import { logicOps } from '../../../src/engine/ops/logic';
import { matmulOps } from '../../../src/engine/ops/matmul';
import { normOps } from '../../../src/engine/ops/norm';
import { onnxMathOps } from '../../../src/engine/ops/onnxMath';
import { onnxMiscOps } from '../../../src/engine/ops/onnxMisc';
import { onnxNormOps } from '../../../src/engine/ops/onnxNorm';
import { onnxReduceOps } from '../../../src/engine/ops/onnxReduce';
import { padOps } from '../../../src/engine/ops/pad';
import { poolOps } from '../../../src/engine/ops/pool';
import { recurrentOps } from '../../../src/engine/ops/recurrent';
import { reduceOps } from '../../../src/engine/ops/reduce';
import { resizeOps } from '../../../src/engine/ops/resize';
import { shapeOps } from '../../../src/engine/ops/shape';
import { softmaxOps } from '../../../src/engine/ops/softmax';
import type { Attrs } from '../../../src/engine/registry';
import { ShapeError } from '../../../src/engine/shapeRules';
import type { DType, Shape, Tensor } from '../../../src/engine/tensor';
import { randomIntTensor, randomTensor } from './helpers';

/**
 * Every op's static shape rule (`OpDef.shape`) against what its kernel really returns: for each op, input
 * shapes and attribute variants are combined; wherever `run` succeeds, `shape` must give exactly the shapes of
 * its outputs (so a rule can neither be wrong nor refuse what runs), and each op must run on at least one
 * combination, so no rule goes untested. Values a rule needs (a reshape's shape) come as attributes.
 */

/** An input: a float32 shape, an integer or bool tensor, or an optional input left out. */
type Spec = Shape | { shape: Shape; dtype: DType; lo: number; hi: number } | null;
interface Cases {
  readonly inputs: readonly (readonly Spec[])[];
  readonly attrs?: readonly Attrs[];
}

const int = (shape: Shape, lo: number, hi: number): Spec => ({ shape, dtype: 'int64', lo, hi });
const bool = (shape: Shape): Spec => ({ shape, dtype: 'bool', lo: 0, hi: 1 });

const UNARY: Cases = { inputs: [[[2, 3]], [[4]], [[]], [[2, 1, 3]], [[0, 3]]] };
const PAIRS: readonly (readonly Shape[])[] = [[[2, 3], [3]], [[2, 1, 4], [3, 1]], [[], [5]], [[2, 3], [2, 3]], [[0, 3], [1, 3]], [[2, 3], [4]]];
const BINARY: Cases = { inputs: PAIRS };
const REDUCE_ATTRS: readonly Attrs[] = [{}, { axes: [1] }, { axes: [0, -1], keepdims: 0 }, { keepdims: 0 }, { noopWithEmptyAxes: 1 }, { axes: [1, 1] }];
const POOL_X: readonly (readonly Spec[])[] = [[[1, 2, 5, 5]], [[1, 1, 7]], [[1, 1, 4, 5, 6]], [[2, 3]]];
const POOL_ATTRS: readonly Attrs[] = [
  { kernelShape: [2, 2] }, { kernelShape: [2, 2], strides: [2, 2], ceilMode: 1 }, { kernelShape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] },
  { kernelShape: [3, 3], autoPad: 'SAME_UPPER', strides: [2, 2] }, { kernelShape: [2, 2], autoPad: 'SAME_LOWER' },
  { kernelShape: [3], strides: [2], ceilMode: 1 }, { kernelShape: [2, 2, 2], strides: [1, 2, 3] }, { kernelShape: [3, 3], dilations: [2, 1] },
  { kernelShape: [4, 4], strides: [3, 3], pads: [0, 0, 2, 2], ceilMode: 1 }, { kernelShape: [7, 7] },
];
const recurrent = (gates: number): Cases => ({
  inputs: [
    [[5, 2, 3], [1, gates * 4, 3], [1, gates * 4, 4]],
    [[5, 2, 3], [2, gates * 4, 3], [2, gates * 4, 4]],
    [[2, 5, 3], [1, gates * 4, 3], [1, gates * 4, 4]],
  ],
  attrs: [{}, { hiddenSize: 4 }, { direction: 'bidirectional' }, { direction: 'reverse' }, { layout: 1 }],
});

const CASES: Readonly<Record<string, Cases>> = {
  mod: { inputs: PAIRS.map((p) => p.map((s) => ({ shape: s, dtype: 'int32', lo: 1, hi: 5 }) as Spec)), attrs: [{}, { fmod: 1 }] },
  and: { inputs: PAIRS.map((p) => p.map(bool)) },
  or: { inputs: PAIRS.map((p) => p.map(bool)) },
  xor: { inputs: PAIRS.map((p) => p.map(bool)) },
  not: { inputs: UNARY.inputs.map((p) => p.map((s) => bool(s as Shape))) },
  where: { inputs: [[bool([2, 3]), [3], [2, 1]], [bool([1]), [2, 3], []], [bool([2, 3]), [4], [3]], [bool([4, 1, 1]), [1, 3, 1], [2]]] },
  clip: { inputs: [[[2, 3]], [[2, 3], [], []], [[4], null, []]], attrs: [{}, { min: -0.5 }] },
  matmul: { inputs: [[[2, 3], [3, 4]], [[3], [3, 4]], [[2, 3], [3]], [[5, 2, 3], [3, 4]], [[2, 1, 2, 3], [4, 3, 5]], [[1, 4], [3, 2]], [[3], [3]]] },
  gemm: {
    inputs: [[[2, 3], [3, 4]], [[3, 2], [3, 4]], [[2, 3], [4, 3]], [[2, 3], [3, 4], [4]], [[2, 3], [3, 4], [2, 1]], [[2, 3], [3, 4], [3]], [[3, 2], [4, 3], [1, 1]]],
    attrs: [{}, { transA: 1 }, { transB: 1 }, { transA: 1, transB: 1 }],
  },
  conv: {
    inputs: [[[1, 4, 9, 9], [8, 2, 3, 3]], [[1, 4, 9, 9], [8, 2, 3, 3], [8]], [[2, 3, 10], [4, 3, 3]], [[1, 2, 4, 5, 6], [3, 2, 2, 2, 2]], [[1, 4, 9, 9], [8, 4, 3, 3]]],
    attrs: [
      {}, { group: 2 }, { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] }, { group: 2, autoPad: 'SAME_UPPER', strides: [2, 2] },
      { group: 2, autoPad: 'SAME_LOWER', dilations: [2, 2] }, { group: 2, autoPad: 'VALID', strides: [3, 2] }, { strides: [3] },
      { pads: [2, 1] }, { autoPad: 'SAME_UPPER', strides: [2] }, { strides: [2, 1, 2], pads: [1, 0, 0, 0, 1, 1] },
    ],
  },
  convTranspose: {
    inputs: [[[1, 4, 3, 3], [4, 2, 2, 2]], [[1, 4, 3, 3], [4, 1, 3, 3], [2]], [[1, 2, 5], [2, 3, 3]]],
    attrs: [
      {}, { strides: [2, 2] }, { strides: [2, 2], pads: [1, 0, 1, 0] }, { strides: [2, 2], outputPadding: [1, 1] },
      { autoPad: 'SAME_UPPER', strides: [2, 2] }, { autoPad: 'SAME_LOWER', strides: [2, 2] }, { strides: [2, 2], outputShape: [7, 7] },
      { group: 2 }, { dilations: [2, 2] }, { strides: [3], pads: [1, 2] }, { strides: [2], outputPadding: [1] },
    ],
  },
  maxPool: { inputs: POOL_X, attrs: POOL_ATTRS },
  averagePool: { inputs: POOL_X, attrs: POOL_ATTRS },
  maxPoolWithIndices: { inputs: POOL_X, attrs: POOL_ATTRS },
  globalAveragePool: { inputs: [[[1, 2, 5, 5]], [[2, 3, 4]], [[1, 1, 2, 3, 4]], [[2, 3]]] },
  globalMaxPool: { inputs: [[[1, 2, 5, 5]], [[2, 3, 4]], [[1, 1, 2, 3, 4]], [[2, 3]]] },
  batchNormalization: { inputs: [[[2, 3, 4, 4], [3], [3], [3], [3]], [[2, 3], [3], [3], [3], [3]]] },
  batchNormalizationTraining: { inputs: [[[2, 3, 4, 4], [3], [3], [3], [3]], [[2, 3], [3], [3], [3], [3]]] },
  instanceNormalization: { inputs: [[[2, 3, 4], [3], [3]], [[1, 2, 3, 3], [2], [2]]] },
  layerNormalization: {
    inputs: [[[2, 3, 4], [4], [4]], [[2, 3, 4], [3, 4]], [[2, 3, 4], [2, 3, 4], [2, 3, 4]], [[5], [5]]],
    attrs: [{}, { axis: 1 }, { axis: 0 }, { axis: -2 }, { axis: 3 }],
  },
  softmax: { inputs: UNARY.inputs, attrs: [{}, { axis: 0 }, { axis: 1 }, { axis: -2 }, { axis: 2 }] },
  logSoftmax: { inputs: UNARY.inputs, attrs: [{}, { axis: 0 }, { axis: 1 }, { axis: 2 }] },
  softmaxCoerced: { inputs: UNARY.inputs, attrs: [{}, { axis: 0 }, { axis: -1 }, { axis: 2 }, { axis: 3 }] },
  logSoftmaxCoerced: { inputs: UNARY.inputs, attrs: [{}, { axis: 0 }, { axis: 2 }] },
  flatten: { inputs: [[[2, 3, 4]], [[5]], [[]]], attrs: [{}, { axis: 0 }, { axis: 2 }, { axis: 3 }, { axis: -1 }, { axis: 4 }] },
  reshape: {
    inputs: [[[2, 3, 4]], [[0, 3]]],
    attrs: [{ shape: [0, -1] }, { shape: [4, -1] }, { shape: [24] }, { shape: [4, 2] }, { shape: [2, 0, 4] }, { shape: [-1, -1] },
      { shape: [0, 3], allowzero: 1 }, { shape: [6, 0, 2] }],
  },
  transpose: { inputs: [[[2, 3, 4]], [[5, 6]]], attrs: [{}, { perm: [1, 0, 2] }, { perm: [2, 0, 1] }, { perm: [0, 0, 1] }, { perm: [1, 0] }] },
  concat: { inputs: [[[2, 3], [2, 5]], [[2, 3], [4, 3], [1, 3]], [[2, 3], [3, 3]], [[2, 3]]], attrs: [{ axis: 0 }, { axis: 1 }, { axis: -1 }, { axis: 2 }] },
  split: {
    inputs: [[[2, 12]], [[7]], [[3, 6]]],
    attrs: [{ axis: -1, numOutputs: 3 }, { axis: 1, split: [5, 7] }, { axis: 0, numOutputs: 2 }, { axis: 1, numOutputs: 5 }, { numOutputs: 3 }, { axis: 1, split: [1, 2, 3] }],
  },
  slice: {
    inputs: [[[4, 10]], [[10]]],
    attrs: [
      { starts: [-3], ends: [100], axes: [1], steps: [1] }, { starts: [8], ends: [-100], axes: [1], steps: [-3] }, { starts: [1, 2], ends: [3, 9] },
      { starts: [0], ends: [4], axes: [0], steps: [2] }, { starts: [5], ends: [2], axes: [-1] }, { starts: [8], ends: [-100], axes: [0], steps: [-3] },
    ],
  },
  squeeze: { inputs: [[[1, 3, 1, 2]], [[1]], [[3]]], attrs: [{}, { axes: [0] }, { axes: [0, -2] }, { axes: [1] }, { axes: [] }] },
  unsqueeze: { inputs: [[[3, 2]], [[]]], attrs: [{ axes: [0] }, { axes: [-1] }, { axes: [0, 3] }, { axes: [1, 1] }, { axes: [2] }] },
  shape: { inputs: [[[2, 3, 4]], [[]]], attrs: [{}, { start: 1 }, { end: -1 }, { start: -2, end: 10 }, { start: 2, end: 1 }] },
  cast: { inputs: UNARY.inputs, attrs: [{ to: 'int32' }, { to: 'bool' }] },
  castLike: { inputs: [[[2, 3], [1]], [[], [4, 4]]] },
  gather: {
    inputs: [[[10, 3], int([1, 5], 0, 2)], [[10, 3], int([], 0, 2)], [[4, 3, 2], int([2, 2], -2, 1)]],
    attrs: [{}, { axis: 1 }, { axis: -1 }, { axis: 2 }],
  },
  pad: {
    inputs: [[[2, 3]], [[2, 3, 4]]],
    attrs: [{ pads: [1, 0, 2, 1] }, { pads: [0, -1, 0, -1] }, { pads: [1, 2], axes: [1] }, { pads: [0, 0, 0, 0, 0, 0] }, { pads: [0, -3, 0, -1] }, { pads: [1, 1, 1, 1], mode: 'edge' }],
  },
  resize: {
    inputs: [[[1, 1, 4, 6]], [[2, 3]]],
    attrs: [{ scales: [1, 1, 2, 0.5] }, { sizes: [1, 1, 3, 5] }, { sizes: [3, 5], axes: [2, 3] }, { sizes: [1, 1, 3, 5], keepAspectRatioPolicy: 'not_larger' },
      { sizes: [1, 1, 3, 5], keepAspectRatioPolicy: 'not_smaller' }, { scales: [1, 1, 1.5, 1.7] }, { scales: [1.7, 0.34] }],
  },
  argMax: { inputs: [[[2, 3, 4]], [[5]]], attrs: [{}, { axis: 1 }, { axis: -1, keepdims: 0 }, { axis: 3 }] },
  argMin: { inputs: [[[2, 3, 4]], [[5]]], attrs: [{}, { axis: 1 }, { axis: -1, keepdims: 0 }, { axis: 3 }] },
  constantOfShape: { inputs: [[]], attrs: [{ shape: [2, 3] }, { shape: [] }, { shape: [0, 4] }] },
  tile: { inputs: [[[2, 3]], [[4]]], attrs: [{ repeats: [2, 1] }, { repeats: [0, 3] }, { repeats: [3] }] },
  sum: { inputs: [[[2, 3]], ...PAIRS, [[2, 1], [1, 3], [3]]] },
  mean: { inputs: [[[2, 3]], ...PAIRS, [[2, 1], [1, 3], [3]]] },
  maxN: { inputs: [[[2, 3]], ...PAIRS, [[2, 1], [1, 3], [3]]] },
  minN: { inputs: [[[2, 3]], ...PAIRS, [[2, 1], [1, 3], [3]]] },
  topK: { inputs: [[[3, 5]], [[6]]], attrs: [{ k: 2 }, { k: [3], axis: 0 }, { k: 6 }, { k: 0, largest: 0 }] },
  cumSum: { inputs: [[[2, 3]], [[4]]], attrs: [{ axis: 1 }, { axis: 0, reverse: 1, exclusive: 1 }] },
  trilu: { inputs: [[[3, 4]], [[2, 3, 3]], [[4]]], attrs: [{}, { upper: 0 }, { k: 1 }] },
  constant: { inputs: [[]], attrs: [{ value: randomTensor([2, 3], 7) }, { value: randomTensor([], 8) }] },
  stack: { inputs: [[[2, 3], [2, 3]], [[4]], [[2, 3], [3, 2]]], attrs: [{}, { axis: 1 }, { axis: -1 }, { axis: 3 }] },
  tfListSetItem: { inputs: [[[4, 2, 3], int([], 0, 3), [2, 3]], [[3, 0], int([], 0, 2), [2, 2]], [[4, 2], int([], 0, 3), [3]], [[5], int([], 0, 4), []]] },
  rnn: recurrent(1),
  gru: recurrent(3),
  lstm: recurrent(4),
  ...Object.fromEntries([...reduceOps, ...onnxReduceOps].filter((d) => d.name.startsWith('reduce'))
    .map((d) => [d.name, { inputs: [[[2, 3, 4]], [[5]]], attrs: REDUCE_ATTRS }])),
};

/** The ops of the engine's own tables, and those among them whose output shape depends on input values. */
const ENGINE_OPS = [
  elementwiseOps, activationsOps, matmulOps, reduceOps, softmaxOps, convOps, poolOps, normOps, shapeOps, gatherOps,
  resizeOps, padOps, logicOps, onnxMiscOps, onnxMathOps, onnxReduceOps, onnxNormOps, recurrentOps,
].flat();
const VALUE_SHAPED = ['expand', 'range'];

function tensorOf(spec: Spec, seed: number): Tensor | undefined {
  if (spec === null) return undefined;
  if ('dtype' in spec) return randomIntTensor(spec.shape, seed, spec.lo, spec.hi, spec.dtype);
  return randomTensor(spec as Shape, seed);
}

function casesOf(op: string, minInputs: number): Cases {
  const own = CASES[op];
  if (own) return own;
  return minInputs === 2 ? BINARY : UNARY;
}

describe('op shape rules agree with the kernels', () => {
  const ruled = defaultOps.names().filter((name) => defaultOps.get(name).shape !== undefined);

  it.each(ruled)('%s: shape() gives the shapes run() returns wherever run() succeeds', (op) => {
    const def = defaultOps.get(op);
    const { inputs, attrs = [{}] } = casesOf(op, def.minInputs);
    let ran = 0;
    inputs.forEach((specs, i) => {
      const tensors = specs.map((s, k) => tensorOf(s, 100 * i + k));
      const shapes = tensors.map((t) => t?.shape);
      for (const a of attrs) {
        let outs: Tensor[];
        try {
          outs = defaultOps.run(op, tensors, a);
        } catch {
          continue; // unfit for the kernel; whether the rule also refuses is checked on purpose below
        }
        ran++;
        const what = `${op}(${shapes.map((s) => (s ? `[${s.join(',')}]` : '-')).join(' ')}) ${JSON.stringify(a)}`;
        expect(defaultOps.shapes(op, shapes, a), what).toEqual(outs.map((t) => [...t.shape]));
      }
    });
    expect(ran, `${op} never ran on its cases`).toBeGreaterThan(0);
  });

  it('covers every op of the engine tables but those shaped by input values', () => {
    const missing = ENGINE_OPS.filter((d) => !d.shape && !VALUE_SHAPED.includes(d.name)).map((d) => d.name);
    expect(missing).toEqual([]);
    for (const op of VALUE_SHAPED) expect(defaultOps.shapes(op, [[2]], {})).toBeUndefined();
    expect(defaultOps.shapes('noSuchOp', [[2]], {})).toBeUndefined();
  });
});

describe('op shape rules refuse what the kernels refuse for its shapes', () => {
  const unfit: readonly [string, readonly Shape[], Attrs][] = [
    ['add', [[2, 3], [4]], {}],
    ['where', [[2, 3], [4], [3]], {}],
    ['matmul', [[1, 4], [3, 2]], {}],
    ['gemm', [[2, 3], [4, 3]], {}],
    ['conv', [[1, 4, 9, 9], [8, 3, 3, 3]], {}],
    ['conv', [[1, 4, 5, 5], [8, 4, 7, 7]], {}],
    ['convTranspose', [[1, 4, 3, 3], [3, 2, 2, 2]], {}],
    ['maxPool', [[1, 1, 5, 5]], { kernelShape: [7, 7] }],
    ['averagePool', [[4, 4]], { kernelShape: [2] }],
    ['layerNormalization', [[2, 3], [3]], { axis: 2 }],
    ['reshape', [[2, 3]], { shape: [4, 2] }],
    ['transpose', [[2, 3]], { perm: [0, 0] }],
    ['concat', [[2, 3], [3, 3]], { axis: 1 }],
    ['split', [[2, 12]], { axis: 1, split: [5, 5] }],
    ['squeeze', [[1, 3]], { axes: [1] }],
    ['gather', [[10, 3], [2]], { axis: 2 }],
    ['pad', [[2, 3]], { pads: [0, -3, 0, -1] }],
    ['topK', [[3, 5]], { k: 6 }],
    ['reduceSum', [[2, 3]], { axes: [2] }],
  ];

  it.each(unfit)('%s on %j with %j', (op, shapes, attrs) => {
    const tensors = shapes.map((s, k) => (op === 'gather' && k === 1 ? randomIntTensor(s, k, 0, 1, 'int64') : randomTensor(s, k)));
    expect(() => defaultOps.run(op, tensors, attrs)).toThrow();
    expect(() => defaultOps.shapes(op, shapes, attrs)).toThrow(ShapeError);
  });

  it('words the error as a sentence about the shapes, without the op prefix of an engine error', () => {
    expect(() => defaultOps.shapes('maxPool', [[1, 1, 5, 5]], { kernelShape: [7, 7] })).toThrow('a window of 7 does not fit an axis of 5 padded by 0');
    expect(() => defaultOps.shapes('conv', [[1, 2, 3, 3], [2, 1, 2, 2]], { group: 2, strides: [1, 1], autoPad: 'SAME_UPPER', dilations: [0, 1] }))
      .toThrow(/^attribute 'dilations' must hold integers >= 1/);
    expect(() => defaultOps.shapes('matmul', [[1, 4], [3, 2]], {})).toThrow('matmul of [1, 4] by [3, 2]: inner dimensions 4 and 3 differ');
  });
});
