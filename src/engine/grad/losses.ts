import { EngineError } from '../errors';
import { Tensor } from '../tensor';

/**
 * The losses a training step measures, each with its gradient with respect to the model's output (where the
 * backward pass starts). Computed in float64 and returned as float32 tensors of the output's shape.
 *
 * - `mse`: the mean over every element of (output − target)².
 * - `bce`, `cce`: binary and categorical cross-entropy from probabilities (a model ending in sigmoid or softmax);
 *   probabilities are clipped to [ε, 1 − ε] with ε = 1e-7 as Keras and TensorFlow.js do, and the clipped elements
 *   pass no gradient.
 * - `bce-logits`, `cce-logits`: the same from logits, in the numerically stable forms.
 *
 * The cross-entropies are averaged over the batch (the first axis): `bce` over every element (the mean over the
 * batch of the mean over an example's outputs), `cce` as the batch mean of each example's sum over the last axis.
 */
export type LossName = 'mse' | 'bce' | 'cce' | 'bce-logits' | 'cce-logits';

export const LOSS_NAMES: readonly LossName[] = ['mse', 'bce', 'cce', 'bce-logits', 'cce-logits'];

/** Probabilities are kept this far from 0 and 1, as Keras' `epsilon()`. */
export const PROBABILITY_EPSILON = 1e-7;

export interface LossResult {
  readonly loss: number;
  /** ∂loss/∂output, the output's shape. */
  readonly grad: Tensor<'float32'>;
}

export function isLossName(name: string): name is LossName {
  return (LOSS_NAMES as readonly string[]).includes(name);
}

/** The loss of `output` against `target` (same shape) and its gradient. */
export function computeLoss(name: LossName, output: Tensor, target: Tensor): LossResult {
  if (output.shape.length !== target.shape.length || output.shape.some((d, i) => d !== target.shape[i])) {
    throw new EngineError(`the target's shape [${target.shape.join(', ')}] is not the output's [${output.shape.join(', ')}]`, `loss ${name}`);
  }
  const n = output.size;
  if (n === 0) throw new EngineError('the output is empty', `loss ${name}`);
  const y = output.data;
  const t = target.data;
  const grad = new Float32Array(n);
  let total = 0;
  switch (name) {
    case 'mse':
      for (let i = 0; i < n; i++) {
        const d = Number(y[i]) - Number(t[i]);
        total += d * d;
        grad[i] = (2 * d) / n;
      }
      return { loss: total / n, grad: new Tensor('float32', output.shape, grad) };
    case 'bce':
      for (let i = 0; i < n; i++) {
        const raw = Number(y[i]);
        const p = Math.min(1 - PROBABILITY_EPSILON, Math.max(PROBABILITY_EPSILON, raw));
        const ti = Number(t[i]);
        total += -(ti * Math.log(p) + (1 - ti) * Math.log(1 - p));
        grad[i] = raw === p ? (p - ti) / (p * (1 - p)) / n : 0;
      }
      return { loss: total / n, grad: new Tensor('float32', output.shape, grad) };
    case 'bce-logits':
      for (let i = 0; i < n; i++) {
        const z = Number(y[i]);
        const ti = Number(t[i]);
        // max(z, 0) − z·t + log(1 + e^−|z|): never overflows.
        total += Math.max(z, 0) - z * ti + Math.log1p(Math.exp(-Math.abs(z)));
        grad[i] = (sigmoid(z) - ti) / n;
      }
      return { loss: total / n, grad: new Tensor('float32', output.shape, grad) };
    case 'cce':
    case 'cce-logits': {
      const classes = output.shape[output.rank - 1] ?? 1;
      const rows = n / classes;
      for (let r = 0; r < rows; r++) {
        const at = r * classes;
        if (name === 'cce') {
          for (let c = 0; c < classes; c++) {
            const raw = Number(y[at + c]);
            const p = Math.min(1 - PROBABILITY_EPSILON, Math.max(PROBABILITY_EPSILON, raw));
            const tc = Number(t[at + c]);
            total += -tc * Math.log(p);
            grad[at + c] = raw === p ? -tc / p / rows : 0;
          }
        } else {
          let max = -Infinity;
          for (let c = 0; c < classes; c++) max = Math.max(max, Number(y[at + c]));
          let sum = 0;
          for (let c = 0; c < classes; c++) sum += Math.exp(Number(y[at + c]) - max);
          const logSum = Math.log(sum) + max;
          let tSum = 0;
          for (let c = 0; c < classes; c++) tSum += Number(t[at + c]);
          for (let c = 0; c < classes; c++) {
            const z = Number(y[at + c]);
            const tc = Number(t[at + c]);
            total += -tc * (z - logSum);
            // ∂/∂z of −Σ t·log softmax(z) is softmax(z)·Σt − t.
            grad[at + c] = (Math.exp(z - logSum) * tSum - tc) / rows;
          }
        }
      }
      return { loss: total / rows, grad: new Tensor('float32', output.shape, grad) };
    }
  }
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
