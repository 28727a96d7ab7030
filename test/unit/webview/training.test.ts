import { describe, expect, it } from 'vitest';
import type { StopInfo, TrainingInfo } from '../../../src/protocol/engine';
import { withLoss } from '../../../src/protocol/webview';
import { afterLoss, atStop, describeTraining, fromSnapshot, lastLoss } from '../../../webview/training';

const info = (over: Partial<TrainingInfo> = {}): TrainingInfo => ({
  step: 3, steps: 20, losses: [0.5, 0.0123], loss: 'mse', optimizer: 'sgd', learningRate: 0.1, batch: 4, rows: 4,
  data: 'the examples of untrained.json', trainable: ['w', 'b'], ...over,
});
const stop = (training?: TrainingInfo, over: Partial<StopInfo> = {}): StopInfo => ({
  reason: 'step', index: 0, point: 'call', finished: false, recorded: 1, generation: 2,
  stack: [{ id: 1, itemId: 'step', name: 'step 3', kind: 'module', type: 'training step', depth: 0 }], training, ...over,
});

describe('the training status line', () => {
  it('reads as the brief has it', () => {
    expect(describeTraining(atStop('s', stop(info()))!)).toBe('Training · step 3 of 20 · loss 0.0123 · sgd, lr 0.1 · batch 4 of 4');
  });

  it('has no loss before the first step finished, nor settings before the first stop', () => {
    expect(describeTraining(atStop('s', stop(info({ step: 1, losses: [], optimizer: 'adam', learningRate: 0.001, batch: 2, rows: 8 })))!))
      .toBe('Training · step 1 of 20 · adam, lr 0.001 · batch 2 of 8');
    expect(describeTraining(afterLoss(undefined, 's', 1, 30, 2.5))).toBe('Training · step 2 of 30 · loss 2.5');
  });

  it('writes NaN and Inf losses by name', () => {
    expect(describeTraining(afterLoss(undefined, 's', 1, 2, 'NaN'))).toContain('loss NaN');
    expect(describeTraining(afterLoss(undefined, 's', 1, 2, 'Infinity'))).toContain('loss Inf');
  });
});

describe('the losses a panel holds', () => {
  it('are a stop\'s, replaced by the next stop\'s (a new step has a new generation; a restart starts over)', () => {
    const a = atStop('s', stop(info()))!;
    expect(a.losses).toEqual([0.5, 0.0123]);
    const restarted = atStop('s', stop(info({ step: 1, losses: [] })))!;
    expect(restarted.losses).toEqual([]);
    expect(atStop('s', stop(undefined))).toBeUndefined();
  });

  it('grow with live losses, keeping the settings, the run in the next step', () => {
    let s = atStop('s', stop(info({ step: 1, steps: 3, losses: [] })));
    s = afterLoss(s, 's', 1, 3, 4);
    s = afterLoss(s, 's', 2, 3, 1);
    expect(s.losses).toEqual([4, 1]);
    expect(s.step).toBe(3);
    expect(s.info?.optimizer).toBe('sgd');
    s = afterLoss(s, 's', 3, 3, 0.25);
    expect(s.step).toBe(3);
    expect(lastLoss(s)).toBe(0.25);
  });

  it('keep points that arrive after the stop that counted them, and leave a missed step as NaN', () => {
    let s = atStop('s', stop(info({ step: 3, losses: [4, 2] })));
    s = afterLoss(s, 's', 2, 20, 2);
    expect(s.losses).toEqual([4, 2]);
    s = afterLoss(s, 's', 5, 20, 0.5);
    expect(s.losses).toEqual([4, 2, NaN, NaN, 0.5]);
  });

  it('start over for another session', () => {
    const s = afterLoss(atStop('a', stop(info())), 'b', 1, 5, 3);
    expect(s.losses).toEqual([3]);
    expect(s.info).toBeUndefined();
  });

  it('read NaN that JSON turned into null', () => {
    const s = atStop('s', stop(info({ losses: [1, null as unknown as number] })))!;
    expect(s.losses).toEqual([1, NaN]);
  });

  it('come back from a snapshot with the live losses since the last stop', () => {
    const s = fromSnapshot('s', stop(info({ step: 2, steps: 10, losses: [3] })), [3, 2, 1])!;
    expect(s.losses).toEqual([3, 2, 1]);
    expect(s.step).toBe(4);
    expect(s.info?.learningRate).toBe(0.1);
    expect(fromSnapshot('s', stop(info({ step: 2, losses: [3] })), [3])!.step).toBe(2);
    expect(fromSnapshot('s', undefined, [5, 'NaN'])).toMatchObject({ losses: [5, NaN], step: 2, steps: 2 });
    expect(fromSnapshot('s', undefined, [])).toBeUndefined();
    expect(fromSnapshot('s', stop(undefined), undefined)).toBeUndefined();
  });
});

describe('withLoss', () => {
  it('sets a step\'s loss, filling skipped steps with NaN, and ignores a step that is not one', () => {
    expect(withLoss([], 1, 2)).toEqual([2]);
    expect(withLoss([2], 3, 1)).toEqual([2, NaN, 1]);
    expect(withLoss([2, 1], 1, 5)).toEqual([5, 1]);
    expect(withLoss([2], 0, 1)).toEqual([2]);
    expect(withLoss([2], 1.5, 1)).toEqual([2]);
  });
});

describe('late live losses', () => {
  it('never move the run back behind a stop that came first', () => {
    let s = atStop('s', stop(info({ step: 3000, steps: 3000, losses: Array.from({ length: 3000 }, (_, i) => 1 / (i + 1)) })));
    s = afterLoss(s, 's', 507, 3000, 1 / 507);
    expect(s.step).toBe(3000);
    expect(s.losses).toHaveLength(3000);
    expect(describeTraining(s)).toMatch(/^Training · step 3000 of 3000 · loss 0.0003333 /);
  });
});
