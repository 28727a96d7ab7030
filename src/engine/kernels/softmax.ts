import { Tensor } from '../tensor';
import { normalizeAxis } from './opArgs';
import { wasmSoftmaxRows } from '../wasm/norm';

/**
 * Softmax and log-softmax along one axis (ONNX Softmax-13 / LogSoftmax-13; older opsets flatten to 2-D
 * first, which a loader expresses with a reshape around this op). Numerically stable: the row maximum is
 * subtracted before exponentiating, so large logits never overflow. A NaN anywhere in a row makes the whole
 * row NaN. The result is float32.
 *
 * The tensor is viewed as [outer, n, inner] around the axis; for inner > 1 each step works on a whole inner
 * row at once so memory is read in order.
 */
export function softmax(x: Tensor, axis = -1): Tensor<'float32'> {
  return softmaxAlong('softmax', x, axis, false);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor<'float32'> {
  return softmaxAlong('logSoftmax', x, axis, true);
}

function softmaxAlong(op: string, x: Tensor, axis: number, log: boolean): Tensor<'float32'> {
  const out = new Float32Array(x.size);
  const result = new Tensor('float32', x.shape, out);
  if (x.size === 0) return result;
  if (x.rank === 0) {
    // One element along a length-1 axis: softmax is 1, log-softmax 0 (NaN stays NaN).
    const v = x.data[0];
    out[0] = v !== v ? NaN : log ? 0 : 1;
    return result;
  }
  const ax = normalizeAxis(op, axis, x.rank);
  const n = x.shape[ax];
  let inner = 1;
  for (let i = ax + 1; i < x.rank; i++) inner *= x.shape[i];
  const outer = x.size / (n * inner);
  const src = x.data;
  if (inner === 1) {
    if (x.dtype === 'float32' && wasmSoftmaxRows(src as Float32Array, out, outer, n, log)) return result;
    for (let o = 0, base = 0; o < outer; o++, base += n) lastAxisRow(src, out, base, n, log);
    return result;
  }
  const maxes = new Float64Array(inner);
  const sums = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    maxes.fill(-Infinity);
    sums.fill(0);
    for (let k = 0; k < n; k++) {
      const row = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const v = src[row + j];
        // A NaN becomes the maximum and stays, and then poisons the row as it should.
        if (v > maxes[j] || v !== v) maxes[j] = v;
      }
    }
    for (let k = 0; k < n; k++) {
      const row = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const e = Math.exp(src[row + j] - maxes[j]);
        sums[j] += e;
        if (!log) out[row + j] = e;
      }
    }
    for (let j = 0; j < inner; j++) sums[j] = log ? Math.log(sums[j]) : 1 / sums[j];
    for (let k = 0; k < n; k++) {
      const row = base + k * inner;
      if (log) for (let j = 0; j < inner; j++) out[row + j] = src[row + j] - maxes[j] - sums[j];
      else for (let j = 0; j < inner; j++) out[row + j] *= sums[j];
    }
  }
  return result;
}

/** One contiguous row of length n at `base`. */
function lastAxisRow(src: ArrayLike<number>, out: Float32Array, base: number, n: number, log: boolean): void {
  let m = -Infinity;
  for (let k = 0; k < n; k++) {
    const v = src[base + k];
    if (v > m || v !== v) m = v;
  }
  let sum = 0;
  if (log) {
    for (let k = 0; k < n; k++) sum += Math.exp(src[base + k] - m);
    const shift = m + Math.log(sum);
    for (let k = 0; k < n; k++) out[base + k] = src[base + k] - shift;
  } else {
    for (let k = 0; k < n; k++) {
      const e = Math.exp(src[base + k] - m);
      out[base + k] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let k = 0; k < n; k++) out[base + k] *= inv;
  }
}
