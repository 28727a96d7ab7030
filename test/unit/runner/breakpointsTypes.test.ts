import { describe, expect, it } from 'vitest';
import { typeMatcher } from '../../../src/runner/breakpoints';
import { Runner } from '../../../src/runner/runner';
import type { Item } from '../../../src/model/ir';
import { countingOps } from '../../fixtures/runner/ops';
import { module, node } from '../../fixtures/runner/build';
import { mlp, nested } from '../../fixtures/runner/models';
import type { Fixture } from '../../fixtures/runner/models';

function start(f: Fixture = mlp()): Runner {
  return new Runner(f.model, f.inputs, { ops: countingOps().ops });
}

const at = (r: Runner): string => `${r.position.point} ${r.position.frame.item.id}`;

async function stops(r: Runner): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const s = await r.continue();
    if (s.reason === 'end') return out;
    out.push(`${at(r)}: ${s.description}`);
  }
}

describe('type breakpoints', () => {
  it('match a type name ignoring case, its dimension suffix, a leading _ and the file\'s spelling of the op', () => {
    const conv2d = module('c', 'conv2d', [], { inputs: [], outputs: [] });
    const kerasConv = module('k', 'Conv2D', [], { inputs: [], outputs: [] });
    const op = node('c/conv', 'conv', [], []);
    const onnx = { ...node('n', 'maxPool', [], []), origin: { op: 'MaxPool' } };
    const fused = node('f', '_FusedConv2D', [], []);
    const m = (pattern: string, items: Item[]): boolean[] => items.map(typeMatcher(pattern));
    expect(m('Conv', [conv2d, kerasConv, op, onnx, fused])).toEqual([true, true, true, false, false]);
    expect(m('fusedconv2d', [fused])).toEqual([true]);
    expect(m('*conv', [fused])).toEqual([true]);
    expect(m('conv2d', [conv2d, kerasConv, op])).toEqual([true, true, false]);
    expect(m('MAXPOOL', [onnx])).toEqual([true]);
    expect(m('max*', [onnx, op])).toEqual([true, false]);
    expect(m('*pool*', [onnx])).toEqual([true]);
  });

  it('count the layers and ops they stop at, and say which types there are when none matches', () => {
    const r = start();
    const st = r.setNameBreakpoints([{ name: 'type:Dense' }, { name: 'type:relu' }, { name: 'type:MatMul' }, { name: 'type:conv*' }, { name: 'type:' }]);
    expect(st.map((s) => [s.verified, s.message])).toEqual([
      [true, "2 layers of type 'Dense'"],
      [true, "1 op of type 'relu'"],
      [true, "2 ops of type 'MatMul'"],
      [false, "no layer or op of type 'conv*' in model.json; its types are add, dense, matmul, relu"],
      [false, "'type:' needs a layer or op type after it, e.g. type:Conv or type:conv*"],
    ]);
  });

  it('stop at every call of a matching op, with hit conditions and conditions as name breakpoints have', async () => {
    const r = start();
    r.setNameBreakpoints([{ name: 'type:add' }]);
    expect(await stops(r)).toEqual([
      "call hidden/add: function breakpoint type 'add'",
      "call out/add: function breakpoint type 'add'",
    ]);
    const again = start();
    again.setNameBreakpoints([{ name: 'type:add', hitCondition: '2' }]);
    expect(await stops(again)).toEqual(["call out/add: function breakpoint type 'add'"]);
    const cond = start();
    cond.setNameBreakpoints([{ name: 'type:matmul', condition: 'output.size == 2' }]);
    expect((await stops(cond)).map((s) => s.split(':')[0])).toEqual(['return out/matmul']);
  });

  it('stop once at a layer of the type, not again at its op of the same type', async () => {
    const inner = node('act/relu', 'relu', ['x'], ['act/relu:0']);
    const act = module('act', 'relu', [inner], { inputs: ['x'], outputs: ['act/relu:0'] });
    const f = mlp();
    const root = { ...f.model.root, body: [act, ...f.model.root.body] };
    const r = new Runner({ ...f.model, root }, f.inputs, { ops: countingOps().ops });
    expect(r.setNameBreakpoints([{ name: 'type:relu' }])[0].message).toBe("1 layer and 1 op of type 'relu'");
    expect(await stops(r)).toEqual(["call act: function breakpoint type 'relu'", "call hidden/relu: function breakpoint type 'relu'"]);
  });

  it('reach inside nested blocks', async () => {
    const r = start(nested());
    expect(r.setNameBreakpoints([{ name: 'type:residual' }, { name: 'type:add' }]).map((s) => s.message)).toEqual([
      "1 layer of type 'residual'", "3 ops of type 'add'",
    ]);
    expect((await stops(r)).map((s) => s.split(':')[0])).toEqual(['call block', 'call block/lin/add', 'call block/skip', 'call head/add']);
  });
});

describe('breakpoint modes', () => {
  it('stop at the call by default and with At call, at the return with At return, saying so', async () => {
    const r = start();
    const st = r.setLineBreakpoints([{ line: 6, mode: 'return' }, { line: 14, mode: 'call' }]);
    expect(st.map((s) => s.message)).toEqual(["bound to layer 'hidden', at its return", "bound to layer 'out', at its call"]);
    expect((await r.continue()).description).toBe('breakpoint at line 5 (hidden) at its return');
    expect(at(r)).toBe('return hidden');
    expect([...r.scopes(r.position.frame.id).outputs.keys()]).toEqual(['hidden/relu:0']);
    expect(await stops(r)).toEqual(['call out: breakpoint at line 13 (out)']);
  });

  it('let At return read outputs, and refuse a condition on outputs At call', async () => {
    const r = start();
    const st = r.setLineBreakpoints([{ line: 6, mode: 'call', condition: 'output.size > 0' }, { line: 14, mode: 'return', condition: 'output.size == 2' }]);
    expect(st[0]).toMatchObject({ verified: false, message: "a breakpoint at a layer's call cannot read 'output': its condition needs the At return mode" });
    expect(st[1].verified).toBe(true);
    expect((await r.continue()).description).toBe('breakpoint at line 13 (out) at its return');
    expect([...r.scopes(r.position.frame.id).outputs.keys()]).toEqual(['out/add:0']);
  });
});
