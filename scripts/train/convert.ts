import type * as tf from '@tensorflow/tfjs';
import { Tensor } from '../../src/engine/tensor';

/**
 * Keras layout (tfjs) → the native layout of docs/model-format.md. Dense kernels, biases, batch-norm
 * vectors, embeddings and recurrent weights are the same in both; convolution kernels and the rows of a
 * dense layer after a flatten of NHWC feature maps are not.
 */

/** A float32 engine tensor with the tfjs tensor's shape and values. */
export function fromTf(t: tf.Tensor): Tensor {
  return new Tensor('float32', t.shape, Float32Array.from(t.dataSync()));
}

/** A conv kernel from tfjs's [kH, kW, in, out] to the native [out, in, kH, kW]. */
export function convKernel(t: tf.Tensor): Tensor {
  const [kh, kw, cin, cout] = t.shape;
  const src = t.dataSync();
  const out = new Float32Array(src.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = src[((y * kw + x) * cin + i) * cout + o];
      }
    }
  }
  return new Tensor('float32', [cout, cin, kh, kw], out);
}

/**
 * The kernel of a dense layer that follows a flatten: tfjs flattens NHWC maps in (h, w, c) order, the
 * native model flattens NCHW maps in (c, h, w) order, so the rows are permuted to match.
 */
export function denseAfterFlatten(t: tf.Tensor, h: number, w: number, c: number): Tensor {
  const [rows, units] = t.shape;
  if (rows !== h * w * c) throw new Error(`denseAfterFlatten: kernel has ${rows} rows, expected ${h}·${w}·${c}`);
  const src = t.dataSync();
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        const from = (y * w + x) * c + k;
        const to = (k * h + y) * w + x;
        out.set(src.subarray(from * units, (from + 1) * units), to * units);
      }
    }
  }
  return new Tensor('float32', [rows, units], out);
}

/** A weight reference into the model's weights file. */
export function ref(key: string, t: Tensor): { key: string; shape: number[] } {
  return { key, shape: [...t.shape] };
}

/** A weight written inline in model.json. */
export function inlineWeight(t: Tensor): { shape: number[]; data: number[] } {
  return { shape: [...t.shape], data: Array.from(t.data) };
}
