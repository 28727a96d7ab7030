import type { Layout } from '../../src/protocol/graphLayout';
import type { GraphView, ViewNode } from '../../src/protocol/graphView';
import { clip } from '../../src/protocol/graphView';

const SVG_NS = 'http://www.w3.org/2000/svg';
const MIN_SCALE = 0.1;
const MAX_SCALE = 3;
/** A press that moves less than this (CSS pixels) is a click, not a drag. */
const CLICK_SLOP = 4;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string | number>> = {}, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * The graph drawn in SVG: clusters, edges with their shape labels, boxes. Drag pans, the wheel zooms around the
 * pointer, a click or Enter on a box calls `activate`. Every name goes in as text, never as markup.
 */
export class GraphCanvas {
  readonly el: HTMLElement;
  private readonly svgEl: SVGSVGElement;
  private readonly world: SVGGElement;
  private readonly boxes = new Map<string, SVGGElement>();
  private readonly places = new Map<string, { x: number; y: number; width: number; height: number }>();
  private size = { width: 0, height: 0 };
  private found?: string;
  private scale = 1;
  private tx = 0;
  private ty = 0;
  private drag?: { x: number; y: number; tx: number; ty: number; moved: boolean; target?: string; pointer: number };

  constructor(private readonly activate: (id: string, how: 'click' | 'key') => void) {
    this.svgEl = svg('svg', { class: 'graph-svg', role: 'group', 'aria-label': 'Model graph' });
    const defs = svg('defs');
    const marker = svg('marker', { id: 'graph-arrow', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'graph-arrow' }));
    defs.append(marker);
    this.world = svg('g');
    this.svgEl.append(defs, this.world);
    this.el = document.createElement('div');
    this.el.className = 'graph-viewport';
    this.el.tabIndex = -1;
    this.el.append(this.svgEl);
    this.listen();
  }

  /** Whether anything is drawn. */
  get drawn(): boolean {
    return this.places.size > 0;
  }

  draw(view: GraphView, layout: Layout): void {
    this.world.replaceChildren();
    this.boxes.clear();
    this.places.clear();
    this.size = { width: layout.width, height: layout.height };
    const byId = new Map(view.nodes.map((n) => [n.id, n]));
    const clusters = svg('g', { class: 'graph-clusters' });
    const edges = svg('g', { class: 'graph-edges' });
    const labels = svg('g', { class: 'graph-edge-labels' });
    const nodes = svg('g', { class: 'graph-nodes' });
    for (const box of layout.nodes) {
      const n = byId.get(box.id);
      if (!n) continue;
      this.places.set(box.id, box);
      const g = n.cluster ? this.cluster(n, box) : this.node(n, box);
      this.boxes.set(box.id, g);
      (n.cluster ? clusters : nodes).append(g);
    }
    const byEdge = new Map(view.edges.map((e) => [e.id, e]));
    for (const e of layout.edges) {
      const v = byEdge.get(e.id);
      if (!v || e.points.length < 2) continue;
      const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
      const path = svg('path', { d, class: 'graph-edge', 'marker-end': 'url(#graph-arrow)' });
      path.append(svg('title', {}, v.values.join('\n')));
      edges.append(path);
      if (e.label && v.label) labels.append(svg('text', { x: e.label.x.toFixed(1), y: (e.label.y + 4).toFixed(1), class: `graph-edge-label${v.measured ? ' measured' : ''}`, 'text-anchor': 'middle' }, v.label));
    }
    this.world.append(clusters, edges, labels, nodes);
  }

  /** Sets each box's state classes (`current`, `executed`, …) without drawing again. */
  setClasses(classes: ReadonlyMap<string, readonly string[]>): void {
    for (const [id, g] of this.boxes) {
      const base = g.dataset.base ?? '';
      g.setAttribute('class', [base, ...(classes.get(id) ?? []), ...(id === this.found ? ['found'] : [])].join(' '));
    }
  }

  /** Marks the search match being visited (one at a time). */
  setFound(id: string | undefined): void {
    if (this.found !== undefined) this.boxes.get(this.found)?.classList.remove('found');
    this.found = id;
    if (id !== undefined) this.boxes.get(id)?.classList.add('found');
  }

  /** Scale to show the whole graph, no larger than 1:1. */
  fit(): void {
    const { width, height } = this.viewport();
    if (!this.size.width || !width || !height) return;
    this.scale = clamp(Math.min(width / this.size.width, height / this.size.height, 1));
    this.tx = (width - this.size.width * this.scale) / 2;
    this.ty = (height - this.size.height * this.scale) / 2;
    this.apply();
  }

  /** The first view of a new drawing: its width fitted (not below a readable size), from the top. */
  home(): void {
    const { width } = this.viewport();
    if (!this.size.width || !width) return;
    this.scale = clamp(Math.max(0.6, Math.min(1, width / this.size.width)));
    this.tx = Math.max(0, (width - this.size.width * this.scale) / 2);
    this.ty = 0;
    this.apply();
  }

  /** Brings box `id` into view (centred) when it is not fully visible. */
  reveal(id: string): void {
    const p = this.places.get(id);
    if (!p) return;
    const { width, height } = this.viewport();
    const x0 = p.x * this.scale + this.tx;
    const y0 = p.y * this.scale + this.ty;
    const inside = x0 >= 0 && y0 >= 0 && x0 + p.width * this.scale <= width && y0 + Math.min(p.height, 80) * this.scale <= height;
    if (inside) return;
    this.tx = width / 2 - (p.x + p.width / 2) * this.scale;
    this.ty = height / 2 - (p.y + Math.min(p.height, height / this.scale) / 2) * this.scale;
    this.apply();
  }

  /** Where box `id` is on screen (its top-left corner), to keep it there across a new layout. */
  anchor(id: string): { x: number; y: number } | undefined {
    const p = this.places.get(id);
    return p && { x: p.x * this.scale + this.tx, y: p.y * this.scale + this.ty };
  }

  /** Moves the view so that box `id`'s top-left corner is at `at` on screen. */
  pin(id: string, at: { x: number; y: number }): void {
    const p = this.places.get(id);
    if (!p) return;
    this.tx = at.x - p.x * this.scale;
    this.ty = at.y - p.y * this.scale;
    this.apply();
  }

  focus(id: string): void {
    this.boxes.get(id)?.focus({ preventScroll: true });
  }

  zoom(factor: number, cx?: number, cy?: number): void {
    const { width, height } = this.viewport();
    const x = cx ?? width / 2;
    const y = cy ?? height / 2;
    const next = clamp(this.scale * factor);
    this.tx = x - ((x - this.tx) * next) / this.scale;
    this.ty = y - ((y - this.ty) * next) / this.scale;
    this.scale = next;
    this.apply();
  }

  private viewport(): { width: number; height: number } {
    return { width: this.el.clientWidth, height: this.el.clientHeight };
  }

  private apply(): void {
    this.world.setAttribute('transform', `translate(${this.tx.toFixed(1)},${this.ty.toFixed(1)}) scale(${this.scale.toFixed(4)})`);
  }

  private node(n: ViewNode, p: { x: number; y: number; width: number; height: number }): SVGGElement {
    const base = `graph-node kind-${n.kind}${n.expandable ? ' expandable' : ''}`;
    const g = svg('g', { class: base, 'data-id': n.id, tabindex: 0, role: 'button', 'aria-label': describe(n) });
    g.dataset.base = base;
    g.append(svg('rect', { x: p.x, y: p.y, width: p.width, height: p.height, rx: n.kind === 'node' ? 3 : 5 }));
    const prefix = n.expandable ? '▸ ' : '';
    const cx = p.x + p.width / 2;
    if (n.sub) {
      g.append(svg('text', { x: cx, y: p.y + 15, class: 'graph-label', 'text-anchor': 'middle' }, prefix + clip(n.label)));
      g.append(svg('text', { x: cx, y: p.y + 29, class: 'graph-sub', 'text-anchor': 'middle' }, clip(n.sub)));
    } else {
      g.append(svg('text', { x: cx, y: p.y + p.height / 2 + 4, class: 'graph-label', 'text-anchor': 'middle' }, prefix + clip(n.label)));
    }
    g.append(svg('title', {}, n.sub ? `${n.label}\n${n.sub}` : n.label));
    return g;
  }

  private cluster(n: ViewNode, p: { x: number; y: number; width: number; height: number }): SVGGElement {
    const base = `graph-cluster kind-${n.kind}`;
    const g = svg('g', { class: base, 'data-id': n.id, tabindex: 0, role: 'button', 'aria-label': `${describe(n)}, open` });
    g.dataset.base = base;
    g.append(svg('rect', { x: p.x, y: p.y, width: p.width, height: p.height, rx: 6 }));
    const title = `▾ ${n.label}`;
    const room = Math.max(4, Math.floor((p.width - 12) / 6.5));
    g.append(svg('text', { x: p.x + 6, y: p.y + 12, class: 'graph-cluster-title' }, title.length > room ? `${title.slice(0, room - 1)}…` : title));
    g.append(svg('title', {}, `${n.label} (${n.sub}): click the title to close`));
    return g;
  }

  private listen(): void {
    const s = this.svgEl;
    s.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = s.getBoundingClientRect();
      this.zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    s.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      const target = (e.target as Element).closest<SVGGElement>('[data-id]');
      // An open cluster is grabbed for panning anywhere but its title row.
      const onTitle = target?.classList.contains('graph-cluster') ? this.onClusterTitle(target, e) : true;
      this.drag = { x: e.clientX, y: e.clientY, tx: this.tx, ty: this.ty, moved: false, target: onTitle ? target?.dataset.id : undefined, pointer: e.pointerId };
    });
    s.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (!d || d.pointer !== e.pointerId) return;
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (!d.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
      if (!d.moved) {
        d.moved = true;
        s.setPointerCapture(e.pointerId);
        s.classList.add('panning');
      }
      this.tx = d.tx + dx;
      this.ty = d.ty + dy;
      this.apply();
    });
    const end = (e: PointerEvent) => {
      const d = this.drag;
      if (!d || d.pointer !== e.pointerId) return;
      this.drag = undefined;
      s.classList.remove('panning');
      if (d.moved) s.releasePointerCapture(e.pointerId);
      else if (d.target !== undefined && e.type === 'pointerup') this.activate(d.target, 'click');
    };
    s.addEventListener('pointerup', end);
    s.addEventListener('pointercancel', end);
    s.addEventListener('keydown', (e) => {
      const target = (e.target as Element).closest<SVGGElement>('[data-id]');
      if ((e.key === 'Enter' || e.key === ' ') && target?.dataset.id) {
        e.preventDefault();
        this.activate(target.dataset.id, 'key');
      }
    });
    this.el.addEventListener('keydown', (e) => {
      const step = 40;
      const moves: Record<string, () => void> = {
        '+': () => this.zoom(1.2), '=': () => this.zoom(1.2), '-': () => this.zoom(1 / 1.2), '0': () => this.fit(),
        ArrowLeft: () => this.pan(step, 0), ArrowRight: () => this.pan(-step, 0), ArrowUp: () => this.pan(0, step), ArrowDown: () => this.pan(0, -step),
      };
      const move = moves[e.key];
      if (!move || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      move();
    });
  }

  private pan(dx: number, dy: number): void {
    this.tx += dx;
    this.ty += dy;
    this.apply();
  }

  private onClusterTitle(g: SVGGElement, e: PointerEvent): boolean {
    const p = this.places.get(g.dataset.id ?? '');
    if (!p) return false;
    const r = this.svgEl.getBoundingClientRect();
    const y = (e.clientY - r.top - this.ty) / this.scale;
    return y - p.y <= 18;
  }
}

function describe(n: ViewNode): string {
  return n.sub ? `${n.label}, ${n.sub}` : n.label;
}

function clamp(s: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));
}
