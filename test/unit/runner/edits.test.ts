import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../../src/engine/tensor';
import { Runner } from '../../../src/runner/runner';
import { splitAssignment } from '../../../src/runner/edits';
import { chain, mlp } from '../../fixtures/runner/models';
import { countingOps } from '../../fixtures/runner/ops';

/**
 * What-if edits in the runner, each checked against an oracle: the fixture MLP computed in TensorFlow.js with the
 * same change made by hand (x[1,4] → relu(x·K1 + b1) → ·K2 + b2).
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Change {
  K1?: (k: number[]) => void;
  b2?: (b: number[]) => void;
  hidden?: (h: number[]) => void;
  x?: (x: number[]) => void;
}

function oracle(change: Change = {}): number[] {
  const f = mlp();
  const w = (n: string) => Array.from(f.model.weights.get(n)!.data as Float32Array);
  const K1 = w('hidden.kernel');
  const b2 = w('out.bias');
  const x = Array.from(f.inputs.x.data as Float32Array);
  change.K1?.(K1);
  change.b2?.(b2);
  change.x?.(x);
  const h = Array.from(tf.relu(tf.add(tf.matMul(tf.tensor2d(x, [1, 4]), tf.tensor2d(K1, [4, 3])), tf.tensor1d(w('hidden.bias')))).dataSync());
  change.hidden?.(h);
  return Array.from(tf.add(tf.matMul(tf.tensor2d(h, [1, 3]), tf.tensor2d(w('out.kernel'), [3, 2])), tf.tensor1d(b2)).dataSync());
}

const out = (r: Runner): number[] => Array.from(r.outputs().get('out/add:0')!.data as Float32Array);

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
}

async function runToIndex(r: Runner, index: number): Promise<void> {
  while (r.position.index < index) await r.stepIn();
  expect(r.position.index).toBe(index);
}

describe('assignments: parsing', () => {
  it('cuts at the assignment operator, not at comparisons or inside strings and brackets', () => {
    expect(splitAssignment('output[0, 3] = 0')).toEqual({ lhs: 'output[0, 3]', op: '=', rhs: '0' });
    expect(splitAssignment('weights.kernel *= 0.5')).toEqual({ lhs: 'weights.kernel', op: '*=', rhs: '0.5' });
    expect(splitAssignment("value('a=b') -= 1")).toEqual({ lhs: "value('a=b')", op: '-=', rhs: '1' });
    expect(splitAssignment('output.max() >= 2')).toBeUndefined();
    expect(splitAssignment('x == 1')).toBeUndefined();
    expect(splitAssignment('input = input + 0.1')).toEqual({ lhs: 'input', op: '=', rhs: 'input + 0.1' });
  });
});

describe('edits in the debugger', () => {
  it('a weight edit made at the start changes the run as the oracle edited the same way, and never the loaded model', async () => {
    const f = mlp();
    const loaded = f.model.weights.get('hidden.kernel') as Tensor;
    const before = Array.from(loaded.data);
    const r = new Runner(f.model, f.inputs);
    const { target, tensor } = r.assign("weight('hidden.kernel')[0, 1] = -3");
    expect(target).toEqual({ kind: 'weight', name: 'hidden.kernel' });
    expect(tensor.data[1]).toBe(-3);
    await r.continue();
    expectClose(out(r), oracle({ K1: (k) => { k[1] = -3; } }));
    expect(Array.from(loaded.data)).toEqual(before);
    expect(r.isEdited('hidden.kernel')).toBe(true);
    expect(r.editList()).toEqual([{ text: "weight('hidden.kernel')[0, 1] = -3", kind: 'weight', name: 'hidden.kernel' }]);
  });

  it('an activation edit at a return applies before anything reads it; continuing computes what follows anew', async () => {
    const f = mlp();
    const r = new Runner(f.model, f.inputs);
    await runToIndex(r, 7); // return hidden/relu
    r.assign('output[:, 1] = 0');
    expect(Array.from(r.value('hidden/relu:0').data)[1]).toBe(0);
    await r.continue();
    expectClose(out(r), oracle({ hidden: (h) => { h[1] = 0; } }));
  });

  it('an edit made after stepping back drops the values recorded after the position', async () => {
    const f = mlp();
    const ops = countingOps();
    const r = new Runner(f.model, f.inputs, { ops: ops.ops });
    await r.continue();
    const plain = out(r);
    expectClose(plain, oracle());
    await r.goto(8); // return hidden
    const ran = ops.total();
    r.assign('output *= 2');
    expect(ops.total()).toBe(ran); // nothing computed until a value is read
    expect(r.timeline()).toHaveLength(9);
    expect(r.finished).toBe(false);
    expect(r.outputs().size).toBe(0);
    expect(() => r.value('out/add:0')).toThrow(/no value named 'out\/add:0'/);
    await r.continue();
    expectClose(out(r), oracle({ hidden: (h) => h.forEach((v, i) => { h[i] = 2 * v; }) }));
  });

  it('values before the position that an edit reaches are stale: recomputed when read, never shown as they were', async () => {
    const f = mlp();
    const r = new Runner(f.model, f.inputs);
    await r.continue();
    const oldSummary = r.summary('out/add:0');
    r.assign("weight('out.bias') += 1");
    expect(r.finished).toBe(true);
    expectClose(out(r), oracle({ b2: (b) => b.forEach((v, i) => { b[i] = v + 1; }) }));
    expect(r.summary('out/add:0')).not.toBe(oldSummary);
    const stats = r.recorded().find((v) => v.name === 'out/add:0')!.stats;
    expect(Number(stats.min)).toBeCloseTo(Math.min(...oracle({ b2: (b) => b.forEach((v, i) => { b[i] = v + 1; }) })), 3);
  });

  it('Restart Frame re-runs a frame an edit reached, and Revert restores the run as loaded', async () => {
    const f = mlp();
    const ops = countingOps();
    const r = new Runner(f.model, f.inputs, { ops: ops.ops });
    await r.continue();
    const plain = out(r);
    r.assign("weight('hidden.kernel') *= 0.5");
    const stop = await r.restartFrame(6); // out's call
    expect(stop.position.index).toBe(9);
    expect(r.timeline()).toHaveLength(10);
    await r.continue();
    expectClose(out(r), oracle({ K1: (k) => k.forEach((v, i) => { k[i] = v * 0.5; }) }));
    r.revertEdits();
    expect(r.editList()).toEqual([]);
    expectClose(out(r), plain);
  });

  it('Restart Frame only rewinds when no edit reached what follows', async () => {
    const f = mlp();
    const ops = countingOps();
    const r = new Runner(f.model, f.inputs, { ops: ops.ops });
    await r.continue();
    const ran = ops.total();
    await r.restartFrame(6);
    expect(r.timeline()).toHaveLength(16);
    await r.continue();
    expect(ops.total()).toBe(ran);
  });

  it('an input edit (input = input + 0.1) is an edit of the model input', async () => {
    const f = mlp();
    const r = new Runner(f.model, f.inputs);
    await r.stepIn(); // call hidden
    expect(r.assign('input = input + 0.1').target).toEqual({ kind: 'input', name: 'x' });
    await r.continue();
    expectClose(out(r), oracle({ x: (x) => x.forEach((v, i) => { x[i] = v + 0.1; }) }));
  });

  it.each([
    ['output[0, 9] = 0', /index 9 is out of range for axis 1 of size 3/],
    ['output = value(\'x\')', /shape \[1, 4\] does not broadcast to the \[1, 3\] elements/],
    ["value('nope') = 0", /no value named 'nope'/],
    ["weight('nope') *= 2", /no weight named 'nope'/],
    ['output.max() = 1', /left side of an assignment must name a value or a weight/],
    ['output = [1]', /./],
  ])('%s cannot apply: one sentence, nothing changed', async (text, message) => {
    const f = mlp();
    const r = new Runner(f.model, f.inputs);
    await runToIndex(r, 8); // return hidden
    const before = r.summary('hidden/relu:0');
    expect(() => r.assign(text)).toThrow(message);
    expect(r.editList()).toEqual([]);
    expect(r.summary('hidden/relu:0')).toBe(before);
    expect(r.timeline()).toHaveLength(9);
  });
});

describe('edits given to the runner (layerstep run --set)', () => {
  it('applies weight edits before the run and value edits when the value is produced', async () => {
    const f = mlp();
    const r = new Runner(f.model, f.inputs, { edits: ["weight('hidden.kernel')[2, 0] = 1.5", "value('hidden/relu:0') *= 2"] });
    await r.continue();
    expectClose(out(r), oracle({ K1: (k) => { k[6] = 1.5; }, hidden: (h) => h.forEach((v, i) => { h[i] = 2 * v; }) }));
  });

  it('names a value or weight the model does not have in one sentence', () => {
    const f = mlp();
    expect(() => new Runner(f.model, f.inputs, { edits: ["value('hidden/nope:0') = 0"] })).toThrow(/^--set value\('hidden\/nope:0'\) = 0: model.json has no value named 'hidden\/nope:0'/);
    expect(() => new Runner(f.model, f.inputs, { edits: ["weight('k') = 0"] })).toThrow(/no weight named 'k'/);
    expect(() => new Runner(f.model, f.inputs, { edits: ["weight('hidden.bias')[7] = 0"] })).toThrow(/index 7 is out of range for axis 0 of size 3/);
  });
});

describe('edits on a deep model', () => {
  it('recomputes a chain of stale values far deeper than the call stack', async () => {
    const f = chain(6000, 2);
    const r = new Runner(f.model, f.inputs);
    await r.continue();
    const [name, before] = [...r.outputs()][0];
    expect(Array.from(before.data)).toEqual([6000, 6000]);
    // Every one of the 6,000 adds reads `one`: all of them are stale, and the output needs each.
    r.assign("weight('one') *= 2");
    expect(Array.from(r.outputs().get(name)!.data)).toEqual([12000, 12000]);
  });
});
