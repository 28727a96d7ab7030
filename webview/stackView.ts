import type { Palette } from './colors';
import { cssRgb } from './colors';
import { describeDivergence, divergenceAccent, divergenceColor } from './divergence';
import { h } from './dom';
import { healthBadge } from '../src/protocol/healthBadge';
import type { Phase, StackBar } from './stackLayout';
import { layoutStack, PHASES } from './stackLayout';
import type { Timeline } from './timeline';

const ROW_H = 22;
const MIN_EVENT_W = 6;

const PHASE_NAMES: Readonly<Record<Phase, string>> = { forward: 'forward', loss: 'loss', backward: 'backward (∂)', update: 'update' };

export type NavKey = 'left' | 'right' | 'up' | 'down' | 'home' | 'end';

const KEYS: Readonly<Record<string, NavKey>> = {
  ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down', Home: 'home', End: 'end',
};

/**
 * The forward pass as a stack over time: one bar per frame (x = timeline events from its call to its return,
 * y = depth), the current frame highlighted, its callers outlined, frames after the current position dimmed
 * and the part not recorded yet hatched. Bars are elements (`data-frame-id`, `data-index`) so they take
 * clicks, focus and the arrow keys; the list is a listbox with a roving tab stop. A frame a what-if edit
 * changed shows a ✎ (`.frame-edit-mark`, `data-edited`); in a compared run a frame's bar takes the colour of its
 * divergence (`data-diverged`), calm when it agrees, warmer the further it is, with the numbers in its tooltip.
 * In a training step each bar takes its phase's hue (`phase-backward`, `data-phase`), which {@link legend} names.
 */
export class StackView {
  readonly el: HTMLElement;
  /** The key to the phases' colours, shown while the strip holds a training step. */
  readonly legend: HTMLElement;
  private readonly inner: HTMLElement;
  private readonly cursor: HTMLElement;
  private readonly pending: HTMLElement;
  private readonly bars = new Map<number, HTMLElement>();
  private selected?: number;

  constructor(
    private readonly onPick: (frameId: number, index: number, how: 'click' | 'key') => void,
    private readonly onNavigate: (key: NavKey) => void,
    private readonly palette: () => Palette,
  ) {
    this.cursor = h('div', { class: 'stack-cursor', attrs: { 'aria-hidden': 'true' } });
    this.pending = h('div', { class: 'stack-pending', attrs: { 'aria-hidden': 'true' } });
    this.inner = h('div', { class: 'stack-inner' }, [this.pending, this.cursor]);
    this.legend = h('div', { class: 'stack-legend', attrs: { 'aria-hidden': 'true' } }, PHASES.map((p) =>
      h('span', { class: `legend-item phase-${p}`, attrs: { 'data-phase': p } }, [h('span', { class: 'legend-swatch' }), PHASE_NAMES[p]])));
    this.legend.hidden = true;
    this.el = h('div', { id: 'stack', attrs: { role: 'listbox', 'aria-label': 'Forward pass: frames over time', 'aria-orientation': 'horizontal' } }, [this.inner]);
    this.el.addEventListener('click', (e) => {
      const bar = (e.target as Element).closest<HTMLElement>('.frame-bar');
      if (bar) this.onPick(Number(bar.dataset.frameId), Number(bar.dataset.index), 'click');
    });
    this.el.addEventListener('keydown', (e) => {
      const key = KEYS[e.key];
      if (key) {
        e.preventDefault();
        this.onNavigate(key);
      } else if ((e.key === 'Enter' || e.key === ' ') && this.selected !== undefined) {
        e.preventDefault();
        const bar = this.bars.get(this.selected);
        if (bar) this.onPick(this.selected, Number(bar.dataset.index), 'key');
      }
    });
  }

  /** Lays the timeline out `width` wide; `position` is the session's stop (undefined before the first). */
  render(t: Timeline, totalEvents: number, width: number, position: { index: number; stack: readonly number[] } | undefined): void {
    const layout = layoutStack(t, { totalEvents, position, width, rowHeight: ROW_H, minEventWidth: MIN_EVENT_W });
    this.inner.style.width = `${layout.width}px`;
    this.inner.style.height = `${layout.height}px`;
    this.legend.hidden = !layout.phases.length;
    for (const item of this.legend.querySelectorAll<HTMLElement>('.legend-item')) item.hidden = !layout.phases.includes(item.dataset.phase as Phase);
    const seen = new Set<number>();
    for (const b of layout.bars) {
      seen.add(b.id);
      let el = this.bars.get(b.id);
      if (!el) {
        el = h('div', { class: 'frame-bar', attrs: { role: 'option', 'data-frame-id': String(b.id) } }, [
          h('span', { class: 'frame-edit-mark', text: '✎ ', attrs: { 'aria-hidden': 'true' } }),
          h('span', { class: 'frame-health-mark', text: '⚠ ', attrs: { 'aria-hidden': 'true' } }),
          h('span', { class: 'frame-name', text: b.name }),
        ]);
        this.bars.set(b.id, el);
        this.inner.append(el);
      }
      this.place(el, b);
      this.markHealth(el, healthBadge(t.span(b.id)?.frame.health));
    }
    for (const [id, el] of this.bars) {
      if (!seen.has(id)) {
        el.remove();
        this.bars.delete(id);
      }
    }
    this.pending.style.left = `${layout.recordedX}px`;
    this.pending.style.width = `${Math.max(0, layout.width - layout.recordedX)}px`;
    this.pending.style.height = `${layout.height}px`;
    this.cursor.hidden = layout.cursorX === undefined;
    if (layout.cursorX !== undefined) {
      this.cursor.style.left = `${Math.round(layout.cursorX)}px`;
      this.cursor.style.height = `${layout.height}px`;
    }
    this.select(position?.stack[0] ?? this.selected, false);
  }

  /** Marks `id` as the selected frame (the roving tab stop), scrolls it into view, and focuses it if asked. */
  select(id: number | undefined, focus: boolean): void {
    this.selected = id;
    for (const [fid, el] of this.bars) {
      const on = fid === id;
      el.setAttribute('aria-selected', String(on));
      el.tabIndex = on ? 0 : -1;
    }
    const el = id === undefined ? undefined : this.bars.get(id);
    if (!el) {
      // Keep the list reachable with Tab before anything is selected.
      this.el.tabIndex = 0;
      return;
    }
    this.el.tabIndex = -1;
    if (focus) el.focus({ preventScroll: true });
    this.reveal(el);
  }

  get selectedId(): number | undefined {
    return this.selected;
  }

  clear(): void {
    this.legend.hidden = true;
    for (const el of this.bars.values()) el.remove();
    this.bars.clear();
    this.selected = undefined;
    this.inner.style.width = '0px';
    this.inner.style.height = `${ROW_H}px`;
    this.cursor.hidden = true;
    this.pending.style.width = '0px';
  }

  private place(el: HTMLElement, b: StackBar): void {
    el.style.left = `${b.x}px`;
    el.style.top = `${b.y}px`;
    el.style.width = `${Math.max(1, b.width - 1)}px`;
    el.style.height = `${ROW_H - 2}px`;
    el.dataset.index = String(b.target);
    el.dataset.call = String(b.call);
    if (b.ret !== undefined) el.dataset.return = String(b.ret);
    else delete el.dataset.return;
    el.className = `frame-bar ${b.kind} ${b.state}${b.phase ? ` phase-${b.phase}` : ''}${b.width < 36 ? ' narrow' : ''}${b.ret === undefined ? ' open' : ''}`;
    if (b.phase) el.dataset.phase = b.phase;
    else delete el.dataset.phase;
    const span = b.ret === undefined ? `called at event ${b.call}, not returned yet` : `events ${b.call} to ${b.ret}`;
    const name = el.querySelector<HTMLElement>('.frame-name');
    if (name && name.textContent !== b.name) name.textContent = b.name;
    const mark = el.querySelector<HTMLElement>('.frame-edit-mark');
    if (mark) mark.hidden = !b.edited;
    if (b.edited) el.dataset.edited = 'true';
    else delete el.dataset.edited;
    const d = b.divergence;
    const compared = d ? `${d.diverged ? 'diverged from' : 'agrees with'} the compared run: ${describeDivergence(d)}` : '';
    this.paintDivergence(el, b);
    const phase = b.phase && b.phase !== 'forward' ? `, ${PHASE_NAMES[b.phase]}` : '';
    el.title = `${b.name} (${b.type}${phase}) — ${span}${b.edited ? '\n✎ edited' : ''}${compared ? `\n${compared}` : ''}`;
    el.setAttribute('aria-label', `${b.name}, ${b.type}${phase}, depth ${b.depth}, ${span}${b.state === 'future' ? ', not run yet at this point' : ''}`
      + `${b.edited ? ', edited' : ''}${compared ? `, ${compared}` : ''}`);
  }

  /**
   * The bar's divergence colour (a theme colour, so set through the CSSOM): its background, or for the current
   * frame, which keeps its selection colour, a stripe along its bottom edge.
   */
  private paintDivergence(el: HTMLElement, b: StackBar): void {
    const p = this.palette();
    const fill = b.state === 'current' ? undefined : divergenceColor(b.divergence, p);
    const accent = b.state === 'current' ? divergenceAccent(b.divergence, p) : undefined;
    el.style.background = fill ? cssRgb(fill) : '';
    el.style.boxShadow = accent ? `inset 0 -3px 0 ${cssRgb(accent)}` : '';
    if (b.divergence) el.dataset.diverged = String(b.divergence.diverged);
    else delete el.dataset.diverged;
  }

  /** A frame whose health is notable (src/protocol/healthBadge.ts) shows ⚠, and the badge in its tooltip (`data-health`). */
  private markHealth(el: HTMLElement, badge: string): void {
    const mark = el.querySelector<HTMLElement>('.frame-health-mark');
    if (mark) mark.hidden = !badge;
    if (!badge) {
      delete el.dataset.health;
      return;
    }
    el.dataset.health = badge;
    el.title += `\n${badge}`;
    el.setAttribute('aria-label', `${el.getAttribute('aria-label') ?? ''}, ${badge.replace('⚠ ', 'health: ')}`);
  }

  private reveal(el: HTMLElement): void {
    const left = el.offsetLeft;
    const right = left + Math.min(el.offsetWidth, this.el.clientWidth);
    if (left < this.el.scrollLeft || right > this.el.scrollLeft + this.el.clientWidth) {
      this.el.scrollLeft = Math.max(0, left - this.el.clientWidth / 3);
    }
  }
}
