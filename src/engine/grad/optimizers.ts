import { EngineError } from '../errors';
import { Tensor } from '../tensor';

/**
 * The update step of training, per weight, as `layerstep train` pins it:
 * - `sgd`: w ← w − lr·g;
 * - `momentum`: v ← 0.9·v + g, then w ← w − lr·v;
 * - `adam`: PyTorch's defaults (β1 0.9, β2 0.999, ε 1e-8) with bias correction:
 *   m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², w ← w − lr·m̂ / (√v̂ + ε), m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t).
 * An optimizer keeps its state by weight name; the weights themselves are never changed in place: each step returns
 * new tensors, so a step can be shown before and after, and undone.
 */
export type OptimizerName = 'sgd' | 'momentum' | 'adam';

export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'adam'];

export const MOMENTUM = 0.9;
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

export function isOptimizerName(name: string): name is OptimizerName {
  return (OPTIMIZER_NAMES as readonly string[]).includes(name);
}

export class Optimizer {
  private readonly first = new Map<string, Float64Array>();
  private readonly second = new Map<string, Float64Array>();
  /** Steps taken: Adam's bias correction counts them from 1. */
  private steps = 0;

  constructor(
    readonly name: OptimizerName,
    readonly learningRate: number,
  ) {
    if (!Number.isFinite(learningRate) || learningRate <= 0) throw new EngineError(`the learning rate must be a number above 0, got ${learningRate}`, `optimizer ${name}`);
  }

  /** One step over every weight that has a gradient; returns the new weights by name. */
  step(weights: ReadonlyMap<string, Tensor>, grads: ReadonlyMap<string, Tensor>): Map<string, Tensor<'float32'>> {
    this.steps++;
    const out = new Map<string, Tensor<'float32'>>();
    for (const [name, g] of grads) {
      const w = weights.get(name);
      if (!w) throw new EngineError(`there is a gradient for '${name}' but no such weight`, `optimizer ${this.name}`);
      if (w.size !== g.size) throw new EngineError(`the gradient of '${name}' has ${g.size} elements but the weight ${w.size}`, `optimizer ${this.name}`);
      out.set(name, new Tensor('float32', w.shape, this.update(name, w.data, g.data)));
    }
    return out;
  }

  private state(map: Map<string, Float64Array>, name: string, size: number): Float64Array {
    let s = map.get(name);
    if (!s) map.set(name, (s = new Float64Array(size)));
    return s;
  }

  private update(name: string, w: ArrayLike<number>, g: ArrayLike<number>): Float32Array {
    const n = w.length;
    const next = new Float32Array(n);
    const lr = this.learningRate;
    switch (this.name) {
      case 'sgd':
        for (let i = 0; i < n; i++) next[i] = w[i] - lr * g[i];
        return next;
      case 'momentum': {
        const v = this.state(this.first, name, n);
        for (let i = 0; i < n; i++) {
          v[i] = MOMENTUM * v[i] + g[i];
          next[i] = w[i] - lr * v[i];
        }
        return next;
      }
      case 'adam': {
        const m = this.state(this.first, name, n);
        const v = this.state(this.second, name, n);
        const { beta1, beta2, epsilon } = ADAM;
        const c1 = 1 - beta1 ** this.steps;
        const c2 = 1 - beta2 ** this.steps;
        for (let i = 0; i < n; i++) {
          m[i] = beta1 * m[i] + (1 - beta1) * g[i];
          v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
          next[i] = w[i] - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
        }
        return next;
      }
    }
  }
}
