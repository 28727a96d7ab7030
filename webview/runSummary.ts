import type { RunSummary, SummaryRow } from '../src/protocol/engine';
import { healthText } from '../src/protocol/healthBadge';
import { bytesText, countText, flopsText, healthCell, msText, shapeText } from '../src/protocol/runSummaryText';
import { clear, h } from './dom';

/** What the Summary section asks of the panel. */
export interface SummaryHost {
  /** The summary of the session's run up to where it stands. */
  fetch(): Promise<RunSummary>;
  /** A click on a row: move the session to that frame (its return when recorded). */
  goto(frameId: number, index: number): void;
  /** Copy as Markdown / Save as CSV…. */
  export(format: 'markdown' | 'csv'): void;
}

const HEAD = ['Layer', 'Type', 'Output shape', 'Params', 'FLOPs', 'Time (ms)', 'Memory', 'Health'];
const NUMERIC = new Set([3, 4, 5, 6]);

/**
 * The panel's Summary section (`#run-summary`): a table of the run so far, a row per module and op called
 * (`.summary-row`, `data-frame-id`), names indented by depth, the current frame's row marked (`aria-current`), the
 * failing one with its error (`.failed`). A click or Enter on a row moves the session there. Folded by default:
 * nothing is asked of the engine while it is folded, so stepping costs nothing more.
 */
export class RunSummaryView {
  readonly el: HTMLDetailsElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly foot: HTMLTableSectionElement;
  private seq = 0;
  /** The stop the shown table is for; a new stop makes it stale. */
  private shownFor?: string;
  private wanted?: string;

  constructor(private readonly host: SummaryHost) {
    const copy = h('button', { id: 'summary-copy', class: 'text-button', text: 'Copy as Markdown', attrs: { type: 'button' } });
    const save = h('button', { id: 'summary-save', class: 'text-button', text: 'Save as CSV…', attrs: { type: 'button' } });
    copy.addEventListener('click', () => this.host.export('markdown'));
    save.addEventListener('click', () => this.host.export('csv'));
    this.status = h('p', { class: 'summary-status', attrs: { role: 'status' } });
    this.tbody = h('tbody');
    this.foot = h('tfoot');
    this.table = h('table', { class: 'summary-table' }, [
      h('thead', {}, [h('tr', {}, HEAD.map((t, i) => h('th', { text: t, class: NUMERIC.has(i) ? 'num' : '', attrs: { scope: 'col' } })))]),
      this.tbody,
      this.foot,
    ]);
    this.body = h('div', { class: 'summary-body' }, [h('div', { class: 'summary-actions' }, [copy, save]), this.status, h('div', { class: 'summary-scroll' }, [this.table])]);
    this.el = h('details', { id: 'run-summary', class: 'scope summary-section' }, [h('summary', { class: 'section-title', text: 'Summary' }), this.body]);
    this.el.addEventListener('toggle', () => {
      if (this.el.open && this.wanted !== undefined && this.wanted !== this.shownFor) void this.load(this.wanted);
    });
    this.tbody.addEventListener('click', (e) => this.pick(e.target as Element));
    this.tbody.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.pick(e.target as Element);
      }
    });
  }

  /** The session stopped (`key` names the stop): the table is read again, now if the section is open. */
  stopped(key: string): void {
    this.wanted = key;
    if (this.el.open) void this.load(key);
  }

  /** No session: nothing to show. */
  clear(): void {
    this.seq++;
    this.wanted = undefined;
    this.shownFor = undefined;
    clear(this.tbody);
    clear(this.foot);
    this.status.textContent = '';
  }

  private pick(target: Element): void {
    const row = target.closest<HTMLElement>('.summary-row');
    if (row) this.host.goto(Number(row.dataset.frameId), Number(row.dataset.index));
  }

  private async load(key: string): Promise<void> {
    const seq = ++this.seq;
    try {
      const s = await this.host.fetch();
      if (seq !== this.seq) return;
      this.shownFor = key;
      this.render(s);
    } catch (e) {
      if (seq === this.seq) this.status.textContent = `Could not read the summary: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private render(s: RunSummary): void {
    clear(this.tbody);
    clear(this.foot);
    for (const r of s.rows) this.tbody.append(this.row(r, r.frameId === s.current));
    const t = s.totals;
    const bad = [t.nan ? `NaN×${t.nan}` : '', t.inf ? `Inf×${t.inf}` : ''].filter(Boolean).join(' ');
    this.foot.append(h('tr', { class: 'summary-total' }, [
      h('th', { text: 'Total', attrs: { scope: 'row' } }), h('td'), h('td'),
      h('td', { class: 'num', text: countText(t.params) }), h('td', { class: 'num', text: flopsText(t.flops) }),
      h('td', { class: 'num', text: msText(t.timeMs) }), h('td', { class: 'num', text: bytesText(t.bytes), title: `weights: ${bytesText(t.weightBytes)}` }),
      h('td', { text: bad }),
    ]));
    const done = s.failed ? `failed at ${s.failed.name}` : `${s.rows.length} frames so far`;
    this.status.textContent = `${done} · weights ${bytesText(t.weightBytes)}`;
    this.tbody.querySelector<HTMLElement>('[aria-current="true"]')?.scrollIntoView({ block: 'nearest' });
  }

  private row(r: SummaryRow, current: boolean): HTMLElement {
    const name = h('td', { class: 'summary-name', text: r.name, title: r.path });
    name.style.paddingLeft = `${4 + r.depth * 12}px`;
    const health = r.error ? `✖ ${r.error}` : healthCell(r.health);
    const tr = h('tr', {
      class: `summary-row ${r.kind}${r.error ? ' failed' : ''}`,
      attrs: { 'data-frame-id': String(r.frameId), 'data-index': String(r.index), tabindex: '0', 'aria-current': String(current) },
    }, [
      name, h('td', { text: r.type }), h('td', { text: shapeText(r.shape) }),
      h('td', { class: 'num', text: countText(r.params) }), h('td', { class: 'num', text: flopsText(r.flops), title: `${countText(r.flops)} FLOPs` }),
      h('td', { class: 'num', text: msText(r.timeMs) }),
      h('td', { class: 'num', text: bytesText(r.bytes), title: `outputs ${bytesText(r.bytes)} · weights ${bytesText(r.weightBytes)}` }),
      h('td', { class: `summary-health${health.startsWith('⚠') || r.error ? ' notable' : ''}`, text: health, title: r.error ?? healthText(r.health) }),
    ]);
    return tr;
  }
}
