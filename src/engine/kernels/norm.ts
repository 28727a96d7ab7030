import { EngineError } from '../errors';
import { Tensor, stridesOf } from '../tensor';
import { fmtShape, normalizeAxis, prod } from './opArgs';
import { wasmBatchNorm, wasmLayerNorm } from '../wasm/norm';

function checkFloat(op: string, name: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new EngineError(`input '${name}' must be float32, got ${t.dtype}`, op);
}

/**
 * ONNX BatchNormalization in inference mode (opset 15): per channel c (axis 1),
 * y = scale[c] · (x − mean[c]) / √(var[c] + epsilon) + bias[c]. x is [N, C, ...]; the other inputs are [C].
 */
export function batchNormalization(
  x: Tensor, scale: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, epsilon = 1e-5,
): Tensor<'float32'> {
  const op = 'batchNormalization';
  checkFloat(op, 'x', x);
  if (x.rank < 2) throw new EngineError(`input 'x' must be rank 2 or more ([N, C, ...]), got ${fmtShape(x.shape)}`, op);
  const C = x.shape[1];
  const params: [string, Tensor][] = [['scale', scale], ['bias', bias], ['mean', mean], ['var', variance]];
  for (const [name, t] of params) {
    checkFloat(op, name, t);
    if (t.rank !== 1 || t.shape[0] !== C) {
      throw new EngineError(`input '${name}' must have shape [${C}] (the channels of 'x' ${fmtShape(x.shape)}), got ${fmtShape(t.shape)}`, op);
    }
  }
  const xd = x.data as Float32Array;
  const y = new Float32Array(x.size);
  const plane = prod(x.shape, 2);
  if (wasmBatchNorm(xd, scale.data, bias.data, mean.data, variance.data, epsilon, x.size / plane, plane, true, y)) return new Tensor('float32', x.shape, y);
  for (let c = 0; c < C; c++) {
    // Folded into one multiply-add per element: y = x·a + k.
    const a = scale.data[c] / Math.sqrt(variance.data[c] + epsilon);
    const k = bias.data[c] - mean.data[c] * a;
    for (let base = c * plane; base < x.size; base += C * plane) {
      for (let i = base; i < base + plane; i++) y[i] = xd[i] * a + k;
    }
  }
  return new Tensor('float32', x.shape, y);
}

/** The outputs of {@link layerNormalization}: y, and the per-row mean and 1/√(variance + epsilon). */
export interface LayerNormResult {
  readonly y: Tensor<'float32'>;
  /** x.shape with the normalised axes set to 1. */
  readonly mean: Tensor<'float32'>;
  readonly invStdDev: Tensor<'float32'>;
}

/** `t` (shape broadcastable one way to `target`) expanded to target's size, row-major. */
function expandTo(op: string, name: string, t: Tensor, target: readonly number[]): Float32Array {
  const lead = target.length - t.rank;
  if (lead < 0 || t.shape.some((d, i) => d !== 1 && d !== target[lead + i])) {
    throw new EngineError(`input '${name}' ${fmtShape(t.shape)} must broadcast to the normalised shape ${fmtShape(target)}`, op);
  }
  const src = t.data as Float32Array;
  if (t.size === prod(target)) return src;
  const tStrides = stridesOf(t.shape);
  const strides = target.map((_, i) => (i < lead || t.shape[i - lead] === 1 ? 0 : tStrides[i - lead]));
  const out = new Float32Array(prod(target));
  const idx = new Array<number>(target.length).fill(0);
  for (let j = 0; j < out.length; j++) {
    let off = 0;
    for (let a = 0; a < idx.length; a++) off += idx[a] * strides[a];
    out[j] = src[off];
    for (let a = idx.length - 1; a >= 0 && ++idx[a] === target[a]; a--) idx[a] = 0;
  }
  return out;
}

/**
 * ONNX LayerNormalization (opset 17): each slice over the axes axis..rank−1 is normalised to zero mean and
 * unit (population) variance, then scaled and shifted: y = (x − μ) / √(σ² + epsilon) · scale + bias.
 * scale and bias broadcast to the normalised shape x.shape[axis:].
 */
export function layerNormalization(x: Tensor, scale: Tensor, bias: Tensor | undefined, axis = -1, epsilon = 1e-5): LayerNormResult {
  const op = 'layerNormalization';
  checkFloat(op, 'x', x);
  checkFloat(op, 'scale', scale);
  if (bias) checkFloat(op, 'bias', bias);
  if (x.rank < 1) throw new EngineError(`input 'x' must be rank 1 or more, got a scalar`, op);
  const ax = normalizeAxis(op, axis, x.rank);
  const normShape = x.shape.slice(ax);
  const D = prod(normShape);
  const rows = prod(x.shape, 0, ax);
  const s = expandTo(op, 'scale', scale, normShape);
  const b = bias ? expandTo(op, 'bias', bias, normShape) : undefined;
  const xd = x.data as Float32Array;
  const y = new Float32Array(x.size);
  const means = new Float32Array(rows);
  const inv = new Float32Array(rows);
  const done = wasmLayerNorm(xd, s, b, rows, D, epsilon, y, means, inv);
  for (let r = 0; !done && r < rows; r++) {
    const base = r * D;
    let sum = 0;
    for (let i = 0; i < D; i++) sum += xd[base + i];
    const mu = sum / D;
    let sq = 0;
    for (let i = 0; i < D; i++) {
      const d = xd[base + i] - mu;
      sq += d * d;
    }
    const is = 1 / Math.sqrt(sq / D + epsilon);
    means[r] = mu;
    inv[r] = is;
    if (b) for (let i = 0; i < D; i++) y[base + i] = (xd[base + i] - mu) * is * s[i] + b[i];
    else for (let i = 0; i < D; i++) y[base + i] = (xd[base + i] - mu) * is * s[i];
  }
  const statShape = x.shape.map((d, i) => (i < ax ? d : 1));
  return {
    y: new Tensor('float32', x.shape, y),
    mean: new Tensor('float32', statShape, means),
    invStdDev: new Tensor('float32', statShape, inv),
  };
}
