import { Tensor, stridesOf } from '../engine/tensor';

/**
 * Axis permutations for moving weights and images between the engine's NCHW and TensorFlow.js's NHWC.
 * Done once while preparing a peer, outside any timing, so the bench has its own small copy rather than
 * depending on the engine's transpose op that it is measuring.
 */
export function permute(t: Tensor<'float32'>, perm: readonly number[]): Tensor<'float32'> {
  const shape = perm.map((p) => t.shape[p]);
  const inStrides = stridesOf(t.shape);
  const out = Tensor.zeros(shape, 'float32');
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.size; o++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += index[a] * inStrides[perm[a]];
    out.data[o] = t.data[src];
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

/** NCHW → NHWC. */
export const toNhwc = (t: Tensor<'float32'>): Tensor<'float32'> => permute(t, [0, 2, 3, 1]);
/** NHWC → NCHW. */
export const toNchw = (t: Tensor<'float32'>): Tensor<'float32'> => permute(t, [0, 3, 1, 2]);
/** A conv kernel [out, in, kH, kW] (ONNX, engine) → [kH, kW, in, out] (TensorFlow). */
export const toHwio = (t: Tensor<'float32'>): Tensor<'float32'> => permute(t, [2, 3, 1, 0]);

/**
 * A dense kernel [in, out] whose rows follow the engine's (c, h, w) flatten order of an image of `hwc` (h, w, c), as
 * TensorFlow.js wants it after flattening NHWC, whose order is (h, w, c).
 */
export const nhwcDenseKernel = (kernel: Tensor<'float32'>, [h, w, c]: readonly [number, number, number]): Tensor<'float32'> =>
  permute(kernel.reshape([c, h, w, kernel.shape[1]]), [1, 2, 0, 3]).reshape(kernel.shape);
