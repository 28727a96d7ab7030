import type { TensorStats } from '../src/engine/stats';
import type { DType } from '../src/engine/tensor';
import type { Colormap, GridParams, TensorGrid, TensorSource } from '../src/protocol/webview';
import { MAX_DRAWN_VALUES } from '../src/protocol/webview';
import { barBins, topK } from './bars';
import type { ColorScale } from './colors';
import { makeScale } from './colors';
import { clear, h, sizeCanvas } from './dom';
import type { ChannelOrder, EditUnit } from './editText';
import { unitAt } from './editText';
import { paintBars } from './draw/barChart';
import type { MapRect } from './draw/heatmap';
import { paintMaps } from './draw/heatmap';
import { paintHistogram } from './draw/histogramChart';
import { legendHeight, paintLegend } from './draw/legend';
import { paintPicture } from './draw/picture';
import { formatExact, formatIndex, formatNumber, formatShape, num } from './format';
import { finiteRange, histogram, planBins } from '../src/engine/histogram';
import type { ChannelLayout, SliceGrid, TensorLayout, TensorRole } from '../src/protocol/tensorLayout';
import {
  axisNames, chooseLayout, describeView, fitGrid, gridOf, initialView, pictureRange, sliceGrid, squareSide, tileMaps,
} from '../src/protocol/tensorLayout';
import type { Theme } from './theme';
import type { SharedScales } from './sharedScale';
import type { SliceState } from './slicer';
import { followsLayout, SliceMemory } from './slicer';
import type { SliceChange } from './slicerControls';
import { slicerBar } from './slicerControls';

/** What a tensor view is told about its tensor (a scope entry of the engine, or a shown weight). */
export interface TensorInfo {
  readonly name: string;
  readonly label: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly summary: string;
  /** Exact statistics (fields may be null where JSON dropped a NaN); absent for some shown weights. */
  readonly stats?: TensorStats;
  /** A what-if edit changed it. */
  readonly edited?: boolean;
  /** Where it keeps its channels, and what said so (see TensorSummary). */
  readonly layout?: ChannelLayout;
  readonly layoutFrom?: 'op' | 'guess';
}

/**
 * A tensor the panel can edit: which unit (channel or neuron) its menu works on, and how the menu opens for
 * unit `index`, at the pointer (client coordinates) or by the element that had the focus.
 */
export interface EditHook {
  readonly unit: EditUnit;
  open(index: number, at: { readonly x: number; readonly y: number } | HTMLElement): void;
  /** The same edits with the channels on the axis `order` says (the user switched the view's layout). */
  withOrder?(order: ChannelOrder): EditHook | undefined;
}

export interface ViewEnv {
  readonly source: TensorSource;
  readonly labels?: readonly string[];
  theme(): Theme;
  colormap(): Colormap;
  grid(params: GridParams): Promise<TensorGrid>;
  element(name: string, index: number): Promise<number>;
  /** Where sliced views keep their state between steps (see {@link SliceMemory}); without it each view starts afresh. */
  readonly slices?: SliceMemory;
  /** The ranges shared across frames, and whether colours use them now (the setting, or the panel's toggle). */
  readonly scales?: SharedScales;
  sharedScale?(): boolean;
  /** The Shared scale toggle under a legend: turns the shared range on or off for every view. */
  setSharedScale?(on: boolean): void;
  /** Save… on a view: the host asks where and writes the tensor `name` (`label` names the file). */
  save?(name: string, label: string): void;
}

const SIDE_W = 220;
const MAX_H = 320;
const BARS_H = 120;

/**
 * One tensor: its name and summary, a picture chosen by its shape (heatmap, feature maps, bar chart), a
 * histogram and a colour legend, and a hover line with the exact value and index under the pointer. Activations
 * of rank 3 and more are drawn in slices (src/protocol/tensorLayout.ts `initialView`): channel maps on the axis
 * their layout says, or an RGB / grayscale picture, with a slicing bar (slicerControls.ts) to pick the axes, the
 * item and the channels, whose state a {@link SliceMemory} keeps between steps. The head keeps a place for actions
 * on the tensor (`.tensor-actions`, see {@link TensorView.actions}). An edited
 * tensor says so by its name (`.tensor-edited`). With an {@link EditHook} its pictures take a context menu (right
 * click, or Shift+F10 / the context-menu key on the focused picture, whose arrow keys pick the channel or neuron)
 * and its head a `⋯` button (`.tensor-edit-button`) that opens the same menu.
 */
export class TensorView {
  readonly el: HTMLElement;
  private readonly layout: TensorLayout;
  /** The slice drawn, for a tensor drawn in slices; its layout switched by the user from the summary's. */
  private slice?: SliceState;
  private readonly sliceKey: string;
  private readonly slicerSlot: HTMLElement;
  private loadSeq = 0;
  /** Buttons that act on the whole tensor (Save…) go here, at the end of the head. */
  readonly actions: HTMLElement;
  private readonly main: HTMLElement;
  private readonly side: HTMLElement;
  private readonly hover: HTMLElement;
  private readonly note: HTMLElement;
  private data?: TensorGrid;
  private width = 0;
  private hoverSeq = 0;
  /** The channel or neuron the keyboard and the `⋯` button edit: the last one picked. */
  private cursor = 0;
  private readonly head: HTMLElement;

  constructor(readonly info: TensorInfo, private readonly role: TensorRole, private readonly env: ViewEnv, private edit?: EditHook) {
    this.layout = chooseLayout(info.shape, role);
    this.sliceKey = SliceMemory.key(info.label, role, info.shape);
    const first = initialView(info, role);
    if (first) this.slice = env.slices?.get(this.sliceKey) ?? { layout: first.layout, view: first.view };
    this.followLayout();
    if (info.stats) env.scales?.extend(role, num(info.stats.min), num(info.stats.max));
    this.slicerSlot = h('div', { class: 'slicer-slot' });
    this.actions = h('span', { class: 'tensor-actions' });
    this.main = h('div', { class: 'tensor-main' }, [h('div', { class: 'tensor-loading', text: 'Loading…' })]);
    this.side = h('div', { class: 'tensor-side' });
    this.hover = h('div', { class: 'tensor-hover', attrs: { 'aria-live': 'polite' } });
    this.note = h('div', { class: 'tensor-note' });
    this.head = h('div', { class: 'tensor-head' }, [h('span', { class: 'tensor-label', text: info.label })]);
    if (info.edited) this.head.append(h('span', { class: 'tensor-edited', text: '✎ edited', title: 'A what-if edit changed this tensor' }));
    this.head.append(h('span', { class: 'tensor-summary', text: info.summary, title: info.name }));
    if (edit) {
      const what = `Edit a ${edit.unit.noun} of ${info.label}`;
      const b = h('button', { class: 'icon-button tensor-edit-button', title: what, text: '⋯', attrs: { type: 'button', 'aria-label': what, 'aria-haspopup': 'menu' } });
      b.addEventListener('click', () => (this.edit ?? edit).open(this.cursor, b));
      this.head.append(b);
    }
    this.head.append(this.actions);
    this.el = h('section', {
      class: 'tensor-view',
      attrs: { 'data-tensor-name': info.name, 'data-layout': this.slice ? this.sliceKind() : this.layout.kind, ...(info.edited ? { 'data-edited': 'true' } : {}) },
    }, [
      this.head,
      this.slicerSlot,
      h('div', { class: 'tensor-body' }, [this.main, this.side]),
      this.hover,
      this.note,
    ]);
    this.drawSlicer();
  }

  /** Fetches what the picture needs, then draws it `width` CSS pixels wide. Never rejects: errors are shown. */
  async load(width: number): Promise<void> {
    this.width = width;
    const seq = ++this.loadSeq;
    const grid = this.slice ? sliceGrid(this.info.shape, this.slice.view) : gridOf(this.layout);
    try {
      if (grid) {
        const data = await this.env.grid({ ref: { source: this.env.source, name: this.info.name }, ...grid, maxValues: MAX_DRAWN_VALUES });
        if (seq !== this.loadSeq) return;
        this.data = data;
      } else if (this.layout.kind === 'scalar') {
        const v = await this.env.element(this.info.name, 0);
        this.data = { outRows: 1, outCols: 1, rowIndex: Int32Array.of(0), colIndex: Int32Array.of(0), values: Float64Array.of(v), exact: true, substituted: 0 };
      }
      this.draw();
    } catch (e) {
      if (seq !== this.loadSeq) return;
      clear(this.main);
      this.main.append(h('div', { class: 'tensor-error', text: `Could not read '${this.info.name}': ${e instanceof Error ? e.message : String(e)}` }));
    }
  }

  /** A channel edit goes along the channels of the layout the view draws, the tensor's or the one the user chose. */
  private followLayout(): void {
    const layout = this.slice?.layout;
    if (!layout || this.info.shape.length !== 4 || this.edit?.unit.noun !== 'channel') return;
    const axis = layout === 'NHWC' ? 3 : 1;
    if (this.edit.unit.axis !== axis) this.edit = this.edit.withOrder?.(layout === 'NHWC' ? 'last' : 'first') ?? this.edit;
  }

  /** `picture`, `maps` or `heatmap`: what a sliced view draws now. */
  private sliceKind(): string {
    const s = this.slice;
    if (!s) return this.layout.kind;
    return s.view.picture ? 'picture' : sliceGrid(this.info.shape, s.view).maps > 1 ? 'maps' : 'heatmap';
  }

  /** The slicing bar, drawn again for the current state; the focus stays on the control that had it. */
  private drawSlicer(): void {
    const s = this.slice;
    if (!s) return;
    const active = document.activeElement instanceof HTMLElement && this.slicerSlot.contains(document.activeElement)
      ? document.activeElement.dataset.control : undefined;
    const from = s.layout !== undefined && s.layout !== (this.info.layout ?? initialView(this.info, this.role)?.layout) ? 'user' : this.info.layout ? this.info.layoutFrom : 'guess';
    clear(this.slicerSlot);
    this.slicerSlot.append(slicerBar(this.info.label, this.info.shape, () => this.slice ?? s, from, (next, how) => this.sliced(next, how), this.role));
    if (active) this.slicerSlot.querySelector<HTMLElement>(`[data-control="${active}"]`)?.focus({ preventScroll: true });
  }

  /** A slicing control changed the state: remember it, fetch what it draws and draw it (controls too, unless scrubbing). */
  private sliced(next: SliceState, how: SliceChange): void {
    this.slice = next;
    this.followLayout();
    this.env.slices?.set(this.sliceKey, next);
    this.el.dataset.layout = this.sliceKind();
    if (how === 'set') this.drawSlicer();
    else this.slicerSlot.querySelector('.slice-caption')?.replaceWith(this.captionOnly());
    void this.load(this.width).then(() => undefined);
  }

  private captionOnly(): HTMLElement {
    const s = this.slice;
    const names = axisNames(this.info.shape.length, s?.layout && followsLayout(this.info.shape, s) ? s.layout : undefined, this.role);
    return h('div', { class: 'slice-caption', attrs: { 'aria-live': 'polite' }, text: s ? describeView(this.info.shape, s.view, names) : '' });
  }

  /** The channel or neuron the keyboard and the `⋯` button edit, kept when the frame is drawn again. */
  get editCursor(): number {
    return this.cursor;
  }

  set editCursor(index: number) {
    const count = this.edit?.unit.count ?? 1;
    this.cursor = Math.max(0, Math.min(count - 1, Math.floor(index) || 0));
  }

  /** Adds a line under the tensor's name (the frame view's divergence line). */
  addLine(line: HTMLElement): void {
    this.head.after(line);
  }

  /** Draws again (new width, theme or colormap) from the values already fetched. */
  redraw(width: number): void {
    this.width = width;
    if (this.data) this.draw();
  }

  private draw(): void {
    const data = this.data;
    clear(this.main);
    clear(this.side);
    const layout = this.layout;
    if (layout.kind === 'empty') {
      this.main.append(h('div', { class: 'tensor-scalar', text: 'empty' }));
      return;
    }
    if (!data) return;
    if (layout.kind === 'scalar') {
      this.main.append(h('div', { class: 'tensor-scalar', text: formatExact(data.values[0]) }));
      return;
    }
    const theme = this.env.theme();
    const stats = this.info.stats;
    const fetched = finiteRange(data.values);
    const ownMin = stats && Number.isFinite(num(stats.min)) ? num(stats.min) : fetched.min;
    const ownMax = stats && Number.isFinite(num(stats.max)) ? num(stats.max) : fetched.max;
    let min = ownMin;
    let max = ownMax;
    const shared = !!this.env.sharedScale?.() && !!this.env.scales;
    if (shared) {
      if (!stats) this.env.scales?.extend(this.role, fetched.min, fetched.max);
      const r = this.env.scales?.range(this.role);
      if (r) ({ min, max } = r);
    }
    const scale = makeScale(this.env.colormap(), min, max, theme.palette);
    const wide = this.width >= 560;
    const mainW = Math.max(120, wide ? this.width - SIDE_W - 16 : this.width);
    const slice = this.slice;
    const g = slice ? sliceGrid(this.info.shape, slice.view) : undefined;

    if (slice && g && slice.view.picture) this.drawPicture(data, g, mainW);
    else if (g) this.drawMaps(data, g.maps > 1 ? { kind: 'maps', maps: g.maps, shown: g.maps, rows: g.rows, cols: g.cols, mapStride: g.mapStride } : { kind: 'heatmap', rows: g.rows, cols: g.cols }, mainW, scale, g);
    else if (layout.kind === 'bars') this.drawBars(data, layout.length, mainW, min, max, scale, theme);
    else this.drawMaps(data, layout, mainW, scale);

    const specials = {
      nan: stats ? num(stats.nan) || 0 : countIf(data.values, (v) => v !== v),
      inf: stats ? (num(stats.posInf) || 0) + (num(stats.negInf) || 0) : countIf(data.values, (v) => v === Infinity || v === -Infinity),
    };
    const sideW = wide ? SIDE_W : Math.min(this.width, SIDE_W);
    // The engine bins every value where the tensor lives; sampled values are binned here only when it could not.
    const hist = data.histogram ?? histogram(data.values, planBins(ownMin, ownMax, data.values.length, this.info.dtype !== 'float32'));
    const hc = h('canvas', { class: 'histogram', attrs: { role: 'img', 'aria-label': `Histogram of ${this.info.label} from ${formatNumber(hist.min)} to ${formatNumber(hist.max)}` } });
    paintHistogram(sizeCanvas(hc, sideW, 72), hist, sideW, 72, scale, theme);
    const size = this.info.shape.reduce((a, b) => a * b, 1);
    const drawn = g ? g.maps * g.rows * g.cols : gridSize(layout);
    this.side.append(
      hc,
      h('div', { class: 'tensor-caption', text: data.histogram || (data.exact && drawn === size) ? `histogram of ${size.toLocaleString('en-US')} values` : `histogram of ${data.values.length.toLocaleString('en-US')} ${data.exact ? 'drawn' : 'sampled'} values` }),
    );
    if (!slice?.view.picture) {
      const what = shared ? `shared ${this.role === 'weight' ? 'weight' : 'activation'} scale` : 'colour scale';
      const lc = h('canvas', { class: 'legend', attrs: { role: 'img', 'aria-label': `${what} from ${formatNumber(scale.min)} to ${formatNumber(scale.max)}` } });
      paintLegend(sizeCanvas(lc, sideW, legendHeight(specials)), sideW, scale, theme, specials);
      this.side.append(lc);
    }
    if (this.env.setSharedScale && this.env.sharedScale && !slice?.view.picture && layout.kind !== 'bars') this.side.append(this.sharedToggle(shared, scale));
    const notes: string[] = [];
    if (!data.exact) {
      const gr = g ?? gridOf(layout);
      notes.push(`drawn from ${data.outRows}×${data.outCols} samples of ${gr?.rows}×${gr?.cols}${(g ? g.maps > 1 : layout.kind === 'maps') ? ' per map' : ''}`);
    }
    if (data.substituted) notes.push(`${data.substituted} sampled cells show a NaN or Inf from their block`);
    if (!slice && layout.kind === 'maps' && layout.note) notes.push(layout.note);
    if (!slice && layout.kind === 'heatmap' && this.info.shape.length > 2) notes.push(`${formatShape(this.info.shape)} shown as ${layout.rows}×${layout.cols}`);
    this.note.textContent = notes.join(' · ');
  }

  /**
   * The Shared scale checkbox under the legend (`.shared-scale`): one range for every frame's activations. When on,
   * it names the range the legend spans (a diverging colormap makes it symmetric around 0).
   */
  private sharedToggle(on: boolean, scale: { readonly min: number; readonly max: number }): HTMLElement {
    const box = h('input', { attrs: { type: 'checkbox', 'data-control': 'shared-scale' } });
    box.checked = on;
    box.addEventListener('change', () => this.env.setSharedScale?.(box.checked));
    const r = on ? scale : undefined;
    const title = 'Colour every activation on one range: from the smallest to the largest value of all activations shown this session';
    return h('label', { class: 'shared-scale', title }, [box, h('span', { text: r ? `Shared scale (${formatNumber(r.min)} to ${formatNumber(r.max)})` : 'Shared scale' })]);
  }

  /** An RGB or grayscale picture of the view's channels, with the values under the pointer. */
  private drawPicture(data: TensorGrid, g: SliceGrid, maxW: number): void {
    // The image's own range when its values look like one; else (the user asked for a picture) its min..max.
    const fetched = finiteRange(data.values);
    const { lo, hi } = (this.info.stats && pictureRange(this.info.stats, g.maps)) ?? pictureRange(fetched, g.maps) ?? { lo: fetched.min, hi: fetched.max };
    const fit = fitGrid(g.rows, g.cols, maxW, MAX_H, 160);
    const rect = { x: 0, y: 0, w: fit.width, h: fit.height };
    const what = g.maps === 1 ? 'grayscale picture' : 'RGB picture';
    const canvas = h('canvas', { class: 'heatmap picture', attrs: { role: 'img', 'aria-label': `${this.info.label}: ${what} of ${g.rows} by ${g.cols} pixels` } });
    paintPicture(sizeCanvas(canvas, fit.width, fit.height), data.values, g.maps, data.outRows, data.outCols, lo, hi, rect);
    canvas.addEventListener('mousemove', (e) => {
      const fx = e.offsetX / rect.w;
      const fy = e.offsetY / rect.h;
      if (fx < 0 || fx >= 1 || fy < 0 || fy >= 1) return;
      const i = Math.min(data.outRows - 1, Math.floor(fy * data.outRows));
      const j = Math.min(data.outCols - 1, Math.floor(fx * data.outCols));
      const per = data.outRows * data.outCols;
      const vals = Array.from({ length: g.maps }, (_, c) => formatExact(data.values[c * per + i * data.outCols + j]));
      const flat = g.offset + data.rowIndex[i] * g.rowStride + data.colIndex[j] * g.colStride;
      this.hoverSeq++;
      this.hover.textContent = `${this.info.label}${formatIndex(flat, this.info.shape)}${g.maps > 1 ? ` (R, G, B) = (${vals.join(', ')})` : ` = ${vals[0]}`}`;
    });
    canvas.addEventListener('mouseleave', () => {
      this.hoverSeq++;
      this.hover.textContent = '';
    });
    this.main.append(canvas, h('div', { class: 'tensor-caption', text: `${formatNumber(lo)} → black, ${formatNumber(hi)} → ${g.maps === 1 ? 'white' : 'full colour'}` }));
  }

  private drawMaps(data: TensorGrid, layout: Extract<TensorLayout, { kind: 'heatmap' | 'maps' }>, maxW: number, scale: ColorScale, g?: SliceGrid): void {
    const maps = layout.kind === 'maps' ? layout.shown : 1;
    let rects: MapRect[];
    let w: number;
    let hgt: number;
    if (layout.kind === 'heatmap') {
      const fit = fitGrid(layout.rows, layout.cols, maxW, MAX_H);
      rects = [{ x: 0, y: 0, w: fit.width, h: fit.height }];
      w = fit.width;
      hgt = fit.height;
    } else {
      const t = tileMaps(maps, layout.rows, layout.cols, maxW);
      rects = Array.from({ length: maps }, (_, m) => ({ x: (m % t.perRow) * (t.tileW + 4), y: Math.floor(m / t.perRow) * (t.tileH + 4), w: t.tileW, h: t.tileH }));
      w = t.width;
      hgt = t.height;
    }
    const what = layout.kind === 'maps' ? `${maps} feature maps of ${layout.rows} by ${layout.cols}` : `heatmap of ${layout.rows} by ${layout.cols} values`;
    const canvas = h('canvas', { class: layout.kind === 'maps' ? 'heatmap maps' : 'heatmap', attrs: { role: 'img', 'aria-label': `${this.info.label}: ${what}` } });
    paintMaps(sizeCanvas(canvas, w, hgt), data.values, data.outRows, data.outCols, rects, scale);
    const walk: Walk = g ?? { offset: 0, mapStride: layout.kind === 'maps' ? layout.mapStride : 0, rowStride: layout.cols, colStride: 1 };
    this.attachHover(canvas, (x, y) => mapsElementAt(data, rects, layout.rows, layout.cols, walk, x, y));
    this.main.append(canvas);
  }

  private drawBars(data: TensorGrid, length: number, maxW: number, min: number, max: number, scale: ColorScale, theme: Theme): void {
    const labels = this.env.labels && this.env.labels.length === length ? this.env.labels : undefined;
    const side = squareSide(length);
    const room = side && data.exact ? maxW - 176 : maxW;
    const width = Math.max(120, Math.min(room, Math.max(160, length * 28)));
    const bins = barBins(data.values, Math.max(1, Math.floor(width / 2)));
    const k = labels ? Math.min(3, length) : 0;
    const top = new Map(topK(data.values, k).map((i, rank) => [i, rank]));
    const canvas = h('canvas', { class: 'bars', attrs: { role: 'img', 'aria-label': `${this.info.label}: bar chart of ${length} values` } });
    paintBars(sizeCanvas(canvas, width, BARS_H), { bins, min, max, top, labels }, width, BARS_H, scale, theme);
    this.attachHover(canvas, (x) => barElementAt(data, length, x / width));
    if (side && data.exact) {
      // A vector of k² values (a flattened 28×28 image) is also drawn as the k×k picture it probably is.
      const fit = fitGrid(side, side, 160, 160, 96);
      const rects = [{ x: 0, y: 0, w: fit.width, h: fit.height }];
      const image = h('canvas', { class: 'heatmap as-image', title: `${length} values as ${side}×${side}`, attrs: { role: 'img', 'aria-label': `${this.info.label} drawn as a ${side} by ${side} image` } });
      paintMaps(sizeCanvas(image, fit.width, fit.height), data.values, side, side, rects, scale);
      this.attachHover(image, (x, y) => mapsElementAt(data, rects, side, side, { offset: 0, mapStride: 0, rowStride: side, colStride: 1 }, x, y, side, side));
      this.main.classList.add('with-image');
      this.main.append(h('div', { class: 'bars-row' }, [image, canvas]));
    } else {
      this.main.append(canvas);
    }
    if (labels && top.size) {
      const items = [...top.keys()].map((i) => `${labels[i]}: ${formatNumber(data.values[i])}`);
      this.main.append(h('div', { class: 'topk', text: `Top ${top.size}: ${items.join(' · ')}` }));
    }
  }

  private attachHover(canvas: HTMLCanvasElement, at: (x: number, y: number) => Found | undefined): void {
    canvas.addEventListener('mousemove', (e) => void this.showHover(at(e.offsetX, e.offsetY)));
    canvas.addEventListener('mouseleave', () => {
      this.hoverSeq++;
      this.hover.textContent = '';
    });
    if (this.edit) this.attachEdits(canvas, at, this.edit);
  }

  /** The context menu on a picture: at the element under the pointer, or from the keyboard at the picked unit. */
  private attachEdits(canvas: HTMLCanvasElement, at: (x: number, y: number) => Found | undefined, edit: EditHook): void {
    const { unit } = edit;
    canvas.tabIndex = 0;
    canvas.setAttribute('aria-keyshortcuts', 'Shift+F10');
    canvas.setAttribute('aria-label', `${canvas.getAttribute('aria-label') ?? this.info.label}; arrow keys pick a ${unit.noun}, Shift+F10 edits it`);
    canvas.addEventListener('contextmenu', (e) => {
      const found = at(e.offsetX, e.offsetY);
      if (!found) return;
      e.preventDefault();
      this.cursor = unitAt(unit, found.flat, this.info.shape);
      edit.open(this.cursor, { x: e.clientX, y: e.clientY });
    });
    canvas.addEventListener('focus', () => this.announce(unit));
    canvas.addEventListener('keydown', (e) => {
      if ((e.key === 'F10' && e.shiftKey) || e.key === 'ContextMenu') {
        e.preventDefault();
        edit.open(this.cursor, canvas);
        return;
      }
      const moves: Readonly<Record<string, number>> = { ArrowLeft: this.cursor - 1, ArrowUp: this.cursor - 1, ArrowRight: this.cursor + 1, ArrowDown: this.cursor + 1, Home: 0, End: unit.count - 1 };
      const next = moves[e.key];
      if (next === undefined) return;
      e.preventDefault();
      this.cursor = Math.max(0, Math.min(unit.count - 1, next));
      this.announce(unit);
    });
  }

  /** Says which unit the keyboard would edit, in the hover line (read out: it is a live region). */
  private announce(unit: EditUnit): void {
    this.hoverSeq++;
    this.hover.textContent = `${this.info.label}: ${unit.noun} ${this.cursor} (0 to ${unit.count - 1}; arrow keys pick another, Shift+F10 edits it)`;
  }

  /** Shows the exact element under the pointer, fetching it when it is not among the sampled values. */
  private async showHover(found: Found | undefined): Promise<void> {
    const seq = ++this.hoverSeq;
    if (!found) {
      this.hover.textContent = '';
      return;
    }
    const where = `${this.info.label}${formatIndex(found.flat, this.info.shape)}`;
    const label = this.layout.kind === 'bars' && this.env.labels?.length === this.layout.length ? ` (label ${this.env.labels[found.flat]})` : '';
    if (found.local !== undefined) {
      this.hover.textContent = `${where}${label} = ${formatExact(found.local)}`;
      return;
    }
    this.hover.textContent = `${where}${label} = …`;
    try {
      const v = await this.env.element(this.info.name, found.flat);
      if (seq === this.hoverSeq) this.hover.textContent = `${where}${label} = ${formatExact(v)}`;
    } catch (e) {
      if (seq === this.hoverSeq) this.hover.textContent = `${where}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
}

/** An element under the pointer: its flat index, and its value when the fetched values hold it exactly. */
interface Found {
  readonly flat: number;
  readonly local?: number;
}

/** The element at `fx` (0..1) along a bar chart of `length` values drawn from `d`. */
function barElementAt(d: TensorGrid, length: number, fx: number): Found | undefined {
  if (fx < 0 || fx >= 1) return undefined;
  const flat = Math.min(length - 1, Math.floor(fx * length));
  if (d.exact) return { flat, local: d.values[flat] };
  const j = Math.min(d.outCols - 1, Math.floor(fx * d.outCols));
  return d.colIndex[j] === flat && Number.isFinite(d.values[j]) ? { flat, local: d.values[j] } : { flat };
}

/** Where element (m, row, col) of a drawn grid is in its tensor: `offset + m·mapStride + row·rowStride + col·colStride`. */
interface Walk {
  readonly offset: number;
  readonly mapStride: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/**
 * The element under (x, y) on maps of `rows × cols` drawn in `rects` from `d` (whose cells are `outRows ×
 * outCols` per map unless given): exact when the sampled cell is that very element.
 */
function mapsElementAt(d: TensorGrid, rects: readonly MapRect[], rows: number, cols: number, walk: Walk, x: number, y: number,
  outRows = d.outRows, outCols = d.outCols): Found | undefined {
  const m = rects.findIndex((r) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h);
  if (m < 0) return undefined;
  const r = rects[m];
  const fx = (x - r.x) / r.w;
  const fy = (y - r.y) / r.h;
  const row = Math.min(rows - 1, Math.floor(fy * rows));
  const col = Math.min(cols - 1, Math.floor(fx * cols));
  const flat = walk.offset + m * walk.mapStride + row * walk.rowStride + col * walk.colStride;
  const i = Math.min(outRows - 1, Math.floor(fy * outRows));
  const j = Math.min(outCols - 1, Math.floor(fx * outCols));
  const v = d.values[(m * outRows + i) * outCols + j];
  if (d.exact) return { flat, local: v };
  return d.rowIndex[i] === row && d.colIndex[j] === col && Number.isFinite(v) ? { flat, local: v } : { flat };
}

function gridSize(layout: TensorLayout): number {
  const g = gridOf(layout);
  return g ? g.maps * g.rows * g.cols : 0;
}

function countIf(values: ArrayLike<number>, f: (v: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (f(values[i])) n++;
  return n;
}
