import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { describe, expect, it } from 'vitest';
import { DapDriver, REPO } from './dapDriver';

const MLP = 'test/fixtures/dap/mlp.json';
const MLP_PATH = join(REPO, MLP);
type Stopped = DebugProtocol.StoppedEvent['body'];

async function stopsOf(d: DapDriver, moves: number): Promise<string[]> {
  const out: string[] = [];
  let stop = await d.nextStop();
  for (let i = 0; ; i++) {
    const b = stop.body as Stopped;
    out.push(stop.event === 'terminated' ? 'terminated' : `${b.reason}: ${b.description}`);
    if (i === moves || stop.event === 'terminated' || b.description === 'Forward pass finished') return out;
    stop = (await d.move('continue')).event;
  }
}

describe('line breakpoints', () => {
  it('moves a breakpoint inside a layer to the layer\'s first line and refuses one outside any layer', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: MLP }, { breakpoints: { [MLP_PATH]: [{ line: 12 }, { line: 29 }] } });
    const [inside, outside] = c.breakpoints[MLP_PATH].body.breakpoints;
    expect(inside).toMatchObject({ verified: true, line: 8, message: "bound to layer 'hidden'" });
    expect(inside.source?.path).toBe(MLP_PATH);
    expect(outside.verified).toBe(false);
    expect(outside.message).toBe(`line 29 is not inside a layer of ${MLP_PATH}`);
  });

  it('refuses breakpoints in a file that is not the model', async () => {
    const d = new DapDriver();
    const other = join(REPO, 'test/fixtures/dap/nan.json');
    const c = await d.launch({ model: MLP }, { breakpoints: { [other]: [{ line: 8 }] } });
    expect(c.breakpoints[other].body.breakpoints).toEqual([{ verified: false, line: 8, message: 'Not the model file of this Layerstep session.' }]);
    expect(await stopsOf(d, 5)).toEqual(['step: Forward pass finished']);
  });

  it('offers the first lines of layers as breakpoint locations', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true });
    const r = await d.request<DebugProtocol.BreakpointLocationsResponse>('breakpointLocations', { source: { path: MLP_PATH }, line: 1, endLine: 40 });
    // Not line 1: the model's own range is the whole file, and a breakpoint never binds to the model itself.
    expect(r.body.breakpoints).toEqual([{ line: 8 }, { line: 18 }]);
    const none = await d.request<DebugProtocol.BreakpointLocationsResponse>('breakpointLocations', { source: { path: MLP_PATH }, line: 9, endLine: 17 });
    expect(none.body.breakpoints).toEqual([]);
  });

  it('skips a breakpoint whose condition is false, and stops where it is true', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP }, {
      breakpoints: { [MLP_PATH]: [{ line: 9, condition: 'output.max() > 100' }, { line: 19, condition: 'output.max() > 0' }] },
    });
    expect(await stopsOf(d, 5)).toEqual(['breakpoint: Paused on breakpoint at line 18 (out)', 'step: Forward pass finished']);
  });

  it('leaves a breakpoint with a condition or hit count it cannot read unverified, saying why', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: MLP }, {
      breakpoints: { [MLP_PATH]: [{ line: 9, condition: 'output.max( > 1' }, { line: 19, hitCondition: 'often' }] },
    });
    const [cond, hit] = c.breakpoints[MLP_PATH].body.breakpoints;
    expect(cond.verified).toBe(false);
    expect(cond.message).toMatch(/^condition 'output\.max\( > 1': column \d+: /);
    expect(hit.verified).toBe(false);
    expect(hit.message).toBe("hit condition 'often' is not one of: 5, == 5, >= 5, > 5, <= 5, < 5, % 5");
  });

  it('replaces the whole set when VS Code sends breakpoints again during the session', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true }, { breakpoints: { [MLP_PATH]: [{ line: 9 }] } });
    const r = await d.request<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: MLP_PATH }, breakpoints: [{ line: 20 }] });
    expect(r.body.breakpoints.map((b) => b.line)).toEqual([18]);
    expect(await stopsOf(d, 5)).toEqual(['entry: Paused on entry', 'breakpoint: Paused on breakpoint at line 18 (out)', 'step: Forward pass finished']);
  });

  it('writes a logpoint\'s message to the Debug Console each time and never stops there', async () => {
    const e = new DapDriver();
    await e.launch({ model: MLP }, { breakpoints: { [MLP_PATH]: [{ line: 10, logMessage: '{name} max={output.max()}' }, { line: 20, logMessage: '{name} got {input.shape}' }] } });
    expect(await stopsOf(e, 5)).toEqual(['step: Forward pass finished']);
    expect(e.events<DebugProtocol.OutputEvent>('output').map((o) => [o.body.category, o.body.output])).toEqual([
      ['console', 'hidden max=2.15\n'], ['console', 'out got [1, 3]\n'],
    ]);
  });
});

describe('function breakpoints', () => {
  it('match layer and op names by glob and count hits', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: MLP }, { functionBreakpoints: [{ name: '*/relu' }, { name: 'add', hitCondition: '% 2' }] });
    expect(c.functionBreakpoints?.body.breakpoints.map((b) => [b.verified, b.message])).toEqual([
      [true, 'matches 1 layer or op'], [true, 'matches 2 layers and ops'],
    ]);
    const names: string[] = [];
    let stop = await d.nextStop();
    while ((stop.body as Stopped).description !== 'Forward pass finished') {
      names.push((await d.stackTrace()).map((f) => f.name).join(' < '));
      stop = (await d.move('continue')).event;
    }
    expect(names).toEqual(['relu < hidden (dense) < mlp (model)', 'add < out (dense) < mlp (model)']);
  });
});

describe('exception filters', () => {
  it('do not stop at a NaN when the filter is off', async () => {
    const d = new DapDriver();
    await d.launch({ model: 'test/fixtures/dap/nan.json' }, { exceptionFilters: ['engineError'] });
    expect(await stopsOf(d, 5)).toEqual(['step: Forward pass finished']);
  });

  it('end the session with the error on stderr when an op fails and the engine-error filter is off', async () => {
    const d = new DapDriver();
    await d.launch({ model: 'test/fixtures/dap/bad-ids.json' }, { exceptionFilters: [] });
    expect(await stopsOf(d, 5)).toEqual(['terminated']);
    const [err] = d.events<DebugProtocol.OutputEvent>('output');
    expect(err.body.category).toBe('stderr');
    expect(err.body.output).toMatch(/^bad-ids\.json line 7: layer 'embed', op gather \(embed\/gather\): index 9 .* out of range/);
  });

  it('ignore filters the adapter does not offer', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: 'test/fixtures/dap/nan.json' }, { exceptionFilters: ['uncaught', 'nanOrInf'] });
    expect(c.launch.success).toBe(true);
    const stop = (await d.nextStop()).body as Stopped;
    expect(stop.reason).toBe('exception');
    const info = await d.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 1 });
    expect(info.body).toEqual({
      exceptionId: 'NaN or Inf',
      description: "op log (logx/log) produced NaN×1 in 'logx/log:0' from finite inputs",
      breakMode: 'always',
    });
  });
});
