import { describe, expect, it } from 'vitest';
import { describeStop, frameLabel } from '../../../src/debug/labels';
import { inputSpecOf } from '../../../src/debug/launchArgs';
import type { FrameInfo, StopInfo } from '../../../src/protocol/engine';

const frame = (over: Partial<FrameInfo>): FrameInfo => ({ id: 1, itemId: '', name: 'mlp', kind: 'module', type: 'model', depth: 0, ...over });
const stop = (over: Partial<StopInfo>): StopInfo => ({ reason: 'step', index: 1, point: 'call', stack: [frame({ name: 'hidden', depth: 1 })], finished: false, recorded: 2, ...over });

describe('frameLabel', () => {
  it('names the model, a layer with its type, and an op with its op when they differ', () => {
    expect(frameLabel(frame({}), false)).toBe('mlp (model)');
    expect(frameLabel(frame({ name: 'hidden', type: 'dense', depth: 1 }), false)).toBe('hidden (dense)');
    expect(frameLabel(frame({ name: 'matmul', kind: 'node', type: 'matmul', depth: 2 }), false)).toBe('matmul');
    expect(frameLabel(frame({ name: 'scores', kind: 'node', type: 'matmul', depth: 2 }), true)).toBe('scores [matmul] ↩ return');
  });
});

describe('describeStop', () => {
  it('says plainly that the run is paused (where, and what a breakpoint or an exception says) or finished', () => {
    expect(describeStop(stop({}))).toBe('Paused at call of hidden');
    expect(describeStop(stop({ point: 'return' }))).toBe('Paused at return from hidden');
    expect(describeStop(stop({ reason: 'goto', point: 'return' }))).toBe('Paused at return from hidden');
    expect(describeStop(stop({ reason: 'entry' }))).toBe('Paused on entry');
    expect(describeStop(stop({ reason: 'end' }))).toBe('Forward pass finished');
    expect(describeStop(stop({ reason: 'breakpoint' }))).toBe('Paused on breakpoint at call of hidden');
    expect(describeStop(stop({ reason: 'breakpoint', description: 'breakpoint at line 8 (hidden)' }))).toBe('Paused on breakpoint at line 8 (hidden)');
    expect(describeStop(stop({ reason: 'exception', exception: { filter: 'nanOrInf', message: 'NaN in log' } }))).toBe('Paused on exception: NaN in log');
  });
});

describe('inputSpecOf', () => {
  const resolve = (p: string) => `/ws/${p}`;
  it('reads a tensor file path, random with a seed, or an example name', () => {
    expect(inputSpecOf({}, resolve)).toEqual({ kind: 'example' });
    expect(inputSpecOf({ input: '  ' }, resolve)).toEqual({ kind: 'example' });
    expect(inputSpecOf({ input: 'a seven' }, resolve)).toEqual({ kind: 'example', name: 'a seven' });
    expect(inputSpecOf({ input: 'random' }, resolve)).toEqual({ kind: 'random', seed: 0 });
    expect(inputSpecOf({ input: 'random', seed: 4 }, resolve)).toEqual({ kind: 'random', seed: 4 });
    expect(inputSpecOf({ input: 'in/x.json' }, resolve)).toEqual({ kind: 'file', path: '/ws/in/x.json' });
    expect(inputSpecOf({ input: 'x.NPY' }, resolve)).toEqual({ kind: 'file', path: '/ws/x.NPY' });
    expect(inputSpecOf({ input: 'digit.png' }, resolve)).toEqual({ kind: 'file', path: '/ws/digit.png' });
  });
});
