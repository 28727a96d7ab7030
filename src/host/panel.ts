import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LOSS_EVENT } from '../debug/session';
import { toWireError } from '../service/wireError';
import type {
  Colormap, GraphSectionState, GridParams, HostEvent, HostToWebview, SessionView, ShownWeight, Snapshot, TensorSource, WebviewToHost,
} from '../protocol/webview';
import { COLORMAPS, encodeNumber, MAX_DRAWN_VALUES, sameTimeline, WEBVIEW_PROTOCOL_VERSION, withLoss } from '../protocol/webview';
import type { OutlineNode, ScopesInfo, StopInfo } from '../protocol/engine';
import type { TensorRole } from '../protocol/tensorLayout';
import { firstGrid } from '../protocol/tensorLayout';
import { PANEL_VIEW_TYPE, Settings } from './ids';
import { TEST_HOOKS } from './testHooks';
import type { Engines } from './engines';
import { makeNonce, panelHtml } from './panelHtml';
import type { PanelHandlers } from './panelRequests';
import { describeWeight, panelHandlers, TensorReaders } from './panelRequests';
import type { RenderTimings } from './renderTimings';
import { describeTimings, RenderClock } from './renderTimings';
import type { SessionState, SessionTracker } from './sessions';

/**
 * Where the last render timings live: on `globalThis` under a registered symbol, so the extension's bundle
 * and the e2e suite's bundle (which has its own copy of this module) read the same value.
 */
const TIMINGS_KEY = Symbol.for('layerstep.panel.lastRenderTimings');
type TimingsHolder = { [TIMINGS_KEY]?: RenderTimings };

let output: vscode.OutputChannel | undefined;
/** The "Layerstep" output channel, created on first use. */
function log(line: string): void {
  output ??= vscode.window.createOutputChannel('Layerstep');
  output.appendLine(`[panel] ${line}`);
}

/**
 * The Layerstep panel: one webview that follows the active Layerstep session (the forward pass as a stack
 * over time, the selected frame's tensors) and shows weights outside a session. It is created once and reused
 * by every session; the webview stays alive while hidden, and whenever it loads (VS Code may still reload it)
 * it asks for a {@link Snapshot} and rebuilds itself from it.
 */
export class LayerstepPanel implements vscode.Disposable {
  private static instance?: LayerstepPanel;

  /** The last drawn stop's timings (see {@link RenderTimings}), for the e2e test. */
  static get lastRenderTimings(): RenderTimings | undefined {
    return (globalThis as TimingsHolder)[TIMINGS_KEY];
  }

  private static set lastRenderTimings(t: RenderTimings | undefined) {
    (globalThis as TimingsHolder)[TIMINGS_KEY] = t;
  }

  /** Creates the panel, or reveals it without taking focus. */
  static show(extensionUri: vscode.Uri, tracker: SessionTracker, engines: Engines): LayerstepPanel {
    if (LayerstepPanel.instance) {
      LayerstepPanel.instance.panel.reveal(undefined, true);
      return LayerstepPanel.instance;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE, 'Layerstep',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        // Kept alive while hidden (behind another editor), so showing it again or starting the next session
        // reuses the drawn panel instead of loading the webview anew.
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
      },
    );
    LayerstepPanel.instance = new LayerstepPanel(panel, extensionUri, tracker, engines);
    return LayerstepPanel.instance;
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly readers: TensorReaders;
  private readonly handlers: PanelHandlers;
  private readonly clock = new RenderClock(() => performance.now());
  /** The webview has asked for its snapshot and can take events (false while loading or hidden). */
  private ready = false;
  private weight?: ShownWeight;
  /** How the webview left its Graph section (open, height), given back in the next snapshot. */
  private graphSection?: GraphSectionState;
  /** Stops sent so far (a later one makes an earlier one still being prepared stale). */
  private stopSeq = 0;
  /** How often the webview has loaded (it keeps nothing across a reload). */
  private loads = 0;
  /**
   * What the webview has been sent of which session and timeline generation since it loaded: timeline events,
   * and weights' grids. An edit changes the generation (the timeline is made again, and weights may differ), and
   * then everything is sent again from event 0.
   */
  private sent: { sessionId?: string; generation?: number; timeline: number; weights: Set<string> } = { timeline: 0, weights: new Set() };
  /** The followed session's compared run, once asked for: `label` is absent while asking and when there is none. */
  private counterpart?: { readonly sessionId: string; readonly label?: string };
  /**
   * The loss curve of the followed session's training run: the last stop's `training.losses`, then the losses of
   * the steps finished since (the `layerstep/loss` events), for the snapshot of a webview that loads meanwhile.
   */
  private losses?: { readonly sessionId: string; values: number[] };
  /** What was last forwarded of the tracker's state, to tell a new stop from a new session. */
  private seen?: { id: string; stop?: SessionState['stop']; running: boolean; hasOutline: boolean };

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly tracker: SessionTracker,
    engines: Engines,
  ) {
    this.readers = new TensorReaders(tracker, engines);
    this.handlers = panelHandlers({
      tracker, engines, snapshot: () => this.snapshot(), closeWeight: () => (this.weight = undefined),
      keepGraphSection: (state) => (this.graphSection = state),
    }, this.readers);
    const webview = panel.webview;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'layerstep.svg');
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString(),
      nonce: makeNonce((n) => randomBytes(n)),
    });
    this.follow(tracker.current);
    this.disposables.push(
      webview.onDidReceiveMessage((m: WebviewToHost) => void this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      tracker.onDidChange((s) => this.follow(s)),
      // CALL STACK → panel: a frame selected there is shown here (panel → CALL STACK goes through `goto`).
      vscode.debug.onDidChangeActiveStackItem((item) => {
        const id = tracker.current?.session.id;
        if (item instanceof vscode.DebugStackFrame && item.session.id === id) this.post({ type: 'frameFocused', sessionId: id, frameId: item.frameId });
      }),
      // Train N Steps runs on without stopping: each finished step's loss comes as a custom DAP event.
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.event === LOSS_EVENT) this.lossMeasured(e.session.id, e.body as { step: number; steps: number; loss: number | null });
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${Settings.section}.${Settings.colormap}`) || e.affectsConfiguration(`${Settings.section}.${Settings.sharedColorScale}`)) {
          this.post({ type: 'settingsChanged', colormap: colormap(), sharedColorScale: sharedColorScale() });
        }
      }),
    );
  }

  /**
   * Shows a weight of the model at `modelPath` (the sidebar's): from the followed session when it runs that
   * model, else from the model loaded outside a session.
   */
  showWeight(name: string, role: string, modelPath: string | undefined, root?: OutlineNode): void {
    const cur = this.tracker.current;
    const inSession = cur && (!modelPath || (cur.modelPath !== undefined && samePath(cur.modelPath, modelPath)));
    if (!inSession && !modelPath) return;
    const source: TensorSource = inSession ? { kind: 'session', sessionId: cur.session.id } : { kind: 'model', path: modelPath! };
    describeWeight(this.readers, source, name, role, inSession ? cur.outline?.root : root).then(
      (w) => {
        this.weight = w;
        this.post({ type: 'weightShown', weight: w });
      },
      (e: unknown) => {
        const error = toWireError(e);
        log(`could not show weight '${name}': ${error.message}`);
        this.post({ type: 'weightFailed', name, error });
      },
    );
  }

  dispose(): void {
    if (LayerstepPanel.instance === this) LayerstepPanel.instance = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private snapshot(): Snapshot {
    const cur = this.tracker.current;
    return {
      protocolVersion: WEBVIEW_PROTOCOL_VERSION,
      colormap: colormap(),
      sharedColorScale: sharedColorScale(),
      session: cur && {
        ...this.sessionView(cur), stop: cur.stop, running: cur.running,
        ...(this.losses?.sessionId === cur.session.id ? { losses: this.losses.values.map(encodeNumber) } : {}),
      },
      weight: this.weight,
      ...(this.graphSection ? { graph: this.graphSection } : {}),
    };
  }

  /** Turns the tracker's state changes into past-tense events for the webview. */
  private follow(state: SessionState | undefined): void {
    const prev = this.seen;
    if (!state) {
      this.seen = undefined;
      this.losses = undefined;
      if (!prev) return;
      this.clock.ended();
      if (this.weight?.ref.source.kind === 'session') this.weight = undefined;
      this.post({ type: 'sessionEnded', sessionId: prev.id });
      return;
    }
    const id = state.session.id;
    this.seen = { id, stop: state.stop, running: state.running, hasOutline: !!state.outline };
    if (!prev || prev.id !== id || (!prev.hasOutline && state.outline)) {
      if (!prev || prev.id !== id) {
        this.clock.sessionStarted(id, !state.stop);
        this.sent = { sessionId: id, timeline: 0, weights: new Set() };
      }
      this.post({ type: 'sessionStarted', session: this.sessionView(state) });
      if (state.outline) this.askCounterpart(id);
    }
    if (state.stop && state.stop !== prev?.stop) {
      // A stop knows every step its run has finished: it replaces the curve (a restarted run starts it over).
      this.losses = state.stop.training ? { sessionId: id, values: [...state.stop.training.losses] } : undefined;
      this.clock.stopped(id, state.stop.index);
      void this.postStop(id, state.stop);
    } else if (state.running && !(prev?.id === id && prev.running)) {
      this.post({ type: 'continued', sessionId: id });
    }
  }

  /** A training step of a session finished: the followed session's loss goes to the curve as it comes. */
  private lossMeasured(sessionId: string, body: { step: number; steps: number; loss: number | null } | undefined): void {
    if (!body || sessionId !== this.tracker.current?.session.id) return;
    const loss = typeof body.loss === 'number' ? body.loss : NaN;
    const held = this.losses?.sessionId === sessionId ? this.losses.values : [];
    this.losses = { sessionId, values: withLoss(held, body.step, loss) };
    this.post({ type: 'trainingLoss', sessionId, step: body.step, steps: body.steps, loss: encodeNumber(loss) });
  }

  private sessionView(s: SessionState): SessionView {
    const label = this.counterpart?.sessionId === s.session.id ? this.counterpart.label : undefined;
    return { ...sessionView(s), ...(label !== undefined ? { counterpart: label } : {}) };
  }

  /**
   * Asks once per session what its run is compared with (known once the run is open), and describes the
   * session again when it is compared, so the panel can name the counterpart in its divergence lines.
   */
  private askCounterpart(sessionId: string): void {
    if (this.counterpart?.sessionId === sessionId) return;
    this.counterpart = { sessionId };
    const client = this.tracker.get(sessionId)?.client;
    client?.request('counterpart', {}).then(
      (info) => {
        if (!info || this.counterpart?.sessionId !== sessionId) return;
        this.counterpart = { sessionId, label: info.label };
        const cur = this.tracker.current;
        if (cur?.session.id === sessionId && this.seen?.id === sessionId) this.post({ type: 'sessionStarted', session: this.sessionView(cur) });
      },
      (e: unknown) => log(`could not read what session ${sessionId} is compared with: ${toWireError(e).message}`),
    );
  }

  /**
   * Sends a stop with what the panel draws first: the timeline events it has not had yet and the top frame's
   * scopes, read from the session's engine (a worker round trip, far quicker than one to the webview). Should
   * that fail, the stop goes alone and the panel asks.
   */
  private async postStop(sessionId: string, stop: StopInfo): Promise<void> {
    const seq = ++this.stopSeq;
    const loads = this.loads;
    const client = this.tracker.get(sessionId)?.client;
    // After an edit (a new generation) the webview starts its timeline over: send it from event 0.
    const same = sameTimeline(this.sent, sessionId, stop.generation);
    const from = same ? this.sent.timeline : 0;
    const weightsHeld = same ? this.sent.weights : new Set<string>();
    const top = stop.stack[0];
    let extra: Pick<Extract<HostEvent, { type: 'stopped' }>, 'timeline' | 'scopes' | 'grids'> = {};
    let weightsSent: string[] = [];
    if (client && this.ready) {
      try {
        const [timeline, scopes] = await Promise.all([
          stop.recorded > from ? client.request('timeline', { from }) : undefined,
          top ? client.request('scopes', { frameId: top.id }) : undefined,
        ]);
        const source = { kind: 'session' as const, sessionId };
        const wanted = scopes ? gridsOf(scopes, source).filter((g) => !(g.role === 'weight' && weightsHeld.has(g.params.ref.name))) : [];
        const grids = await Promise.all(wanted.map(async (g) => ({ params: g.params, grid: await this.readers.grid(g.params) })));
        weightsSent = wanted.filter((g) => g.role === 'weight').map((g) => g.params.ref.name);
        extra = {
          ...(timeline ? { timeline: { from, events: timeline.events, frames: timeline.frames } } : {}),
          ...(scopes && top ? { scopes: { frameId: top.id, scopes } } : {}),
          ...(grids.length ? { grids } : {}),
        };
      } catch {
        // The panel asks for what it lacks.
      }
    }
    // A later stop (or another session) has been sent meanwhile: this one is no longer news.
    if (seq !== this.stopSeq || this.seen?.id !== sessionId) return;
    // The webview reloaded meanwhile: it has none of what was counted as sent, and asks for what it needs.
    if (loads !== this.loads) {
      extra = { scopes: extra.scopes };
      weightsSent = [];
    }
    if (!sameTimeline(this.sent, sessionId, stop.generation)) this.sent = { sessionId, generation: stop.generation, timeline: 0, weights: new Set() };
    if (extra.timeline) this.sent.timeline = extra.timeline.from + extra.timeline.events.length;
    for (const name of weightsSent) this.sent.weights.add(name);
    this.post({ type: 'stopped', sessionId, stop, ...extra });
  }

  private post(event: HostEvent): void {
    if (this.ready) this.send({ kind: 'event', event });
  }

  private send(m: HostToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private async receive(m: WebviewToHost): Promise<void> {
    if (m.kind === 'notification') {
      const n = m.notification;
      if (n.type === 'log') log(n.message);
      else if (n.type === 'rendered') {
        const t = this.clock.rendered(n);
        if (t) {
          if (TEST_HOOKS) LayerstepPanel.lastRenderTimings = t;
          log(describeTimings(t));
        }
      }
      return;
    }
    if (m.kind !== 'request') return;
    if (m.method === 'ready') {
      if (m.params.protocolVersion !== WEBVIEW_PROTOCOL_VERSION) {
        this.send({ kind: 'error', id: m.id, error: { kind: 'internal', message: `The panel speaks protocol ${m.params.protocolVersion}, the extension ${WEBVIEW_PROTOCOL_VERSION}: reload the window.` } });
        return;
      }
      this.ready = true;
      this.loads++;
      this.sent = { timeline: 0, weights: new Set() };
      this.clock.viewReady();
    }
    try {
      const handler = this.handlers[m.method] as (p: unknown) => Promise<unknown>;
      this.send({ kind: 'response', id: m.id, result: await handler(m.params) });
    } catch (e) {
      const error = toWireError(e);
      if (error.kind === 'internal' && error.stack) log(`${m.method} failed: ${error.stack}`);
      this.send({ kind: 'error', id: m.id, error: { kind: error.kind, message: error.message } });
    }
  }
}

function sessionView(s: SessionState): SessionView {
  return {
    id: s.session.id,
    modelName: s.outline?.name ?? s.session.name,
    format: s.outline?.format ?? '',
    labels: s.outline?.labels,
    totalEvents: s.outline?.totalEvents ?? 0,
  };
}

/** The grids the panel's views of a frame's tensors fetch: the same layout rule the webview applies. */
function gridsOf(scopes: ScopesInfo, source: TensorSource): { role: TensorRole; params: GridParams }[] {
  const out: { role: TensorRole; params: GridParams }[] = [];
  const roles = [['inputs', 'input'], ['outputs', 'output'], ['weights', 'weight']] as const;
  for (const [key, role] of roles) {
    for (const t of scopes[key]) {
      const g = firstGrid(t, role);
      if (g) out.push({ role, params: { ref: { source, name: t.name }, ...g, maxValues: MAX_DRAWN_VALUES } });
    }
  }
  return out;
}

function samePath(a: string, b: string): boolean {
  return path.normalize(a) === path.normalize(b);
}

function sharedColorScale(): boolean {
  return vscode.workspace.getConfiguration(Settings.section).get<boolean>(Settings.sharedColorScale) === true;
}

function colormap(): Colormap {
  const v = vscode.workspace.getConfiguration(Settings.section).get<string>(Settings.colormap);
  return COLORMAPS.find((c) => c === v) ?? 'diverging';
}
