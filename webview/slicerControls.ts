import type { SliceView, TensorRole } from '../src/protocol/tensorLayout';
import { axisNames, axisWord, describeView, sliceGrid } from '../src/protocol/tensorLayout';
import { h } from './dom';
import type { AxisRole, SliceState } from './slicer';
import { canPicture, channelPages, followsLayout, pageChannels, pickAxis, scrub, scrubbedAxes, switchLayout, togglePicture } from './slicer';

/** How a change came: `scrub` while a scrubber moves (the controls stay as they are), `set` for everything else. */
export type SliceChange = 'scrub' | 'set';

/**
 * The slicing bar of a tensor view (`.slicer`): the layout toggle (NCHW ⇄ NHWC), picture ⇄ channels, which axes
 * are rows, cols and channels, a scrubber for each other axis (the batch item first), channel paging, and the
 * caption that says what is drawn (`.slice-caption`). Every control is a native button, select or range input,
 * so the keyboard works as everywhere: Tab to it, arrows on a scrubber, Enter or Space on a button.
 */
export function slicerBar(
  label: string, shape: readonly number[], current: () => SliceState, layoutFrom: 'op' | 'guess' | 'user' | undefined,
  onChange: (s: SliceState, how: SliceChange) => void, role?: TensorRole,
): HTMLElement {
  // The state as the bar was drawn, for what it shows; events read the state as it is then (a scrubber moves it
  // without drawing the bar again).
  const state = current();
  const v = state.view;
  const now = () => current().view;
  const names = axisNames(shape.length, state.layout && followsLayout(shape, state) ? state.layout : undefined, role);
  const set = (view: SliceView, how: SliceChange = 'set') => onChange({ ...current(), view }, how);
  const bar = h('div', { class: 'slicer', attrs: { role: 'group', 'aria-label': `Slicing of ${label}` } });
  const row = h('div', { class: 'slicer-row' });

  if (state.layout && (shape.length === 3 || shape.length === 4)) {
    const other = state.layout === 'NCHW' ? 'NHWC' : 'NCHW';
    const why = layoutFrom === 'op' ? 'as the op that made it says' : layoutFrom === 'user' ? 'as you chose' : 'guessed from its shape';
    const text = shape.length === 3 ? (state.layout === 'NCHW' ? 'CHW' : 'HWC') : state.layout;
    const b = button(`${text} ⇄`, `${label} is drawn ${text}, ${why}; switch to ${shape.length === 3 ? (other === 'NCHW' ? 'CHW' : 'HWC') : other}`, 'layout');
    b.classList.add('slicer-layout');
    b.dataset.layout = state.layout;
    b.dataset.from = layoutFrom ?? '';
    b.addEventListener('click', () => onChange(switchLayout(shape, current()), 'set'));
    row.append(b);
  }
  // Weights are no pictures: their maps are filters.
  if (role !== 'weight' && (v.picture || canPicture(shape, v))) {
    const b = button(v.picture ? 'Picture ⇄' : 'Channels ⇄', v.picture ? `${label} is drawn as a picture; draw its channels as maps` : `${label} is drawn as channel maps; draw it as a picture`, 'picture');
    b.classList.add('slicer-picture');
    b.setAttribute('aria-pressed', String(v.picture));
    b.addEventListener('click', () => set(togglePicture(shape, now())));
    row.append(b);
  }
  const picker = (role: AxisRole, title: string, current: number) => {
    const s = h('select', { class: `slicer-axis slicer-${role}`, attrs: { 'aria-label': `${title} of ${label}`, 'data-control': `axis-${role}` } });
    if (role === 'channel') s.append(option('-1', 'none', current === -1));
    shape.forEach((n, a) => s.append(option(String(a), `${names[a]} (${n})`, a === current)));
    s.addEventListener('change', () => set(pickAxis(shape, now(), role, Number(s.value))));
    return h('label', { class: 'slicer-field' }, [h('span', { text: title }), s]);
  };
  row.append(picker('row', 'rows', v.rowAxis), picker('col', 'cols', v.colAxis), picker('channel', 'maps', v.channelAxis));
  bar.append(row);

  const scrubs = scrubbedAxes(shape, v);
  const { page, pages } = channelPages(shape, v);
  if (scrubs.length || pages > 1) {
    const line = h('div', { class: 'slicer-row' });
    for (const a of scrubs) {
      const what = a === 0 && names[0] === 'N' ? 'item' : axisWord(names[a]);
      const value = h('span', { class: 'slicer-value', text: `${(v.index[a] ?? 0) + 1} of ${shape[a]}` });
      const input = h('input', {
        class: 'slicer-scrub',
        attrs: { type: 'range', min: '0', max: String(shape[a] - 1), step: '1', value: String(v.index[a] ?? 0), 'aria-label': `${what} of ${label}`, 'data-control': `scrub-${a}`, 'data-axis': String(a) },
      });
      input.setAttribute('aria-valuetext', `${what} ${(v.index[a] ?? 0) + 1} of ${shape[a]}`);
      input.addEventListener('input', () => {
        const next = scrub(shape, now(), a, Number(input.value));
        value.textContent = `${(next.index[a] ?? 0) + 1} of ${shape[a]}`;
        input.setAttribute('aria-valuetext', `${what} ${value.textContent}`);
        set(next, 'scrub');
      });
      line.append(h('label', { class: 'slicer-field' }, [h('span', { text: what }), input, value]));
    }
    if (pages > 1) {
      const g = sliceGrid(shape, v);
      const word = axisWord(names[v.channelAxis], true);
      const prev = button('‹', `Previous ${g.maps} ${word} of ${label}`, 'page-prev');
      const next = button('›', `Next ${word} of ${label}`, 'page-next');
      prev.disabled = page === 0;
      next.disabled = page === pages - 1;
      prev.addEventListener('click', () => set(pageChannels(shape, now(), -1)));
      next.addEventListener('click', () => set(pageChannels(shape, now(), 1)));
      const count = shape[v.channelAxis];
      line.append(h('span', { class: 'slicer-pages' }, [prev, h('span', { class: 'slicer-value', text: `${axisWord(names[v.channelAxis], true)} ${v.channelStart + 1}–${v.channelStart + g.maps} of ${count}` }), next]));
    }
    bar.append(line);
  }
  bar.append(h('div', { class: 'slice-caption', attrs: { 'aria-live': 'polite' }, text: describeView(shape, v, names) }));
  return bar;
}

function button(text: string, label: string, control: string): HTMLButtonElement {
  return h('button', { class: 'slicer-button', text, title: label, attrs: { type: 'button', 'aria-label': label, 'data-control': control } });
}

function option(value: string, text: string, selected: boolean): HTMLOptionElement {
  const o = h('option', { text, attrs: { value } });
  o.selected = selected;
  return o;
}
