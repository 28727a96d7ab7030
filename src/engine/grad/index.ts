import { basicGradRules } from './basic';
import { convGradRules } from './conv';
import type { GradRule } from './types';

export type { GradContext, GradRule } from './types';

/**
 * Every gradient rule, keyed by engine op name. The two tables cover disjoint ops; an op in both would be a
 * programming error, so building the table throws on one.
 */
const RULES: ReadonlyMap<string, GradRule> = (() => {
  const all = new Map<string, GradRule>(basicGradRules);
  for (const [op, rule] of convGradRules) {
    if (all.has(op)) throw new Error(`gradient rule for '${op}' is defined twice`);
    all.set(op, rule);
  }
  return all;
})();

/** The rule for `op`, or undefined when the engine cannot differentiate it (a Train must then stop and say so). */
export function gradRule(op: string): GradRule | undefined {
  return RULES.get(op);
}

/** The ops that have a gradient rule, sorted; for docs, `inspect` and the check that a model can be trained. */
export const GRAD_OPS: readonly string[] = Object.freeze([...RULES.keys()].sort());

/**
 * Inputs of an op that take no gradient although they may be float weights: batch norm's moving mean and variance
 * (constants of the forward pass in inference mode). A training step does not train them.
 */
const NO_GRADIENT: ReadonlyMap<string, readonly number[]> = new Map([
  ['batchNormalization', [3, 4]],
]);

/** The input positions of `op` that take no gradient (see {@link NO_GRADIENT}). */
export function inputsWithoutGradient(op: string): readonly number[] {
  return NO_GRADIENT.get(op) ?? [];
}
