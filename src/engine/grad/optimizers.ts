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

/** An optimizer's state for one weight: momentum's velocity, or Adam's first and second moments. */
export interface WeightState {
  readonly first?: Float32Array;
  readonly second?: Float32Array;
}

/** One weight's update: the new weight and the optimizer's new state for it. */
export interface WeightUpdate {
  readonly next: Float32Array;
  readonly state: WeightState;
}

/**
 * One optimizer step for one weight, as a pure function: nothing given is changed. `step` counts from 1 (Adam's
 * bias correction); a missing state is zeros. Everything is float32, as the kernels and TensorFlow.js keep it.
 */
export function updateWeight(name: OptimizerName, learningRate: number, step: number, w: ArrayLike<number>, g: ArrayLike<number>, state: WeightState = {}): WeightUpdate {
  const n = w.length;
  const next = new Float32Array(n);
  const lr = learningRate;
  switch (name) {
    case 'sgd':
      for (let i = 0; i < n; i++) next[i] = w[i] - lr * g[i];
      return { next, state: {} };
    case 'momentum': {
      const v = state.first ? Float32Array.from(state.first) : new Float32Array(n);
      for (let i = 0; i < n; i++) {
        v[i] = MOMENTUM * v[i] + g[i];
        next[i] = w[i] - lr * v[i];
      }
      return { next, state: { first: v } };
    }
    case 'adam': {
      const m = state.first ? Float32Array.from(state.first) : new Float32Array(n);
      const v = state.second ? Float32Array.from(state.second) : new Float32Array(n);
      const { beta1, beta2, epsilon } = ADAM;
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      for (let i = 0; i < n; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        next[i] = w[i] - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
      }
      return { next, state: { first: m, second: v } };
    }
  }
}

/** Checks a learning rate: a finite number above 0. */
export function checkLearningRate(name: OptimizerName, learningRate: number): void {
  if (!Number.isFinite(learningRate) || learningRate <= 0) throw new EngineError(`the learning rate must be a number above 0, got ${learningRate}`, `optimizer ${name}`);
}

/** An optimizer that keeps its state by weight name across steps (over {@link updateWeight}). */
export class Optimizer {
  private readonly states = new Map<string, WeightState>();
  /** Steps taken: Adam's bias correction counts them from 1. */
  private steps = 0;

  constructor(
    readonly name: OptimizerName,
    readonly learningRate: number,
  ) {
    checkLearningRate(name, learningRate);
  }

  /** One step over every weight that has a gradient; returns the new weights by name. */
  step(weights: ReadonlyMap<string, Tensor>, grads: ReadonlyMap<string, Tensor>): Map<string, Tensor<'float32'>> {
    this.steps++;
    const out = new Map<string, Tensor<'float32'>>();
    for (const [name, g] of grads) {
      const w = weights.get(name);
      if (!w) throw new EngineError(`there is a gradient for '${name}' but no such weight`, `optimizer ${this.name}`);
      if (w.size !== g.size) throw new EngineError(`the gradient of '${name}' has ${g.size} elements but the weight ${w.size}`, `optimizer ${this.name}`);
      const u = updateWeight(this.name, this.learningRate, this.steps, w.data, g.data, this.states.get(name));
      this.states.set(name, u.state);
      out.set(name, new Tensor('float32', w.shape, u.next));
    }
    return out;
  }
}
