import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { Recorder } from '../../../src/runner/recorder';
import { Runner } from '../../../src/runner/runner';
import { formatEvent } from '../../../src/runner/trace';
import { countingOps } from '../../fixtures/runner/ops';
import { chain } from '../../fixtures/runner/models';

/** In the chain fixture every value of layer i holds i (identity) or i + 1 (add) in each element. */
const expected = (name: string): number => {
  const [layer, op] = name.split('/');
  const i = Number(layer.slice(1));
  return op === 'add:0' ? i + 1 : i;
};

describe('memory budget', () => {
  it('keeps every statistic but only as many values as the budget allows', async () => {
    const f = chain(20, 1000); // every value is 4000 bytes
    const ops = countingOps();
    const r = new Runner(f.model, f.inputs, { ops: ops.ops, memoryBudgetBytes: 5 * 4000 });
    await r.continue();
    const rec = r.recorded();
    expect(rec.map((v) => v.name)).toEqual(Array.from({ length: 20 }, (_, i) => [`l${i}/id:0`, `l${i}/add:0`]).flat());
    expect(rec.every((v) => v.stats.size === 1000)).toBe(true);
    rec.forEach((v) => expect(v.stats.mean, v.name).toBe(expected(v.name)));
    const kept = rec.filter((v) => v.kept).map((v) => v.name);
    expect(kept.length).toBeLessThanOrEqual(5);
    // The model's output is needed to the end: it is the last thing evicted.
    expect(kept).toContain('l19/add:0');
  });

  it('evicts values no later node reads before values still needed', () => {
    const lastUse: Record<string, number> = { a: 5, b: 1, c: 5 };
    const rec = new Recorder(2 * 400, (n) => lastUse[n] ?? -1);
    rec.record('a', Tensor.zeros([100]), 0, 1);
    rec.record('b', Tensor.zeros([100]), 1, 3);
    rec.record('c', Tensor.zeros([100]), 2, 5);
    expect(['a', 'b', 'c'].map((n) => rec.entry(n)?.tensor !== undefined)).toEqual([true, false, true]);
    rec.record('d', Tensor.zeros([100]), 3, 7);
    expect(['a', 'b', 'c', 'd'].map((n) => rec.entry(n)?.tensor !== undefined)).toEqual([false, false, true, true]);
    expect(rec.bytesKept).toBe(800);
  });

  it('recomputes an evicted value from its producer, recursively, with the same result', async () => {
    const f = chain(30, 64);
    const ops = countingOps();
    const r = new Runner(f.model, f.inputs, { ops: ops.ops, memoryBudgetBytes: 0 });
    await r.continue();
    expect(r.recorded().filter((v) => v.kept).length).toBe(1);
    const before = ops.total();
    const v = r.value('l12/add:0');
    expect(v.toArray().every((x) => x === 13)).toBe(true);
    expect(ops.total() - before).toBe(26);
    expect(r.outputs().get('l29/add:0')?.toArray().every((x) => x === 30)).toBe(true);
    expect(r.evaluate("value('l3/id:0').mean()")).toBe(3);
  });

  it('runs a model through with a tiny budget, recomputing inputs the next node needs', async () => {
    const f = chain(10, 64);
    const r = new Runner(f.model, f.inputs, { ops: countingOps().ops, memoryBudgetBytes: 1 });
    expect((await r.continue()).reason).toBe('end');
    expect(r.outputs().get('l9/add:0')?.toArray().every((x) => x === 10)).toBe(true);
  });

  it('summarises evicted values from their statistics without recomputing', async () => {
    const f = chain(4, 64);
    const ops = countingOps();
    const r = new Runner(f.model, f.inputs, { ops: ops.ops, memoryBudgetBytes: 0 });
    await r.continue();
    const n = ops.total();
    expect(r.summary('l0/add:0')).toBe('float32[1,64] μ=1 σ=0 [1, 1]');
    await r.goto(5);
    expect(formatEvent(r, r.position)).toBe('    ← add [add] l0/add:0=float32[1,64] μ=1 σ=0 [1, 1]');
    expect(ops.total()).toBe(n);
  });
});
