import type { ValueInfo } from '../../src/model/ir';
import type { ModelSummary, SummaryHostMessage, SummaryModule, SummaryViewMessage } from '../../src/protocol/summary';
import { clear, h } from '../dom';
import { count, opsText, plural, shapeText } from './format';

/** Modules above this depth start expanded; one level deeper when the model has few modules. */
const OPEN_DEPTH = 2;
const FEW_MODULES = 60;

/**
 * The summary editor's page: a header with the model's name and the Run and Debug buttons, its inputs and
 * outputs, facts from the file (producer, IR version, opsets), unsupported ops, and the module tree. Every
 * name goes in as text (the DOM helper sets `textContent`), never as HTML.
 */
export class SummaryView {
  private debugging = false;

  constructor(private readonly root: HTMLElement, private readonly send: (m: SummaryViewMessage) => void) {}

  show(m: SummaryHostMessage): void {
    if (typeof m !== 'object' || m === null) return;
    if (m.type === 'debugging') {
      this.debugging = m.active;
      for (const b of this.root.querySelectorAll<HTMLButtonElement>('#run, #debug')) b.disabled = m.active || b.dataset.ready !== 'true';
      return;
    }
    clear(this.root);
    this.root.classList.remove('loading');
    this.root.dataset.state = m.type;
    switch (m.type) {
      case 'loading':
        this.root.append(this.header(m.fileName, undefined, true), h('div', { class: 'progress', attrs: { role: 'progressbar', 'aria-label': `Loading ${m.fileName}` } }),
          h('p', { id: 'status', class: 'hint', text: `Loading ${m.fileName}…` }));
        break;
      case 'failed': {
        const retry = this.button('reload', 'Try Again', 'secondary');
        this.root.append(this.header(m.fileName, undefined, false),
          h('div', { id: 'error', class: 'error', attrs: { role: 'alert' } }, [h('p', { text: m.message }), retry]));
        break;
      }
      case 'loaded':
        this.render(m.summary);
        break;
    }
  }

  private render(s: ModelSummary): void {
    const facts = h('dl', { id: 'facts', class: 'facts' });
    const fact = (k: string, v: string) => facts.append(h('dt', { text: k }), h('dd', { text: v }));
    fact('Parameters', count(s.params));
    fact('Ops', count(s.ops));
    if (s.metadata?.producer) fact('Producer', s.metadata.producer);
    if (s.metadata?.irVersion !== undefined) fact('IR version', String(s.metadata.irVersion));
    const opsets = Object.entries(s.metadata?.opsets ?? {});
    if (opsets.length) fact('Opsets', opsets.map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', '));
    if (s.metadata?.moduleTree === 'inferred') fact('Modules', 'inferred from the graph (the file names none)');

    this.root.append(
      this.header(s.fileName, s, false),
      h('div', { class: 'columns' }, [
        section('Inputs', 'inputs', [valueTable(s.inputs, 'inputs')]),
        section('Outputs', 'outputs', [valueTable(s.outputs, 'outputs')]),
        section('Model', 'model', [facts]),
      ]),
    );
    if (s.unsupported.length) {
      const list = h('ul', { class: 'unsupported-list' });
      for (const u of s.unsupported) list.append(h('li', {}, [h('code', { class: 'op', text: u.op }), ' in ', h('code', { text: u.id })]));
      this.root.append(section(`Unsupported ops (${count(s.unsupported.length)})`, 'unsupported', [
        h('p', { class: 'warning', text: 'The engine cannot run these ops: the model opens, and a run stops with an error when it reaches one of them.' }),
        list,
      ]));
    }
    const openDepth = countModules(s.root) <= FEW_MODULES ? OPEN_DEPTH + 1 : OPEN_DEPTH;
    this.root.append(section('Modules', 'modules', [h('div', { class: 'tree', attrs: { role: 'tree' } }, [moduleRow(s.root, 0, openDepth)])]));
  }

  private header(fileName: string, s: ModelSummary | undefined, busy: boolean): HTMLElement {
    const title = h('div', { class: 'title' }, [
      h('h1', { id: 'model-name', text: s?.modelName ?? fileName }),
      h('span', { class: 'meta', text: s ? `${fileName} · ${s.format.toUpperCase()}` : fileName, title: s?.path ?? fileName }),
    ]);
    const run = this.button('run', 'Run', 'primary', 'Run the model to the end or the first breakpoint');
    const debug = this.button('debug', 'Debug', 'secondary', 'Debug the model: stop on entry, then step through its modules');
    for (const b of [run, debug]) {
      b.dataset.ready = String(!busy && !!s);
      b.disabled = busy || !s || this.debugging;
    }
    return h('header', { class: 'header' }, [title, h('div', { class: 'actions' }, [run, debug])]);
  }

  private button(action: 'run' | 'debug' | 'reload', label: string, kind: 'primary' | 'secondary', title?: string): HTMLButtonElement {
    const b = h('button', { id: action, class: `button ${kind}`, text: label, title, attrs: { type: 'button' } });
    b.addEventListener('click', () => this.send({ type: action }));
    return b;
  }
}

function section(title: string, id: string, body: readonly Node[]): HTMLElement {
  return h('section', { id, class: 'section' }, [h('h2', { class: 'section-title', text: title }), ...body]);
}

function valueTable(values: readonly ValueInfo[], id: string): HTMLElement {
  if (!values.length) return h('p', { class: 'hint', text: 'None.' });
  const body = h('tbody');
  for (const v of values) body.append(h('tr', {}, [h('td', {}, [h('code', { text: v.name })]), h('td', { text: v.dtype }), h('td', { class: 'shape', text: shapeText(v.shape) })]));
  return h('table', { class: 'values', attrs: { 'data-values': id } }, [
    h('thead', {}, [h('tr', {}, [h('th', { text: 'name' }), h('th', { text: 'dtype' }), h('th', { text: 'shape' })])]),
    body,
  ]);
}

function countModules(m: SummaryModule): number {
  return m.children.reduce((n, c) => n + countModules(c), 1);
}

/** A module as a row (name, type, op and parameter counts, its own ops), its modules nested below. */
function moduleRow(m: SummaryModule, depth: number, openDepth: number): HTMLElement {
  const counts = [plural(m.ops, 'op'), ...(m.params ? [plural(m.params, 'param')] : [])].join(' · ');
  const head = h('span', { class: 'module-head' }, [
    h('span', { class: 'module-name', text: m.name }),
    h('span', { class: 'module-type', text: m.type }),
    h('span', { class: 'module-counts', text: counts }),
  ]);
  const own = m.ownOps.length ? [h('div', { class: 'module-ops', text: opsText(m.ownOps), title: `Ops called directly in ${m.name}` })] : [];
  const attrs = { role: 'treeitem', 'data-module-id': m.id, 'aria-level': String(depth + 1) };
  if (!m.children.length) return h('div', { class: 'module leaf', attrs }, [head, ...own]);
  const d = h('details', { class: 'module', attrs }, [h('summary', {}, [head]), ...own, ...m.children.map((c) => moduleRow(c, depth + 1, openDepth))]);
  d.open = depth < openDepth;
  return d;
}
