import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { describe, expect, it } from 'vitest';
import { countText, typeCounts } from '../../../src/debug/opTypes';
import { DapDriver, REPO } from './dapDriver';

const MLP = 'test/fixtures/dap/mlp.json';
const MLP_PATH = join(REPO, MLP);
const RESIDUAL = 'test/fixtures/dap/residual.json';
type Stopped = DebugProtocol.StoppedEvent['body'];

const described = (e: DebugProtocol.Event): string => (e.event === 'terminated' ? 'terminated' : `${(e.body as Stopped).reason}: ${(e.body as Stopped).description}`);

async function top(d: DapDriver): Promise<string> {
  return (await d.stackTrace())[0].name;
}

describe('debugger conveniences: capabilities', () => {
  it('offer goto targets, step-in targets, completions and the At call / At return modes of line breakpoints', async () => {
    const d = new DapDriver();
    const caps = (await d.initialize()).body!;
    expect(caps).toMatchObject({ supportsGotoTargetsRequest: true, supportsStepInTargetsRequest: true, supportsCompletionsRequest: true });
    expect(caps.completionTriggerCharacters).toContain('.');
    expect(caps.breakpointModes?.map((m) => [m.mode, m.label, m.appliesTo])).toEqual([['call', 'At call', ['source']], ['return', 'At return', ['source']]]);
  });
});

describe('type breakpoints through DAP', () => {
  it('verify `type:X` with how many layers and ops it matches, stop at each, and refuse an unknown type', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: RESIDUAL }, { functionBreakpoints: [{ name: 'type:Conv' }, { name: 'type:LSTM' }] });
    expect(c.functionBreakpoints?.body.breakpoints.map((b) => [b.verified, b.message])).toEqual([
      [true, "3 layers of type 'Conv'"],
      [false, "no layer or op of type 'LSTM' in residual.json; its types are add, conv, conv2d, globalAveragePool, relu, residual, sequential, squeeze"],
    ]);
    const seen: string[] = [];
    let e = await d.nextStop();
    while (e.event === 'stopped' && (e.body as Stopped).reason === 'function breakpoint') {
      seen.push(await top(d));
      e = (await d.move('continue')).event;
    }
    expect(seen).toEqual(['conv_a (conv2d)', 'conv_b (conv2d)', 'proj (conv2d)']);
    expect(described(e)).toBe('step: Forward pass finished');
  });
});

describe('breakpoint modes through DAP', () => {
  it('stop an At return breakpoint at the layer\'s return, its outputs first in VARIABLES', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: MLP }, { breakpoints: { [MLP_PATH]: [{ line: 9, mode: 'return' }] } });
    expect(c.breakpoints[MLP_PATH].body.breakpoints[0]).toMatchObject({ verified: true, line: 8, message: "bound to layer 'hidden', at its return" });
    expect(described(await d.nextStop())).toBe('breakpoint: Paused on breakpoint at line 8 (hidden) at its return');
    const [frame] = await d.stackTrace();
    expect(frame.name).toBe('hidden (dense) ↩ return');
    const scopes = await d.scopes(frame.id);
    expect(scopes[0].name).toBe('Outputs');
    expect((await d.variables(scopes[0].variablesReference)).map((v) => v.name)).toEqual(['hidden/relu:0']);
  });
});

describe('goto targets through DAP', () => {
  it('run on to a later layer\'s line, then jump back to an earlier one without running anything', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true });
    await d.nextStop();
    const later = await d.request<DebugProtocol.GotoTargetsResponse>('gotoTargets', { source: { path: MLP_PATH }, line: 20 });
    expect(later.body.targets.map((t) => [t.label, t.line])).toEqual([['Call of out (dense), not run yet', 18], ['Return from out (dense), not run yet', 18]]);
    const ran = await d.move('goto', { targetId: later.body.targets[0].id });
    expect(ran.response.success).toBe(true);
    expect(described(ran.event)).toBe('goto: Paused at call of out');
    expect(await top(d)).toBe('out (dense)');
    const earlier = await d.request<DebugProtocol.GotoTargetsResponse>('gotoTargets', { source: { path: MLP_PATH }, line: 8 });
    expect(earlier.body.targets.map((t) => t.label)).toEqual(['Call of hidden (dense)', 'Return from hidden (dense)']);
    const back = await d.move('goto', { targetId: earlier.body.targets[1].id });
    expect(described(back.event)).toBe('goto: Paused at return from hidden');
    expect(await top(d)).toBe('hidden (dense) ↩ return');
  });

  it('offer nothing off the model file or off every layer, and refuse an unknown target', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true });
    await d.nextStop();
    const none = await d.request<DebugProtocol.GotoTargetsResponse>('gotoTargets', { source: { path: MLP_PATH }, line: 3 });
    expect(none.body.targets).toEqual([]);
    const other = await d.request<DebugProtocol.GotoTargetsResponse>('gotoTargets', { source: { path: join(REPO, RESIDUAL) }, line: 13 });
    expect(other.body.targets).toEqual([]);
    const bad = await d.request('goto', { threadId: 1, targetId: 12345 });
    expect(bad.success).toBe(false);
    expect(bad.message).toBe('That jump target is gone: ask for the targets again.');
  });

  it('make Run to Cursor work: a temporary line breakpoint, continue, stop there', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true });
    await d.nextStop();
    await d.request('setBreakpoints', { source: { path: MLP_PATH }, breakpoints: [{ line: 20 }] });
    expect(described((await d.move('continue')).event)).toBe('breakpoint: Paused on breakpoint at line 18 (out)');
  });
});

describe('step-in targets through DAP', () => {
  it('offer each child call of a block at its call, marking the heads of its parallel branches, and step into the chosen one', async () => {
    const d = new DapDriver();
    await d.launch({ model: RESIDUAL }, { functionBreakpoints: [{ name: 'block' }] });
    await d.nextStop();
    const [frame] = await d.stackTrace();
    expect(frame.name).toBe('block (residual)');
    const r = await d.request<DebugProtocol.StepInTargetsResponse>('stepInTargets', { frameId: frame.id });
    expect(r.body.targets.map((t) => t.label)).toEqual(['conv_a (conv2d) · branch', 'conv_b (conv2d)', 'shortcut (sequential) · branch', 'add', 'relu']);
    const shortcut = r.body.targets[2];
    const moved = await d.move('stepIn', { targetId: shortcut.id });
    expect(moved.response.success).toBe(true);
    expect((moved.event.body as Stopped).reason).toBe('step');
    expect((await d.stackTrace()).map((f) => f.name)).toEqual(['shortcut (sequential)', 'block (residual)', 'residual (model)']);
    // A plain step in is still a step in.
    await d.move('stepIn');
    expect(await top(d)).toBe('proj (conv2d)');
  });
});

describe('completions through DAP', () => {
  it('answer names, members and weights with start and length in the client\'s columns', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP }, { breakpoints: { [MLP_PATH]: [{ line: 18 }] } });
    await d.nextStop();
    const [frame] = await d.stackTrace();
    const ask = async (text: string, column = text.length + 1) =>
      (await d.request<DebugProtocol.CompletionsResponse>('completions', { frameId: frame.id, text, column })).body.targets;
    const names = await ask('wei');
    expect(names.map((t) => t.label)).toEqual(['weights', 'weight']);
    expect(names[0]).toMatchObject({ type: 'variable', start: 1, length: 3 });
    expect(names[1]).toMatchObject({ text: 'weight(', type: 'function' });
    expect((await ask('weights.')).map((t) => [t.label, t.start, t.length])).toEqual([['kernel', 9, 0], ['bias', 9, 0]]);
    expect((await ask('input.me')).map((t) => [t.label, t.text])).toEqual([['mean()', undefined]]);
    expect((await ask("weight('out.")).map((t) => t.text)).toEqual(["out.kernel')", "out.bias')"]);
    // The cursor in the middle: only the text before it counts.
    expect((await ask('inp + 1', 4)).map((t) => t.label)).toEqual(['input', 'inputs']);
  });

  it('count columns from 0 for a client that does, and answer nothing before a stop', async () => {
    const d = new DapDriver();
    await d.request('initialize', { adapterID: 'layerstep', linesStartAt1: true, columnsStartAt1: false });
    const early = await d.request<DebugProtocol.CompletionsResponse>('completions', { text: 'in', column: 2 });
    expect(early.body.targets).toEqual([]);
  });
});

describe('the op types offered by Add Op Type Breakpoint…', () => {
  it('list the layer and op types of the model with their counts, most used first, the model itself left out', async () => {
    const d = new DapDriver();
    await d.launch({ model: RESIDUAL, stopOnEntry: true });
    await d.nextStop();
    const outline = d.session.model!.outline;
    expect(typeCounts(outline).map((c) => `${c.type}: ${countText(c)}`)).toEqual([
      'conv: 3 ops', 'conv2d: 3 layers', 'globalAveragePool: 1 layer, 1 op', 'relu: 2 ops', 'add: 1 op', 'residual: 1 layer', 'sequential: 1 layer', 'squeeze: 1 op',
    ]);
  });
});
