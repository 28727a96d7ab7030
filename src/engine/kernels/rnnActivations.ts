import { EngineError } from '../errors';

/**
 * The activation functions that ONNX's recurrent ops (RNN-22, GRU-22, LSTM-22) accept by name in their
 * `activations` attribute, with the defaults the spec gives for their alpha and beta.
 */

export type Scalar = (v: number) => number;

interface ActivationSpec {
  /** Default alpha, when the function takes one. */
  readonly alpha?: number;
  /** Default beta, when the function takes one. */
  readonly beta?: number;
  readonly make: (alpha: number, beta: number) => Scalar;
}

const SPECS: Readonly<Record<string, ActivationSpec>> = {
  relu: { make: () => (v) => (v > 0 ? v : 0) },
  tanh: { make: () => Math.tanh },
  sigmoid: { make: () => (v) => 1 / (1 + Math.exp(-v)) },
  affine: { alpha: 1, beta: 0, make: (a, b) => (v) => a * v + b },
  leakyrelu: { alpha: 0.01, make: (a) => (v) => (v >= 0 ? v : a * v) },
  thresholdedrelu: { alpha: 1, make: (a) => (v) => (v > a ? v : 0) },
  scaledtanh: { alpha: 1, beta: 1, make: (a, b) => (v) => a * Math.tanh(b * v) },
  hardsigmoid: { alpha: 0.2, beta: 0.5, make: (a, b) => (v) => Math.max(0, Math.min(1, a * v + b)) },
  elu: { alpha: 1, make: (a) => (v) => (v >= 0 ? v : a * (Math.exp(v) - 1)) },
  softsign: { make: () => (v) => v / (1 + Math.abs(v)) },
  softplus: { make: () => (v) => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0) },
};

/**
 * The functions named by `names` (case-insensitive, e.g. `Sigmoid`, `Tanh`). Each function that takes an
 * alpha (beta) takes the next unused value of `alphas` (`betas`) when there is one, else its default: the
 * order in which onnxruntime reads them.
 */
export function recurrentActivations(op: string, names: readonly string[], alphas: readonly number[] = [], betas: readonly number[] = []): Scalar[] {
  let ai = 0;
  let bi = 0;
  return names.map((name) => {
    const spec = SPECS[name.toLowerCase()];
    if (!spec) throw new EngineError(`activation '${name}' is not one of ${Object.keys(SPECS).join(', ')}`, op);
    const alpha = spec.alpha === undefined ? 0 : ai < alphas.length ? alphas[ai++] : spec.alpha;
    const beta = spec.beta === undefined ? 0 : bi < betas.length ? betas[bi++] : spec.beta;
    return spec.make(alpha, beta);
  });
}
