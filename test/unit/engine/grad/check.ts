import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { gradRule } from '../../../../src/engine/grad';
import type { GradRule } from '../../../../src/engine/grad/types';
import { randomTensor } from '../helpers';
import { defaultOps } from '../../../../src/engine/ops';
import type { Attrs } from '../../../../src/engine/registry';
import { Tensor } from '../../../../src/engine/tensor';
import type { Shape } from '../../../../src/engine/tensor';

/**
 * Shared helpers for the gradient-rule tests. The oracles are independent of the rules: tfjs's own autodiff
 * (`tf.grads`) and central finite differences of the engine's forward kernels.
 */

/** Selects the cpu backend once; call from `beforeAll`. */
export async function useTfCpu(): Promise<void> {
  await tf.setBackend('cpu');
}

/** A tfjs float32 tensor with our tensor's values. */
export function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'float32');
}

/** A tfjs int32 tensor with our tensor's values (indices). */
export function toTfInt(t: Tensor): tf.Tensor {
  return tf.tensor(Array.from(t.data as ArrayLike<number>), [...t.shape], 'int32');
}

/**
 * tfjs's gradient of sum(f(xs) · r) with respect to every x in `xs` (float32), as plain arrays with shapes.
 * `f` gets the tfjs versions of `xs` in order.
 */
export function tfGrads(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  xs: readonly Tensor[],
  r: Tensor,
): { values: Float32Array; shape: number[] }[] {
  return tf.tidy(() => {
    const rt = toTf(r);
    const g = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), rt)));
    const out = g(xs.map(toTf));
    return out.map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape }));
  });
}

/** Runs an engine op through the default registry. */
export function runOp(op: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}): Tensor[] {
  return defaultOps.run(op, inputs, attrs);
}

/**
 * Runs `op` forward and then `rule` with ∂loss/∂output = `gradOutputs` (one per output; a single tensor means
 * the first output), returning the rule's input gradients.
 */
export function ruleGrads(
  rule: GradRule | undefined,
  op: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs,
  gradOutputs: Tensor | readonly (Tensor | undefined)[],
): (Tensor | undefined)[] {
  if (!rule) throw new Error(`no gradient rule for '${op}'`);
  const outputs = runOp(op, inputs, attrs);
  const gOut = gradOutputs instanceof Tensor ? [gradOutputs] : gradOutputs;
  return rule({ inputs, outputs, attrs, gradOutputs: gOut });
}

/**
 * Central finite differences of L = sum(f(inputs) · gradOutput) with respect to `inputs[which]`: each element is
 * perturbed by ±eps in float32 and L is accumulated in float64. With float32 forwards and eps = 1e-3 the result
 * is good to about 1e-3 relative, so compare with a tolerance like 2e-3·(1 + max|expected|).
 */
export function finiteDifference(
  f: (inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  gradOutput: Tensor,
  which: number,
  eps = 1e-3,
): Tensor<'float32'> {
  const base = inputs[which];
  const grad = Tensor.zeros(base.shape, 'float32');
  const loss = (x: Tensor): number => {
    const args = inputs.map((t, i) => (i === which ? x : t));
    const y = f(args);
    expect([...y.shape], 'forward shape').toEqual([...gradOutput.shape]);
    let s = 0;
    for (let i = 0; i < y.size; i++) s += y.data[i] * gradOutput.data[i];
    return s;
  };
  for (let i = 0; i < base.size; i++) {
    const plus = Tensor.from(base.shape, base.data as ArrayLike<number>, 'float32');
    const minus = Tensor.from(base.shape, base.data as ArrayLike<number>, 'float32');
    plus.data[i] += eps;
    minus.data[i] -= eps;
    // The perturbation actually applied after float32 rounding.
    const h = plus.data[i] - minus.data[i];
    grad.data[i] = (loss(plus) - loss(minus)) / h;
  }
  return grad;
}

/**
 * Asserts `actual` has `shape` and max|actual − expected| ≤ tol·(1 + max|expected|); returns that max error so a
 * test can report it. The default tol 1e-4 is the bar set for comparisons against tfjs.
 */
export function expectGrad(
  actual: Tensor | undefined,
  expected: ArrayLike<number>,
  shape: Shape,
  tol = 1e-4,
  label = 'gradient',
): number {
  expect(actual, `${label} is missing`).toBeDefined();
  const a = actual as Tensor;
  expect([...a.shape], `${label} shape`).toEqual([...shape]);
  expect(a.dtype, `${label} dtype`).toBe('float32');
  expect(a.size, `${label} size`).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    // NaN must meet NaN and an infinity the same infinity; both count as exact.
    const e = expected[i];
    const diff = Number.isFinite(e) ? Math.abs(a.data[i] - e) : Object.is(a.data[i], e) || (e !== e && a.data[i] !== a.data[i]) ? 0 : Infinity;
    const err = Number.isNaN(diff) ? Infinity : diff;
    if (err > worst || at < 0) {
      worst = err;
      at = i;
    }
  }
  const bound = tol * (1 + scale);
  expect(worst, `${label}: max error ${worst} at ${at} (actual ${a.data[at]}, expected ${expected[at]}) over bound ${bound}`)
    .toBeLessThanOrEqual(bound);
  recordError(label, worst);
  return worst;
}

const worstByLabel = new Map<string, number>();

function recordError(label: string, err: number): void {
  const family = label.split(' input')[0];
  worstByLabel.set(family, Math.max(worstByLabel.get(family) ?? 0, err));
}

/** The largest error seen per label (up to ' input') in this test file, for the summary printed after the tests. */
export function worstErrors(): ReadonlyMap<string, number> {
  return worstByLabel;
}

/** Tolerances of the rule tests: against tfjs, and against central finite differences of the float32 forward. */
export const TF_TOL = 1e-4;
export const FD_TOL = 3e-3;

/** The two checks every rule test makes, over random tensors drawn from seeds counting up from `firstSeed`. */
export interface RuleCheckers {
  /** A random float32 tensor in [lo, hi), from the next seed. */
  rand(shape: readonly number[], lo?: number, hi?: number): Tensor<'float32'>;
  /** Compares the rule's gradients of the inputs in `which` (default: all) with tfjs's gradient of sum(tfFn(...)·r). */
  vsTf(family: string, op: string, inputs: (Tensor | undefined)[], attrs: Attrs, tfFn: (...xs: tf.Tensor[]) => tf.Tensor, which?: number[]): void;
  /** Compares the rule's gradient of input `which` with central finite differences of output `out` of the op. */
  vsFd(family: string, op: string, inputs: (Tensor | undefined)[], attrs: Attrs, which?: number, out?: number): void;
}

export function ruleCheckers(firstSeed: number): RuleCheckers {
  let seed = firstSeed;
  const rand = (shape: readonly number[], lo = -1, hi = 1): Tensor<'float32'> => randomTensor([...shape], seed++, lo, hi);
  const ruleOf = gradRule;
  return {
    rand,
    vsTf(family, op, inputs, attrs, tfFn, which = inputs.map((_, i) => i)) {
      const y = runOp(op, inputs, attrs)[0];
      const r = rand([...y.shape]);
      const ours = ruleGrads(ruleOf(op), op, inputs, attrs, r);
      const theirs = tfGrads(tfFn, which.map((i) => inputs[i] as Tensor), r);
      which.forEach((i, k) => expectGrad(ours[i], theirs[k].values, theirs[k].shape, TF_TOL, `${family}: ${op} input ${i}`));
    },
    vsFd(family, op, inputs, attrs, which = 0, out = 0) {
      const ys = runOp(op, inputs, attrs);
      const r = rand([...ys[out].shape]);
      const ours = ruleGrads(ruleOf(op), op, inputs, attrs, ys.map((_, k) => (k === out ? r : undefined)));
      const fd = finiteDifference((xs) => runOp(op, xs, attrs)[out], inputs as Tensor[], r, which);
      expectGrad(ours[which], fd.data, fd.shape, FD_TOL, `${family}-fd: ${op} input ${which}`);
    },
  };
}

/** Prints the worst error per family after a file's tests (call at the top level of a test file). */
export function worstErrorsLine(): string {
  const lines = [...worstErrors()].map(([family, err]) => `${family}: ${err.toExponential(2)}`);
  return `max abs gradient error per family:\n  ${lines.join('\n  ')}`;
}
