import { EngineError } from '../errors';
import { Tensor } from '../tensor';
import { fmtShape, prod } from './opArgs';

/**
 * Normalisations over batch statistics: ONNX InstanceNormalization-6 and BatchNormalization-15 in training
 * mode. Statistics are accumulated in doubles; variances are population variances (divided by the count),
 * as the ONNX reference computes them.
 */

function checkChannels(op: string, x: Tensor, params: readonly [string, Tensor][]): number {
  if (x.rank < 2) throw new EngineError(`input 'x' must be rank 2 or more ([N, C, ...]), got ${fmtShape(x.shape)}`, op);
  const C = x.shape[1];
  for (const [name, t] of params) {
    if (t.size !== C) {
      throw new EngineError(`input '${name}' must have ${C} values (the channels of 'x' ${fmtShape(x.shape)}), got ${fmtShape(t.shape)}`, op);
    }
  }
  return C;
}

/** Mean and population variance of `count` elements of `d` from `start` with stride 1. */
function moments(d: ArrayLike<number>, start: number, count: number): [number, number] {
  let s = 0;
  for (let i = start; i < start + count; i++) s += d[i];
  const mean = count ? s / count : 0;
  let v = 0;
  for (let i = start; i < start + count; i++) v += (d[i] - mean) ** 2;
  return [mean, count ? v / count : 0];
}

/** ONNX InstanceNormalization: y = scale[c] · (x − μ) / √(σ² + epsilon) + bias[c], μ and σ² per (n, c) plane. */
export function instanceNormalization(x: Tensor, scale: Tensor, bias: Tensor, epsilon = 1e-5): Tensor<'float32'> {
  const op = 'instanceNormalization';
  const C = checkChannels(op, x, [['scale', scale], ['B', bias]]);
  const plane = prod(x.shape, 2);
  const y = new Float32Array(x.size);
  const planes = x.shape[0] * C;
  for (let p = 0; p < planes; p++) {
    const c = p % C;
    const [mean, variance] = moments(x.data, p * plane, plane);
    const a = scale.data[c] / Math.sqrt(variance + epsilon);
    const k = bias.data[c] - mean * a;
    for (let i = p * plane; i < (p + 1) * plane; i++) y[i] = x.data[i] * a + k;
  }
  return new Tensor('float32', x.shape, y);
}

/**
 * ONNX BatchNormalization-15 with training_mode = 1: normalises with the batch's own per-channel mean and
 * variance (over N and the spatial axes) and returns [y, running mean, running variance], where
 * running = input · momentum + batch · (1 − momentum).
 */
export function batchNormalizationTraining(
  x: Tensor, scale: Tensor, bias: Tensor, inputMean: Tensor, inputVar: Tensor, epsilon = 1e-5, momentum = 0.9,
): [Tensor<'float32'>, Tensor<'float32'>, Tensor<'float32'>] {
  const op = 'batchNormalization';
  const C = checkChannels(op, x, [['scale', scale], ['B', bias], ['input_mean', inputMean], ['input_var', inputVar]]);
  const N = x.shape[0];
  const plane = prod(x.shape, 2);
  const count = N * plane;
  const y = new Float32Array(x.size);
  const runMean = new Float32Array(C);
  const runVar = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * plane, e = i + plane; i < e; i++) s += x.data[i];
    const mean = count ? s / count : 0;
    let v = 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * plane, e = i + plane; i < e; i++) v += (x.data[i] - mean) ** 2;
    const variance = count ? v / count : 0;
    const a = scale.data[c] / Math.sqrt(variance + epsilon);
    const k = bias.data[c] - mean * a;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * plane, e = i + plane; i < e; i++) y[i] = x.data[i] * a + k;
    runMean[c] = inputMean.data[c] * momentum + mean * (1 - momentum);
    runVar[c] = inputVar.data[c] * momentum + variance * (1 - momentum);
  }
  const stats = [C];
  return [new Tensor('float32', x.shape, y), new Tensor('float32', stats, runMean), new Tensor('float32', stats, runVar)];
}
