import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { conv } from '../../../src/engine/kernels/conv';
import { convOps } from '../../../src/engine/ops/conv';
import type { Attrs } from '../../../src/engine/registry';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomTensor } from './helpers';
import { NODE_CASES_DIR, loadNodeCase, onnxAttributes, runOrt } from './ortOracle';

type Plain = Record<string, number | string | readonly number[]>;

function runOp(name: string, inputs: (Tensor | undefined)[], attrs: Attrs = {}): Tensor[] {
  const def = convOps.find((d) => d.name === name);
  if (!def) throw new Error(`no op ${name}`);
  return def.run(inputs, attrs);
}

/** Runs our op and onnxruntime's on the same random inputs and compares. */
async function checkAgainstOrt(
  op: 'conv' | 'convTranspose', xShape: number[], wShape: number[], attrs: Plain, withBias: boolean, seed: number,
): Promise<void> {
  const x = randomTensor(xShape, seed);
  const w = randomTensor(wShape, seed + 1);
  const outChannels = op === 'conv' ? wShape[0] : wShape[1] * Number(attrs.group ?? 1);
  const b = withBias ? randomTensor([outChannels], seed + 2) : undefined;
  const [want] = await runOrt({
    opType: op === 'conv' ? 'Conv' : 'ConvTranspose',
    inputs: b ? [x, w, b] : [x, w],
    attributes: onnxAttributes(attrs),
  });
  const [got] = runOp(op, b ? [x, w, b] : [x, w], attrs);
  expectClose(got, want.data, want.shape, { atol: 1e-4, rtol: 1e-4 });
}

interface Case {
  readonly name: string;
  readonly x: number[];
  readonly w: number[];
  readonly attrs: Plain;
  readonly bias?: boolean;
}

const convCases: Case[] = [
  { name: 'a plain 3x3 conv without padding', x: [1, 3, 7, 6], w: [4, 3, 3, 3], attrs: {} },
  { name: 'stride 2 with symmetric pads and bias', x: [2, 3, 9, 8], w: [5, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { name: 'asymmetric pads and unequal strides', x: [1, 2, 8, 7], w: [3, 2, 3, 2], attrs: { strides: [2, 1], pads: [0, 1, 2, 0] } },
  { name: 'dilations', x: [1, 2, 10, 9], w: [3, 2, 3, 3], attrs: { dilations: [2, 3], pads: [2, 1, 2, 3] } },
  { name: 'SAME_UPPER with stride 2 (odd total padding)', x: [1, 3, 8, 7], w: [4, 3, 4, 3], attrs: { autoPad: 'SAME_UPPER', strides: [2, 2] } },
  { name: 'SAME_LOWER with stride 2', x: [1, 3, 8, 7], w: [4, 3, 4, 3], attrs: { autoPad: 'SAME_LOWER', strides: [2, 2] } },
  { name: 'VALID with stride 3', x: [1, 2, 11, 10], w: [2, 2, 3, 3], attrs: { autoPad: 'VALID', strides: [3, 3] } },
  { name: 'grouped conv (group 2)', x: [2, 4, 6, 6], w: [6, 2, 3, 3], attrs: { group: 2, pads: [1, 1, 1, 1] }, bias: true },
  { name: 'depthwise conv (group = C) with stride and pads', x: [2, 3, 9, 9], w: [3, 1, 3, 3], attrs: { group: 3, strides: [2, 2], pads: [1, 0, 1, 2] }, bias: true },
  { name: 'depthwise conv with channel multiplier 2 and dilation', x: [1, 3, 8, 8], w: [6, 1, 3, 3], attrs: { group: 3, dilations: [2, 2], pads: [2, 2, 2, 2] } },
  { name: 'a 1x1 pointwise conv with bias', x: [2, 5, 4, 3], w: [7, 5, 1, 1], attrs: {}, bias: true },
  { name: 'a 1x1 conv with stride 2', x: [1, 4, 5, 5], w: [3, 4, 1, 1], attrs: { strides: [2, 2] } },
  { name: 'a 1x1 conv with end padding', x: [1, 4, 3, 3], w: [2, 4, 1, 1], attrs: { pads: [0, 0, 1, 1] }, bias: true },
  { name: 'a single-channel conv (Cg = 1, group 1)', x: [1, 1, 12, 12], w: [8, 1, 5, 5], attrs: { pads: [2, 2, 2, 2] }, bias: true },
  { name: 'a 1-D conv with stride, dilation and pads', x: [2, 3, 20], w: [4, 3, 3], attrs: { strides: [2], dilations: [2], pads: [1, 3] }, bias: true },
  { name: 'a 1-D depthwise conv', x: [1, 4, 16], w: [4, 1, 5], attrs: { group: 4, autoPad: 'SAME_UPPER' } },
  { name: 'a 3-D conv with strides and pads', x: [1, 2, 5, 6, 7], w: [3, 2, 3, 2, 3], attrs: { strides: [1, 2, 2], pads: [1, 0, 1, 1, 1, 0] }, bias: true },
  { name: 'an explicit kernelShape attribute', x: [1, 2, 6, 6], w: [2, 2, 3, 3], attrs: { kernelShape: [3, 3], pads: [1, 1, 1, 1] } },
  { name: 'an image large enough to build im2col in bands', x: [1, 32, 128, 128], w: [8, 32, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true },
  { name: 'a strided image large enough for bands', x: [1, 16, 130, 120], w: [4, 16, 3, 3], attrs: { strides: [1, 2], pads: [1, 1, 1, 1] } },
  { name: 'a 3-D volume in bands that start inside a depth slice', x: [1, 4, 10, 40, 40], w: [2, 4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1, 1, 1] }, bias: true },
  { name: 'a depth-strided 3-D volume in bands', x: [1, 4, 9, 40, 41], w: [2, 4, 3, 3, 3], attrs: { strides: [2, 1, 1], dilations: [1, 2, 1], pads: [0, 2, 1, 1, 2, 1] } },
  { name: 'a width-strided 3-D volume in bands', x: [1, 4, 9, 40, 81], w: [2, 4, 3, 3, 3], attrs: { strides: [1, 1, 2], pads: [1, 1, 1, 1, 1, 1] } },
];

describe('conv against onnxruntime', () => {
  convCases.forEach((c, i) => {
    it(`matches for ${c.name}`, async () => {
      await checkAgainstOrt('conv', c.x, c.w, c.attrs, c.bias ?? false, 100 + 10 * i);
    });
  });
});

const transposeCases: Case[] = [
  { name: 'a plain 3x3 transposed conv', x: [1, 2, 4, 5], w: [2, 3, 3, 3], attrs: {} },
  { name: 'stride 2 with pads and bias', x: [2, 3, 5, 4], w: [3, 4, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { name: 'stride 2 with outputPadding', x: [1, 2, 4, 4], w: [2, 2, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] } },
  { name: 'asymmetric strides and pads', x: [1, 2, 3, 5], w: [2, 3, 2, 4], attrs: { strides: [3, 2], pads: [0, 1, 1, 2] } },
  { name: 'dilations', x: [1, 2, 4, 4], w: [2, 2, 3, 3], attrs: { dilations: [2, 2] } },
  { name: 'groups (group 2)', x: [1, 4, 3, 3], w: [4, 3, 3, 3], attrs: { group: 2, strides: [2, 2] }, bias: true },
  { name: 'outputShape with even total padding', x: [1, 1, 3, 3], w: [1, 2, 3, 3], attrs: { strides: [3, 2], outputShape: [9, 5] } },
  { name: 'SAME_UPPER with even total padding', x: [1, 2, 4, 4], w: [2, 2, 4, 4], attrs: { strides: [2, 2], autoPad: 'SAME_UPPER' } },
  { name: 'a 1-D transposed conv', x: [1, 2, 6], w: [2, 3, 4], attrs: { strides: [2], pads: [1, 2] }, bias: true },
  { name: 'a 1x1 kernel with stride 2', x: [1, 3, 3, 3], w: [3, 2, 1, 1], attrs: { strides: [2, 2] } },
];

describe('convTranspose against onnxruntime', () => {
  transposeCases.forEach((c, i) => {
    it(`matches for ${c.name}`, async () => {
      await checkAgainstOrt('convTranspose', c.x, c.w, c.attrs, c.bias ?? false, 500 + 10 * i);
    });
  });
});

describe('convTranspose padding split (ONNX spec)', () => {
  // x = [1, 2], w = [1, 1, 1] (kernel 3), stride 1: the full output is [1, 3, 3, 2]. Four outputs need a total
  // padding of 0; three need 1, which SAME_UPPER takes at the end and the outputShape rule at the beginning.
  const x = Tensor.from([1, 1, 2], [1, 2]);
  const w = Tensor.from([1, 1, 3], [1, 1, 1]);
  it('puts the odd unit at the end for SAME_UPPER', () => {
    const [y] = runOp('convTranspose', [x, w], { autoPad: 'SAME_UPPER', strides: [1], outputShape: [3] });
    expect(y.toArray()).toEqual([1, 3, 3]);
  });
  it('puts the odd unit at the beginning for an explicit outputShape', () => {
    const [y] = runOp('convTranspose', [x, w], { outputShape: [3] });
    expect(y.toArray()).toEqual([3, 3, 2]);
  });
  it('adds zero outputs at the end when outputShape exceeds the full size', () => {
    const [y] = runOp('convTranspose', [x, w], { outputShape: [6] });
    expect(y.toArray()).toEqual([1, 3, 3, 2, 0, 0]);
  });
});

describe('conv on hand-checkable input', () => {
  it('sums a 2x2 window of ones with a bias', () => {
    const x = Tensor.from([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = Tensor.from([1, 1, 2, 2], [1, 1, 1, 1]);
    const y = conv(x, w, Tensor.from([1], [0.5]));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(y.toArray()).toEqual([12.5, 16.5, 24.5, 28.5]);
  });

  it('propagates NaN through a zero weight', () => {
    const x = Tensor.from([1, 1, 1, 2], [NaN, 1]);
    const w = Tensor.from([1, 1, 1, 1], [0]);
    expect(Number.isNaN(conv(x, w, undefined).data[0])).toBe(true);
    const dw = Tensor.from([2, 1, 1, 1], [0, 1]);
    expect(Number.isNaN(conv(Tensor.from([1, 2, 1, 1], [NaN, 1]), dw, undefined, { group: 2 }).data[0])).toBe(true);
  });
});

describe('conv argument errors', () => {
  const x = randomTensor([1, 3, 5, 5], 1);
  const expectError = (f: () => unknown, text: RegExp): void => {
    expect(f).toThrow(EngineError);
    expect(f).toThrow(text);
  };
  it('names the channel mismatch', () => {
    expectError(() => runOp('conv', [x, randomTensor([2, 4, 3, 3], 2)]), /^conv: input 'x' has 3 channels, so 'w' must have 3 input channels per group/);
  });
  it('names a weight of the wrong rank', () => {
    expectError(() => runOp('conv', [x, randomTensor([3, 3], 2)]), /^conv: input 'w' must have rank 4 like 'x' \[1, 3, 5, 5\], got \[3, 3\]/);
  });
  it('names an input of the wrong rank', () => {
    expectError(() => runOp('conv', [randomTensor([3, 5], 1), randomTensor([2, 3, 3], 2)]), /^conv: input 'x' must be rank 3 to 5/);
  });
  it('names a bias of the wrong shape', () => {
    expectError(() => runOp('conv', [x, randomTensor([2, 3, 3, 3], 2), randomTensor([3], 3)]), /^conv: input 'b' must have shape \[2\], got \[3\]/);
  });
  it('names a group that does not divide the channels', () => {
    expectError(() => runOp('conv', [x, randomTensor([4, 1, 3, 3], 2)], { group: 2 }), /^conv: attribute 'group' 2 must divide the input channels \(3\)/);
  });
  it('names pads of the wrong length', () => {
    expectError(() => runOp('conv', [x, randomTensor([2, 3, 3, 3], 2)], { pads: [1, 1] }), /^conv: attribute 'pads' must have 4 values/);
  });
  it('names a kernelShape that disagrees with w', () => {
    expectError(() => runOp('conv', [x, randomTensor([2, 3, 3, 3], 2)], { kernelShape: [2, 2] }), /^conv: attribute 'kernelShape' \[2, 2\] does not match 'w'/);
  });
  it('names a window larger than the input', () => {
    expectError(() => runOp('conv', [x, randomTensor([2, 3, 7, 7], 2)]), /^conv: the window .* is larger than the padded input/);
  });
  it('names an unknown autoPad', () => {
    expectError(() => runOp('conv', [x, randomTensor([2, 3, 3, 3], 2)], { autoPad: 'SAME' }), /^conv: attribute 'autoPad' must be one of/);
  });
  it('names a convTranspose weight whose channels differ from x', () => {
    expectError(() => runOp('convTranspose', [x, randomTensor([2, 3, 3, 3], 2)]), /^convTranspose: input 'w' must have 3 input channels/);
  });
});

const conformance = [
  'test_basic_conv_with_padding', 'test_basic_conv_without_padding', 'test_conv_with_autopad_same',
  'test_conv_with_strides_and_asymmetric_padding', 'test_conv_with_strides_no_padding', 'test_conv_with_strides_padding',
  'test_convtranspose', 'test_convtranspose_1d', 'test_convtranspose_3d', 'test_convtranspose_autopad_same',
  'test_convtranspose_dilations', 'test_convtranspose_group_2', 'test_convtranspose_group_2_image_3',
  'test_convtranspose_kernel_shape', 'test_convtranspose_output_shape', 'test_convtranspose_pad', 'test_convtranspose_pads',
];

describe.skipIf(!NODE_CASES_DIR)('conv on the ONNX backend node tests', () => {
  for (const name of conformance) {
    it(`passes ${name}`, () => {
      const c = loadNodeCase(name);
      const [got] = runOp(c.opType === 'Conv' ? 'conv' : 'convTranspose', c.inputs, c.attrs);
      expectClose(got, c.outputs[0].data, c.outputs[0].shape, { atol: 1e-4, rtol: 1e-4 });
    });
  }
});
