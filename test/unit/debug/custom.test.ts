import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { describe, expect, it } from 'vitest';
import type { EvalResult, ModelOutline, ScopesInfo, StopInfo, TensorValues, TimelineEvent } from '../../../src/protocol/engine';
import { DapDriver, REPO } from './dapDriver';
import { toNumbers } from '../../../src/service/sampling';

const MLP = 'test/fixtures/dap/mlp.json';
type Stopped = DebugProtocol.StoppedEvent['body'];

/** A session stopped at the return of the layer 'hidden' of the MLP fixture. */
async function atHiddenReturn(): Promise<DapDriver> {
  const d = new DapDriver();
  await d.launch({ model: MLP }, { functionBreakpoints: [{ name: 'hidden', condition: 'output.min() >= 0' }] });
  await d.nextStop();
  return d;
}

describe('the custom events', () => {
  it('layerstep.opened carries the model outline and path before initialized', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true });
    const [opened] = d.events('layerstep.opened');
    const body = opened.body as { outline: ModelOutline; path: string };
    expect(body.path).toBe(join(REPO, MLP));
    expect(body.outline).toMatchObject({ name: 'mlp', format: 'layerstep/1', labels: ['no', 'yes'], examples: ['first', 'second'], params: 23 });
    expect(body.outline.root.children.map((c) => [c.name, c.type, c.params, c.source?.startLine])).toEqual([
      ['hidden', 'dense', 15, 8], ['out', 'dense', 8, 18],
    ]);
    expect(body.outline.totalEvents).toBe(2 * (1 + 2 + 6));
    expect(d.sent.indexOf(opened)).toBeLessThan(d.sent.indexOf(d.events('initialized')[0]));
  });

  it('layerstep.stopped follows every stopped event with where the runner stands', async () => {
    const d = new DapDriver();
    await d.launch({ model: MLP, stopOnEntry: true });
    await d.nextStop();
    await d.move('stepIn');
    const stops = d.events('layerstep.stopped').map((e) => e.body as StopInfo);
    expect(stops.map((s) => [s.reason, s.index, s.point, s.stack.map((f) => f.name)])).toEqual([
      ['entry', 0, 'call', ['mlp']], ['step', 1, 'call', ['hidden', 'mlp']],
    ]);
    expect(stops[1]).toMatchObject({ finished: false, recorded: 2 });
    // Each one right after its DAP stopped event.
    for (const e of d.events('layerstep.stopped')) {
      const i = d.sent.indexOf(e);
      expect((d.sent[i - 1] as DebugProtocol.Event).event).toBe('stopped');
    }
  });
});

describe('the layerstep request', () => {
  it('timeline: the events recorded so far and their frames', async () => {
    const d = await atHiddenReturn();
    const r = await d.engine<{ events: TimelineEvent[]; frames: { id: number; name: string }[] }>('timeline', { from: 0 });
    expect(r.success).toBe(true);
    expect(r.body.events.map((e) => `${e.point}:${e.frameId}`)).toEqual([
      'call:1', 'call:2', 'call:3', 'return:3', 'call:4', 'return:4', 'call:5', 'return:5', 'return:2',
    ]);
    expect(r.body.frames.map((f) => `${f.id}:${f.name}`)).toEqual(['1:mlp', '2:hidden', '3:matmul', '4:add', '5:relu']);
    const later = await d.engine<{ events: TimelineEvent[] }>('timeline', { from: 7 });
    expect(later.body.events).toHaveLength(2);
  });

  it('scopes: summaries with statistics for the panel', async () => {
    const d = await atHiddenReturn();
    const frameId = (await d.stackTrace())[0].id;
    const r = await d.engine<ScopesInfo>('scopes', { frameId });
    expect(r.body.inputs.map((t) => [t.name, t.summary])).toEqual([['x', 'float32[1,4] [1, -2, 0.5, 3]']]);
    expect(r.body.outputs[0]).toMatchObject({ name: 'hidden/relu:0', label: 'hidden/relu:0', shape: [1, 3], dtype: 'float32' });
    expect(r.body.outputs[0].stats).toMatchObject({ size: 3, min: 0, zeros: 1 / 3, nan: 0 });
    expect(r.body.weights.map((w) => [w.label, w.name])).toEqual([['kernel', 'hidden.kernel'], ['bias', 'hidden.bias']]);
    expect(r.body.attrs).toEqual({ units: '3', activation: 'relu', useBias: 'true' });
  });

  it('tensor: values from an element for a count, cut at the end', async () => {
    const d = await atHiddenReturn();
    const r = await d.engine<TensorValues>('tensor', { name: 'hidden.bias', start: 1, count: 5 });
    expect(r.body).toMatchObject({ name: 'hidden.bias', shape: [3], dtype: 'float32', start: 1 });
    // Values travel packed (base64 of the typed array), and the panel's decoder reads them back exactly.
    expect(r.body.values).toMatchObject({ dtype: 'float32' });
    expect(Array.from(toNumbers(r.body.values))).toEqual([Math.fround(-0.2), Math.fround(0.05)]);
    const unknown = await d.engine('tensor', { name: 'nothing', start: 0, count: 2 });
    expect(unknown.success).toBe(false);
    expect(unknown.message).toBe("there is no value named 'nothing'");
    await d.move('stepBack');
    await d.move('stepBack');
    const later = await d.engine('tensor', { name: 'hidden/relu:0', start: 0, count: 2 });
    expect(later.message).toBe("value 'hidden/relu:0' is produced later than the current position");
  });

  it('evaluate: a tensor result the panel can read by its name', async () => {
    const d = await atHiddenReturn();
    const r = await d.engine<EvalResult>('evaluate', { expression: 'output * 2' });
    expect(r.body.text).toBe('float32[1,3] [3.4, 0, 4.3]');
    const t = await d.engine<TensorValues>('tensor', { name: r.body.tensor!.name, start: 0, count: 3 });
    const out = await d.engine<TensorValues>('tensor', { name: 'hidden/relu:0', start: 0, count: 3 });
    expect(Array.from(toNumbers(t.body.values))).toEqual(Array.from(toNumbers(out.body.values), (v) => Math.fround(v * 2)));
    const bad = await d.engine('evaluate', { expression: 'output +' });
    expect(bad.success).toBe(false);
    expect(bad.message).toMatch(/^column \d+: /);
    expect((bad as DebugProtocol.ErrorResponse).body.error?.showUser).toBe(false);
  });

  it('goto: answers, then a stopped event follows at that event', async () => {
    const d = await atHiddenReturn();
    const r = await d.engine('goto', { index: 3 });
    expect(r.success).toBe(true);
    const stop = await d.nextStop();
    expect(d.sent.indexOf(r)).toBeLessThan(d.sent.indexOf(stop));
    // VS Code did not ask for this move: it hears `continued` first, so CALL STACK's "Paused on …" follows.
    const [continued] = d.events('continued');
    expect(continued.body).toMatchObject({ threadId: 1, allThreadsContinued: true });
    expect(d.sent.indexOf(continued)).toBeLessThan(d.sent.indexOf(stop));
    expect(stop.body as Stopped).toMatchObject({ reason: 'goto', description: 'Paused at return from matmul' });
    expect((await d.stackTrace()).map((f) => f.name)).toEqual(['matmul ↩ return', 'hidden (dense)', 'mlp (model)']);
  });

  it('step and runTo drive the session like the toolbar', async () => {
    const d = await atHiddenReturn();
    expect((await d.engine('step', { kind: 'in' })).success).toBe(true);
    expect((await d.nextStop()).body as Stopped).toMatchObject({ description: 'Paused at call of out' });
    expect((await d.engine('runTo', { name: 'out/soft*' })).success).toBe(true);
    expect((await d.nextStop()).body as Stopped).toMatchObject({ description: 'Paused at call of softmax' });
    const position = await d.engine<StopInfo>('position', {});
    expect(position.body.stack.map((f) => f.name)).toEqual(['softmax', 'out', 'mlp']);
  });

  it('a jump to an event or frame that does not exist is an error response, and the session goes on', async () => {
    const d = await atHiddenReturn();
    const bad = await d.engine('goto', { index: 300 });
    expect(bad.success).toBe(false);
    expect(bad.message).toBe('event 300 is not recorded; events 0 to 8 are');
    // VS Code heard the thread continue, so it hears it is stopped where it was, without moving the focus.
    const again = await d.nextStop();
    expect(d.sent.indexOf(d.events('continued')[0])).toBeLessThan(d.sent.indexOf(bad));
    expect(d.sent.indexOf(bad)).toBeLessThan(d.sent.indexOf(again));
    expect(again.body as Stopped).toEqual({ ...(d.events('stopped')[0].body as Stopped), preserveFocusHint: true });
    expect((again.body as Stopped).description).toBe("Paused on function breakpoint 'hidden'");
    // VS Code's own restartFrame is not announced: nothing to take back.
    const frame = await d.request('restartFrame', { frameId: 99 });
    expect(frame.success).toBe(false);
    expect(frame.message).toBe('there is no frame 99');
    expect(d.events('terminated')).toEqual([]);
    expect(d.events('continued')).toHaveLength(1);
    expect(d.events('stopped')).toHaveLength(2);
    const next = await d.move('next');
    expect(next.event.body as Stopped).toMatchObject({ description: 'Paused at call of out' });
  });

  it('refuses open and close, which belong to the session itself, and unknown requests', async () => {
    const d = await atHiddenReturn();
    for (const method of ['open', 'close']) {
      const r = await d.engine(method, {});
      expect(r.success).toBe(false);
      expect(r.message).toBe(`'${method}' is not available through the debug session.`);
    }
    expect((await d.request('nonsense', {})).success).toBe(false);
  });
});
