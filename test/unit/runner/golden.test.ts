import { describe, it } from 'vitest';
import { Runner } from '../../../src/runner/runner';
import type { ExceptionFilter } from '../../../src/runner/types';
import { countingOps } from '../../fixtures/runner/ops';
import { mlp, nanModel, nanWeights, nested, shapeError } from '../../fixtures/runner/models';
import type { Fixture } from '../../fixtures/runner/models';
import { expectGolden, fullTrace, runScript } from './golden';
import type { Step } from './golden';

function runner(f: Fixture, filters: ExceptionFilter[] = []): Runner {
  const r = new Runner(f.model, f.inputs, { ops: countingOps().ops });
  r.setExceptionFilters(filters);
  return r;
}

const scripts: [string, () => Runner, Step[]][] = [
  ['mlp-steps', () => runner(mlp()), ['in', 'in', 'over', 'in', 'out', 'over', 'in', 'out', 'back', 'back', 'reverse', 'continue', 'continue', 'restart 6']],
  ['mlp-breaks', () => runner(mlp()), ['break relu', 'break out/*', 'continue', 'continue', 'continue', 'reverse', 'break nothing*', 'runTo out', 'continue']],
  ['nested-steps', () => runner(nested()), ['in', 'in', 'in', 'out', 'out', 'over', 'in', 'in', 'back', 'back', 'back', 'out', 'continue']],
  ['nan-origin', () => runner(nanModel(), ['nanOrInf']), ['continue', 'continue', 'reverse', 'back', 'in']],
  ['nan-weights', () => runner(nanWeights(), ['nanOrInf']), ['continue', 'over', 'continue']],
  ['shape-error', () => runner(shapeError(), ['engineError']), ['continue', 'continue', 'back', 'in', 'in', 'reverse']],
  ['shape-error-rejects', () => runner(shapeError()), ['runTo out', 'over', 'in']],
];

describe('golden step traces', () => {
  it.each(scripts)('%s', async (name, make, steps) => {
    expectGolden(`runner/${name}`, await runScript(make(), steps));
  });

  it.each([['mlp', mlp], ['nested', nested], ['nan', nanModel]] as const)('full trace of %s', async (name, make) => {
    expectGolden(`runner/${name}-trace`, await fullTrace(runner(make())));
  });
});
