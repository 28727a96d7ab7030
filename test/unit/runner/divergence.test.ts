import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import type { DType } from '../../../src/engine/tensor';
import { RunnerError } from '../../../src/runner/errors';
import {
  DEFAULT_TOLERANCE, compareTensors, dumpFileCollision, dumpFileName, parseTolerance,
} from '../../../src/runner/divergence';
import { randomTensor } from '../engine/helpers';

/** Exact float64 data (an int64 tensor holds a Float64Array), so that tolerance boundaries are exact too. */
const f64 = (values: number[], shape: number[] = [values.length]): Tensor => new Tensor('int64', shape, Float64Array.from(values));
const t = (values: number[], shape: number[] = [values.length], dtype: DType = 'float32'): Tensor => Tensor.from(shape, values, dtype);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('compareTensors', () => {
  it('measures max abs, max rel and cosine as defined', () => {
    const c = compareTensors(t([1, 2, 3]), t([1, 2, 4]));
    expect(c.maxAbs).toBe(1);
    expect(c.maxRel).toBe(0.25);
    // a·b = 1 + 4 + 12, |a|² = 14, |b|² = 21.
    expect(c.cosine).toBeCloseTo(17 / Math.sqrt(14 * 21), 14);
    expect(c.diverged).toBe(true);
    expect(compareTensors(t([1, 2, 3]), t([1, 2, 3]))).toEqual({ maxAbs: 0, maxRel: 0, cosine: 1, diverged: false });
  });

  it('leaves elements whose counterpart is 0 out of max rel only', () => {
    const c = compareTensors(t([1, 5]), t([0, 4]));
    expect(c.maxAbs).toBe(1);
    expect(c.maxRel).toBe(0.25);
    expect(compareTensors(t([3, 0]), t([0, 0]))).toMatchObject({ maxAbs: 3, maxRel: 0 });
  });

  it('agrees within atol + rtol·|b|, b being the counterpart, boundary included', () => {
    const abs = { atol: 0.5, rtol: 0 };
    expect(compareTensors(f64([1.5]), f64([1]), abs).diverged).toBe(false);
    expect(compareTensors(f64([1.5000001]), f64([1]), abs).diverged).toBe(true);
    const rel = { atol: 0, rtol: 0.4 };
    // |a − b| = 1 in both; 0.4·|b| is 1.2 for b = 3 but 0.8 for b = 2.
    expect(compareTensors(f64([2]), f64([3]), rel).diverged).toBe(false);
    expect(compareTensors(f64([3]), f64([2]), rel).diverged).toBe(true);
    // The default: 1e-4 + 1e-3·|b|.
    expect(DEFAULT_TOLERANCE).toEqual({ atol: 1e-4, rtol: 1e-3 });
    expect(compareTensors(f64([100.1]), f64([100])).diverged).toBe(false);
    expect(compareTensors(f64([100.11]), f64([100])).diverged).toBe(true);
    expect(compareTensors(f64([0.00009]), f64([0])).diverged).toBe(false);
    expect(compareTensors(f64([0.00011]), f64([0])).diverged).toBe(true);
  });

  it('gives cosine 1 for two all-zero tensors and 0 when only one is all zeros', () => {
    expect(compareTensors(t([0, 0]), t([0, 0]))).toEqual({ maxAbs: 0, maxRel: 0, cosine: 1, diverged: false });
    expect(compareTensors(t([0, 0]), t([0, 1])).cosine).toBe(0);
    expect(compareTensors(t([2, 0]), t([0, 0])).cosine).toBe(0);
    expect(compareTensors(t([1, 2]), t([-1, -2])).cosine).toBeCloseTo(-1, 14);
  });

  it('calls tensors of different shapes diverged, even with the same elements', () => {
    const c = compareTensors(t([1, 2, 3], [1, 3]), t([1, 2, 3], [3]));
    expect(c.diverged).toBe(true);
    expect(c.maxAbs).toBeNaN();
    expect(c.maxRel).toBeNaN();
    expect(c.cosine).toBeNaN();
    expect(compareTensors(t([1, 2], [2]), t([1, 2, 3], [3]), { atol: 1e9, rtol: 1e9 }).diverged).toBe(true);
  });

  it('agrees NaN only with NaN at the same element', () => {
    const same = compareTensors(t([NaN, 1, 2]), t([NaN, 1, 2.5]));
    expect(same).toMatchObject({ maxAbs: 0.5, maxRel: 0.2, diverged: true });
    expect(compareTensors(t([NaN, 1]), t([NaN, 1])).diverged).toBe(false);
    const moved = compareTensors(t([NaN, 1]), t([1, NaN]), { atol: 1e9, rtol: 1e9 });
    expect(moved.diverged).toBe(true);
    expect(moved.maxAbs).toBeNaN();
    const one = compareTensors(t([1, 2]), t([1, NaN]), { atol: 1e9, rtol: 1e9 });
    expect(one.diverged).toBe(true);
    expect(one.maxAbs).toBeNaN();
    expect(one.maxRel).toBeNaN();
  });

  it('agrees an infinity only with the same infinity, whatever the tolerance', () => {
    expect(compareTensors(t([-Infinity, 1]), t([-Infinity, 1]))).toEqual({ maxAbs: 0, maxRel: 0, cosine: 1, diverged: false });
    const loose = { atol: 1e30, rtol: 1e30 };
    expect(compareTensors(t([Infinity]), t([1]), loose)).toMatchObject({ maxAbs: Infinity, maxRel: Infinity, diverged: true });
    expect(compareTensors(t([1]), t([Infinity]), loose)).toMatchObject({ maxAbs: Infinity, maxRel: Infinity, diverged: true });
    expect(compareTensors(t([Infinity]), t([-Infinity]), loose).diverged).toBe(true);
    // The cosine is over the elements both sides hold as finite numbers.
    expect(compareTensors(t([-Infinity, 1, 2]), t([-Infinity, 2, 4])).cosine).toBeCloseTo(1, 12);
  });

  it('compares any dtype by value, and empty tensors as equal', () => {
    expect(compareTensors(t([1, 0, 1], [3], 'bool'), t([1, 0, 1], [3], 'float32')).diverged).toBe(false);
    expect(compareTensors(t([7, -3], [2], 'int32'), t([7, -2], [2], 'int64'))).toMatchObject({ maxAbs: 1, maxRel: 0.5, diverged: true });
    expect(compareTensors(t([], [0]), t([], [0]))).toEqual({ maxAbs: 0, maxRel: 0, cosine: 1, diverged: false });
  });

  it('computes in float64 from the float32 elements', () => {
    const a = Math.fround(0.1);
    const b = Math.fround(0.3);
    const c = compareTensors(t([a]), t([b]));
    expect(c.maxAbs).toBe(Math.abs(a - b));
    expect(c.maxRel).toBe(Math.abs(a - b) / b);
    // In float32 the squares would underflow to 0 (cosine 0) or overflow to Infinity (cosine NaN).
    expect(compareTensors(t([3e-30, 4e-30]), t([4e-30, 3e-30])).cosine).toBeCloseTo(24 / 25, 6);
    expect(compareTensors(t([1e30, 2e30]), t([2e30, 1e30])).cosine).toBeCloseTo(4 / 5, 6);
  });

  it('matches TensorFlow.js on random tensors', () => {
    const a = randomTensor([40, 25], 1);
    const b = randomTensor([40, 25], 2);
    const c = compareTensors(a, b);
    const [maxAbs, maxRel, cosine] = tf.tidy(() => {
      const ta = tf.tensor(Array.from(a.data), [1000]);
      const tb = tf.tensor(Array.from(b.data), [1000]);
      const diff = tf.abs(tf.sub(ta, tb));
      const rel = tf.div(diff, tf.abs(tb));
      const cos = tf.div(tf.sum(tf.mul(ta, tb)), tf.mul(tf.norm(ta), tf.norm(tb)));
      return [tf.max(diff).dataSync()[0], tf.max(rel).dataSync()[0], cos.dataSync()[0]];
    });
    expect(c.maxAbs).toBeCloseTo(maxAbs, 6);
    expect(c.maxRel / maxRel).toBeCloseTo(1, 5);
    expect(c.cosine).toBeCloseTo(cosine, 5);
    expect(c.diverged).toBe(true);
    expect(compareTensors(a, Tensor.from(a.shape, a.data))).toEqual({ maxAbs: 0, maxRel: 0, cosine: 1, diverged: false });
  });
});

describe('parseTolerance', () => {
  it('reads ATOL,RTOL', () => {
    expect(parseTolerance('1e-4,1e-3')).toEqual({ atol: 1e-4, rtol: 1e-3 });
    expect(parseTolerance('0,0')).toEqual({ atol: 0, rtol: 0 });
    expect(parseTolerance(' 0.5 , 2 ')).toEqual({ atol: 0.5, rtol: 2 });
    expect(parseTolerance('.25,1E2')).toEqual({ atol: 0.25, rtol: 100 });
  });

  it('refuses anything else with one sentence quoting it', () => {
    for (const bad of ['', '1e-4', '1e-4,', ',1e-3', '1,2,3', 'a,b', '-1,0', '0,-0.1', 'inf,0', 'NaN,0', '1e999,0', '0x10,0', '1;2']) {
      let error: unknown;
      try {
        parseTolerance(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(RunnerError);
      expect((error as Error).message).toBe(`tolerance '${bad}' must be ATOL,RTOL: two numbers, 0 or more, separated by a comma (e.g. 1e-4,1e-3).`);
    }
  });
});

describe('dump file names', () => {
  it('turns every character outside [A-Za-z0-9._-] into _ and adds .npy', () => {
    expect(dumpFileName('/encoder/layer.0/attn/MatMul_output_0')).toBe('_encoder_layer.0_attn_MatMul_output_0.npy');
    expect(dumpFileName('hidden/matmul:0')).toBe('hidden_matmul_0.npy');
    expect(dumpFileName('lstm/step 0/x_t:0')).toBe('lstm_step_0_x_t_0.npy');
    expect(dumpFileName('A-z.9_')).toBe('A-z.9_.npy');
    expect(dumpFileName('a\\b?c*d"e<f>g|h')).toBe('a_b_c_d_e_f_g_h.npy');
    expect(dumpFileName('poids/é')).toBe('poids__.npy');
    expect(dumpFileName('x😀y')).toBe('x_y.npy');
  });

  it('finds the first two names that share a file', () => {
    expect(dumpFileCollision(['a/b', 'c', 'a:b', 'a_b'])).toEqual({ first: 'a/b', second: 'a:b', file: 'a_b.npy' });
    expect(dumpFileCollision(['a/b', 'a.b', 'a-b'])).toBeUndefined();
    expect(dumpFileCollision([])).toBeUndefined();
  });
});
