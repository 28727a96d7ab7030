import { describe, expect, it } from 'vitest';
import { formatNumber, tensorStats } from '../../../src/engine/stats';
import { Runner } from '../../../src/runner/runner';
import type { RunnerInit } from '../../../src/runner/runner';
import { countingOps } from '../../fixtures/runner/ops';
import { mlp, nested } from '../../fixtures/runner/models';
import type { Fixture } from '../../fixtures/runner/models';

function start(f: Fixture = mlp(), options: RunnerInit = {}): Runner {
  return new Runner(f.model, f.inputs, { ops: countingOps().ops, ...options });
}

const at = (r: Runner): string => `${r.position.point} ${r.position.frame.item.id}`;

describe('line breakpoints', () => {
  it('bind to the innermost layer or op whose lines hold the line, reporting its first line', () => {
    const r = start();
    const st = r.setLineBreakpoints([{ line: 6 }, { line: 8 }, { line: 15 }, { line: 2 }, { line: 40 }]);
    expect(st.map((s) => [s.verified, s.line, s.message])).toEqual([
      [true, 5, "bound to layer 'hidden'"],
      [true, 8, "bound to op 'relu'"],
      [true, 13, "bound to layer 'out'"],
      [false, undefined, 'line 2 is not inside a layer of /fixtures/mlp/model.json'],
      [false, undefined, 'line 40 is not inside a layer of /fixtures/mlp/model.json'],
    ]);
    expect(new Set(st.map((s) => s.id)).size).toBe(5);
  });

  it('bind through nesting to the deepest distinct range', () => {
    const r = start(nested());
    const st = r.setLineBreakpoints([{ line: 4 }, { line: 7 }, { line: 14 }, { line: 22 }]);
    expect(st.map((s) => s.message)).toEqual(["bound to layer 'block'", "bound to layer 'lin'", "bound to op 'skip'", "bound to layer 'head'"]);
  });

  it('stop continue at the call of their layer, and again on replay', async () => {
    const r = start();
    const [bp] = r.setLineBreakpoints([{ line: 14 }]);
    const stop = await r.continue();
    expect(stop.reason).toBe('breakpoint');
    expect(stop.breakpointIds).toEqual([bp.id]);
    expect(stop.description).toBe('breakpoint at line 13 (out)');
    expect(at(r)).toBe('call out');
    expect((await r.continue()).reason).toBe('end');
    await r.restartFrame(1);
    expect(at(await r.continue().then(() => r))).toBe('call out');
  });

  it('stop steps that pass over them, and reverse continue', async () => {
    const r = start();
    r.setLineBreakpoints([{ line: 8 }]);
    await r.stepIn();
    const over = await r.stepOver();
    expect(over.reason).toBe('breakpoint');
    expect(at(r)).toBe('call hidden/relu');
    await r.continue();
    const back = await r.reverseContinue();
    expect(back.reason).toBe('breakpoint');
    expect(at(r)).toBe('call hidden/relu');
  });

  it('are replaced as a whole set', async () => {
    const r = start();
    r.setLineBreakpoints([{ line: 6 }]);
    r.setLineBreakpoints([{ line: 14 }]);
    await r.continue();
    expect(at(r)).toBe('call out');
    r.setLineBreakpoints([]);
    expect((await r.continue()).reason).toBe('end');
  });
});

describe('name breakpoints', () => {
  it('match names and ids with globs', async () => {
    const r = start();
    const st = r.setNameBreakpoints([{ name: 'add' }, { name: 'dense_[0-9]' }]);
    expect(st.map((s) => [s.verified, s.message])).toEqual([
      [true, 'matches 2 layers and ops'],
      [false, "no layer or op named 'dense_[0-9]'"],
    ]);
    const stop = await r.continue();
    expect(stop.reason).toBe('function breakpoint');
    expect(stop.description).toBe("function breakpoint 'add'");
    expect(at(r)).toBe('call hidden/add');
    r.setNameBreakpoints([{ name: 'out/*' }]);
    await r.continue();
    expect(at(r)).toBe('call out/matmul');
  });

  it('check conditions in the frame: at the call, or at the return when they read the output', async () => {
    const r = start();
    r.setNameBreakpoints([{ name: 'matmul', condition: 'input.shape[1] == 3' }]);
    await r.continue();
    expect(at(r)).toBe('call out/matmul');
    const r2 = start();
    r2.setNameBreakpoints([{ name: 'relu', condition: 'output.min() >= 0' }]);
    await r2.continue();
    expect(at(r2)).toBe('return hidden/relu');
    const r3 = start();
    r3.setNameBreakpoints([{ name: '*', condition: 'output.max() > 1000' }]);
    expect((await r3.continue()).reason).toBe('end');
  });

  it('count hits where the condition held', async () => {
    const r = start();
    // Calls passed: hidden, hidden/matmul, hidden/add, hidden/relu (the root's call is where it starts).
    r.setNameBreakpoints([{ name: '*', hitCondition: '4' }]);
    await r.continue();
    expect(at(r)).toBe('call hidden/relu');
    const r2 = start();
    r2.setNameBreakpoints([{ name: 'matmul', hitCondition: '% 2' }]);
    await r2.continue();
    expect(at(r2)).toBe('call out/matmul');
    const r3 = start();
    r3.setNameBreakpoints([{ name: '*', condition: "type == 'add'", hitCondition: '>= 2' }]);
    await r3.continue();
    expect(at(r3)).toBe('call out/add');
  });

  it('log messages instead of stopping, evaluated in the frame', async () => {
    const out: string[] = [];
    const r = start(mlp(), { onOutput: (text) => out.push(text) });
    r.setNameBreakpoints([{ name: '*/matmul', logMessage: '{name}: {output.std()} {nope}' }]);
    expect((await r.continue()).reason).toBe('end');
    const std = (n: string) => formatNumber(tensorStats(r.value(n)).std);
    expect(out).toEqual([
      `matmul: ${std('hidden/matmul:0')} <column 1: unknown name 'nope'; known here: input, output, inputs, outputs, weights, attrs, name, type, id, x>`,
      `matmul: ${std('out/matmul:0')} <column 1: unknown name 'nope'; known here: input, output, inputs, outputs, weights, attrs, name, type, id>`,
    ]);
  });

  it('reject malformed conditions, hit conditions and messages at set time', () => {
    const r = start();
    const st = r.setNameBreakpoints([
      { name: 'add', condition: 'output.max() >' },
      { name: 'add', hitCondition: 'sometimes' },
      { name: 'add', logMessage: '{output.max(}' },
    ]);
    expect(st.map((s) => s.verified)).toEqual([false, false, false]);
    expect(st[0].message).toBe("condition 'output.max() >': column 15: unexpected end of expression");
    expect(st[1].message).toMatch(/hit condition 'sometimes' is not one of/);
    expect(st[2].message).toMatch(/^log message '\{output.max\(\}': column 13: /);
  });

  it('stop with an explanation when a condition fails to evaluate', async () => {
    const r = start();
    r.setNameBreakpoints([{ name: 'hidden', condition: 'input.max() > missing' }]);
    const stop = await r.continue();
    expect(stop.reason).toBe('function breakpoint');
    expect(stop.description).toMatch(/^function breakpoint 'hidden': its condition failed: column 15: unknown name 'missing'/);
  });

  it('report line and name breakpoints hit at the same event together', async () => {
    const r = start();
    const [l] = r.setLineBreakpoints([{ line: 6 }]);
    const [n] = r.setNameBreakpoints([{ name: 'hid*' }]);
    const stop = await r.continue();
    expect(stop.reason).toBe('breakpoint');
    expect(stop.breakpointIds).toEqual([l.id, n.id]);
  });
});
