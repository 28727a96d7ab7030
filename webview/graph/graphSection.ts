import type { StopInfo } from '../../src/protocol/engine';
import type { GraphValue } from '../../src/protocol/graph';
import { formatShape } from '../../src/protocol/graph';
import { parseQuery, search } from '../../src/protocol/graphSearch';
import { GraphTree } from '../../src/protocol/graphTree';
import type { GraphView } from '../../src/protocol/graphView';
import { buildView, defaultExpansion, openPath } from '../../src/protocol/graphView';
import type { GraphSectionState } from '../../src/protocol/webview';
import type { HostClient } from '../client';
import { h } from '../dom';
import type { Timeline } from '../timeline';
import { GraphCanvas } from './graphCanvas';
import type { RunState } from './graphStatus';
import { boxClasses, frameOf, nonFiniteBoxes, runState } from './graphStatus';
import { LayoutClient } from './layoutClient';

/** What the App tells the section at each stop. */
export interface GraphStop {
  readonly sessionId: string;
  readonly stop: StopInfo;
  readonly timeline: Timeline;
  /** The frame the panel shows (the top one, or one picked in CALL STACK). */
  readonly shownFrameId?: number;
}

/** What the section asks of the App: moves of the session (so the panel and CALL STACK follow together). */
export interface GraphActions {
  goto(sessionId: string, index: number): void;
  running(): boolean;
}

const DEFAULT_HEIGHT = 360;
const MIN_HEIGHT = 120;
const SEARCH_DELAY_MS = 150;

interface Loaded {
  readonly sessionId: string;
  readonly tree: GraphTree;
  readonly open: Set<string>;
  /** Values measured so far, in recording order, for the stop's timeline generation. */
  readonly values: Map<string, GraphValue>;
  count: number;
  generation: number;
}

/**
 * The panel's Graph section: the model's dataflow graph, laid out in a worker, coloured by where the run stands
 * and kept in step with CALL STACK both ways (a stop shows its node; a click on a node moves the session). It
 * keeps no state the host cannot give back but the boxes opened and the search.
 */
export class GraphSection {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly searchBox: HTMLInputElement;
  private readonly info: HTMLElement;
  private readonly message: HTMLElement;
  private readonly canvas: GraphCanvas;
  private readonly layouts = new LayoutClient();
  private open = true;
  private height = DEFAULT_HEIGHT;
  private sessionId?: string;
  private loaded?: Loaded;
  private loading?: { sessionId: string; promise: Promise<Loaded | undefined> };
  private at?: GraphStop;
  private state?: RunState;
  /** The node the last stop showed: the graph follows it only when it changes, so a box the user closed stays closed. */
  private followed?: string;
  private view?: GraphView;
  private viewKey = '';
  private matches: string[] = [];
  private matchAt = -1;
  private searchTimer?: ReturnType<typeof setTimeout>;
  private keepTimer?: ReturnType<typeof setTimeout>;
  private seq = 0;
  private rehome = true;

  constructor(private readonly client: HostClient, private readonly actions: GraphActions) {
    this.canvas = new GraphCanvas((id, how) => this.activate(id, how));
    this.toggle = h('button', { class: 'section-toggle', attrs: { 'aria-expanded': 'true', 'aria-controls': 'graph-body' } }, ['Graph']);
    this.toggle.addEventListener('click', () => this.setOpen(!this.open, true));
    this.searchBox = h('input', {
      class: 'graph-search', attrs: { type: 'search', placeholder: 'Search: name, type:Conv, has:nan, dead>50', 'aria-label': 'Search the graph', spellcheck: 'false' },
    });
    this.searchBox.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.runSearch(), SEARCH_DELAY_MS);
    });
    this.searchBox.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        clearTimeout(this.searchTimer);
        if (this.searchKey !== this.searchBox.value) this.runSearch();
        this.nextMatch(e.shiftKey ? -1 : 1);
      } else if (e.key === 'Escape') {
        this.searchBox.value = '';
        this.runSearch();
      }
    });
    const fit = h('button', { class: 'icon-button graph-fit', title: 'Fit the graph to the view (0)', attrs: { 'aria-label': 'Fit to view' } }, ['⤢']);
    fit.addEventListener('click', () => this.canvas.fit());
    this.info = h('span', { class: 'graph-info', attrs: { 'aria-live': 'polite' } });
    this.message = h('p', { class: 'graph-message' });
    const tools = h('div', { class: 'graph-tools' }, [this.searchBox, this.info, fit]);
    this.body = h('div', { id: 'graph-body', class: 'graph-body' }, [tools, this.message, this.canvas.el]);
    this.el = h('section', { class: 'graph-section', attrs: { 'aria-label': 'Graph' } }, [h('h2', { class: 'section-title' }, [this.toggle]), this.body]);
    this.canvas.el.style.height = `${this.height}px`;
    new ResizeObserver(() => this.resized()).observe(this.canvas.el);
  }

  /** The section as the host kept it (a reloaded panel). */
  restore(state: GraphSectionState | undefined): void {
    if (state && Number.isFinite(state.height) && state.height >= MIN_HEIGHT) {
      this.height = state.height;
      this.canvas.el.style.height = `${this.height}px`;
    }
    this.setOpen(state?.open ?? true, false);
  }

  /** A new session (or none): the graph is read again when it is shown. */
  setSession(sessionId: string | undefined): void {
    if (sessionId === this.sessionId) return;
    this.sessionId = sessionId;
    this.loaded = undefined;
    this.loading = undefined;
    this.at = undefined;
    this.state = undefined;
    this.followed = undefined;
    this.view = undefined;
    this.viewKey = '';
    this.matches = [];
    this.matchAt = -1;
    this.searchBox.value = '';
    this.searchKey = '';
    this.info.textContent = '';
    this.setMessage('');
    // The next drawing is another model's: it starts from its top, at a readable scale.
    this.rehome = true;
  }

  /** The session stopped, or another frame was picked: colour the graph and show the frame's node. */
  show(at: GraphStop): void {
    if (at.sessionId !== this.sessionId) this.setSession(at.sessionId);
    this.at = at;
    if (this.open) void this.refresh(true);
  }

  private setOpen(open: boolean, byUser: boolean): void {
    this.open = open;
    this.toggle.setAttribute('aria-expanded', String(open));
    this.body.hidden = !open;
    if (byUser) this.keep();
    if (open && this.at) void this.refresh(true);
  }

  private keep(): void {
    clearTimeout(this.keepTimer);
    this.keepTimer = setTimeout(() => {
      this.client.request('graphSection', { open: this.open, height: this.height }).catch(() => undefined);
    }, 300);
  }

  private resized(): void {
    const h = Math.round(this.canvas.el.clientHeight);
    if (!this.open || h < MIN_HEIGHT || Math.abs(h - this.height) < 2) return;
    this.height = h;
    this.keep();
  }

  private load(sessionId: string): Promise<Loaded | undefined> {
    if (this.loading?.sessionId === sessionId) return this.loading.promise;
    const promise = this.client.request('graph', { sessionId }).then(
      (desc) => {
        if (this.sessionId !== sessionId) return undefined;
        const tree = GraphTree.from(desc);
        this.loaded = { sessionId, tree, open: defaultExpansion(tree), values: new Map(), count: 0, generation: 0 };
        return this.loaded;
      },
      (e: unknown) => {
        if (this.sessionId === sessionId) this.setMessage(`The graph could not be read: ${message(e)}`);
        return undefined;
      },
    );
    this.loading = { sessionId, promise };
    return promise;
  }

  /**
   * Brings the drawing up to date: the graph (read once per session), the values measured since last time, the
   * run's state, the boxes around the shown node opened (when `follow` and it moved), a new layout when what
   * is drawn changed, then the colours.
   */
  private async refresh(follow: boolean, anchor?: { id: string; x: number; y: number }): Promise<void> {
    const seq = ++this.seq;
    const at = this.at;
    if (!at) return;
    const g = this.loaded?.sessionId === at.sessionId ? this.loaded : await this.load(at.sessionId);
    if (!g || seq !== this.seq) return;
    await this.readValues(g, at);
    if (seq !== this.seq) return;
    this.state = runState(g.tree, at.timeline, at.stop, at.shownFrameId);
    const current = this.state.current;
    const moved = current !== this.followed;
    if (follow && moved && current !== undefined) openPath(g.tree, g.open, current);
    if (follow) this.followed = current;
    const view = buildView(g.tree, g.open, (v) => shapeText(g.values.get(v)));
    const key = viewKey(view);
    const first = !this.canvas.drawn || this.rehome;
    if (key !== this.viewKey) {
      let laid;
      try {
        laid = await this.layouts.layout(view);
      } catch (e) {
        if (seq === this.seq) this.setMessage(`The graph could not be laid out: ${message(e)}`);
        return;
      }
      if (!laid || seq !== this.seq) return;
      this.canvas.draw(view, laid.layout);
      this.view = view;
      this.viewKey = key;
      this.canvas.el.dataset.layoutMs = laid.ms.toFixed(1);
      this.canvas.el.dataset.boxes = String(view.nodes.length);
      this.setMessage('');
      if (first) this.canvas.home();
      this.rehome = false;
      if (anchor) this.canvas.pin(anchor.id, anchor);
    }
    this.paint();
    if (follow && moved && current !== undefined) {
      const shown = view.nodes.some((n) => n.id === current) ? current : undefined;
      if (shown) this.canvas.reveal(shown);
    }
    this.describe(g);
  }

  private async readValues(g: Loaded, at: GraphStop): Promise<void> {
    const generation = at.stop.generation ?? 0;
    if (generation !== g.generation) {
      g.values.clear();
      g.count = 0;
      g.generation = generation;
    }
    try {
      const r = await this.client.request('graphValues', { sessionId: at.sessionId, from: g.count });
      if (g.generation !== generation || r.from !== g.count) return;
      for (const v of r.values) g.values.set(v.name, v);
      g.count += r.values.length;
    } catch {
      // Shapes stay static and search sees no measurements; the graph is still drawn.
    }
  }

  /** Colours the drawn boxes for the run's state and the search. */
  private paint(): void {
    const g = this.loaded;
    if (!g || !this.view) return;
    const nonFinite = nonFiniteBoxes(g.tree, g.values.values());
    this.canvas.setClasses(boxClasses(g.tree, g.open, this.view, this.state, nonFinite, this.matches));
    const found = this.matches[this.matchAt];
    if (found !== undefined) this.canvas.setFound(found);
  }

  private describe(g: Loaded): void {
    if (this.searchBox.value.trim()) return;
    const ops = [...g.tree.boxes.values()].filter((b) => b.kind === 'node').length;
    const ran = this.state ? [...this.state.executed].filter((id) => g.tree.get(id)?.kind === 'node').length : 0;
    this.info.textContent = `${ran.toLocaleString('en-US')} of ${ops.toLocaleString('en-US')} ops run`;
  }

  /** A click or Enter on a box: a closed module opens, an open one (its title) closes; an op moves the session there. */
  private activate(id: string, how: 'click' | 'key'): void {
    const g = this.loaded;
    const b = g?.tree.get(id);
    if (!g || !b) return;
    if (b.children.length > 0) {
      const anchor = this.canvas.anchor(id);
      if (g.open.has(id)) g.open.delete(id);
      else g.open.add(id);
      void this.refresh(false, anchor && { id, ...anchor }).then(() => {
        if (how === 'key') this.canvas.focus(id);
      });
      return;
    }
    if (b.kind === 'node') this.goTo(id);
  }

  /** Moves the session to an op: to its call when it has run (or is running), else runs forward to it. */
  private goTo(item: string): void {
    const at = this.at;
    const state = this.state;
    if (!at || !state || this.actions.running()) return;
    const frame = frameOf(state, at.timeline, item, at.stop.index);
    const index = frame === undefined ? undefined : at.timeline.target(frame);
    if (index !== undefined) {
      this.actions.goto(at.sessionId, index);
      return;
    }
    this.info.textContent = `Running to ${this.loaded?.tree.get(item)?.name ?? item}…`;
    this.client.request('runTo', { sessionId: at.sessionId, itemId: item }).catch((e) => (this.info.textContent = `Could not run there: ${message(e)}`));
  }

  private searchKey = '';

  private runSearch(): void {
    const g = this.loaded;
    const text = this.searchBox.value;
    this.searchKey = text;
    this.matchAt = -1;
    this.canvas.setFound(undefined);
    if (!g || !text.trim()) {
      this.matches = [];
      if (g) this.describe(g);
      this.paint();
      return;
    }
    const q = parseQuery(text);
    if ('error' in q) {
      this.matches = [];
      this.info.textContent = q.error;
    } else {
      this.matches = search(g.tree, q.terms, g.values);
      this.info.textContent = this.matches.length ? `${this.matches.length} match${this.matches.length === 1 ? '' : 'es'}: Enter for the next` : 'No match';
    }
    this.paint();
  }

  /** Enter in the search box: the next match, its boxes opened, shown and marked. */
  private nextMatch(step: number): void {
    const g = this.loaded;
    if (!g || !this.matches.length) return;
    this.matchAt = (this.matchAt + step + this.matches.length) % this.matches.length;
    const id = this.matches[this.matchAt];
    this.info.textContent = `${this.matchAt + 1} of ${this.matches.length}: ${g.tree.get(id)?.name ?? id}`;
    openPath(g.tree, g.open, id);
    void this.refresh(false).then(() => {
      this.canvas.reveal(id);
      this.canvas.setFound(id);
    });
  }

  private setMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = !text;
  }
}

/** A value's measured shape as an edge label. */
function shapeText(v: GraphValue | undefined): string | undefined {
  return v?.shape ? formatShape(v.shape) : undefined;
}

/** What decides the layout: the boxes (and which are open) and the edges with their labels. */
function viewKey(v: GraphView): string {
  return JSON.stringify([v.nodes.map((n) => [n.id, n.cluster ? 1 : 0]), v.edges.map((e) => [e.id, e.label, e.measured ? 1 : 0])]);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
