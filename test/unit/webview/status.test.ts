import { describe, expect, it } from 'vitest';
import type { StopInfo } from '../../../src/protocol/engine';
import { describeStop } from '../../../webview/status';

const session = { id: 's', modelName: 'mnist-mlp', format: 'layerstep/1', totalEvents: 26 };
const stop = (over: Partial<StopInfo>): StopInfo => ({
  reason: 'step', index: 4, point: 'call', finished: false, recorded: 5,
  stack: [{ id: 5, itemId: 'hidden1/add', name: 'add', kind: 'node', type: 'add', depth: 2 }], ...over,
});

describe('describeStop', () => {
  it('says where the session stands, counting events from 1', () => {
    expect(describeStop({ ...session, running: false, stop: stop({}) })).toBe('Stopped — call of add (add), event 5 of 26');
  });

  it('names breakpoints and exceptions', () => {
    expect(describeStop({ ...session, running: false, stop: stop({ reason: 'breakpoint', description: 'breakpoint at line 5 (add)' }) }))
      .toBe('Breakpoint at line 5 (add) — call of add (add), event 5 of 26');
    expect(describeStop({ ...session, running: false, stop: stop({ reason: 'exception', point: 'return', exception: { filter: 'nanOrInf', message: 'NaN in output' } }) }))
      .toBe('Exception: NaN in output — return of add (add), event 5 of 26');
  });

  it('reports running, starting, finished and no session', () => {
    expect(describeStop(undefined)).toBe('No Layerstep session');
    expect(describeStop({ ...session, running: true })).toBe('Starting mnist-mlp…');
    expect(describeStop({ ...session, running: true, stop: stop({}) })).toBe('Running mnist-mlp…');
    expect(describeStop({ ...session, running: false, stop: stop({ reason: 'end', index: 25, recorded: 26, point: 'return' }) }))
      .toBe('Finished the forward pass — return of add (add), event 26 of 26');
  });

  it('counts the what-if edits in force', () => {
    expect(describeStop({ ...session, running: false, stop: stop({ reason: 'goto', edits: 1 }) })).toBe('Moved — call of add (add), event 5 of 26 · ✎ 1 edit in force');
    expect(describeStop({ ...session, running: false, stop: stop({ edits: 3 }) })).toBe('Stopped — call of add (add), event 5 of 26 · ✎ 3 edits in force');
    expect(describeStop({ ...session, running: false, stop: stop({ edits: 0 }) })).toBe('Stopped — call of add (add), event 5 of 26');
  });
});

describe('describeStop in a training run', () => {
  const training = { step: 30, steps: 30, losses: [1], loss: 'mse' as const, optimizer: 'sgd' as const, learningRate: 0.1, batch: 4, rows: 4, data: 'd', trainable: [] };
  it('says training rather than running, and finished training at the end', () => {
    expect(describeStop({ ...session, running: true, stop: stop({ training }) })).toBe('Training mnist-mlp…');
    expect(describeStop({ ...session, running: false, stop: stop({ reason: 'end', index: 25, recorded: 26, point: 'return', training }) }))
      .toBe('Finished training — return of add (add), event 26 of 26');
  });
});
