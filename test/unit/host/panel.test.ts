import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrameInfo, ScopesInfo, StopInfo, TensorGrid, TimelineEvent } from '../../../src/protocol/engine';
import type { HostEvent, HostToWebview, WebviewToHost } from '../../../src/protocol/webview';
import { WEBVIEW_PROTOCOL_VERSION } from '../../../src/protocol/webview';

/**
 * The panel's host side (src/host/panel.ts) with VS Code replaced by a few fakes: what it sends the webview at
 * each stop, from which timeline event, after an edit made the timeline again; the `assign` request; and the
 * compared run's label.
 */

const fake = vi.hoisted(() => {
  type Listener<T> = (v: T) => void;
  const emitter = <T>() => {
    const listeners = new Set<Listener<T>>();
    return {
      event: (l: Listener<T>) => {
        listeners.add(l);
        return { dispose: () => listeners.delete(l) };
      },
      fire: (v: T) => listeners.forEach((l) => l(v)),
    };
  };
  const posted: unknown[] = [];
  const fromWebview = emitter<unknown>();
  const uri = (s: string) => ({ toString: () => s, fsPath: s, path: s });
  const panel = {
    webview: {
      cspSource: 'vscode-resource:',
      html: '',
      asWebviewUri: (u: unknown) => u,
      onDidReceiveMessage: fromWebview.event,
      postMessage: async (m: unknown) => {
        posted.push(m);
        return true;
      },
    },
    iconPath: undefined as unknown,
    reveal: () => undefined,
    onDidDispose: () => ({ dispose: () => undefined }),
    dispose: () => undefined,
  };
  const none = () => ({ dispose: () => undefined });
  const customEvent = emitter<{ session: { id: string }; event: string; body: unknown }>();
  const vscode = {
    ViewColumn: { Beside: -2 },
    Uri: { joinPath: (base: { toString(): string }, ...parts: string[]) => uri([base.toString(), ...parts].join('/')), file: uri },
    window: { createWebviewPanel: () => panel, createOutputChannel: () => ({ appendLine: () => undefined }) },
    debug: { onDidChangeActiveStackItem: none, onDidReceiveDebugSessionCustomEvent: customEvent.event },
    workspace: { onDidChangeConfiguration: none, getConfiguration: () => ({ get: () => undefined }) },
    DebugStackFrame: class {},
  };
  return { vscode, posted, fromWebview, emitter, uri, customEvent };
});

vi.mock('vscode', () => fake.vscode);

const { LayerstepPanel } = await import('../../../src/host/panel');

const SID = 'session-1';
const frame = (id: number, name: string, depth: number, parentId?: number): FrameInfo =>
  ({ id, itemId: name, name, kind: 'module', type: 'dense', depth, parentId });

/** model > [a, b] with frame ids that differ from pass to pass, as the runner's are. */
function pass(base: number): { events: TimelineEvent[]; frames: FrameInfo[] } {
  const [m, a, b] = [base, base + 1, base + 2];
  return {
    events: [
      { point: 'call', frameId: m }, { point: 'call', frameId: a }, { point: 'return', frameId: a },
      { point: 'call', frameId: b }, { point: 'return', frameId: b }, { point: 'return', frameId: m },
    ],
    frames: [frame(m, 'model', 0), frame(a, 'a', 1, m), frame(b, 'b', 1, m)],
  };
}

const summary = (name: string, shape: number[]) =>
  ({ name, label: name, dtype: 'float32' as const, shape, stats: {} as ScopesInfo['inputs'][number]['stats'], summary: name });

/** The engine of one run: its recording so far, answering what the panel's host asks. */
class FakeRun {
  rec = pass(1);
  recorded = 0;
  requests: { method: string; params: unknown }[] = [];
  counterpart: { label: string; kind: 'input'; tolerance: { atol: number; rtol: number } } | null = null;

  client = {
    request: async (method: string, params: Record<string, unknown>): Promise<unknown> => {
      this.requests.push({ method, params });
      switch (method) {
        case 'timeline': {
          const events = this.rec.events.slice(params.from as number, this.recorded);
          const ids = new Set(events.map((e) => e.frameId));
          return { events, frames: this.rec.frames.filter((f) => ids.has(f.id)) };
        }
        case 'scopes':
          return { inputs: [], outputs: [], weights: [summary('a.kernel', [3, 4])], attrs: {} } satisfies ScopesInfo;
        case 'grid':
          return { outRows: 3, outCols: 4, rowIndex: new Int32Array(3), colIndex: new Int32Array(4), values: new Float64Array(12), exact: true, substituted: 0 } satisfies TensorGrid;
        case 'counterpart':
          return this.counterpart;
        default:
          throw new Error(`unexpected engine request ${method}`);
      }
    },
    onEvent: () => ({ dispose: () => undefined }),
    dispose: () => undefined,
  };

  stopAt(index: number, recorded: number, generation: number): StopInfo {
    this.recorded = recorded;
    const ev = this.rec.events[index];
    return {
      reason: 'step', index, point: ev.point, finished: false, recorded, generation,
      stack: [this.rec.frames.find((f) => f.id === ev.frameId)!],
    };
  }
}

function setup() {
  const run = new FakeRun();
  const customRequest = vi.fn<(command: string, args: unknown) => Promise<unknown>>();
  const session = { id: SID, name: 'mlp', customRequest };
  const changed = fake.emitter<unknown>();
  const outline = { name: 'mlp', format: 'onnx', totalEvents: 6 };
  const tracker = {
    current: undefined as undefined | { session: typeof session; outline: typeof outline; stop?: StopInfo; running: boolean },
    onDidChange: changed.event,
    get: (id: string) => (id === SID ? { session, client: run.client } : undefined),
    request: (method: string, params: Record<string, unknown>) => run.client.request(method, params),
  };
  const panel = LayerstepPanel.show(fake.uri('/ext') as never, tracker as never, {} as never);
  const set = (stop: StopInfo | undefined, running = false) => {
    tracker.current = { session, outline, stop, running };
    changed.fire(tracker.current);
  };
  return { run, tracker, panel, set, customRequest };
}

let ids = 100;
async function request(method: string, params: unknown): Promise<HostToWebview> {
  const id = ids++;
  fake.fromWebview.fire({ kind: 'request', id, method, params } as WebviewToHost);
  let answer: HostToWebview | undefined;
  await vi.waitFor(() => {
    answer = (fake.posted as HostToWebview[]).find((m) => (m.kind === 'response' || m.kind === 'error') && m.id === id);
    expect(answer).toBeDefined();
  });
  return answer!;
}

const events = (type: HostEvent['type']) => (fake.posted as HostToWebview[])
  .flatMap((m) => (m.kind === 'event' && m.event.type === type ? [m.event] : []));
const stops = () => events('stopped') as Extract<HostEvent, { type: 'stopped' }>[];

async function nextStop(n: number) {
  await vi.waitFor(() => expect(stops()).toHaveLength(n));
  return stops()[n - 1];
}

let current: ReturnType<typeof setup> | undefined;

beforeEach(() => {
  fake.posted.length = 0;
});

afterEach(() => {
  current?.panel.dispose();
  current = undefined;
});

describe('the panel host after an edit', () => {
  it('sends the timeline from event 0 when the generation changes, and weights again', async () => {
    current = setup();
    const { run, set } = current;
    await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    set(undefined, true);

    set(run.stopAt(2, 3, 0));
    let s = await nextStop(1);
    expect(s.timeline).toMatchObject({ from: 0 });
    expect(s.timeline?.events).toHaveLength(3);
    expect(s.grids?.map((g) => g.params.ref.name)).toEqual(['a.kernel']);

    set(run.stopAt(4, 5, 0));
    s = await nextStop(2);
    expect(s.timeline?.from).toBe(3);
    expect(s.timeline?.events).toHaveLength(2);
    // The weight's grid went with the first stop; the webview keeps it.
    expect(s.grids).toBeUndefined();

    // An edit at event 2 made the pass again up to there, with new frames: 3 events, generation 1.
    run.rec = pass(11);
    set(run.stopAt(2, 3, 1));
    s = await nextStop(3);
    expect(s.stop.generation).toBe(1);
    expect(s.timeline).toMatchObject({ from: 0 });
    expect(s.timeline?.events.map((e) => e.frameId)).toEqual([11, 12, 12]);
    expect(s.timeline?.frames.map((f) => f.id)).toEqual([11, 12]);
    // The edit may have changed the weight: its values go again.
    expect(s.grids?.map((g) => g.params.ref.name)).toEqual(['a.kernel']);

    // Stepping on in the new pass goes on from there.
    set(run.stopAt(4, 5, 1));
    s = await nextStop(4);
    expect(s.timeline?.from).toBe(3);
    expect(s.timeline?.events.map((e) => e.frameId)).toEqual([13, 13]);
  });
});

describe('the assign request', () => {
  it('goes through the debug session as an engine request, and answers with the edited tensor', async () => {
    current = setup();
    const { run, set, customRequest } = current;
    await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    set(run.stopAt(2, 3, 0));
    customRequest.mockResolvedValue({ text: 'float32[1,3] μ=0 σ=0 [0, 0]', tensor: {}, stop: {} });
    const r = await request('assign', { sessionId: SID, frameId: 2, expression: 'output[:, 1] = 0' });
    expect(customRequest).toHaveBeenCalledWith('layerstep', { method: 'assign', params: { expression: 'output[:, 1] = 0', frameId: 2 } });
    expect(r).toMatchObject({ kind: 'response', result: { text: 'float32[1,3] μ=0 σ=0 [0, 0]' } });
  });

  it('answers a refused edit with its sentence, and refuses while the session runs or for another session', async () => {
    current = setup();
    const { run, set, customRequest } = current;
    await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    set(run.stopAt(2, 3, 0));
    customRequest.mockRejectedValue(new Error("index 9 is out of range for axis 1 of size 3 (shape [1, 3])."));
    expect(await request('assign', { sessionId: SID, frameId: 2, expression: 'output[:, 9] = 0' }))
      .toMatchObject({ kind: 'error', error: { kind: 'expression', message: 'index 9 is out of range for axis 1 of size 3 (shape [1, 3]).' } });
    expect(await request('assign', { sessionId: 'other', frameId: 2, expression: 'output[:, 0] = 0' }))
      .toMatchObject({ kind: 'error', error: { message: 'That Layerstep session has ended.' } });
    set(run.stopAt(2, 3, 0), true);
    expect(await request('assign', { sessionId: SID, frameId: 2, expression: 'output[:, 0] = 0' }))
      .toMatchObject({ kind: 'error', error: { message: expect.stringMatching(/running/) } });
    expect(customRequest).toHaveBeenCalledTimes(1);
  });
});

describe('a compared run', () => {
  it('is described again with what it is compared with, and the snapshot names it', async () => {
    current = setup();
    const { run, set } = current;
    run.counterpart = { label: 'input b.json', kind: 'input', tolerance: { atol: 1e-4, rtol: 1e-3 } };
    await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    set(undefined, true);
    await vi.waitFor(() => expect(events('sessionStarted').map((e) => (e as Extract<HostEvent, { type: 'sessionStarted' }>).session.counterpart)).toContain('input b.json'));
    expect(run.requests.filter((r) => r.method === 'counterpart')).toHaveLength(1);
    const snap = await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    expect(snap).toMatchObject({ kind: 'response', result: { session: { counterpart: 'input b.json' } } });
  });

  it('is not named for a run compared with nothing', async () => {
    current = setup();
    const { run, set } = current;
    await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    set(undefined, true);
    await vi.waitFor(() => expect(run.requests.some((r) => r.method === 'counterpart')).toBe(true));
    set(run.stopAt(2, 3, 0));
    await nextStop(1);
    expect(events('sessionStarted').every((e) => (e as Extract<HostEvent, { type: 'sessionStarted' }>).session.counterpart === undefined)).toBe(true);
  });
});

describe('a training run', () => {
  const training = (step: number, losses: number[]) => ({
    step, steps: 5, losses, loss: 'mse' as const, optimizer: 'sgd' as const, learningRate: 0.1, batch: 4, rows: 4, data: 'examples', trainable: ['w'],
  });
  const loss = (sessionId: string, step: number, value: number) =>
    fake.customEvent.fire({ session: { id: sessionId }, event: 'layerstep/loss', body: { step, steps: 5, loss: value } });

  it('forwards the followed session\'s losses to the webview as they come, and keeps them for a snapshot', async () => {
    current = setup();
    const { run, set } = current;
    await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    set({ ...run.stopAt(2, 3, 0), training: training(1, []) });
    await nextStop(1);
    set(undefined, true);
    loss(SID, 1, 0.5);
    loss('another session', 1, 9);
    loss(SID, 2, NaN);
    fake.customEvent.fire({ session: { id: SID }, event: 'something else', body: {} });
    expect(events('trainingLoss')).toEqual([
      { type: 'trainingLoss', sessionId: SID, step: 1, steps: 5, loss: 0.5 },
      { type: 'trainingLoss', sessionId: SID, step: 2, steps: 5, loss: 'NaN' },
    ]);
    const snap = await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    expect(snap).toMatchObject({ kind: 'response', result: { session: { losses: [0.5, 'NaN'] } } });
  });

  it('takes a stop\'s losses as the curve (a restarted run starts over)', async () => {
    current = setup();
    const { run, set } = current;
    await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    set({ ...run.stopAt(2, 3, 0), training: training(3, [4, 2]) });
    await nextStop(1);
    loss(SID, 3, 1);
    let snap = await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    expect(snap).toMatchObject({ kind: 'response', result: { session: { losses: [4, 2, 1] } } });
    set({ ...run.stopAt(2, 3, 1), training: training(1, []) });
    snap = await request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION });
    expect(snap).toMatchObject({ kind: 'response', result: { session: { losses: [] } } });
  });
});
