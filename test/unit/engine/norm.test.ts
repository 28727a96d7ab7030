import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { layerNormalization } from '../../../src/engine/kernels/norm';
import { normOps } from '../../../src/engine/ops/norm';
import type { Attrs } from '../../../src/engine/registry';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomTensor } from './helpers';
import { NODE_CASES_DIR, loadNodeCase, runOrt } from './ortOracle';

function runOp(name: string, inputs: (Tensor | undefined)[], attrs: Attrs = {}): Tensor[] {
  const def = normOps.find((d) => d.name === name);
  if (!def) throw new Error(`no op ${name}`);
  return def.run(inputs, attrs);
}

const TOL = { atol: 1e-5, rtol: 1e-4 };

describe('batchNormalization against onnxruntime', () => {
  const shapes = [[2, 3, 4, 5], [4, 3], [1, 4, 6], [1, 2, 3, 3, 3]];
  shapes.forEach((shape, i) => {
    for (const epsilon of [1e-5, 0.01]) {
      it(`matches on [${shape.join(', ')}] with epsilon ${epsilon}`, async () => {
        const C = shape[1];
        const inputs = [
          randomTensor(shape, 10 * i, -3, 3), randomTensor([C], 10 * i + 1), randomTensor([C], 10 * i + 2),
          randomTensor([C], 10 * i + 3), randomTensor([C], 10 * i + 4, 0.05, 2),
        ];
        const [want] = await runOrt({ opType: 'BatchNormalization', inputs, attributes: { epsilon: { float: epsilon } } });
        const [got] = runOp('batchNormalization', inputs, { epsilon });
        expectClose(got, want.data, want.shape, TOL);
      });
    }
  });
});

describe('layerNormalization against onnxruntime', () => {
  const cases: [number[], number, boolean][] = [
    [[2, 3, 8], -1, true], [[2, 3, 4, 5], 1, true], [[2, 3, 4, 5], -2, false], [[3, 4], 0, true], [[5, 16], 1, false],
  ];
  cases.forEach(([shape, axis, withBias], i) => {
    it(`matches Y, Mean and InvStdDev on [${shape.join(', ')}] over axis ${axis}${withBias ? ' with bias' : ''}`, async () => {
      const normShape = shape.slice(axis < 0 ? axis + shape.length : axis);
      const x = randomTensor(shape, 200 + i, -4, 4);
      const scale = randomTensor(normShape, 300 + i);
      const bias = withBias ? randomTensor(normShape, 400 + i) : undefined;
      const inputs = bias ? [x, scale, bias] : [x, scale];
      const want = await runOrt({ opType: 'LayerNormalization', inputs, attributes: { axis, epsilon: { float: 1e-3 } }, outputs: 3 });
      const got = runOp('layerNormalization', inputs, { axis, epsilon: 1e-3 });
      expect(got).toHaveLength(3);
      got.forEach((t, k) => expectClose(t, want[k].data, want[k].shape, TOL));
    });
  });

  it('broadcasts a scale and bias over the normalised shape', () => {
    const x = randomTensor([2, 3, 4], 7);
    const full = layerNormalization(x, Tensor.from([3, 4], Array(12).fill(2)), Tensor.from([3, 4], Array(12).fill(-1)), 1);
    const bcast = layerNormalization(x, Tensor.from([1, 1], [2]), Tensor.from([4], [-1, -1, -1, -1]), 1);
    expectClose(bcast.y, full.y.data, full.y.shape);
  });

  it('normalises a hand-checkable row', () => {
    const { y, mean, invStdDev } = layerNormalization(Tensor.from([1, 2], [1, 3]), Tensor.from([2], [1, 1]), undefined, -1, 0);
    expect(y.toArray()).toEqual([-1, 1]);
    expect(mean.shape).toEqual([1, 1]);
    expect(mean.toArray()).toEqual([2]);
    expect(invStdDev.toArray()).toEqual([1]);
  });
});

describe('norm argument errors', () => {
  const x = randomTensor([2, 3, 4], 1);
  const c3 = randomTensor([3], 2);
  const expectError = (f: () => unknown, text: RegExp): void => {
    expect(f).toThrow(EngineError);
    expect(f).toThrow(text);
  };
  it('names a batchNormalization parameter with the wrong channel count', () => {
    expectError(() => runOp('batchNormalization', [x, randomTensor([4], 2), c3, c3, c3]),
      /^batchNormalization: input 'scale' must have shape \[3\] \(the channels of 'x' \[2, 3, 4\]\), got \[4\]/);
  });
  it('names a batchNormalization input of rank 1', () => {
    expectError(() => runOp('batchNormalization', [c3, c3, c3, c3, c3]), /^batchNormalization: input 'x' must be rank 2 or more/);
  });
  it('refuses training mode', () => {
    expectError(() => runOp('batchNormalization', [x, c3, c3, c3, c3], { trainingMode: 1 }), /^batchNormalization: attribute 'trainingMode'/);
  });
  it('names a layerNormalization axis out of range', () => {
    expectError(() => runOp('layerNormalization', [x, c3], { axis: 3 }), /^layerNormalization: axis 3 is out of range for rank 3/);
  });
  it('names a layerNormalization scale that does not fit the normalised shape', () => {
    expectError(() => runOp('layerNormalization', [x, c3]), /^layerNormalization: input 'scale' \[3\] must broadcast to the normalised shape \[4\]/);
  });
});

const conformance = [
  'test_batchnorm_epsilon', 'test_batchnorm_example',
  ...['2d_axis0', '2d_axis1', '2d_axis_negative_1', '2d_axis_negative_2', '3d_axis0_epsilon', '3d_axis1_epsilon',
    '3d_axis2_epsilon', '3d_axis_negative_1_epsilon', '3d_axis_negative_2_epsilon', '3d_axis_negative_3_epsilon',
    '4d_axis0', '4d_axis1', '4d_axis2', '4d_axis3', '4d_axis_negative_1', '4d_axis_negative_2', '4d_axis_negative_3',
    '4d_axis_negative_4', 'default_axis'].map((s) => `test_layer_normalization_${s}`),
];

describe.skipIf(!NODE_CASES_DIR)('norms on the ONNX backend node tests', () => {
  for (const name of conformance) {
    it(`passes ${name}`, () => {
      const c = loadNodeCase(name);
      const got = runOp(c.opType === 'BatchNormalization' ? 'batchNormalization' : 'layerNormalization', c.inputs, c.attrs);
      c.outputs.forEach((want, k) => expectClose(got[k], want.data, want.shape, { atol: 1e-4, rtol: 1e-4 }));
    });
  }
});
