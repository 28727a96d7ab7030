import { describe, expect, it } from 'vitest';
import { transpose } from '../../../src/engine/ops/shape';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomIntTensor, randomTensor } from '../engine/helpers';
import type { Attr, ValueSpec } from './onnxHelpers';
import { encodeModel, load, runLayerstep, runOrt } from './onnxHelpers';

/**
 * The ONNX ops added for exported models (logic, generation, extra reductions, recurrent layers, opset
 * variants), each as a one-node model run through the loader and the runner and compared with
 * onnxruntime-node on the same model.
 */

interface Case {
  readonly op: string;
  readonly inputs: Readonly<Record<string, Tensor | undefined>>;
  /** Inputs given as initializers (constants) instead of graph inputs. */
  readonly constants?: Readonly<Record<string, Tensor>>;
  readonly attrs?: Readonly<Record<string, Attr>>;
  /** Output names; default one output `y`. An empty name leaves the output out. */
  readonly outputs?: readonly string[];
  readonly opset?: number;
  /** Order of the node's inputs (default: inputs then constants, in object order). */
  readonly order?: readonly string[];
}

const TOL = { atol: 1e-5, rtol: 1e-4 };

async function check(c: Case): Promise<void> {
  const outputs = c.outputs ?? ['y'];
  const given = Object.entries(c.inputs).filter((e): e is [string, Tensor] => e[1] !== undefined);
  const order = c.order ?? [...Object.keys(c.inputs), ...Object.keys(c.constants ?? {})];
  const spec = {
    opset: c.opset ?? 17,
    inputs: given.map(([name, t]): ValueSpec => ({ name, dtype: t.dtype, shape: t.shape })),
    outputs: outputs.filter((o) => o).map((name): ValueSpec => ({ name })),
    initializers: c.constants,
    nodes: [{ op: c.op, name: 'n', inputs: order.map((k) => (c.inputs[k] || c.constants?.[k] ? k : '')), outputs: [...outputs], attrs: c.attrs }],
  };
  const bytes = encodeModel(spec);
  const feeds = Object.fromEntries(given);
  const expected = await runOrt(bytes, feeds);
  const got = await runLayerstep(await load(bytes), feeds);
  for (const [name, want] of expected) {
    const actual = got.get(name)!;
    expect(actual.dtype, `dtype of ${name}`).toBe(want.dtype);
    if (want.dtype === 'float32') expectClose(actual, want.data, want.shape, TOL);
    else expect({ shape: actual.shape, data: actual.toArray() }, name).toEqual({ shape: want.shape, data: want.toArray() });
  }
}

const f32 = (shape: number[], seed: number, lo = -1, hi = 1): Tensor => randomTensor(shape, seed, lo, hi);
const i64 = (values: number[], shape = [values.length]): Tensor => Tensor.from(shape, values, 'int64');
const bool = (values: number[], shape = [values.length]): Tensor => Tensor.from(shape, values, 'bool');

describe('ONNX ops added for exported models, against onnxruntime', () => {
  it('compares, combines and selects (Equal, Greater, LessOrEqual, And, Or, Xor, Not, Where)', async () => {
    const a = randomIntTensor([3, 4], 1, -2, 2, 'int64');
    const b = randomIntTensor([4], 2, -2, 2, 'int64');
    for (const op of ['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual']) await check({ op, inputs: { a, b } });
    const p = bool([1, 0, 1, 0, 1, 1], [2, 3]);
    const q = bool([0, 0, 1]);
    for (const op of ['And', 'Or', 'Xor']) await check({ op, inputs: { p, q } });
    await check({ op: 'Not', inputs: { p } });
    await check({ op: 'Where', inputs: { p, x: f32([2, 3], 3), z: f32([1, 3], 4) } });
  });

  it('builds tensors (ConstantOfShape, Range, Tile, Expand, Size, CastLike)', async () => {
    await check({ op: 'ConstantOfShape', inputs: { s: i64([2, 3]) }, attrs: { value: Tensor.from([1], [7], 'int64') } });
    await check({ op: 'ConstantOfShape', inputs: { s: i64([2, 0, 3]) } });
    await check({ op: 'Range', inputs: { a: Tensor.scalar(1, 'int64'), b: Tensor.scalar(10, 'int64'), d: Tensor.scalar(3, 'int64') } });
    await check({ op: 'Range', inputs: { a: Tensor.scalar(0.5), b: Tensor.scalar(-2), d: Tensor.scalar(-0.75) } });
    await check({ op: 'Tile', inputs: { x: f32([2, 3, 2], 5) }, constants: { r: i64([2, 1, 3]) } });
    await check({ op: 'Tile', inputs: { x: f32([3], 6) }, constants: { r: i64([4]) } });
    await check({ op: 'Expand', inputs: { x: f32([3, 1], 7) }, constants: { s: i64([2, 1, 4]) } });
    await check({ op: 'Size', inputs: { x: f32([2, 5], 8) } });
    await check({ op: 'CastLike', inputs: { x: f32([4], 9, -5, 5), like: i64([0]) } });
  });

  it('scans, masks and takes remainders (CumSum, Trilu, Mod)', async () => {
    const x = f32([2, 3, 4], 61);
    await check({ op: 'CumSum', inputs: { x }, constants: { axis: Tensor.scalar(1, 'int64') } });
    await check({ op: 'CumSum', inputs: { x }, constants: { axis: Tensor.scalar(-1, 'int32') }, attrs: { exclusive: 1, reverse: 1 } });
    await check({ op: 'Trilu', inputs: { x } });
    await check({ op: 'Trilu', inputs: { x }, constants: { k: Tensor.scalar(-1, 'int64') }, attrs: { upper: 0 } });
    await check({ op: 'Trilu', inputs: { m: Tensor.from([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9], 'int64') }, constants: { k: Tensor.scalar(1, 'int64') }, attrs: { upper: 0 } });
    const a = Tensor.from([6], [7, -7, 7, -7, 0, 5], 'int64');
    const b = Tensor.from([6], [3, 3, -3, -3, 2, 5], 'int64');
    await check({ op: 'Mod', inputs: { a, b } });
    await check({ op: 'Mod', inputs: { a, b }, attrs: { fmod: 1 } });
    await check({ op: 'Mod', inputs: { p: f32([5], 62, -5, 5), q: Tensor.from([1], [1.5]) }, attrs: { fmod: 1 } });
  });

  it('reduces (ReduceL1, ReduceL2, ReduceSumSquare, ReduceProd, ReduceLogSum, ReduceLogSumExp, ArgMin, TopK)', async () => {
    const x = f32([2, 3, 4], 10, 0.5, 2);
    for (const op of ['ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceProd', 'ReduceLogSum', 'ReduceLogSumExp']) {
      await check({ op, inputs: { x }, constants: { axes: i64([1]) }, opset: 18 });
      await check({ op, inputs: { x }, attrs: { axes: [0, 2], keepdims: 0 }, opset: 13 });
    }
    await check({ op: 'ArgMin', inputs: { x }, attrs: { axis: 1, keepdims: 0 } });
    await check({ op: 'ArgMin', inputs: { x: Tensor.from([4], [3, 1, 1, 2]) }, attrs: { select_last_index: 1 } });
    await check({ op: 'TopK', inputs: { x }, constants: { k: i64([2]) }, outputs: ['v', 'i'], attrs: { axis: 1 } });
    await check({ op: 'TopK', inputs: { x: Tensor.from([6], [1, 3, 3, 2, 0, 3]) }, constants: { k: i64([4]) }, outputs: ['v', 'i'], attrs: { largest: 0 } });
    await check({ op: 'TopK', inputs: { x }, outputs: ['v', 'i'], attrs: { k: 3 }, opset: 9 });
  });

  it('runs more elementwise math (Sign, Round, Sin, HardSwish, Mish, Celu, ThresholdedRelu, PRelu, Sum, Mean, Max, Min)', async () => {
    const x = f32([2, 5], 11, -3, 3);
    for (const op of ['Sign', 'Sin', 'Cos', 'Atan', 'HardSwish', 'Celu', 'ThresholdedRelu']) await check({ op, inputs: { x } });
    await check({ op: 'Mish', inputs: { x }, opset: 18 });
    await check({ op: 'Round', inputs: { x: Tensor.from([6], [0.5, 1.5, 2.5, -0.5, -1.5, 2.4]) } });
    await check({ op: 'PRelu', inputs: { x: f32([2, 3, 4], 12) }, constants: { slope: f32([3, 1], 13) } });
    const [a, b, c] = [f32([2, 3], 14), f32([3], 15), f32([1, 3], 16)];
    for (const op of ['Sum', 'Mean', 'Max', 'Min']) await check({ op, inputs: { a, b, c } });
    await check({ op: 'Max', inputs: { a } });
  });

  it('normalises per instance and pools with indices (InstanceNormalization, MaxPool Indices)', async () => {
    await check({ op: 'InstanceNormalization', inputs: { x: f32([2, 3, 4, 5], 17) }, constants: { s: f32([3], 18), b: f32([3], 19) }, attrs: { epsilon: { f: 1e-3 } } });
    const x = f32([1, 2, 5, 6], 20);
    await check({ op: 'MaxPool', inputs: { x }, outputs: ['y', 'i'], attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1] } });
    await check({ op: 'MaxPool', inputs: { x }, outputs: ['y', 'i'], attrs: { kernel_shape: [2, 2], storage_order: 1 } });
  });

  it('runs LSTM in both directions, with sequence lengths, peepholes and batch-first layout', async () => {
    const [seq, batch, input, H] = [4, 3, 5, 6];
    const X = f32([seq, batch, input], 21);
    const W = f32([2, 4 * H, input], 22, -0.5, 0.5);
    const R = f32([2, 4 * H, H], 23, -0.5, 0.5);
    const B = f32([2, 8 * H], 24, -0.5, 0.5);
    const lens = Tensor.from([batch], [4, 2, 3], 'int32');
    const h0 = f32([2, batch, H], 25);
    const c0 = f32([2, batch, H], 26);
    const P = f32([2, 3 * H], 27, -0.5, 0.5);
    const one = (t: Tensor): Tensor => new Tensor('float32', [1, ...t.shape.slice(1)], t.data.slice(0, t.size / 2) as Float32Array);
    const order = ['X', 'W', 'R', 'B', 'lens', 'h0', 'c0', 'P'];
    await check({ op: 'LSTM', inputs: { X }, constants: { W: one(W), R: one(R), B: one(B) }, attrs: { hidden_size: H }, outputs: ['Y', 'Y_h', 'Y_c'], order });
    await check({
      op: 'LSTM', inputs: { X, lens, h0, c0 }, constants: { W, R, B, P }, attrs: { hidden_size: H, direction: 'bidirectional' },
      outputs: ['Y', 'Y_h', 'Y_c'], order,
    });
    await check({
      op: 'LSTM', inputs: { X }, constants: { W: one(W), R: one(R) },
      attrs: { hidden_size: H, direction: 'reverse' }, outputs: ['', 'Y_h'], order,
    });
  });

  it('runs LSTM batch-first (layout 1) like the seq-first layout on the transposed input', async () => {
    // onnxruntime refuses layout 1, so the oracle is onnxruntime's layout 0 on X transposed.
    const [seq, batch, input, H] = [3, 2, 4, 5];
    const X = f32([seq, batch, input], 51);
    const consts = { W: f32([1, 4 * H, input], 52, -0.5, 0.5), R: f32([1, 4 * H, H], 53, -0.5, 0.5) };
    const spec = (layout: number, x: Tensor) => encodeModel({
      inputs: [{ name: 'X', dtype: 'float32', shape: x.shape }], outputs: [{ name: 'Y' }, { name: 'Y_h' }], initializers: consts,
      nodes: [{ op: 'LSTM', inputs: ['X', 'W', 'R'], outputs: ['Y', 'Y_h'], attrs: { hidden_size: H, layout } }],
    });
    const Xb = transpose(X, [1, 0, 2]);
    const want = await runOrt(spec(0, X), { X });
    const got = await runLayerstep(await load(spec(1, Xb)), { X: Xb });
    const wantY = transpose(want.get('Y')!, [2, 0, 1, 3]);
    expectClose(got.get('Y')!, wantY.data, wantY.shape, TOL);
    const wantH = transpose(want.get('Y_h')!, [1, 0, 2]);
    expectClose(got.get('Y_h')!, wantH.data, wantH.shape, TOL);
  });

  it('runs GRU (with and without linear_before_reset) and RNN', async () => {
    const [seq, batch, input, H] = [5, 2, 3, 4];
    const X = f32([seq, batch, input], 31);
    const W = f32([1, 3 * H, input], 32, -0.5, 0.5);
    const R = f32([1, 3 * H, H], 33, -0.5, 0.5);
    const B = f32([1, 6 * H], 34, -0.5, 0.5);
    const order = ['X', 'W', 'R', 'B'];
    for (const lbr of [0, 1]) {
      await check({ op: 'GRU', inputs: { X }, constants: { W, R, B }, attrs: { hidden_size: H, linear_before_reset: lbr }, outputs: ['Y', 'Y_h'], order });
    }
    const Wr = f32([2, H, input], 35);
    const Rr = f32([2, H, H], 36);
    await check({
      op: 'RNN', inputs: { X }, constants: { W: Wr, R: Rr }, outputs: ['Y', 'Y_h'], order,
      attrs: { hidden_size: H, direction: 'bidirectional', activations: ['Relu', 'Tanh'] },
    });
  });

  it('follows older opsets (Softmax-11, Split-11, Squeeze-11, Slice-9, Pad-2, Clip-6, Resize-10, Upsample-9, Dropout-12 mask)', async () => {
    const x = f32([2, 3, 4], 41, -2, 2);
    await check({ op: 'Softmax', inputs: { x }, opset: 11 });
    await check({ op: 'LogSoftmax', inputs: { x }, attrs: { axis: 0 }, opset: 11 });
    await check({ op: 'Split', inputs: { x }, attrs: { axis: 2 }, outputs: ['a', 'b'], opset: 11 });
    await check({ op: 'Split', inputs: { x }, attrs: { axis: 2, split: [1, 3] }, outputs: ['a', 'b'], opset: 11 });
    await check({ op: 'Squeeze', inputs: { x: f32([2, 1, 3, 1], 42) }, attrs: { axes: [1] }, opset: 11 });
    await check({ op: 'Unsqueeze', inputs: { x }, attrs: { axes: [0, 3] }, opset: 11 });
    await check({ op: 'Slice', inputs: { x }, attrs: { starts: [1, 0], ends: [3, -1], axes: [1, 2] }, opset: 9 });
    await check({ op: 'Pad', inputs: { x }, attrs: { pads: [0, 1, 0, 0, 0, 2], value: { f: 0.5 } }, opset: 2 });
    await check({ op: 'Clip', inputs: { x }, attrs: { min: -0.5, max: { f: 1 } }, opset: 6 });
    await check({ op: 'ReduceMean', inputs: { x }, attrs: { axes: [1], keepdims: 0 }, opset: 13 });
    const img = f32([1, 2, 3, 4], 43);
    await check({ op: 'Resize', inputs: { img }, constants: { s: Tensor.from([4], [1, 1, 2, 1.5]) }, attrs: { mode: 'nearest' }, opset: 10 });
    await check({ op: 'Resize', inputs: { img }, constants: { s: Tensor.from([4], [1, 1, 2, 2]) }, attrs: { mode: 'linear' }, opset: 10 });
    await check({ op: 'Upsample', inputs: { img }, constants: { s: Tensor.from([4], [1, 1, 3, 2]) }, opset: 9 });
    await check({ op: 'Dropout', inputs: { x }, constants: { r: Tensor.scalar(0.3) }, outputs: ['y', 'mask'], opset: 12 });
  });
});
