import type { FrameInfo, ScopesInfo, StopInfo } from '../src/protocol/engine';
import type { ShownWeight } from '../src/protocol/webview';
import { h, icon } from './dom';
import type { TensorRole } from '../src/protocol/tensorLayout';
import type { TensorInfo, ViewEnv } from './tensorView';
import { TensorView } from './tensorView';

export interface BuiltFrame {
  readonly el: HTMLElement;
  readonly views: readonly TensorView[];
}

const SCOPES: readonly { key: 'inputs' | 'outputs' | 'weights'; title: string; role: TensorRole }[] = [
  { key: 'inputs', title: 'Inputs', role: 'input' },
  { key: 'outputs', title: 'Outputs', role: 'output' },
  { key: 'weights', title: 'Weights', role: 'weight' },
];

/** A filled circle, the breakpoint's mark. */
const BREAKPOINT_ICON = ['M8 3.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9z'];

/**
 * The selected frame: its name (`#frame-title`), what it is and where the session stands in it, a button
 * that toggles a breakpoint on its module or op (`#toggle-breakpoint`, when `onToggleBreakpoint` is given),
 * then its inputs, outputs and weights as tensor views and its attributes as a list. Sections remember
 * being closed.
 */
export function buildFrame(
  frame: FrameInfo, stop: StopInfo, scopes: ScopesInfo, env: (role: TensorRole) => ViewEnv, closed: Set<string>,
  onToggleBreakpoint?: () => void,
): BuiltFrame {
  const views: TensorView[] = [];
  const at = stop.point === 'call' ? 'at its call: inputs ready' : 'at its return: outputs ready';
  const head = h('div', { class: 'frame-head' }, [
    h('h2', { id: 'frame-title', text: frame.name }),
    h('span', { class: 'frame-meta', text: `${frame.type} · ${frame.kind === 'module' ? 'module' : 'op'} · ${at}` }),
  ]);
  if (onToggleBreakpoint) {
    const what = frame.source ? `its line in the model file` : `its name, ${frame.itemId || frame.name}`;
    const label = `Toggle a breakpoint on ${frame.name} (at ${what})`;
    const b = h('button', { id: 'toggle-breakpoint', class: 'icon-button breakpoint-toggle', title: label, attrs: { type: 'button', 'aria-label': label } }, [icon(BREAKPOINT_ICON)]);
    b.addEventListener('click', onToggleBreakpoint);
    head.append(b);
  }
  const el = h('div', { class: 'frame', attrs: { 'data-frame-id': String(frame.id) } }, [head]);
  for (const s of SCOPES) {
    const list = scopes[s.key];
    const body: (Node | string)[] = [];
    if (!list.length) {
      const why = s.key === 'outputs' && stop.point === 'call' ? 'Outputs appear when the frame returns: step over or out.' : `No ${s.title.toLowerCase()}.`;
      body.push(h('p', { class: 'scope-empty', text: why }));
    }
    for (const t of list) {
      const v = new TensorView(t as TensorInfo, s.role, env(s.role));
      views.push(v);
      body.push(v.el);
    }
    el.append(section(s.title, body, closed));
  }
  const attrs = Object.entries(scopes.attrs);
  if (attrs.length) {
    const dl = h('dl', { class: 'attrs' });
    for (const [k, v] of attrs) dl.append(h('dt', { text: k }), h('dd', { text: v }));
    el.append(section('Attributes', [dl], closed));
  }
  return { el, views };
}

/** A weight shown with "Show in Panel": its name and role, a close button, and its tensor view. */
export function buildWeight(w: ShownWeight, env: ViewEnv, onClose: () => void): BuiltFrame {
  const info: TensorInfo = { name: w.ref.name, label: w.role, dtype: w.dtype, shape: w.shape, summary: w.summary, stats: w.stats };
  const view = new TensorView(info, 'weight', env);
  const close = h('button', { class: 'icon-button', title: 'Close', text: '×', attrs: { type: 'button', 'aria-label': `Close weight ${w.ref.name}` } });
  close.addEventListener('click', onClose);
  const el = h('section', { id: 'weight', attrs: { 'aria-label': `Weight ${w.ref.name}` } }, [
    h('div', { class: 'frame-head' }, [
      h('h2', { class: 'weight-title', text: w.ref.name }),
      h('span', { class: 'frame-meta', text: `weight · ${w.role}${w.ref.source.kind === 'session' ? ' · from the running session' : ''}` }),
      close,
    ]),
    view.el,
  ]);
  return { el, views: [view] };
}

function section(title: string, body: readonly (Node | string)[], closed: Set<string>): HTMLElement {
  const d = h('details', { class: 'scope', attrs: { 'data-scope': title.toLowerCase() } }, [h('summary', { text: title }), ...body]);
  d.open = !closed.has(title);
  d.addEventListener('toggle', () => {
    if (d.open) closed.delete(title);
    else closed.add(title);
  });
  return d;
}
