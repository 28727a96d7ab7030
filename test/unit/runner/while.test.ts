import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import type { Item, Model, ModuleDef, NodeDef, Template } from '../../../src/model/ir';
import { validateModel } from '../../../src/model/validate';
import { Runner } from '../../../src/runner/runner';

/**
 * The `while` control flow (src/runner/control.ts) on hand-built models: each iteration a frame `iter k` holding
 * the condition and, while it holds, the body; values renamed per iteration; the loop bounded by maxLoopIterations.
 */

const node = (id: string, op: string, inputs: string[], outputs: string[], attrs: NodeDef['attrs'] = {}): NodeDef =>
  ({ kind: 'node', id, name: id.split('/').pop()!, op, inputs, outputs, attrs });

const mod = (id: string, type: string, inputs: string[], outputs: string[], body: Item[], extra: Partial<ModuleDef> = {}): ModuleDef =>
  ({ kind: 'module', id, name: id.split('/').pop() || id, type, inputs, outputs, weights: {}, attrs: {}, body, ...extra });

/** (i, acc) ← (0, x); while i < n: (i, acc) ← (i + 1, acc · 2 + x); y = acc, count = i. */
function doubling(): Model {
  const cond: Template = {
    params: ['c_i', 'c_acc'],
    module: mod('loop/cond', 'cond', ['c_i', 'n'], ['c_less'], [node('loop/cond/less', 'less', ['c_i', 'n'], ['c_less'])]),
  };
  const body: Template = {
    params: ['b_i', 'b_acc'],
    module: mod('loop/body', 'body', ['b_i', 'b_acc', 'x'], ['b_next', 'b_sum'], [
      node('loop/body/inc', 'add', ['b_i', 'one'], ['b_next']),
      node('loop/body/double', 'mul', ['b_acc', 'two'], ['b_twice']),
      node('loop/body/plus', 'add', ['b_twice', 'x'], ['b_sum']),
    ]),
  };
  const loop = mod('loop', 'While', ['zero', 'x', 'n'], ['count', 'y'], [], { control: { kind: 'while', initial: ['zero', 'x'], cond, body } });
  const model: Model = {
    format: 'test', name: 'doubling', file: 'doubling.json',
    inputs: [{ name: 'x', dtype: 'float32', shape: [3] }, { name: 'n', dtype: 'float32', shape: [] }],
    outputs: [{ name: 'count', dtype: 'float32', shape: [] }, { name: 'y', dtype: 'float32', shape: [3] }],
    weights: new Map([['zero', Tensor.scalar(0)], ['one', Tensor.scalar(1)], ['two', Tensor.scalar(2)]]),
    root: { ...mod('', 'model', ['x', 'n'], ['count', 'y'], [loop]), name: 'doubling' },
    examples: [],
  };
  validateModel(model);
  return model;
}

/** Plain float32 arithmetic, the loop written out. */
function reference(x: number[], n: number): { count: number; y: number[] } {
  let i = 0;
  let acc = x.map(Math.fround);
  while (i < n) {
    acc = acc.map((a, k) => Math.fround(Math.fround(a * 2) + Math.fround(x[k])));
    i += 1;
  }
  return { count: i, y: acc };
}

async function run(model: Model, x: number[], n: number, maxLoopIterations?: number): Promise<Runner> {
  const runner = new Runner(model, { x: Tensor.from([3], x, 'float32'), n: Tensor.scalar(n) }, maxLoopIterations ? { maxLoopIterations } : {});
  await runner.continue().catch(() => undefined);
  return runner;
}

/** Every module frame the run called, as `depth name (type)`, and the ids of the nodes, in call order. */
function calls(runner: Runner): { modules: string[]; nodes: string[] } {
  const modules: string[] = [];
  const nodes: string[] = [];
  for (const e of runner.timeline()) {
    if (e.point !== 'call') continue;
    const f = runner.frame(e.frameId)!;
    if (f.item.kind === 'module') modules.push(`${f.depth} ${f.item.name} (${f.item.type})`);
    else nodes.push(f.item.id);
  }
  return { modules, nodes };
}

describe('while loops', () => {
  for (const n of [0, 1, 3, 5]) {
    it(`runs ${n} iterations and returns what plain arithmetic gives`, async () => {
      const x = [0.5, -1.25, 3];
      const runner = await run(doubling(), x, n);
      expect(runner.error).toBeUndefined();
      const want = reference(x, n);
      const out = runner.outputs();
      expect(Number(out.get('count')!.data[0])).toBe(want.count);
      expect([...out.get('y')!.shape]).toEqual([3]);
      out.get('y')!.data.forEach((v, k) => expect(Math.abs(v - want.y[k])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want.y[k]))));
    });
  }

  it('makes each iteration a frame holding the condition and, while it holds, the body', async () => {
    const { modules, nodes } = calls(await run(doubling(), [1, 2, 3], 2));
    expect(modules).toEqual([
      '0 doubling (model)', '1 loop (While)',
      '2 iter 0 (WhileIteration)', '3 cond (cond)', '3 body (body)',
      '2 iter 1 (WhileIteration)', '3 cond (cond)', '3 body (body)',
      '2 iter 2 (WhileIteration)', '3 cond (cond)',
    ]);
    expect(nodes).toEqual([
      'loop/iter 0/cond/less', 'loop/iter 0/body/inc', 'loop/iter 0/body/double', 'loop/iter 0/body/plus',
      'loop/iter 1/cond/less', 'loop/iter 1/body/inc', 'loop/iter 1/body/double', 'loop/iter 1/body/plus',
      'loop/iter 2/cond/less', 'loop/output_0', 'loop/output_1',
    ]);
  });

  it('renames every value per iteration and binds each iteration to the last one\'s results', async () => {
    const runner = await run(doubling(), [1, 2, 3], 2);
    const byId = new Map<string, NodeDef>();
    for (const e of runner.timeline()) {
      const item = runner.frame(e.frameId)!.item;
      if (item.kind === 'node') byId.set(item.id, item);
    }
    expect(byId.get('loop/iter 0/cond/less')!.inputs).toEqual(['zero', 'n']);
    expect(byId.get('loop/iter 0/body/plus')!.outputs).toEqual(['loop/iter 0/b_sum']);
    expect(byId.get('loop/iter 1/cond/less')!.inputs).toEqual(['loop/iter 0/b_next', 'n']);
    expect(byId.get('loop/iter 1/body/double')!.inputs).toEqual(['loop/iter 0/b_sum', 'two']);
    expect(byId.get('loop/output_1')!.inputs).toEqual(['loop/iter 1/b_sum']);
  });

  it('stops a loop that would run past maxLoopIterations with one sentence, after that many iterations', async () => {
    const runner = await run(doubling(), [0, 0, 0], 1e9, 7);
    expect(runner.error?.message).toBe("doubling.json: While 'loop' has run 7 iterations and would run more; the most a loop may run is 7 (the layerstep.maxLoopIterations setting).");
    expect(calls(runner).modules.filter((m) => m.includes('WhileIteration'))).toHaveLength(8);
    expect(calls(runner).modules.filter((m) => m.startsWith('3 body'))).toHaveLength(7);
  });

  it('a loop the bound allows exactly runs to the end', async () => {
    const runner = await run(doubling(), [0, 0, 0], 7, 7);
    expect(runner.error).toBeUndefined();
    expect(Number(runner.outputs().get('count')!.data[0])).toBe(7);
  });

  it('refuses a condition that is not one value, with one sentence', async () => {
    const m = doubling();
    const loop = m.root.body[0] as ModuleDef;
    const c = loop.control!;
    if (c.kind !== 'while') throw new Error('not a while');
    const wide: Model = { ...m, root: { ...m.root, body: [{ ...loop, control: { ...c, cond: { ...c.cond, module: { ...c.cond.module, outputs: ['c_acc'] } } } }] } };
    const bad = await run(wide, [1, 2, 3], 1);
    expect(bad.error?.message).toBe("doubling.json: While 'loop' needs its condition 'x' to hold one value, but it has shape [3].");
  });
});
