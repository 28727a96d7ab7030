import { describe, expect, it } from 'vitest';
import { Runner } from '../../../src/runner/runner';
import { countingOps } from '../../fixtures/runner/ops';
import { mlp, nested } from '../../fixtures/runner/models';
import type { Fixture } from '../../fixtures/runner/models';

function start(f: Fixture = mlp()): Runner {
  return new Runner(f.model, f.inputs, { ops: countingOps().ops });
}

const at = (r: Runner): string => `${r.position.point} ${r.position.frame.item.id}`;

describe('goto targets', () => {
  it('name the layer or op of a line, as a line breakpoint binds, with no events before the run gets there', () => {
    const r = start();
    expect(r.gotoTargets(6)).toEqual([{ itemId: 'hidden', name: 'hidden', kind: 'module', type: 'dense', line: 5 }]);
    expect(r.gotoTargets(8)).toEqual([{ itemId: 'hidden/relu', name: 'relu', kind: 'node', type: 'relu', line: 8 }]);
    expect(r.gotoTargets(2)).toEqual([]);
  });

  it('give the recorded call and return nearest the position: the last before it, else the first after', async () => {
    const r = start();
    await r.runTo('out');
    expect(r.gotoTargets(6)[0]).toMatchObject({ call: 1, return: 8 });
    expect(r.gotoTargets(14)[0]).toMatchObject({ call: 9 });
    expect(r.gotoTargets(14)[0].return).toBeUndefined();
    await r.continue();
    await r.goto(0);
    expect(r.gotoTargets(14)[0]).toMatchObject({ call: 9, return: 14 });
  });

  it('run to a layer\'s call or return by id, and to an op\'s return', async () => {
    const r = start();
    expect((await r.runTo('out', { byId: true, point: 'return' })).reason).toBe('goto');
    expect(at(r)).toBe('return out');
    const s = start();
    await s.runTo('hidden/relu', { byId: true, point: 'return' });
    expect(at(s)).toBe('return hidden/relu');
    // An exact id is no glob.
    const t = start();
    expect((await t.runTo('h*', { byId: true })).reason).toBe('end');
  });
});

describe('step-in targets', () => {
  it('offer the children of a module at its call, then only those not called yet', async () => {
    const r = start(nested());
    await r.runTo('block');
    const block = r.position.frame.id;
    const first = r.stepInTargets(block);
    expect(first.frameId).toBe(block);
    expect(first.targets.map((t) => `${t.name} (${t.type})`)).toEqual(['lin (dense)', 'skip (add)']);
    await r.stepIn();
    expect(at(r)).toBe('call block/lin');
    // At a child's call, its own children are offered; the block's remaining child from the block's frame.
    expect(r.stepInTargets(r.position.frame.id).targets.map((t) => t.name)).toEqual(['matmul', 'add', 'relu']);
    expect(r.stepInTargets(block).targets.map((t) => t.name)).toEqual(['skip']);
  });

  it('step into a chosen child: on to its call in that frame, as a step', async () => {
    const r = start(nested());
    await r.runTo('block');
    const block = r.position.frame.id;
    const stop = await r.runTo('block/skip', { byId: true, within: block });
    expect(stop.reason).toBe('step');
    expect(at(r)).toBe('call block/skip');
    expect(r.stack().map((f) => f.item.id)).toEqual(['nested', 'block', 'block/skip']);
  });

  it('offer the calling module\'s remaining children at an op, and nothing for a frame not on the stack', async () => {
    const r = start();
    await r.runTo('hidden/matmul');
    expect(r.stepInTargets(r.position.frame.id).targets.map((t) => t.name)).toEqual(['add', 'relu']);
    expect(r.stepInTargets(999).targets).toEqual([]);
  });
});
