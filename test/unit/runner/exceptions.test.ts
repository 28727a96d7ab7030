import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { RunnerError } from '../../../src/runner/errors';
import { Runner } from '../../../src/runner/runner';
import { countingOps } from '../../fixtures/runner/ops';
import { mlp, nanModel, nanWeights, shapeError } from '../../fixtures/runner/models';
import type { Fixture } from '../../fixtures/runner/models';
import { module, node } from '../../fixtures/runner/build';

function start(f: Fixture): Runner {
  return new Runner(f.model, f.inputs, { ops: countingOps().ops });
}

const at = (r: Runner): string => `${r.position.point} ${r.position.frame.item.id}`;

describe('NaN / Inf filter', () => {
  it('stops at the return of the op where NaN starts, not where it is passed on', async () => {
    const r = start(nanModel());
    r.setExceptionFilters(['nanOrInf']);
    const stop = await r.continue();
    expect(stop.reason).toBe('exception');
    expect(at(r)).toBe('return log/log');
    const nans = r.evaluate('count(output != output)') as number;
    expect(nans).toBeGreaterThan(0);
    expect(stop.exception).toEqual({ filter: 'nanOrInf', message: stop.description });
    expect(stop.description).toBe(`op log (log/log) produced NaN×${nans} in 'log:0' from finite inputs`);
    expect((await r.continue()).reason).toBe('end');
  });

  it('finds the origin again on replay, even when the filter was off the first time', async () => {
    const r = start(nanModel());
    expect((await r.continue()).reason).toBe('end');
    r.setExceptionFilters(['nanOrInf']);
    await r.reverseContinue();
    expect(at(r)).toBe('return log/log');
    await r.restartFrame(1);
    expect((await r.continue()).reason).toBe('exception');
    expect(at(r)).toBe('return log/log');
  });

  it('names a NaN weight at the first op that uses it', async () => {
    const r = start(nanWeights());
    r.setExceptionFilters(['nanOrInf']);
    const stop = await r.continue();
    expect(at(r)).toBe('return hidden/matmul');
    expect(stop.description).toMatch(/^op matmul \(hidden\/matmul\) produced NaN×\d+ in 'hidden\/matmul:0': weight 'hidden.kernel' holds NaN×1$/);
    expect((await r.continue()).reason).toBe('end');
  });

  it('names a model input that holds Inf', async () => {
    const f = mlp();
    const x = Tensor.from([1, 4], [1, Infinity, 0, 0]);
    const r = new Runner(f.model, { x }, { ops: countingOps().ops });
    r.setExceptionFilters(['nanOrInf']);
    const stop = await r.continue();
    expect(at(r)).toBe('return hidden/matmul');
    expect(stop.description).toMatch(/input 'x' holds Inf×1$/);
  });

  it('reports a NaN weight once: later ops that read it only pass it on', async () => {
    const f = mlp();
    const weights = new Map(f.model.weights);
    weights.set('w', Tensor.from([4], [0, NaN, 0, 0]));
    const root = module('m', 'model', [
      node('first', 'add', ['x', 'w'], ['first:0']),
      node('second', 'mul', ['x', 'w'], ['second:0']),
    ], { inputs: ['x'], outputs: ['second:0'] });
    const r = new Runner({ ...f.model, weights, root }, f.inputs, { ops: countingOps().ops });
    r.setExceptionFilters(['nanOrInf']);
    const stop = await r.continue();
    expect(at(r)).toBe('return first');
    expect(stop.description).toBe("op add (first) produced NaN×1 in 'first:0': weight 'w' holds NaN×1");
    expect((await r.continue()).reason).toBe('end');
  });
});

describe('engine errors', () => {
  it('stop at the failing node with a message naming the file, line, layer and node', async () => {
    const r = start(shapeError());
    r.setExceptionFilters(['engineError']);
    const stop = await r.continue();
    expect(stop.reason).toBe('exception');
    expect(at(r)).toBe('call out/matmul');
    const message = "model.json line 13: layer 'out', op matmul (out/matmul): a has 3 columns but b has 2 rows";
    expect(stop.description).toBe(message);
    expect(stop.exception).toEqual({ filter: 'engineError', message });
    expect(r.error).toBeInstanceOf(RunnerError);
    expect(r.error?.details).toMatchObject({ nodeId: 'out/matmul', moduleId: 'out', op: 'matmul', file: '/fixtures/mlp/model.json' });
    expect(r.finished).toBe(false);
  });

  it('cannot be continued past, but can be stepped back from and replayed up to', async () => {
    const r = start(shapeError());
    r.setExceptionFilters(['engineError']);
    await r.continue();
    expect((await r.continue()).reason).toBe('exception');
    expect((await r.stepOver()).position.index).toBe(10);
    await r.stepBack();
    expect(at(r)).toBe('call out');
    expect(r.position.index).toBe(9);
    expect(at(await r.stepIn().then(() => r))).toBe('call out/matmul');
    const again = await r.stepIn();
    expect(again.reason).toBe('exception');
    expect(r.position.index).toBe(10);
  });

  it('reject the step with the RunnerError when the filter is off', async () => {
    const r = start(shapeError());
    await expect(r.continue()).rejects.toThrow("model.json line 13: layer 'out', op matmul (out/matmul): a has 3 columns but b has 2 rows");
    expect(at(r)).toBe('call out/matmul');
    await expect(r.stepIn()).rejects.toBeInstanceOf(RunnerError);
    expect(r.outputs().size).toBe(0);
  });

  it('name unknown ops and missing values, without a layer for nodes of the model itself', async () => {
    const f = mlp();
    const root = module('m', 'model', [
      node('weird', 'frobnicate', ['x'], ['weird:0']),
    ], { inputs: ['x'], outputs: ['weird:0'] });
    const r = new Runner({ ...f.model, root }, f.inputs, { ops: countingOps().ops });
    await expect(r.continue()).rejects.toThrow("model.json: op frobnicate (weird): unknown op 'frobnicate'");
    const root2 = module('m', 'model', [node('lost', 'relu', ['ghost'], ['lost:0'])], { inputs: ['x'], outputs: ['lost:0'] });
    const r2 = new Runner({ ...f.model, root: root2 }, f.inputs, { ops: countingOps().ops });
    await expect(r2.continue()).rejects.toThrow("op relu (lost): value 'ghost' is not produced by any earlier node");
  });
});
