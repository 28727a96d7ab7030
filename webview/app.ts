import type { FrameInfo, ScopesInfo, StepKind, StopInfo, TensorSummary } from '../src/protocol/engine';
import type {
  Colormap, GridParams, HostEvent, SentGrid, SessionView, ShownWeight, Snapshot, TensorGrid, TensorSource, TimelineSlice,
} from '../src/protocol/webview';
import { assertNever, decodeNumber, gridKey, WEBVIEW_PROTOCOL_VERSION } from '../src/protocol/webview';
import type { HostClient } from './client';
import { clear, h } from './dom';
import { EditMenu } from './editMenu';
import type { EditAction, EditUnit } from './editText';
import type { BuiltFrame, FrameOptions } from './frameView';
import { buildFrame, buildWeight, frameFocus, restoreFocus } from './frameView';
import { GridCache } from './gridCache';
import { SharedScales } from './sharedScale';
import { SliceMemory } from './slicer';
import { LossView } from './lossView';
import { RunSummaryView } from './runSummary';
import { GraphSection } from './graph/graphSection';
import type { NavKey } from './stackView';
import { StackView } from './stackView';
import { describeStop } from './status';
import type { TensorRole } from '../src/protocol/tensorLayout';
import type { EditHook, ViewEnv } from './tensorView';
import type { Theme } from './theme';
import { readTheme } from './theme';
import { Timeline, timelineFor } from './timeline';
import { Toolbar } from './toolbar';
import type { TrainingState } from './training';
import { afterLoss, atStop, fromSnapshot } from './training';

type Session = SessionView & { stop?: StopInfo; running: boolean };

/** How long a redraw keeps the old frame on screen while the new one's tensors load (less flicker when stepping). */
const SWAP_AFTER_MS = 250;
/** Arrow keys select at once but move the session only when the keys rest this long. */
const NAV_GOTO_MS = 150;

/**
 * The panel: follows the session the host reports, draws the stack over time and the current frame, and
 * turns clicks and keys into requests. All state comes from the host (the `ready` snapshot, then events),
 * so a reloaded view rebuilds itself.
 */
export class App {
  private colormap: Colormap = 'diverging';
  /** Colours on one range across frames: the setting, until the panel's toggle changes it for the session. */
  private sharedColorScale = false;
  /** Sliced views' state between steps, and the shared colour ranges: both for the session followed. */
  private readonly slices = new SliceMemory();
  private readonly scales = new SharedScales();
  private session?: Session;
  private weight?: ShownWeight;
  private timeline?: Timeline;
  /** The session's training run: its losses so far, from stops and live `trainingLoss` events. */
  private training?: TrainingState;
  private theme: Theme;
  private renderSeq = 0;
  /** The frame of the current stop whose tensors are shown: the top one, or one picked in CALL STACK. */
  private shownFrameId?: number;
  private focusedFrameId?: number;
  private frame?: BuiltFrame;
  private weightView?: BuiltFrame;
  private readonly closed = new Set<string>();
  private readonly weights = new GridCache(32);
  private navTimer?: ReturnType<typeof setTimeout>;
  private width = 0;
  private resizePending = false;
  private trainingPending = false;

  private readonly toolbar: Toolbar;
  private readonly stack: StackView;
  private readonly menu = new EditMenu();
  private readonly lossView = new LossView();
  /** The Summary section: the run so far as a table (webview/runSummary.ts). */
  private readonly summary: RunSummaryView;
  /** The model's graph, synced with the stop (webview/graph/). */
  private readonly graph: GraphSection;
  private readonly stackTitle: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly weightSlot: HTMLElement;
  private readonly stackSlot: HTMLElement;
  private readonly frameSlot: HTMLElement;

  constructor(private readonly root: HTMLElement, private readonly client: HostClient) {
    this.theme = readTheme();
    this.toolbar = new Toolbar((k) => this.step(k));
    this.stack = new StackView((id, index, how) => this.pick(id, index, how), (key) => this.navigate(key), () => this.theme.palette);
    this.empty = h('div', { id: 'empty', class: 'empty' }, [
      h('p', { class: 'empty-title', text: 'Press Run or Debug on a model file' }),
      h('p', { class: 'empty-hint', text: 'The forward pass shows here as a stack of frames over time, with every frame’s inputs, outputs and weights.' }),
    ]);
    this.weightSlot = h('div', { class: 'weight-slot' });
    this.stackTitle = h('h2', { class: 'section-title', text: 'Forward pass' });
    this.stackSlot = h('div', { class: 'stack-slot' }, [this.stackTitle, this.stack.legend, this.stack.el]);
    this.frameSlot = h('div', { id: 'frame' });
    this.graph = new GraphSection(client, {
      goto: (sessionId, index) => {
        if (this.session?.id === sessionId && !this.session.running) this.goto(this.session, index);
      },
      running: () => !this.session || this.session.running,
    });
    this.summary = new RunSummaryView({
      fetch: () => this.client.request('summary', { sessionId: this.session?.id ?? '' }),
      goto: (_id, index) => {
        if (this.session && !this.session.running) this.goto(this.session, index);
      },
      export: (format) => this.exportSummary(format),
    });
    clear(root);
    root.classList.remove('loading');
    root.append(this.toolbar.el, this.empty, this.weightSlot, this.lossView.el, this.stackSlot, this.graph.el, this.summary.el, this.frameSlot, this.menu.el);
    this.update();
  }

  async start(): Promise<void> {
    this.client.onEvent((e) => this.handle(e, performance.now()));
    new ResizeObserver(() => this.resized()).observe(this.root);
    // VS Code swaps the body's theme class when the colour theme changes: read the colours again and redraw.
    new MutationObserver(() => {
      this.theme = readTheme();
      this.redraw();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    const t0 = performance.now();
    try {
      this.apply(await this.client.request('ready', { protocolVersion: WEBVIEW_PROTOCOL_VERSION }), t0);
    } catch (e) {
      this.toolbar.setStatus(`The panel could not start: ${message(e)}`);
    }
  }

  private apply(s: Snapshot, t0: number): void {
    this.colormap = s.colormap;
    this.sharedColorScale = s.sharedColorScale ?? false;
    this.weight = s.weight;
    this.session = s.session && { ...s.session };
    this.timeline = s.session && new Timeline(s.session.id, s.session.stop?.generation ?? 0);
    this.training = s.session && fromSnapshot(s.session.id, s.session.stop, s.session.losses);
    this.graph.restore(s.graph);
    this.stack.clear();
    this.renderWeight();
    this.update();
    if (this.session?.stop) void this.renderStop(t0);
    this.summary.clear();
    const stop = this.session?.stop;
    if (this.session && stop) this.summary.stopped(`${this.session.id}|${stop.generation ?? 0}|${stop.index}|${stop.recorded}`);
  }

  private handle(e: HostEvent, t0: number): void {
    switch (e.type) {
      case 'sessionStarted':
        if (this.session?.id === e.session.id) {
          // The same session, described again (its outline, or what it is compared with, arrived late): keep
          // where it stands; the frame view names the counterpart, so it is drawn again when that is new.
          const named = this.session.counterpart !== e.session.counterpart;
          this.session = { ...this.session, ...e.session };
          this.update();
          if (named && this.session.stop && !this.session.running) void this.renderStop(t0);
          break;
        }
        this.session = { ...e.session, running: true };
        this.slices.clear();
        this.scales.clear();
        this.timeline = new Timeline(e.session.id);
        this.training = undefined;
        this.renderSeq++;
        this.stack.clear();
        this.setFrame(undefined);
        this.update();
        break;
      case 'stopped':
        if (this.session?.id !== e.sessionId) return;
        this.session = { ...this.session, stop: e.stop, running: false };
        this.training = atStop(e.sessionId, e.stop);
        this.focusedFrameId = undefined;
        this.followGeneration(e.sessionId, e.stop);
        void this.renderStop(t0, e.timeline, e.scopes, e.grids);
        this.summary.stopped(`${e.sessionId}|${e.stop.generation ?? 0}|${e.stop.index}|${e.stop.recorded}`);
        break;
      case 'frameFocused': {
        const stop = this.session?.id === e.sessionId ? this.session.stop : undefined;
        if (!stop || e.frameId === this.shownFrameId || !stop.stack.some((f) => f.id === e.frameId)) return;
        this.focusedFrameId = e.frameId;
        this.stack.select(e.frameId, false);
        void this.renderStop(t0);
        break;
      }
      case 'continued':
        if (this.session?.id !== e.sessionId) return;
        this.session = { ...this.session, running: true };
        this.update();
        break;
      case 'trainingLoss':
        if (this.session?.id !== e.sessionId) return;
        this.training = afterLoss(this.training, e.sessionId, e.step, e.steps, e.loss);
        this.drawTrainingSoon();
        break;
      case 'sessionEnded':
        if (this.session?.id !== e.sessionId) return;
        this.session = undefined;
        this.timeline = undefined;
        this.training = undefined;
        this.renderSeq++;
        if (this.weight?.ref.source.kind === 'session') this.closeWeight();
        this.summary.clear();
        this.stack.clear();
        this.setFrame(undefined);
        this.update();
        break;
      case 'weightShown':
        this.weight = e.weight;
        this.renderWeight();
        this.update();
        break;
      case 'weightFailed':
        this.toolbar.setStatus(`Could not show weight '${e.name}': ${e.error.message}`);
        break;
      case 'settingsChanged':
        this.colormap = e.colormap;
        if (e.sharedColorScale !== undefined) this.sharedColorScale = e.sharedColorScale;
        this.redraw();
        break;
      default:
        assertNever(e, 'host event');
    }
  }

  /**
   * Brings the panel to the session's stop: timeline, stack, then the frame's tensors; reports the time it took.
   * The timeline events and the top frame's scopes the host sent with the stop are used as they are; what is
   * missing is asked for.
   */
  private async renderStop(
    t0: number, sent?: TimelineSlice, sentScopes?: { frameId: number; scopes: ScopesInfo }, sentGrids?: readonly SentGrid[],
  ): Promise<void> {
    const seq = ++this.renderSeq;
    const s = this.session;
    const stop = s?.stop;
    const timeline = this.timeline;
    if (!s || !stop || !timeline) return;
    this.update();
    const stale = () => seq !== this.renderSeq;
    try {
      // The timeline and the frame's scopes are independent: ask for both at once (each is a round trip
      // through the debug adapter).
      const frame = stop.stack.find((f) => f.id === this.focusedFrameId) ?? stop.stack[0];
      this.shownFrameId = frame?.id;
      const scopesAsked = frame && (sentScopes?.frameId === frame.id
        ? Promise.resolve(sentScopes.scopes)
        : this.client.request('scopes', { sessionId: s.id, frameId: frame.id }));
      scopesAsked?.catch(() => undefined);
      if (sent && sent.from <= timeline.length) timeline.add(sent);
      if (stop.recorded > timeline.length) {
        timeline.add(await this.client.request('timeline', { sessionId: s.id, from: timeline.length }));
        if (stale()) return;
      }
      const t1 = performance.now();
      this.drawStack();
      this.graph.show({ sessionId: s.id, stop, timeline, shownFrameId: frame?.id });
      if (!frame || !scopesAsked) return;
      const scopes = await scopesAsked;
      if (stale()) return;
      const t2 = performance.now();
      const source: TensorSource = { kind: 'session', sessionId: s.id };
      const ahead = new Map((sentScopes?.frameId === frame.id ? sentGrids ?? [] : []).map((g) => [gridKey(g.params), g.grid]));
      const opts: FrameOptions = {
        onToggleBreakpoint: () => this.toggleBreakpoint(s, frame),
        edits: { format: s.format, open: (t, unit, index, at, text) => this.openEdit(s, frame, t, unit, index, at, text) },
        counterpart: s.counterpart,
      };
      const built = buildFrame(frame, stop, scopes, (role) => this.env(source, role, ahead), this.closed, opts);
      const loads = Promise.all(built.views.map((v) => v.load(this.contentWidth())));
      await Promise.race([loads, delay(SWAP_AFTER_MS)]);
      if (stale()) return;
      const focus = frameFocus(this.frame);
      this.setFrame(built);
      await loads;
      if (stale()) return;
      // The focus was in the frame drawn before (after an edit, on the picture edited): put it back, unless the
      // user has moved it on meanwhile.
      if (focus && (document.activeElement === document.body || document.activeElement === null)) restoreFocus(built, focus);
      const t3 = performance.now();
      await nextPaint();
      if (stale()) return;
      const t4 = performance.now();
      document.body.dataset.renderedIndex = String(stop.index);
      this.client.notify({
        type: 'rendered', sessionId: s.id, index: stop.index, webviewMs: t4 - t0,
        phases: { timeline: t1 - t0, scopes: t2 - t1, tensors: t3 - t2, draw: t4 - t3 },
      });
    } catch (e) {
      if (!stale()) this.toolbar.setStatus(`Could not show this stop: ${message(e)}`);
    }
  }

  /**
   * An edit made the timeline again (a new generation): what is kept of the old one no longer holds. The
   * timeline starts over from event 0 (the host sends it so), the strip is cleared, and weights' values are
   * read again (an edit may have changed them), the shown weight's too.
   */
  private followGeneration(sessionId: string, stop: StopInfo): void {
    const t = timelineFor(this.timeline, sessionId, stop.generation);
    if (t === this.timeline) return;
    this.timeline = t;
    this.renderSeq++;
    this.stack.clear();
    this.weights.clear();
    if (this.weight?.ref.source.kind === 'session') this.renderWeight();
  }

  /**
   * Draws the loss curve and its status line at the next frame: quick steps send their losses faster than the
   * curve is worth drawing, so the events of one frame make one drawing.
   */
  private drawTrainingSoon(): void {
    if (this.trainingPending) return;
    this.trainingPending = true;
    requestAnimationFrame(() => {
      this.trainingPending = false;
      this.lossView.render(this.session ? this.training : undefined, this.contentWidth());
    });
  }

  private drawStack(): void {
    const s = this.session;
    if (!s || !this.timeline) return;
    const stop = s.stop;
    this.stack.render(this.timeline, s.totalEvents, this.stack.el.clientWidth || this.contentWidth(),
      stop && { index: stop.index, stack: stop.stack.map((f) => f.id) });
    if (this.focusedFrameId !== undefined) this.stack.select(this.focusedFrameId, false);
  }

  private renderWeight(): void {
    clear(this.weightSlot);
    this.weightView = undefined;
    if (!this.weight) return;
    const built = buildWeight(this.weight, this.env(this.weight.ref.source, 'weight'), () => {
      this.closeWeight();
      this.update();
      void this.client.request('closeWeight', {}).catch(() => undefined);
    });
    this.weightView = built;
    this.weightSlot.append(built.el);
    void Promise.all(built.views.map((v) => v.load(this.contentWidth())));
  }

  private closeWeight(): void {
    this.weight = undefined;
    this.weightView = undefined;
    clear(this.weightSlot);
  }

  private setFrame(built: BuiltFrame | undefined): void {
    // The menu was about a tensor of the frame going away.
    if (this.menu.isOpen) this.menu.close(false);
    this.frame = built;
    clear(this.frameSlot);
    if (built) this.frameSlot.append(built.el);
  }

  /** Shows or hides the parts for the current state and sets the buttons and the status line. */
  private update(): void {
    const s = this.session;
    this.empty.hidden = !!s || !!this.weight;
    this.stackSlot.hidden = !s;
    this.summary.el.hidden = !s;
    this.frameSlot.hidden = !s;
    this.graph.setSession(s?.id);
    this.graph.el.hidden = !s;
    const stop = s?.stop;
    const training = s ? this.training : undefined;
    this.lossView.render(training, this.contentWidth());
    this.stackTitle.textContent = training ? 'Training step' : 'Forward pass';
    this.toolbar.update({
      session: !!s,
      running: !!s?.running,
      finished: !!stop && stop.finished && stop.index >= stop.recorded - 1,
      atStart: !!stop && stop.index === 0,
    });
    this.toolbar.setStatus(describeStop(s));
  }

  private step(kind: StepKind): void {
    const s = this.session;
    if (!s || s.running) return;
    this.client.request('step', { sessionId: s.id, kind }).catch((e) => this.toolbar.setStatus(`Could not step: ${message(e)}`));
  }

  /** A click or Enter on a frame: move the session there, so VS Code's CALL STACK follows. */
  private pick(id: number, index: number, how: 'click' | 'key'): void {
    const s = this.session;
    if (!s || s.running || !Number.isInteger(index)) return;
    this.stack.select(id, how === 'key');
    this.goto(s, index);
  }

  private navigate(key: NavKey): void {
    const s = this.session;
    const t = this.timeline;
    if (!s || !t) return;
    const from = this.stack.selectedId ?? s.stop?.stack[0]?.id;
    const next = from === undefined ? t.order[0] : t.neighbour(from, key);
    if (next === undefined) return;
    this.stack.select(next, true);
    clearTimeout(this.navTimer);
    this.navTimer = setTimeout(() => {
      const index = t.target(next);
      if (index !== undefined && this.session === s && !s.running) this.goto(s, index);
    }, NAV_GOTO_MS);
  }

  /** The button by the frame's title: a breakpoint on the frame's module or op, set or cleared in VS Code. */
  private toggleBreakpoint(s: Session, frame: FrameInfo): void {
    this.client.request('toggleBreakpoint', { sessionId: s.id, itemId: frame.itemId, name: frame.name, line: frame.source?.startLine }).then(
      (r) => this.toolbar.setStatus(r.enabled ? `Breakpoint set on ${frame.name}.` : `Breakpoint removed from ${frame.name}.`),
      (e) => this.toolbar.setStatus(`Could not toggle the breakpoint: ${message(e)}`),
    );
  }

  /** The edit menu of a tensor of the shown frame, for one channel or neuron. */
  private openEdit(s: Session, frame: FrameInfo, t: TensorSummary, unit: EditUnit, index: number, at: Parameters<EditHook['open']>[1],
    text: (action: EditAction) => string): void {
    if (this.session?.id !== s.id || this.session.running) return;
    this.menu.open({ noun: unit.noun, index, tensor: t.label, at, apply: (action) => this.assign(s, frame, text(action)), preview: text });
  }

  /** Sends a what-if edit through the debug session; the stop it leads to arrives as an event and redraws. */
  private assign(s: Session, frame: FrameInfo, expression: string): void {
    if (this.session?.id !== s.id || this.session.running) {
      this.toolbar.setStatus(`Could not apply ${expression}: the session is running.`);
      return;
    }
    this.toolbar.setStatus(`Applying ${expression}…`);
    this.client.request('assign', { sessionId: s.id, frameId: frame.id, expression }).then(
      () => this.toolbar.setStatus(`Applied ${expression}.`),
      (e) => this.toolbar.setStatus(`Could not apply ${expression}: ${message(e)}`),
    );
  }

  /** Copy as Markdown / Save as CSV… of the Summary: the host writes the clipboard or the file, and says so. */
  private exportSummary(format: 'markdown' | 'csv'): void {
    const s = this.session;
    if (!s) return;
    this.client.request('exportSummary', { sessionId: s.id, format }).then(
      () => this.toolbar.setStatus(format === 'markdown' ? 'Copied the summary as Markdown.' : 'Saving the summary as CSV…'),
      (e) => this.toolbar.setStatus(`Could not export the summary: ${message(e)}`),
    );
  }

  private goto(s: Session, index: number): void {
    if (s.stop?.index === index) return;
    this.client.request('goto', { sessionId: s.id, index }).catch((e) => this.toolbar.setStatus(`Could not move there: ${message(e)}`));
  }

  /** What a tensor view draws with; `ahead` holds grids the host sent with the stop, used instead of asking. */
  private env(source: TensorSource, role: TensorRole, ahead?: ReadonlyMap<string, TensorGrid>): ViewEnv {
    const fetch = (p: GridParams) => {
      const sent = ahead?.get(gridKey(p));
      return sent ? Promise.resolve(sent) : this.client.request('grid', p);
    };
    return {
      source,
      labels: this.session?.labels,
      theme: () => this.theme,
      colormap: () => this.colormap,
      // Weights do not change during a session, so their values are fetched once; activations are not cached,
      // nor weights read outside a session (the model loaded there may change under the same names).
      grid: role === 'weight' && source.kind === 'session' ? (p: GridParams): Promise<TensorGrid> => this.weights.get(p, fetch) : fetch,
      element: async (name, index) => decodeNumber((await this.client.request('element', { ref: { source, name }, index })).value),
      save: (name, label) => void this.client.request('saveTensor', { ref: { source, name }, label }).catch((e) => this.toolbar.setStatus(`Could not save ${label}: ${message(e)}`)),
      slices: this.slices,
      scales: this.scales,
      sharedScale: () => this.sharedColorScale,
      setSharedScale: (on) => {
        this.sharedColorScale = on;
        this.redraw();
      },
    };
  }

  private contentWidth(): number {
    return Math.max(200, (this.frameSlot.clientWidth || this.root.clientWidth || 600) - 24);
  }

  /** Redraws for a new width, a frame later: drawing inside the observer's callback would resize what it observes. */
  private resized(): void {
    if (this.resizePending) return;
    this.resizePending = true;
    requestAnimationFrame(() => {
      this.resizePending = false;
      const w = this.root.clientWidth;
      if (Math.abs(w - this.width) < 8) return;
      this.width = w;
      this.redraw();
    });
  }

  private redraw(): void {
    this.drawStack();
    const width = this.contentWidth();
    this.lossView.redraw(width);
    for (const b of [this.frame, this.weightView]) for (const v of b?.views ?? []) v.redraw(width);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once the frame with our changes has been painted (or soon, if the view is not being painted). */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(() => {
      clearTimeout(fallback);
      resolve();
    }, 0));
  });
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
