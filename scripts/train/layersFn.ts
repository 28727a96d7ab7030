import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';

/**
 * Differentiable building blocks for the convolutional examples, NHWC. tfjs's CPU backend is slow here: the
 * gradient of conv2d (conv2DBackpropFilter) takes seconds per batch, and slicing or pooling 4-D tensors hundreds of
 * milliseconds. So training convolves by im2col — the 3×3 patches gathered into rows by plain loops, times the
 * kernel reshaped to [9·in, out] — and pools by plain loops, each with its gradient written out (tf.customGrad).
 * Kernels keep tfjs's [kH, kW, in, out] layout, so the trained weights also feed tf.conv2d, tf.maxPool and
 * tf.batchNorm, which compute the reference outputs the engine is compared with.
 */

interface Window {
  readonly stride: number;
  /** Zero padding on every side. */
  readonly pad: number;
}

/** The [B·oh·ow, 9·C] patch matrix of x [B, H, W, C] for a 3×3 window, columns in (dy, dx, c) order. */
function im2col(x: tf.Tensor4D, win: Window): tf.Tensor2D {
  const [b, h, w, c] = x.shape;
  const oh = Math.floor((h + 2 * win.pad - 3) / win.stride) + 1;
  const ow = Math.floor((w + 2 * win.pad - 3) / win.stride) + 1;
  /**
   * Copies between the input and the patch matrix: `back` = false fills cols from x, true adds cols into x
   * (the gradient). Patch elements outside the input are the zero padding.
   */
  const move = (xs: Float32Array, cols: Float32Array, back: boolean) => {
    let row = 0;
    for (let n = 0; n < b; n++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++, row += 9 * c) {
          for (let dy = 0; dy < 3; dy++) {
            const iy = oy * win.stride + dy - win.pad;
            if (iy < 0 || iy >= h) continue;
            for (let dx = 0; dx < 3; dx++) {
              const ix = ox * win.stride + dx - win.pad;
              if (ix < 0 || ix >= w) continue;
              const col = row + (dy * 3 + dx) * c;
              const at = ((n * h + iy) * w + ix) * c;
              if (back) for (let k = 0; k < c; k++) xs[at + k] += cols[col + k];
              else for (let k = 0; k < c; k++) cols[col + k] = xs[at + k];
            }
          }
        }
      }
    }
  };
  const op = tf.customGrad((input) => {
    const cols = new Float32Array(b * oh * ow * 9 * c);
    move((input as tf.Tensor).dataSync() as Float32Array, cols, false);
    return {
      value: tf.tensor2d(cols, [b * oh * ow, 9 * c]),
      gradFunc: (dy) => {
        const dx = new Float32Array(b * h * w * c);
        move(dx, (dy as tf.Tensor).dataSync() as Float32Array, true);
        return tf.tensor4d(dx, [b, h, w, c]);
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/** A 3×3 convolution: `same` (stride 1, one pixel of padding) or `valid` with a stride. */
export function conv3x3(x: tf.Tensor4D, kernel: tf.Tensor4D, padding: 'same' | 'valid', stride = 1): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const pad = padding === 'same' ? 1 : 0;
  const oh = Math.floor((h + 2 * pad - 3) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - 3) / stride) + 1;
  const out = kernel.shape[3];
  return im2col(x, { stride, pad }).matMul(kernel.reshape([9 * c, out]) as tf.Tensor2D).reshape([b, oh, ow, out]);
}

/** 2×2 max pooling with stride 2 (H and W even); the gradient goes to the first maximum of each window. */
export function maxPool2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const oh = h >> 1;
  const ow = w >> 1;
  const op = tf.customGrad((input) => {
    const src = (input as tf.Tensor).dataSync();
    const out = new Float32Array(b * oh * ow * c);
    const from = new Int32Array(out.length);
    for (let n = 0; n < b; n++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          for (let k = 0; k < c; k++) {
            const o = ((n * oh + oy) * ow + ox) * c + k;
            let best = -Infinity;
            for (let dy = 0; dy < 2; dy++) {
              for (let dx = 0; dx < 2; dx++) {
                const at = ((n * h + 2 * oy + dy) * w + 2 * ox + dx) * c + k;
                if (src[at] > best) {
                  best = src[at];
                  from[o] = at;
                }
              }
            }
            out[o] = best;
          }
        }
      }
    }
    return {
      value: tf.tensor4d(out, [b, oh, ow, c]),
      gradFunc: (dy) => {
        const g = (dy as tf.Tensor).dataSync();
        const dx = new Float32Array(b * h * w * c);
        for (let o = 0; o < g.length; o++) dx[from[o]] += g[o];
        return tf.tensor4d(dx, [b, h, w, c]);
      },
    };
  });
  return op(x) as tf.Tensor4D;
}

/** x + bias over the last axis (a conv or dense bias), with its gradient written out: tfjs broadcasts slowly. */
export function addBias(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const c = bias.shape[0];
  const op = tf.customGrad((input, b) => {
    const xs = (input as tf.Tensor).dataSync();
    const bs = (b as tf.Tensor).dataSync();
    const out = new Float32Array(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[i] + bs[i % c];
    return {
      value: tf.tensor(out, x.shape),
      gradFunc: (dy) => {
        const g = (dy as tf.Tensor).dataSync();
        const db = new Float32Array(c);
        for (let i = 0; i < g.length; i++) db[i % c] += g[i];
        return [(dy as tf.Tensor).clone(), tf.tensor1d(db)];
      },
    };
  });
  return op(x, bias) as tf.Tensor;
}

/**
 * Batch normalisation in training mode: each channel (last axis) normalised by the batch's own mean and
 * (biased) variance over every other axis, then scaled by gamma and shifted by beta. Forward and backward
 * are written out over flat arrays (the standard batch-norm gradient).
 */
export function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor4D {
  const c = x.shape[3];
  const op = tf.customGrad((input, g, bt) => {
    const xs = (input as tf.Tensor).dataSync();
    const gs = (g as tf.Tensor).dataSync();
    const bs = (bt as tf.Tensor).dataSync();
    const m = xs.length / c;
    const mean = new Float64Array(c);
    const vr = new Float64Array(c);
    for (let i = 0; i < xs.length; i++) mean[i % c] += xs[i];
    for (let k = 0; k < c; k++) mean[k] /= m;
    for (let i = 0; i < xs.length; i++) vr[i % c] += (xs[i] - mean[i % c]) ** 2;
    const inv = Array.from(vr, (v) => 1 / Math.sqrt(v / m + epsilon));
    const xhat = new Float32Array(xs.length);
    const out = new Float32Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      const k = i % c;
      xhat[i] = (xs[i] - mean[k]) * inv[k];
      out[i] = gs[k] * xhat[i] + bs[k];
    }
    return {
      value: tf.tensor4d(out, x.shape),
      gradFunc: (dy) => {
        const d = (dy as tf.Tensor).dataSync();
        const dbeta = new Float32Array(c);
        const dgamma = new Float32Array(c);
        for (let i = 0; i < d.length; i++) {
          dbeta[i % c] += d[i];
          dgamma[i % c] += d[i] * xhat[i];
        }
        const dx = new Float32Array(d.length);
        for (let i = 0; i < d.length; i++) {
          const k = i % c;
          dx[i] = gs[k] * inv[k] * (d[i] - dbeta[k] / m - (xhat[i] * dgamma[k]) / m);
        }
        return [tf.tensor4d(dx, x.shape), tf.tensor1d(dgamma), tf.tensor1d(dbeta)];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

/** He-normal initial weights for a 3×3 kernel, from our generator. */
export function heKernel(rng: Rng, cin: number, cout: number): tf.Variable {
  const std = Math.sqrt(2 / (9 * cin));
  return tf.variable(tf.tensor(Array.from({ length: 9 * cin * cout }, () => std * rng.normal()), [3, 3, cin, cout]));
}

/** Glorot-normal initial weights for a dense kernel. */
export function glorotKernel(rng: Rng, fanIn: number, fanOut: number): tf.Variable {
  const std = Math.sqrt(2 / (fanIn + fanOut));
  return tf.variable(tf.tensor(Array.from({ length: fanIn * fanOut }, () => std * rng.normal()), [fanIn, fanOut]));
}

export function filled(n: number, value: number): tf.Variable {
  return tf.variable(tf.fill([n], value));
}
