import { basicGradRules } from './basic';
import { convGradRules } from './conv';
import { moreGradRules } from './more';
import { tfGradRules } from './tf';
import type { GradRule } from './types';

export type { GradContext, GradRule } from './types';

/**
 * Every gradient rule, keyed by engine op name. The tables cover disjoint ops; an op in two would be a
 * programming error, so building the table throws on one.
 */
const RULES: ReadonlyMap<string, GradRule> = (() => {
  const all = new Map<string, GradRule>(basicGradRules);
  for (const table of [convGradRules, moreGradRules, tfGradRules]) {
    for (const [op, rule] of table) {
      if (all.has(op)) throw new Error(`gradient rule for '${op}' is defined twice`);
      all.set(op, rule);
    }
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
  ['tfBatchNorm', [3, 4]],
]);

/**
 * Outputs that carry nothing back to the op's inputs whatever their dtype: shapes, sizes, indices, comparisons,
 * a tensor made from a shape. A value computed from them does not depend on the weights for training, so an op
 * that reads them (a reshape's shape, a gather's indices) needs no gradient for that input. `all`: every output.
 */
const CUT_OUTPUTS: ReadonlyMap<string, 'all' | readonly number[]> = new Map<string, 'all' | readonly number[]>([
  ...['shape', 'size', 'tfShape', 'argMax', 'argMin', 'tfArgMax', 'equal', 'greater', 'greaterOrEqual', 'less', 'lessOrEqual', 'not',
    'and', 'or', 'xor', 'isNaN', 'isInf', 'tfNotEqual', 'constantOfShape', 'range', 'nonZero'].map((op) => [op, 'all'] as const),
  ['topK', [1]],
  ['tfTopK', [1]],
  ['maxPoolWithIndices', [1]],
]);

/** Whether output `index` of `op` carries no gradient back (see {@link CUT_OUTPUTS}). */
export function outputCarriesNoGradient(op: string, index: number): boolean {
  const cut = CUT_OUTPUTS.get(op);
  return cut === 'all' || (cut !== undefined && cut.includes(index));
}

/** The input positions of `op` that take no gradient (see {@link NO_GRADIENT}). */
export function inputsWithoutGradient(op: string): readonly number[] {
  return NO_GRADIENT.get(op) ?? [];
}
