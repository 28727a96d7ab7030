import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultOps } from '../../../src/engine/ops';
import { resize } from '../../../src/engine/ops/resize';
import type { CoordinateTransformationMode, NearestMode } from '../../../src/engine/ops/resize';
import { transpose } from '../../../src/engine/ops/shape';
import { Tensor } from '../../../src/engine/tensor';
import { expectClose, randomIntTensor, randomTensor } from './helpers';
import { runOrt } from './ortOracle';
import type { OnnxAttr } from './ortOracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TOL = { atol: 1e-5, rtol: 1e-5 };
const int64 = (values: number[]): Tensor<'int64'> => Tensor.from([values.length], values, 'int64');
const floats = (values: number[]): Tensor<'float32'> => Tensor.from([values.length], values, 'float32');
/** NCHW engine tensor → NHWC tf tensor, and back. */
const toNhwc = (t: Tensor): tf.Tensor4D => tf.tensor4d(Array.from(transpose(t, [0, 2, 3, 1]).data as Float32Array), [t.shape[0], t.shape[2], t.shape[3], t.shape[1]]);
const fromNhwc = (t: tf.Tensor): Tensor => transpose(new Tensor('float32', t.shape, t.dataSync() as Float32Array), [0, 3, 1, 2]);

/** Runs Resize in onnxruntime with sizes (or scales) and the given attributes. */
async function ortResize(x: Tensor, target: { sizes?: number[]; scales?: number[] }, attributes: Record<string, OnnxAttr>): Promise<Tensor> {
  const inputs = [x, undefined, target.scales ? floats(target.scales) : undefined, target.sizes ? int64(target.sizes) : undefined];
  return (await runOrt({ opType: 'Resize', inputs, attributes, opset: 19 }))[0];
}

/** Our camelCase attributes for the same ONNX attributes. */
function ours(attributes: Record<string, OnnxAttr>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(attributes)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v as string | number;
  return out;
}

describe('resize against tf.image', () => {
  const x = randomTensor([2, 3, 5, 7], 1);
  const cases: [string, boolean, boolean, CoordinateTransformationMode][] = [
    ['align corners', true, false, 'align_corners'],
    ['half-pixel centers', false, true, 'half_pixel'],
    ['neither', false, false, 'asymmetric'],
  ];

  it.each(cases)('bilinear with %s, up and down', (_, alignCorners, halfPixelCenters, mode) => {
    for (const size of [[11, 16], [3, 4], [5, 14]] as [number, number][]) {
      const want = fromNhwc(tf.image.resizeBilinear(toNhwc(x), size, alignCorners, halfPixelCenters));
      const got = defaultOps.run('resize', [x, undefined, undefined, int64([2, 3, ...size])], {
        mode: 'linear', coordinateTransformationMode: mode,
      })[0];
      expectClose(got, want.data, want.shape, TOL);
    }
  });

  const nearest: [string, boolean, boolean, CoordinateTransformationMode, NearestMode][] = [
    ['align corners (round half up)', true, false, 'align_corners', 'round_prefer_ceil'],
    ['half-pixel centers (floor)', false, true, 'tf_half_pixel_for_nn', 'floor'],
    ['neither (floor)', false, false, 'asymmetric', 'floor'],
  ];
  it.each(nearest)('nearest neighbour with %s, up and down', (_, alignCorners, halfPixelCenters, coord, rounding) => {
    for (const size of [[10, 21], [2, 3], [7, 5]] as [number, number][]) {
      const want = fromNhwc(tf.image.resizeNearestNeighbor(toNhwc(x), size, alignCorners, halfPixelCenters));
      const got = resize(x, [2, 3, ...size], [1, 1, size[0] / 5, size[1] / 7], { mode: 'nearest', coordinateTransformationMode: coord, nearestMode: rounding });
      expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
    }
  });
});

describe('resize against onnxruntime', () => {
  const x = randomTensor([1, 2, 4, 6], 2);
  const coords: CoordinateTransformationMode[] =
    ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
  const targets: { sizes?: number[]; scales?: number[] }[] = [
    { scales: [1, 1, 2, 2] }, { scales: [1, 1, 0.5, 1.5] }, { sizes: [1, 2, 7, 4] }, { sizes: [1, 2, 1, 13] }, { scales: [1, 1, 0.6, 3] },
  ];

  it('linear, for every coordinate transformation, scales and sizes, up and down', async () => {
    for (const coord of coords) {
      for (const target of targets) {
        const attributes = { mode: 'linear', coordinate_transformation_mode: coord };
        const want = await ortResize(x, target, attributes);
        const got = defaultOps.run('resize', [x], { ...ours(attributes), ...target })[0];
        expectClose(got, want.data, want.shape, TOL);
      }
    }
  });

  it('nearest, for every rounding mode and coordinate transformation', async () => {
    for (const rounding of ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) {
      for (const coord of coords) {
        for (const target of targets) {
          const attributes = { mode: 'nearest', coordinate_transformation_mode: coord, nearest_mode: rounding };
          const want = await ortResize(x, target, attributes);
          const got = defaultOps.run('resize', [x], { ...ours(attributes), ...target })[0];
          expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
        }
      }
    }
  });

  it('cubic, with both coefficients and exclude_outside', async () => {
    for (const [a, exclude] of [[-0.75, 0], [-0.5, 1]]) {
      for (const coord of ['half_pixel', 'align_corners', 'asymmetric'] as const) {
        for (const target of targets) {
          const attributes = { mode: 'cubic', coordinate_transformation_mode: coord, cubic_coeff_a: { float: a }, exclude_outside: exclude };
          const want = await ortResize(x, target, attributes);
          const got = defaultOps.run('resize', [x], { mode: 'cubic', coordinateTransformationMode: coord, cubicCoeffA: a, excludeOutside: exclude, ...target })[0];
          expectClose(got, want.data, want.shape, TOL);
        }
      }
    }
  });

  it('keeps the aspect ratio over the listed axes (opset 18 axes, keep_aspect_ratio_policy)', async () => {
    for (const policy of ['not_larger', 'not_smaller']) {
      const inputs = [x, undefined, undefined, int64([9, 9])];
      const attributes = { mode: 'linear', axes: [2, 3], keep_aspect_ratio_policy: policy };
      const want = (await runOrt({ opType: 'Resize', inputs, attributes, opset: 19 }))[0];
      const got = defaultOps.run('resize', inputs, { mode: 'linear', axes: [-2, -1], keepAspectRatioPolicy: policy })[0];
      expectClose(got, want.data, want.shape, TOL);
    }
  });

  it('resizes integer tensors in nearest mode', async () => {
    const xi = randomIntTensor([1, 1, 3, 3], 3, -100, 100, 'int32');
    const want = await ortResize(xi, { scales: [1, 1, 2.5, 1.5] }, { mode: 'nearest' });
    const got = defaultOps.run('resize', [xi, undefined, floats([1, 1, 2.5, 1.5])])[0];
    expect(got.dtype).toBe('int32');
    expectClose(got, want.data, want.shape, { atol: 0, rtol: 0 });
  });
});

describe('resize arguments', () => {
  const x = randomTensor([1, 1, 2, 2], 4);

  it('reads the opset-10 form (X, scales) and ignores an empty scales input beside sizes', () => {
    expect([...defaultOps.run('resize', [x, floats([1, 1, 2, 3])])[0].shape]).toEqual([1, 1, 4, 6]);
    expect([...defaultOps.run('resize', [x, floats([]), floats([]), int64([1, 1, 3, 3])])[0].shape]).toEqual([1, 1, 3, 3]);
  });

  it('upsamples a 2×2 image by 2 with asymmetric nearest to repeated pixels', () => {
    const img = Tensor.from([1, 1, 2, 2], [1, 2, 3, 4]);
    const y = resize(img, [1, 1, 4, 4], [1, 1, 2, 2], { coordinateTransformationMode: 'asymmetric' });
    expect(y.toArray()).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('names what is missing or unsupported', () => {
    expect(() => defaultOps.run('resize', [x])).toThrow("resize: needs exactly one of 'scales' (input 2) and 'sizes' (input 3)");
    expect(() => defaultOps.run('resize', [x], { sizes: [4, 4] })).toThrow("resize: 'sizes' has 2 values but the input [1, 1, 2, 2] needs 4");
    expect(() => defaultOps.run('resize', [x], { scales: [1, 1, 2, 2], mode: 'area' })).toThrow(/resize: attribute 'mode' must be one of 'nearest', 'linear', 'cubic'/);
    expect(() => defaultOps.run('resize', [x], { scales: [1, 1, 2, 2], antialias: 1 })).toThrow('resize: antialias is not supported');
    expect(() => defaultOps.run('resize', [Tensor.zeros([1, 2], 'int32')], { scales: [1, 2], mode: 'linear' }))
      .toThrow('resize: linear mode needs a float32 input, got int32');
  });
});
