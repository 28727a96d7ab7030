import type { FrameInfo, ScopesInfo, StopInfo, TensorSummary } from '../src/protocol/engine';
import type { ShownWeight } from '../src/protocol/webview';
import { divergenceLine } from './divergence';
import { healthBadge, healthText } from '../src/protocol/healthBadge';
import { h, icon } from './dom';
import type { EditAction, EditUnit } from './editText';
import type { ChannelOrder } from './editText';
import { assignmentText, channelOrder, editUnit, tensorRef } from './editText';
import type { TensorRole } from '../src/protocol/tensorLayout';
import { chooseLayout } from '../src/protocol/tensorLayout';
import type { EditHook, TensorInfo, ViewEnv } from './tensorView';
import { TensorView } from './tensorView';
import { trainingNote } from './training';

export interface BuiltFrame {
  readonly el: HTMLElement;
  readonly views: readonly TensorView[];
}

const SCOPES: readonly { key: 'inputs' | 'outputs' | 'weights'; title: string; role: TensorRole }[] = [
  { key: 'inputs', title: 'Inputs', role: 'input' },
  { key: 'outputs', title: 'Outputs', role: 'output' },
  { key: 'weights', title: 'Weights', role: 'weight' },
];

/** What the frame view may offer besides showing the frame. */
export interface FrameOptions {
  /** The button by the frame's title that toggles a breakpoint on it. */
  readonly onToggleBreakpoint?: () => void;
  /** What-if edits from the tensors' menus; without it nothing is editable. */
  readonly edits?: FrameEdits;
  /** What a compared run is compared with, for the divergence lines. */
  readonly counterpart?: string;
}

export interface FrameEdits {
  /** The model's format: it says where activations keep their channels (see {@link channelOrder}). */
  readonly format: string;
  /** Opens the menu for `unit` `index` of `tensor`; `text` gives the assignment for the action chosen. */
  open(tensor: TensorSummary, unit: EditUnit, index: number, at: Parameters<EditHook['open']>[1], text: (action: EditAction) => string): void;
}

/** A filled circle, the breakpoint's mark. */
const BREAKPOINT_ICON = ['M8 3.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9z'];

/**
 * The selected frame: its name (`#frame-title`), a ✎ when a what-if edit changed it (`#frame-edited`), what it
 * is and where the session stands in it, a button that toggles a breakpoint on its module or op
 * (`#toggle-breakpoint`, when `onToggleBreakpoint` is given), then its inputs, outputs and weights as tensor
 * views and its attributes as a list. In a compared run each output has a line with its divergence
 * (`.divergence-line`). With `edits`, its outputs (and the model's inputs, in the model's own frame) take the
 * edit menu. Sections remember being closed.
 */
export function buildFrame(
  frame: FrameInfo, stop: StopInfo, scopes: ScopesInfo, env: (role: TensorRole) => ViewEnv, closed: Set<string>,
  opts: FrameOptions = {},
): BuiltFrame {
  const { onToggleBreakpoint } = opts;
  const views: TensorView[] = [];
  const at = stop.point === 'call' ? 'at its call: inputs ready' : 'at its return: outputs ready';
  const head = h('div', { class: 'frame-head' }, [h('h2', { id: 'frame-title', text: frame.name })]);
  if (frame.edited) head.append(h('span', { id: 'frame-edited', class: 'frame-edited', text: '✎ edited', title: 'A what-if edit changed its outputs or weights' }));
  const badge = healthBadge(frame.health);
  if (badge) head.append(h('span', { id: 'frame-health', class: 'frame-health', text: badge, title: healthText(frame.health) }));
  head.append(h('span', { class: 'frame-meta', text: `${frame.type} · ${frame.kind === 'module' ? 'module' : 'op'} · ${at}` }));
  if (onToggleBreakpoint) {
    const what = frame.source ? `its line in the model file` : `its name, ${frame.itemId || frame.name}`;
    const label = `Toggle a breakpoint on ${frame.name} (at ${what})`;
    const b = h('button', { id: 'toggle-breakpoint', class: 'icon-button breakpoint-toggle', title: label, attrs: { type: 'button', 'aria-label': label } }, [icon(BREAKPOINT_ICON)]);
    b.addEventListener('click', onToggleBreakpoint);
    head.append(b);
  }
  const el = h('div', { class: 'frame', attrs: { 'data-frame-id': String(frame.id) } }, [head]);
  const note = trainingNote(frame);
  if (note) el.append(h('p', { class: 'frame-note', text: note }));
  for (const s of SCOPES) {
    const list = scopes[s.key];
    const body: (Node | string)[] = [];
    if (!list.length) {
      const why = s.key === 'outputs' && stop.point === 'call' ? 'Outputs appear when the frame returns: step over or out.' : `No ${s.title.toLowerCase()}.`;
      body.push(h('p', { class: 'scope-empty', text: why }));
    }
    list.forEach((t, position) => {
      const viewEnv = env(s.role);
      const v = new TensorView(t as TensorInfo, s.role, viewEnv, editHook(frame, scopes, s.key, position, t, opts.edits));
      addSaveButton(v, viewEnv, s.key === 'weights' ? `${frame.name}.${t.label}` : t.label);
      if (s.key === 'outputs') {
        const d = scopes.divergence?.find((x) => x.name === t.name);
        if (d) {
          const text = divergenceLine(d, opts.counterpart, list.length > 1 ? t.label : undefined);
          v.addLine(h('p', { class: 'divergence-line', text, attrs: { 'data-output': t.name, 'data-diverged': String(d.diverged) } }));
        }
      }
      views.push(v);
      body.push(v.el);
    });
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
  addSaveButton(view, env, w.ref.name);
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

/** A down arrow into a tray: Save…. */
const SAVE_ICON = ['M7.5 2h1v7h-1z', 'M4.5 7.5 8 11l3.5-3.5z', 'M2 10h1v3h10v-3h1v4H2z'];

/**
 * Save… in a tensor view's actions (`.tensor-save-button`): the host asks where and writes `.npy`, `.json` or a
 * `.png` picture, as VARIABLES' Save Tensor As… does. `label` names the file.
 */
function addSaveButton(view: TensorView, env: ViewEnv, label: string): void {
  const save = env.save;
  if (!save) return;
  const what = `Save ${label} as .npy, .json or .png…`;
  const b = h('button', { class: 'icon-button tensor-save-button', title: what, attrs: { type: 'button', 'aria-label': what } }, [icon(SAVE_ICON)]);
  b.addEventListener('click', () => save(view.info.name, label));
  view.actions.append(b);
}

/** Where the keyboard focus is in a built frame: on a tensor view's picture or button, and the unit it picked. */
export interface FrameFocus {
  readonly view: number;
  readonly name: string;
  readonly tag: string;
  readonly className: string;
  readonly cursor: number;
}

/** The focus inside `b`, if it is on one of its tensor views (to put it back when the frame is drawn again). */
export function frameFocus(b: BuiltFrame | undefined): FrameFocus | undefined {
  const active = document.activeElement;
  if (!b || !(active instanceof HTMLElement) || !b.el.contains(active)) return undefined;
  const view = b.views.findIndex((v) => v.el.contains(active));
  if (view < 0) return undefined;
  return { view, name: b.views[view].info.name, tag: active.tagName, className: active.className, cursor: b.views[view].editCursor };
}

/**
 * Puts the focus back on the same tensor's same element after the frame was drawn again (an edit redraws it),
 * so a keyboard user goes on where they were; nothing when that tensor is not there any more.
 */
export function restoreFocus(b: BuiltFrame, f: FrameFocus): void {
  const v = b.views[f.view];
  if (!v || v.info.name !== f.name) return;
  v.editCursor = f.cursor;
  const el = [...v.el.querySelectorAll<HTMLElement>(f.tag)].find((e) => e.className === f.className);
  el?.focus({ preventScroll: true });
}

/**
 * The edit menu of a tensor of the frame, if it takes one: the frame's outputs, and the model's inputs in the
 * model's own frame (other frames' inputs are outputs of earlier frames: edit them there).
 */
function editHook(frame: FrameInfo, scopes: ScopesInfo, scope: 'inputs' | 'outputs' | 'weights', position: number, t: TensorSummary,
  edits: FrameEdits | undefined): EditHook | undefined {
  if (!edits || !(scope === 'outputs' || (scope === 'inputs' && frame.parentId === undefined))) return undefined;
  const ref = tensorRef(scope, position, t.name);
  const layout = chooseLayout(t.shape, scope === 'outputs' ? 'output' : 'input');
  const hook = (order: ChannelOrder): EditHook | undefined => {
    const unit = editUnit(t.shape, layout, order);
    return unit && { unit, open: (index, at) => edits.open(t, unit, index, at, (action) => assignmentText(ref, t.shape.length, unit, index, action)), withOrder: hook };
  };
  // The layout the engine found (from the op) comes first; the model's format and the frame's op otherwise.
  return hook(t.layout ? (t.layout === 'NHWC' ? 'last' : 'first') : channelOrder(edits.format, frame, scopes.attrs));
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
