import { h } from './dom';
import type { CurveGeometry } from './lossCurve';
import { formatLoss, layoutCurve } from './lossCurve';
import type { TrainingState } from './training';
import { describeTraining, lastLoss } from './training';

const SVG_NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 180;

/**
 * The training run above the strip: a status line (`#training-status`) and the loss curve, an SVG
 * (`svg.loss-curve`) with `data-step` (steps finished) and `data-last-loss` (the last loss, as JavaScript writes
 * the number) for end-to-end tests. It is drawn from the geometry of lossCurve.ts with classes only: the colours
 * come from the theme's variables in panel.css, and nothing needs an inline style.
 */
export class LossView {
  readonly el: HTMLElement;
  private readonly status: HTMLElement;
  private readonly svg: SVGSVGElement;
  private state?: TrainingState;

  constructor() {
    this.status = h('p', { id: 'training-status', class: 'training-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.svg = svg('svg', { class: 'loss-curve', role: 'img', focusable: 'false' });
    this.el = h('section', { id: 'training', class: 'training', attrs: { 'aria-label': 'Training' } }, [
      h('h2', { class: 'section-title', text: 'Loss' }), this.status, this.svg,
    ]);
    this.el.hidden = true;
  }

  /** Shows `state` (hidden without one) `width` pixels wide. */
  render(state: TrainingState | undefined, width: number): void {
    this.state = state;
    this.el.hidden = !state;
    if (!state) return;
    this.status.textContent = describeTraining(state);
    this.draw(layoutCurve(state.losses, state.steps, Math.max(200, Math.floor(width)), HEIGHT), state);
  }

  redraw(width: number): void {
    this.render(this.state, width);
  }

  private draw(g: CurveGeometry, s: TrainingState): void {
    const el = this.svg;
    while (el.firstChild) el.firstChild.remove();
    el.setAttribute('width', String(g.width));
    el.setAttribute('height', String(g.height));
    el.setAttribute('viewBox', `0 0 ${g.width} ${g.height}`);
    const last = lastLoss(s);
    el.dataset.step = String(s.losses.length);
    el.dataset.steps = String(s.steps);
    el.dataset.scale = g.scale.kind;
    if (last === undefined) delete el.dataset.lastLoss;
    else el.dataset.lastLoss = String(last);
    el.setAttribute('aria-label', s.losses.length
      ? `Loss per step: ${s.losses.length} of ${s.steps} steps finished, last loss ${formatLoss(last ?? NaN)}${g.scale.kind === 'log' ? ', log scale' : ''}`
      : `Loss per step: no step finished yet, of ${s.steps}`);
    const { left, top, right, bottom } = g.plot;
    for (const t of g.yTicks) {
      el.append(
        svg('line', { class: 'loss-grid', x1: left, x2: right, y1: t.y, y2: t.y }),
        svg('text', { class: 'loss-tick', x: left - 6, y: t.y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, t.label),
      );
    }
    for (const t of g.xTicks) {
      el.append(
        svg('line', { class: 'loss-axis', x1: t.x, x2: t.x, y1: bottom, y2: bottom + 4 }),
        svg('text', { class: 'loss-tick', x: t.x, y: bottom + 6, 'text-anchor': 'middle', 'dominant-baseline': 'hanging' }, String(t.step)),
      );
    }
    el.append(
      svg('line', { class: 'loss-axis', x1: left, x2: left, y1: top, y2: bottom }),
      svg('line', { class: 'loss-axis', x1: left, x2: right, y1: bottom, y2: bottom }),
      svg('text', { class: 'loss-axis-label', x: 0, y: 0, 'dominant-baseline': 'hanging' }, g.scale.kind === 'log' ? 'loss (log scale)' : 'loss'),
      svg('text', { class: 'loss-axis-label', x: right, y: g.height - 2, 'text-anchor': 'end' }, 'step'),
    );
    for (const b of g.bad) {
      el.append(svg('line', { class: 'loss-bad', x1: b.x, x2: b.x, y1: top, y2: bottom }, undefined, `step ${b.step}: loss ${formatLoss(s.losses[b.step - 1])}`));
    }
    if (!s.losses.length) {
      el.append(svg('text', { class: 'loss-empty', x: (left + right) / 2, y: (top + bottom) / 2, 'text-anchor': 'middle', 'dominant-baseline': 'middle' },
        'The curve starts when step 1 has finished.'));
    }
    if (g.path) el.append(svg('path', { class: 'loss-line', d: g.path }));
    if (g.last) {
      el.append(
        svg('circle', { class: 'loss-last', cx: g.last.x, cy: g.last.y, r: 3 }, undefined, `step ${g.last.step}: loss ${formatLoss(g.last.loss)}`),
        svg('text', { class: 'loss-last-label', x: g.last.x + 6, y: g.last.y, 'dominant-baseline': 'middle' }, formatLoss(g.last.loss)),
      );
    } else if (last !== undefined) {
      el.append(svg('text', { class: 'loss-last-label loss-bad-label', x: right + 6, y: top, 'dominant-baseline': 'hanging' }, formatLoss(last)));
    }
  }
}

/** An SVG element with attributes (never `style`), optional text and an optional tooltip (`<title>`). */
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string | number>>, text?: string, tip?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, typeof v === 'number' ? String(Math.round(v * 10) / 10) : v);
  if (text !== undefined) el.textContent = text;
  if (tip !== undefined) {
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = tip;
    el.append(title);
  }
  return el;
}
