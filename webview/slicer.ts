import type { ChannelLayout, SliceView, TensorRole } from '../src/protocol/tensorLayout';
import { channelAxisOf, defaultView, MAX_MAPS } from '../src/protocol/tensorLayout';

/**
 * What the slicing controls of a tensor view do to its {@link SliceView}: pick the axes drawn, scrub the
 * others, page through channels, switch the layout or the picture. Pure: slicerControls.ts only shows what
 * these functions decide, and a view's state is kept in a {@link SliceMemory} between steps.
 */

/** A view's state: its layout (the tensor's, or the one the user switched to) and what it draws. */
export interface SliceState {
  readonly layout?: ChannelLayout;
  readonly view: SliceView;
}

export type AxisRole = 'row' | 'col' | 'channel';

/** Channel counts a picture is made of (grayscale, RGB, RGBA). */
export const PICTURE_CHANNELS: readonly number[] = [1, 3, 4];

/** Whether the view's channel axis can be drawn as a picture. */
export function canPicture(shape: readonly number[], v: SliceView): boolean {
  return v.channelAxis >= 0 && PICTURE_CHANNELS.includes(shape[v.channelAxis]) && shape[v.rowAxis] * shape[v.colAxis] >= 4;
}

/**
 * Puts `axis` in `role` (-1 for no channel axis). An axis already drawn in another role swaps with it, so
 * rows, cols and channel stay three different axes; the channels start again at the first page.
 */
export function pickAxis(shape: readonly number[], v: SliceView, role: AxisRole, axis: number): SliceView {
  if (axis < -1 || axis >= shape.length || (axis === -1 && role !== 'channel')) return v;
  const cur: Record<AxisRole, number> = { row: v.rowAxis, col: v.colAxis, channel: v.channelAxis };
  const old = cur[role];
  if (old === axis) return v;
  for (const other of ['row', 'col', 'channel'] as const) {
    if (other !== role && cur[other] === axis) {
      // Rows and columns need an axis: when the channel axis was "none", take the first axis not drawn.
      cur[other] = old === -1 ? firstFree(shape.length, [cur.row, cur.col, cur.channel, axis]) : old;
    }
  }
  cur[role] = axis;
  if (cur.row < 0 || cur.col < 0) return v;
  const next = { ...v, rowAxis: cur.row, colAxis: cur.col, channelAxis: cur.channel, channelStart: 0 };
  return { ...next, picture: next.picture && canPicture(shape, next) };
}

function firstFree(rank: number, used: readonly number[]): number {
  for (let a = 0; a < rank; a++) if (!used.includes(a)) return a;
  return -1;
}

/** Fixes axis `axis` (one not drawn) at entry `i`, kept within the axis. */
export function scrub(shape: readonly number[], v: SliceView, axis: number, i: number): SliceView {
  if (axis < 0 || axis >= shape.length) return v;
  const index = [...v.index];
  index[axis] = Math.max(0, Math.min(shape[axis] - 1, Math.round(i) || 0));
  return { ...v, index };
}

/** The axes a view fixes with scrubbers: those not drawn that have more than one entry. */
export function scrubbedAxes(shape: readonly number[], v: SliceView): number[] {
  return shape.flatMap((n, a) => (a !== v.rowAxis && a !== v.colAxis && a !== v.channelAxis && n > 1 ? [a] : []));
}

/** The channel pages of a view: which one it shows (from 0) and how many there are. */
export function channelPages(shape: readonly number[], v: SliceView): { readonly page: number; readonly pages: number } {
  if (v.channelAxis < 0 || v.picture) return { page: 0, pages: 1 };
  const pages = Math.max(1, Math.ceil(shape[v.channelAxis] / MAX_MAPS));
  return { page: Math.min(pages - 1, Math.floor(v.channelStart / MAX_MAPS)), pages };
}

/** Moves `by` pages of channels (−1 the previous, +1 the next), kept within the channels. */
export function pageChannels(shape: readonly number[], v: SliceView, by: number): SliceView {
  const { page, pages } = channelPages(shape, v);
  const next = Math.max(0, Math.min(pages - 1, page + by));
  return next === page ? v : { ...v, channelStart: next * MAX_MAPS };
}

/** The other layout: the view starts again from its default for it, keeping the entries of the axes it fixes. */
export function switchLayout(shape: readonly number[], s: SliceState): SliceState {
  if (!s.layout || (shape.length !== 3 && shape.length !== 4)) return s;
  const layout: ChannelLayout = s.layout === 'NCHW' ? 'NHWC' : 'NCHW';
  const fresh = defaultView(shape, layout, false);
  const picture = s.view.picture && canPicture(shape, fresh);
  const index = shape.length === 4 ? fresh.index.map((_, a) => (a === 0 ? s.view.index[0] ?? 0 : 0)) : fresh.index;
  return { layout, view: { ...fresh, index, picture } };
}

/** Picture ⇄ channel maps (only where the channel axis can make a picture). */
export function togglePicture(shape: readonly number[], v: SliceView): SliceView {
  if (v.picture) return { ...v, picture: false };
  return canPicture(shape, v) ? { ...v, picture: true, channelStart: 0 } : v;
}

/** Whether the tensor is drawn with its channels on the axis a layout gives them (the layout toggle shows then). */
export function followsLayout(shape: readonly number[], s: SliceState): boolean {
  return !!s.layout && (shape.length === 3 || shape.length === 4) && s.view.channelAxis === channelAxisOf(shape.length, s.layout);
}

/**
 * The state of each tensor view, by the frame's tensor label, its role and its shape: a step to a frame whose
 * tensor has the same label and shape draws it as it was left. Held for the session (cleared at a new one),
 * the least recently used dropped past `capacity`.
 */
export class SliceMemory {
  private readonly states = new Map<string, SliceState>();

  constructor(private readonly capacity = 256) {}

  static key(label: string, role: TensorRole, shape: readonly number[]): string {
    return `${role}|${shape.join('x')}|${label}`;
  }

  get(key: string): SliceState | undefined {
    const s = this.states.get(key);
    if (s) {
      this.states.delete(key);
      this.states.set(key, s);
    }
    return s;
  }

  set(key: string, s: SliceState): void {
    this.states.delete(key);
    this.states.set(key, s);
    while (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value as string);
  }

  clear(): void {
    this.states.clear();
  }
}
