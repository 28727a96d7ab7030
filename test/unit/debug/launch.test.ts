import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { describe, expect, it } from 'vitest';
import { DapDriver, REPO } from './dapDriver';

const MLP = 'test/fixtures/dap/mlp.json';
type Stopped = DebugProtocol.StoppedEvent['body'];

/** Commands and events in the order the session sent them, `>launch` for a response and `!stopped` for an event. */
function order(d: DapDriver): string[] {
  return d.sent.map((m) => (m.type === 'response' ? `>${(m as DebugProtocol.Response).command}` : `!${(m as DebugProtocol.Event).event}`));
}

describe('initialize', () => {
  it('announces stepping back, restarting frames, breakpoint kinds, the exception filters, hovers, exception info and progress', async () => {
    const d = new DapDriver();
    const r = await d.initialize();
    expect(r.success).toBe(true);
    expect(r.body).toMatchObject({
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsRestartFrame: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsCancelRequest: true,
      supportsTerminateRequest: true,
      supportsBreakpointLocationsRequest: true,
    });
    const filters = r.body?.exceptionBreakpointFilters ?? [];
    expect(filters.map((f) => f.filter)).toEqual(['nanOrInf', 'engineError', 'diverged', 'deadUnits', 'magnitude']);
    for (const f of filters) expect(f.label.length).toBeGreaterThan(0);
    // The Diverged filter's condition is its tolerance.
    expect(filters.find((f) => f.filter === 'diverged')?.supportsCondition).toBe(true);
  });
});

describe('launch', () => {
  it('opens the model, sends initialized, takes the configuration, answers the launch, then stops on entry', async () => {
    const d = new DapDriver();
    const c = await d.launch({ model: MLP, stopOnEntry: true }, {
      breakpoints: { [join(REPO, MLP)]: [{ line: 11 }] },
      functionBreakpoints: [{ name: 'out' }],
    });
    expect(c.launch.success).toBe(true);
    const stop = await d.nextStop();
    expect(stop.event).toBe('stopped');
    expect((stop.body as Stopped).reason).toBe('entry');
    expect((stop.body as Stopped).threadId).toBe(1);
    expect(order(d)).toEqual([
      '>initialize', '!layerstep.opened', '!initialized', '>setBreakpoints', '>setFunctionBreakpoints',
      '>setExceptionBreakpoints', '>configurationDone', '>launch', '!stopped', '!layerstep.stopped',
    ]);
    const threads = await d.request<DebugProtocol.ThreadsResponse>('threads');
    expect(threads.body.threads).toEqual([{ id: 1, name: 'forward pass: mlp' }]);
    const frames = await d.stackTrace();
    expect(frames.map((f) => f.name)).toEqual(['mlp (model)']);
  });

  it('runs to the first breakpoint without stopOnEntry', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP }, { functionBreakpoints: [{ name: 'out' }] });
    const stop = (await d.nextStop()).body as Stopped;
    expect(stop).toMatchObject({ reason: 'function breakpoint', hitBreakpointIds: [1] });
    expect((await d.stackTrace())[0].name).toBe('out (dense)');
  });

  it('runs to the end without breakpoints and stays there with the whole pass recorded', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP });
    const stop = (await d.nextStop()).body as Stopped;
    expect(stop).toMatchObject({ reason: 'step', description: 'Forward pass finished' });
    const frames = await d.stackTrace();
    expect(frames.map((f) => f.name)).toEqual(['mlp (model) ↩ return']);
    expect(d.events('terminated')).toEqual([]);
    const back = await d.move('stepBack');
    expect((await d.stackTrace())[0].name).toBe('out (dense) ↩ return');
    expect((back.event.body as Stopped).reason).toBe('step');
  });

  it('runs the input the launch names: an example by name, a tensor file, or seeded random values', async () => {
    const inputOf = async (input: string, seed?: number) => {
      const d = new DapDriver();
      await d.launch({ model: MLP, input, seed, stopOnEntry: true });
      await d.nextStop();
      return (await d.scope((await d.stackTrace())[0].id, 'Inputs'))[0].value;
    };
    expect(await inputOf('second')).toBe('float32[1,4] [-1, 0.25, 2, -0.5]');
    expect(await inputOf('test/fixtures/dap/input-second.json')).toBe('float32[1,4] [-1, 0.25, 2, -0.5]');
    const random = await inputOf('random', 7);
    expect(random).toMatch(/^float32\[1,4\] \[/);
    expect(await inputOf('random', 7)).toBe(random);
    expect(await inputOf('random', 8)).not.toBe(random);
  });

  it('sends progress for a long move and stops updating it once it has ended', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true });
    await d.nextStop();
    await d.move('stepIn');
    await d.move('next');
    // Steps run ops too (and the engine reports them), but they open no progress of their own.
    await d.move('stepIn');
    await d.move('stepIn');
    await d.move('stepIn');
    const progress = d.sent.filter((m) => m.type === 'event' && /^progress/.test((m as DebugProtocol.Event).event)) as DebugProtocol.Event[];
    expect(progress.map((e) => e.event)).toEqual(['progressStart', 'progressUpdate', 'progressEnd']);
    expect(progress[0].body).toMatchObject({ progressId: '1', cancellable: true });
    expect(progress[1].body.message).toBe('3 of 6 ops');
  });

  it('answers configurationDone before the launch and never stops before it', async () => {
    const d = new DapDriver();
    await d.initialize();
    const launched = d.request('launch', { model: MLP, stopOnEntry: true });
    await d.waitForEvent('initialized');
    await new Promise((r) => setTimeout(r, 20));
    expect(order(d)).not.toContain('>launch');
    expect(d.events('stopped')).toEqual([]);
    await d.request('configurationDone');
    expect((await launched).success).toBe(true);
    expect((await d.nextStop()).event).toBe('stopped');
  });

  it('ends with terminate and disconnect', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true });
    await d.nextStop();
    const t = await d.request('terminate', {});
    expect(t.success).toBe(true);
    expect(d.events('terminated')).toHaveLength(1);
    await d.disconnect();
    expect(order(d).slice(-1)).toEqual(['>disconnect']);
  });
});

describe('a launch that fails', () => {
  /** The failed launch response and the events after it. */
  async function failedLaunch(args: Record<string, unknown>): Promise<{ message: string; events: string[]; showUser?: boolean }> {
    const d = new DapDriver();
    const c = await d.launch(args);
    expect(c.launch.success).toBe(false);
    const events = d.sent.filter((m) => m.type === 'event').map((m) => (m as DebugProtocol.Event).event);
    const error = (c.launch as DebugProtocol.ErrorResponse).body?.error;
    return { message: (c.launch.message ?? '').split(`${REPO}/`).join(''), events, showUser: error?.showUser };
  }

  it('answers with one sentence naming a model file that is broken, and terminates', async () => {
    const r = await failedLaunch({ model: 'test/fixtures/dap/broken.json' });
    expect(r.message).toBe("broken.json line 7: layer 'second' expects an input whose last dimension is 5 (its kernel is [5, 2]) but layer 'first' gives [1, 4].");
    expect(r.events).toEqual(['terminated']);
    expect(r.showUser).toBe(true);
  });

  it('names a model file that does not exist', async () => {
    const r = await failedLaunch({ model: 'test/fixtures/dap/missing.json' });
    expect(r.message).toBe('test/fixtures/dap/missing.json: cannot read the model file (no such file).');
    expect(r.events).toEqual(['terminated']);
  });

  it('names a file that is not a model', async () => {
    const r = await failedLaunch({ model: 'package.json' });
    expect(r.message).toMatch(/^package\.json is not a Layerstep model/);
    expect(r.events).toEqual(['terminated']);
  });

  it('keeps text in braces as it is, even text that looks like a formatting variable', async () => {
    const r = await failedLaunch({ model: 'test/fixtures/dap/broken-braces.json' });
    expect(r.message).toContain("layer '{_odd}' expects an input");
    expect(r.events).toEqual(['terminated']);
  });

  it('asks for a model when the configuration has none', async () => {
    const r = await failedLaunch({});
    expect(r.message).toBe('The launch configuration has no "model": set it to a model file.');
  });

  it('names an input file of the wrong shape, an input file that does not exist, and an unknown example', async () => {
    expect((await failedLaunch({ model: MLP, input: 'test/fixtures/dap/input-wrong-shape.json' })).message)
      .toBe("test/fixtures/dap/input-wrong-shape.json: input 'x' expects shape [1, 4], got [1, 3].");
    expect((await failedLaunch({ model: MLP, input: 'test/fixtures/dap/absent.json' })).message)
      .toBe('test/fixtures/dap/absent.json: cannot read the input file (no such file).');
    expect((await failedLaunch({ model: MLP, input: 'third' })).message)
      .toBe("test/fixtures/dap/mlp.json: there is no example named 'third' (its examples: 'first', 'second').");
  });
});
