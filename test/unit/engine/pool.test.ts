import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { maxPool } from '../../../src/engine/kernels/pool';
import { poolOps } from '../../../src/engine/ops/pool';
import type { Attrs } from '../../../src/engine/registry';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomTensor } from './helpers';
import { NODE_CASES_DIR, loadNodeCase, onnxAttributes, runOrt } from './ortOracle';

type Plain = Record<string, number | string | readonly number[]>;

const ONNX_NAMES: Record<string, string> = {
  maxPool: 'MaxPool', averagePool: 'AveragePool', globalAveragePool: 'GlobalAveragePool', globalMaxPool: 'GlobalMaxPool',
};

function runOp(name: string, inputs: (Tensor | undefined)[], attrs: Attrs = {}): Tensor[] {
  const def = poolOps.find((d) => d.name === name);
  if (!def) throw new Error(`no op ${name}`);
  return def.run(inputs, attrs);
}

async function checkAgainstOrt(op: string, xShape: number[], attrs: Plain, seed: number): Promise<void> {
  const x = randomTensor(xShape, seed, -3, 3);
  const [want] = await runOrt({ opType: ONNX_NAMES[op], inputs: [x], attributes: onnxAttributes(attrs) });
  const [got] = runOp(op, [x], attrs);
  expectClose(got, want.data, want.shape, { atol: 1e-5, rtol: 1e-5 });
}

const windowCases: [string, number[], Plain][] = [
  ['2x2 windows with stride 2', [2, 3, 8, 6], { kernelShape: [2, 2], strides: [2, 2] }],
  ['3x3 windows with stride 1 and pads 1', [1, 2, 5, 6], { kernelShape: [3, 3], pads: [1, 1, 1, 1] }],
  ['asymmetric pads and strides', [1, 2, 9, 7], { kernelShape: [3, 2], strides: [2, 3], pads: [0, 1, 2, 1] }],
  ['dilations', [1, 2, 9, 9], { kernelShape: [2, 3], dilations: [2, 2], strides: [1, 2] }],
  ['ceilMode with a partial last window', [1, 2, 7, 8], { kernelShape: [3, 3], strides: [2, 2], ceilMode: 1 }],
  ['ceilMode dropping a window that would start in the padding', [1, 1, 5, 5], { kernelShape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: 1 }],
  ['ceilMode with pads and dilations', [1, 2, 10, 9], { kernelShape: [2, 2], strides: [3, 2], pads: [1, 0, 1, 1], dilations: [2, 1], ceilMode: 1 }],
  ['SAME_UPPER with stride 2', [1, 2, 7, 6], { kernelShape: [3, 2], strides: [2, 2], autoPad: 'SAME_UPPER' }],
  ['SAME_LOWER with stride 2', [1, 2, 7, 6], { kernelShape: [3, 2], strides: [2, 2], autoPad: 'SAME_LOWER' }],
  ['VALID with stride 2', [1, 2, 7, 6], { kernelShape: [3, 3], strides: [2, 2], autoPad: 'VALID' }],
  ['1-D windows', [2, 3, 11], { kernelShape: [3], strides: [2], pads: [1, 1] }],
  ['3-D windows', [1, 2, 5, 6, 4], { kernelShape: [2, 3, 2], strides: [2, 2, 1], pads: [0, 1, 0, 1, 1, 1] }],
];

describe('maxPool against onnxruntime', () => {
  windowCases.forEach(([name, x, attrs], i) => {
    it(`matches for ${name}`, async () => checkAgainstOrt('maxPool', x, attrs, 10 + i));
  });
});

describe('averagePool against onnxruntime', () => {
  windowCases.forEach(([name, x, attrs], i) => {
    it(`matches for ${name}, padding not counted`, async () => checkAgainstOrt('averagePool', x, attrs, 40 + i));
    it(`matches for ${name}, padding counted`, async () => checkAgainstOrt('averagePool', x, { ...attrs, countIncludePad: 1 }, 70 + i));
  });
});

describe('global pools against onnxruntime', () => {
  for (const op of ['globalAveragePool', 'globalMaxPool']) {
    for (const shape of [[2, 3, 5, 4], [1, 4, 7], [1, 2, 3, 4, 5]]) {
      it(`${op} matches on [${shape.join(', ')}]`, async () => checkAgainstOrt(op, shape, {}, 99));
    }
  }
});

describe('pools on hand-checkable input', () => {
  const x = Tensor.from([1, 1, 2, 3], [1, 5, 2, 4, 3, 6]);
  it('takes the maximum of each window', () => {
    expect(maxPool(x, { kernelShape: [2, 2] }).toArray()).toEqual([5, 6]);
  });
  it('averages with and without the padding', () => {
    const attrs = { kernelShape: [1, 2], pads: [0, 1, 0, 0] };
    expect(runOp('averagePool', [x], attrs)[0].toArray()).toEqual([1, 3, 3.5, 4, 3.5, 4.5]);
    expect(runOp('averagePool', [x], { ...attrs, countIncludePad: 1 })[0].toArray()).toEqual([0.5, 3, 3.5, 2, 3.5, 4.5]);
  });
  it('propagates NaN through maxPool and globalMaxPool', () => {
    const n = Tensor.from([1, 1, 1, 3], [NaN, 7, 1]);
    expect(Number.isNaN(runOp('maxPool', [n], { kernelShape: [1, 3] })[0].data[0])).toBe(true);
    expect(Number.isNaN(runOp('globalMaxPool', [n])[0].data[0])).toBe(true);
  });
});

describe('pool argument errors', () => {
  const x = randomTensor([1, 2, 4, 4], 1);
  const expectError = (f: () => unknown, text: RegExp): void => {
    expect(f).toThrow(EngineError);
    expect(f).toThrow(text);
  };
  it('requires kernelShape', () => {
    expectError(() => runOp('maxPool', [x]), /^maxPool: attribute 'kernelShape' is required/);
  });
  it('names a kernelShape of the wrong length', () => {
    expectError(() => runOp('averagePool', [x], { kernelShape: [2] }), /^averagePool: attribute 'kernelShape' must have 2 values/);
  });
  it('names an input of the wrong rank', () => {
    expectError(() => runOp('maxPool', [randomTensor([4, 4], 1)], { kernelShape: [2] }), /^maxPool: input 'x' must be rank 3 to 5/);
    expectError(() => runOp('globalAveragePool', [randomTensor([4], 1)]), /^globalAveragePool: input 'x' must be rank 3 to 5/);
  });
  it('names a non-float input', () => {
    expectError(() => runOp('maxPool', [Tensor.zeros([1, 1, 2, 2], 'int32')], { kernelShape: [2, 2] }), /^maxPool: input 'x' must be float32, got int32/);
  });
  it('names a window larger than the input', () => {
    expectError(() => runOp('maxPool', [x], { kernelShape: [5, 5] }), /^maxPool: the window .* is larger than the padded input/);
  });
});

const conformance = [
  'test_averagepool_1d_default', 'test_averagepool_2d_ceil', 'test_averagepool_2d_ceil_last_window_starts_on_pad',
  'test_averagepool_2d_default', 'test_averagepool_2d_dilations', 'test_averagepool_2d_pads',
  'test_averagepool_2d_pads_count_include_pad', 'test_averagepool_2d_precomputed_pads',
  'test_averagepool_2d_precomputed_pads_count_include_pad', 'test_averagepool_2d_precomputed_same_upper',
  'test_averagepool_2d_precomputed_strides', 'test_averagepool_2d_same_lower', 'test_averagepool_2d_same_upper',
  'test_averagepool_2d_strides', 'test_averagepool_3d_default',
  'test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_False',
  'test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_True',
  'test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_False',
  'test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_True',
  'test_averagepool_3d_dilations_small', 'test_globalaveragepool', 'test_globalaveragepool_precomputed',
  'test_maxpool_1d_default', 'test_maxpool_2d_ceil', 'test_maxpool_2d_ceil_output_size_reduce_by_one',
  'test_maxpool_2d_default', 'test_maxpool_2d_dilations', 'test_maxpool_2d_pads', 'test_maxpool_2d_precomputed_pads',
  'test_maxpool_2d_precomputed_same_upper', 'test_maxpool_2d_precomputed_strides', 'test_maxpool_2d_same_lower',
  'test_maxpool_2d_same_upper', 'test_maxpool_2d_strides', 'test_maxpool_3d_default', 'test_maxpool_3d_dilations',
  'test_maxpool_3d_dilations_use_ref_impl', 'test_maxpool_3d_dilations_use_ref_impl_large',
  'test_maxpool_with_argmax_2d_precomputed_pads', 'test_maxpool_with_argmax_2d_precomputed_strides',
];

const OUR_NAMES: Record<string, string> = Object.fromEntries(Object.entries(ONNX_NAMES).map(([k, v]) => [v, k]));

// Some expected outputs there are rounded to 4 decimals, hence atol 1e-4.
describe.skipIf(!NODE_CASES_DIR)('pools on the ONNX backend node tests (output Y)', () => {
  for (const name of conformance) {
    it(`passes ${name}`, () => {
      const c = loadNodeCase(name);
      const [got] = runOp(OUR_NAMES[c.opType], c.inputs, c.attrs);
      expectClose(got, c.outputs[0].data, c.outputs[0].shape, { atol: 1e-4, rtol: 1e-4 });
    });
  }
});
