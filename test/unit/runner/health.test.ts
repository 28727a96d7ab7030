import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statsOf } from '../../../src/engine/stats';
import { Tensor } from '../../../src/engine/tensor';
import { createRunner, openModelFile } from '../../../src/node/localModel';
import { healthBadge } from '../../../src/protocol/healthBadge';
import { activationOf, deadUnits, frameHealth, saturation, unitAxis } from '../../../src/runner/health';
import { parseHealthThresholds } from '../../../src/runner/healthWatch';
import type { Runner } from '../../../src/runner/runner';

const known = resolve(__dirname, '../../fixtures/summary/known.json');

async function knownRunner(): Promise<Runner> {
  const model = await openModelFile(known);
  const x = model.examples[0].inputs.x;
  return createRunner(model, new Map([['x', x]]));
}

const frameNamed = (r: Runner, path: string): number => {
  for (const e of r.timeline()) {
    const f = r.frame(e.frameId)!;
    if (f.item.id === path) return f.id;
  }
  throw new Error(`no frame ${path}`);
};

describe('tensor health, pure', () => {
  it('counts a unit dead only when it is zero at every batch item and position', () => {
    // [batch 2, features 3]: feature 0 is zero everywhere, feature 1 only in the first item.
    const t = Tensor.from([2, 3], [0, 0, 1, 0, 5, 2]);
    expect(deadUnits(t, unitAxis(t.shape, false))).toEqual({ units: 3, dead: 1 / 3 });
    // NCHW [1, 2, 2, 2]: channel 1 is all zeros.
    const maps = Tensor.from([1, 2, 2, 2], [1, 0, 0, 0, 0, 0, 0, 0]);
    expect(deadUnits(maps, unitAxis(maps.shape, false))).toEqual({ units: 2, dead: 0.5 });
    // The same data read channels-last: [1, 2, 2, 2] with channels on the last axis, both see a non-zero? Channel 0 does.
    expect(deadUnits(maps, unitAxis(maps.shape, true))).toEqual({ units: 2, dead: 0.5 });
  });

  it('takes the last axis of vectors and sequences, axis 1 of NCHW maps, the last of NHWC ones', () => {
    expect(unitAxis([7], false)).toBe(0);
    expect(unitAxis([2, 5], false)).toBe(1);
    expect(unitAxis([2, 9, 5], false)).toBe(2);
    expect(unitAxis([1, 8, 4, 4], false)).toBe(1);
    expect(unitAxis([1, 4, 4, 8], true)).toBe(3);
  });

  it('measures saturation of sigmoid (below 0.01 or above 0.99) and tanh (|y| above 0.99) outputs', () => {
    const s = Tensor.from([2, 2], [0.001, 0.5, 0.999, 0.995]);
    expect(saturation(s, 1, 'sigmoid')).toEqual({ units: 2, saturated: 0.5, elements: 0.75 });
    const t = Tensor.from([1, 3], [-0.995, 0.98, 0.999]);
    expect(saturation(t, 1, 'tanh')).toEqual({ units: 3, saturated: 2 / 3, elements: 2 / 3 });
  });

  it('knows relu-like, sigmoid and tanh ops, clip only with a lower bound of 0', () => {
    expect(activationOf('relu')).toBe('relu');
    expect(activationOf('clip', { min: 0, max: 6 })).toBe('relu');
    expect(activationOf('clip', { min: -1 })).toBeUndefined();
    expect(activationOf('hardSigmoid')).toBe('sigmoid');
    expect(activationOf('tanh')).toBe('tanh');
    expect(activationOf('leakyRelu')).toBeUndefined();
  });

  it('counts NaN and Inf over every output and scales by rms against the first input', () => {
    const out = Tensor.from([1, 4], [NaN, Infinity, 2, -2]);
    const other = Tensor.from([1, 2], [NaN, 1]);
    const input = Tensor.from([1, 4], [1, -1, 1, -1]);
    const h = frameHealth([{ stats: statsOf(out) }, { stats: statsOf(other) }], statsOf(input), undefined, false);
    expect(h).toEqual({ nan: 2, inf: 1, maxAbs: 2, scale: 2 });
    expect(healthBadge(h)).toBe('⚠ NaN×2 · Inf×1');
  });

  it('reads the filters\' conditions as a percentage and a bound, and refuses others in a sentence', () => {
    expect(parseHealthThresholds({})).toEqual({ deadUnits: 0.5, magnitude: 1e4 });
    expect(parseHealthThresholds({ deadUnits: '25%', magnitude: '1e3' })).toEqual({ deadUnits: 0.25, magnitude: 1000 });
    expect(() => parseHealthThresholds({ deadUnits: 'lots' })).toThrow("the Dead units condition 'lots' must be a percentage from 0 to below 100 (e.g. 50).");
    expect(() => parseHealthThresholds({ magnitude: '-3' })).toThrow("the Activation magnitude condition '-3' must be a number above 0 (e.g. 1e4).");
  });
});

describe('tensor health of a run', () => {
  it('gives a returned frame its health, a module that of the op making its output', async () => {
    const r = await knownRunner();
    await r.continue();
    const relu = r.health(frameNamed(r, 'hidden/relu'))!;
    expect(relu).toMatchObject({ nan: 0, inf: 0, activation: 'relu', units: 4, dead: 0.5, zeros: 0.5 });
    expect(r.health(frameNamed(r, 'hidden'))).toMatchObject({ activation: 'relu', dead: 0.5 });
    expect(r.health(frameNamed(r, 'gate/sigmoid'))).toMatchObject({ activation: 'sigmoid', units: 2, saturated: 0.5 });
    // The matmul has no activation: no units are judged.
    expect(r.health(frameNamed(r, 'hidden/matmul'))).not.toHaveProperty('dead');
  });

  it('has no health for a frame not returned yet', async () => {
    const r = await knownRunner();
    await r.stepIn();
    expect(r.health(r.position.frame.id)).toBeUndefined();
  });

  it('stops with the Dead units filter at the first relu above the threshold, not below it', async () => {
    const r = await knownRunner();
    r.setExceptionFilters(['deadUnits'], undefined, parseHealthThresholds({ deadUnits: '40' }));
    const stop = await r.continue();
    expect(stop.reason).toBe('exception');
    expect(stop.exception).toEqual({ filter: 'deadUnits', message: 'op relu (hidden/relu) left 50% of its 4 units dead (above 40%)' });
    expect(`${r.position.point} ${r.position.frame.item.id}`).toBe('return hidden/relu');
    expect((await r.continue()).reason).toBe('end');

    const calm = await knownRunner();
    calm.setExceptionFilters(['deadUnits'], undefined, parseHealthThresholds({ deadUnits: '50' }));
    expect((await calm.continue()).reason).toBe('end');
  });

  it('stops with the magnitude filter where large values start, not at every op after', async () => {
    const r = await knownRunner();
    r.setExceptionFilters(['magnitude'], undefined, parseHealthThresholds({ magnitude: '7' }));
    // x is at most 6; hidden's matmul makes -15: large values start there.
    const stop = await r.continue();
    expect(stop.exception).toEqual({ filter: 'magnitude', message: 'op matmul (hidden/matmul) produced max |x| = 15, above 7, from inputs within it' });
    // Its add and relu only pass them on; gate's matmul makes 90 from relu outputs of at most 5: a new start.
    await r.continue();
    expect(`${r.position.point} ${r.position.frame.item.id}`).toBe('return gate/matmul');
    expect((await r.continue()).reason).toBe('end');
  });

  it('shows no stale health after an edit, and the new health once recomputed', async () => {
    const r = await knownRunner();
    await r.continue();
    const relu = frameNamed(r, 'hidden/relu');
    expect(r.health(relu)?.dead).toBe(0.5);
    // At the end, an edit of hidden's bias makes every value after it stale: no health is shown for them.
    r.assign('weights.bias = 100', frameNamed(r, 'hidden'));
    expect(r.health(relu)).toBeUndefined();
    // Asked for in full (the summary), the value is recomputed and judged anew.
    expect(r.health(relu, true)?.dead).toBe(0);
    expect(r.health(relu)?.dead).toBe(0);
  });
});
