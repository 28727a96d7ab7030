/** Which picture a tensor gets, the grid to fetch for it, and how big to draw it. Pure. */

/** Feature maps drawn at most per tensor; the rest are counted in the caption. */
export const MAX_MAPS = 64;

export type TensorRole = 'input' | 'output' | 'weight';

export type TensorLayout =
  | { readonly kind: 'empty' }
  /** One element: its value is the picture. */
  | { readonly kind: 'scalar' }
  /** A vector ([N], [1, N], [N, 1]...): a bar per element. */
  | { readonly kind: 'bars'; readonly length: number }
  /** A matrix; tensors of rank 3 or more fold their leading dimensions into rows. */
  | { readonly kind: 'heatmap'; readonly rows: number; readonly cols: number }
  /**
   * Small heatmaps side by side: the channels of the first item of an [N, C, H, W] activation, or the
   * [kH, kW] filters of an [O, I, kH, kW] kernel. `shown` of `maps` are drawn, `mapStride` elements apart.
   */
  | { readonly kind: 'maps'; readonly maps: number; readonly shown: number; readonly rows: number; readonly cols: number; readonly mapStride: number; readonly note?: string };

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

export function chooseLayout(shape: readonly number[], role: TensorRole): TensorLayout {
  const size = product(shape);
  if (size === 0) return { kind: 'empty' };
  if (size === 1) return { kind: 'scalar' };
  const dims = shape.filter((d) => d !== 1);
  if (dims.length === 1) return { kind: 'bars', length: size };
  if (shape.length === 4) {
    const [n, c, h, w] = shape;
    if (role === 'weight') {
      // Convolution filters look like pictures when they are 3×3 or larger and few enough to show all.
      if (h * w >= 9 && n * c <= MAX_MAPS) return { kind: 'maps', maps: n * c, shown: n * c, rows: h, cols: w, mapStride: h * w };
      return { kind: 'heatmap', rows: n, cols: c * h * w };
    }
    if (h * w >= 4) {
      const shown = Math.min(c, MAX_MAPS);
      const note = [n > 1 ? `item 0 of ${n}` : '', shown < c ? `first ${shown} of ${c} channels` : ''].filter(Boolean).join(', ');
      if (c === 1) return { kind: 'heatmap', rows: h, cols: w };
      return { kind: 'maps', maps: c, shown, rows: h, cols: w, mapStride: h * w, note: note || undefined };
    }
  }
  const cols = shape[shape.length - 1];
  return { kind: 'heatmap', rows: size / cols, cols };
}

/** The part of the tensor to fetch for a layout (see the `grid` request), or nothing for a layout without a grid. */
export function gridOf(layout: TensorLayout): { offset: number; maps: number; mapStride: number; rows: number; cols: number } | undefined {
  switch (layout.kind) {
    case 'bars': return { offset: 0, maps: 1, mapStride: 0, rows: 1, cols: layout.length };
    case 'heatmap': return { offset: 0, maps: 1, mapStride: 0, rows: layout.rows, cols: layout.cols };
    case 'maps': return { offset: 0, maps: layout.shown, mapStride: layout.mapStride, rows: layout.rows, cols: layout.cols };
    default: return undefined;
  }
}

/**
 * CSS size of a heatmap of `rows × cols` cells in a `maxW × maxH` box: square cells (whole pixels when they
 * are at least 2 px, at most 24 px) when they fit, else the matrix is squeezed, but no side is drawn smaller
 * than `minSide` (or its cell count at 24 px), so a 784×128 kernel stays readable.
 */
export function fitGrid(rows: number, cols: number, maxW: number, maxH: number, minSide = 240): { width: number; height: number } {
  let s = Math.min(maxW / cols, maxH / rows, 24);
  if (s >= 2) s = Math.floor(s);
  const side = (cells: number, max: number) => Math.round(Math.min(max, Math.max(cells * s, Math.min(cells * 24, minSide, max))));
  return { width: Math.max(1, side(cols, maxW)), height: Math.max(1, side(rows, maxH)) };
}

/** Tiles for `maps` feature maps of `rows × cols`, wrapped in a `maxW` wide box. */
export function tileMaps(maps: number, rows: number, cols: number, maxW: number, gap = 4): {
  tileW: number; tileH: number; perRow: number; width: number; height: number;
} {
  // Aim for tiles of about 96 px on their longer side, smaller when there are many maps.
  const target = maps <= 8 ? 96 : maps <= 32 ? 64 : 48;
  const s = Math.max(1, Math.floor(target / Math.max(rows, cols))) || 1;
  const scale = Math.max(rows, cols) * s > target * 1.5 ? target / Math.max(rows, cols) : s;
  const tileW = Math.max(1, Math.round(cols * scale));
  const tileH = Math.max(1, Math.round(rows * scale));
  const perRow = Math.max(1, Math.min(maps, Math.floor((maxW + gap) / (tileW + gap))));
  const lines = Math.ceil(maps / perRow);
  return { tileW, tileH, perRow, width: perRow * (tileW + gap) - gap, height: lines * (tileH + gap) - gap };
}

/** k when `n` = k² for a k of at least 14 (probably a flattened image, like MNIST's 784 = 28²), else 0. */
export function squareSide(n: number): number {
  const k = Math.round(Math.sqrt(n));
  return k >= 14 && k * k === n ? k : 0;
}

// ---- Channel layouts, slices and pictures of tensors of rank 3 and more ----

/**
 * Where a tensor keeps its channels: `NCHW` on axis 1 (ONNX, PyTorch exports, layerstep/1), `NHWC` on the last
 * axis (Keras, TF.js). A rank-3 tensor has no batch axis: `NCHW` reads as CHW and `NHWC` as HWC.
 */
export type ChannelLayout = 'NCHW' | 'NHWC';

/** Channel counts of a picture: grayscale, RGB, RGBA (the alpha channel is not drawn). */
const PICTURE_CHANNELS: ReadonlySet<number> = new Set([1, 3, 4]);

/**
 * The layout a shape suggests: the last axis holds 1, 3 or 4 entries and the two before it more
 * (`[1, 224, 224, 3]`, `[224, 224, 3]`) → channels last; otherwise a rank-4 tensor is channels first, the
 * convention of ONNX and of the engine (`[1, 3, 224, 224]`, `[1, 64, 56, 56]`), and a rank-3 one is when its first
 * axis holds 1, 3 or 4 entries and the two after it at least 4 each (`[3, 32, 32]`). Other shapes tell nothing.
 */
export function guessLayout(shape: readonly number[]): ChannelLayout | undefined {
  const r = shape.length;
  if (r !== 3 && r !== 4) return undefined;
  const [a, b, c] = shape.slice(r - 3);
  if (PICTURE_CHANNELS.has(c) && a > c && b > c) return 'NHWC';
  if (r === 4) return 'NCHW';
  return PICTURE_CHANNELS.has(a) && b >= 4 && c >= 4 ? 'NCHW' : undefined;
}

/** The axis a layout keeps channels on, for a tensor of rank 3 or 4. */
export function channelAxisOf(rank: number, layout: ChannelLayout): number {
  return layout === 'NHWC' ? rank - 1 : rank - 3;
}

/**
 * Names of a tensor's axes in a layout (`N C H W`); a convolution's weights are `O I H W` (filters, input
 * channels, kernel height and width: the order the engine holds them in, every format's kernels converted on
 * load); `d0 d1 …` for ranks and layouts it does not describe.
 */
export function axisNames(rank: number, layout: ChannelLayout | undefined, role?: TensorRole): string[] {
  if (role === 'weight' && rank === 4) return ['O', 'I', 'H', 'W'];
  if (layout && rank === 4) return layout === 'NHWC' ? ['N', 'H', 'W', 'C'] : ['N', 'C', 'H', 'W'];
  if (layout && rank === 3) return layout === 'NHWC' ? ['H', 'W', 'C'] : ['C', 'H', 'W'];
  return Array.from({ length: rank }, (_, i) => `d${i}`);
}

/**
 * The part of a tensor of rank 3 or more that a view draws: `rowAxis` down, `colAxis` across, the entries of
 * `channelAxis` side by side as maps (or, in a picture, as the red, green and blue of each pixel), and every
 * other axis fixed at its entry of `index`.
 */
export interface SliceView {
  readonly rowAxis: number;
  readonly colAxis: number;
  /** -1: no channel axis (one matrix). */
  readonly channelAxis: number;
  /** The entry of every axis that is not drawn (entries of the drawn axes are not used). */
  readonly index: readonly number[];
  /** The first channel drawn: a multiple of {@link MAX_MAPS} (channel paging). */
  readonly channelStart: number;
  /** Draw the channels as one RGB (3 or 4 channels) or grayscale (1 channel) picture. */
  readonly picture: boolean;
}

/**
 * Whether a tensor may be drawn through a {@link SliceView}: activations of rank 3 and more that are not vectors,
 * and convolution weights (rank 4).
 */
export function usesSlices(shape: readonly number[], role: TensorRole): boolean {
  if (role === 'weight') return shape.length === 4 && product(shape) > 1;
  if (shape.length < 3) return false;
  const size = product(shape);
  return size > 1 && shape.filter((d) => d !== 1).length > 1;
}

/**
 * The view a tensor gets first: for a layout (rank 3 or 4), its two spatial axes as rows × cols and its
 * channel axis as maps, item 0 and the first channels; otherwise the last two axes as one matrix, with the
 * leading axes at 0. `picture` when the channels make one ({@link pictureRange}).
 */
export function defaultView(shape: readonly number[], layout: ChannelLayout | undefined, picture = false): SliceView {
  const r = shape.length;
  const index = shape.map(() => 0);
  if (layout && (r === 3 || r === 4)) {
    const c = channelAxisOf(r, layout);
    const [rowAxis, colAxis] = layout === 'NHWC' ? [r - 3, r - 2] : [r - 2, r - 1];
    return { rowAxis, colAxis, channelAxis: c, index, channelStart: 0, picture: picture && PICTURE_CHANNELS.has(shape[c]) };
  }
  return { rowAxis: r - 2, colAxis: r - 1, channelAxis: -1, index, channelStart: 0, picture: false };
}

/** Row-major element strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) s[a] = s[a + 1] * shape[a + 1];
  return s;
}

/** The grid (see the `grid` request) that a view draws: strided, so no axis order needs a copy. */
export interface SliceGrid {
  readonly offset: number;
  readonly maps: number;
  readonly mapStride: number;
  readonly rows: number;
  readonly cols: number;
  readonly rowStride: number;
  readonly colStride: number;
}

export function sliceGrid(shape: readonly number[], v: SliceView): SliceGrid {
  const st = stridesOf(shape);
  let offset = 0;
  for (let a = 0; a < shape.length; a++) {
    if (a === v.rowAxis || a === v.colAxis || a === v.channelAxis) continue;
    offset += Math.max(0, Math.min(shape[a] - 1, v.index[a] ?? 0)) * st[a];
  }
  let maps = 1;
  let mapStride = 0;
  if (v.channelAxis >= 0) {
    const count = shape[v.channelAxis];
    const start = v.picture ? 0 : Math.max(0, Math.min(v.channelStart, count - 1));
    maps = v.picture ? Math.min(3, count) : Math.min(MAX_MAPS, count - start);
    mapStride = st[v.channelAxis];
    offset += start * mapStride;
  }
  return { offset, maps, mapStride, rows: shape[v.rowAxis], cols: shape[v.colAxis], rowStride: st[v.rowAxis], colStride: st[v.colAxis] };
}

/** `65–128`: the 1-based range of `count` entries from `start`. */
const span = (start: number, count: number) => (count === 1 ? `${start + 1}` : `${start + 1}–${start + count}`);

const AXIS_WORDS: Readonly<Record<string, readonly [string, string]>> = {
  C: ['channel', 'channels'],
  O: ['filter', 'filters'],
  I: ['input channel', 'input channels'],
};

/** An axis named in words where its letter has one (`C` channel, `O` filter, `I` input channel), else its name. */
export function axisWord(name: string, plural = false): string {
  const w = AXIS_WORDS[name];
  return w ? w[plural ? 1 : 0] : name;
}

/** What a view shows, in words: `item 3 of 8, channels 65–128 of 256, rows=H cols=W`. */
export function describeView(shape: readonly number[], v: SliceView, names: readonly string[]): string {
  const parts: string[] = [];
  const batch = names[0] === 'N';
  for (let a = 0; a < shape.length; a++) {
    if (a === v.rowAxis || a === v.colAxis || a === v.channelAxis || shape[a] === 1) continue;
    parts.push(`${a === 0 && batch ? 'item' : axisWord(names[a])} ${(v.index[a] ?? 0) + 1} of ${shape[a]}`);
  }
  if (v.channelAxis >= 0) {
    const count = shape[v.channelAxis];
    const g = sliceGrid(shape, v);
    const start = v.picture ? 0 : Math.max(0, Math.min(v.channelStart, count - 1));
    const name = names[v.channelAxis];
    if (v.picture) parts.push(count === 1 ? 'grayscale picture' : `RGB picture of channels 1–3${count > 3 ? ` of ${count}` : ''}`);
    else if (g.maps < count) parts.push(`${axisWord(name, true)} ${span(start, g.maps)} of ${count}`);
    else parts.push(`${count} ${axisWord(name, count !== 1)}`);
  }
  parts.push(`rows=${names[v.rowAxis]} cols=${names[v.colAxis]}`);
  return parts.join(', ');
}

/**
 * The value range of a tensor whose values look like an image, or nothing: every value finite and within
 * [0, 1] (drawn over 0..1), else within [0, 255] (0..255); with 3 or 4 channels also within [−1, 1] (−1..1),
 * or normalised per channel as ImageNet models do, within [−3, 3] with a mean within ±1 (drawn over its own
 * min..max).
 */
export function pictureRange(
  stats: { readonly min: number | null; readonly max: number | null; readonly mean?: number | null; readonly nan?: number | null; readonly posInf?: number | null; readonly negInf?: number | null },
  channels: number,
): { readonly lo: number; readonly hi: number } | undefined {
  if (!PICTURE_CHANNELS.has(channels)) return undefined;
  const { min, max } = stats;
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max)) return undefined;
  if ((stats.nan ?? 0) || (stats.posInf ?? 0) || (stats.negInf ?? 0)) return undefined;
  if (min >= 0 && max <= 1) return { lo: 0, hi: 1 };
  if (min >= 0 && max <= 255) return { lo: 0, hi: 255 };
  if (channels === 1) return undefined;
  if (min >= -1 && max <= 1) return { lo: -1, hi: 1 };
  const mean = typeof stats.mean === 'number' ? stats.mean : NaN;
  if (min >= -3 && max <= 3 && Math.abs(mean) <= 1 && max > min) return { lo: min, hi: max };
  return undefined;
}

/**
 * A tensor as the panel first draws it, when it is drawn in slices: its layout (given, else guessed), its view,
 * and the grid that view fetches. Nothing for the tensors {@link chooseLayout} draws.
 */
export function initialView(
  t: { readonly shape: readonly number[]; readonly layout?: ChannelLayout; readonly stats?: Parameters<typeof pictureRange>[0] },
  role: TensorRole,
): { readonly layout?: ChannelLayout; readonly view: SliceView; readonly grid: SliceGrid } | undefined {
  if (!usesSlices(t.shape, role)) return undefined;
  if (role === 'weight') {
    // A convolution's filters side by side, one input channel at a time: [O, I, H, W] as O maps of H × W.
    const view: SliceView = { rowAxis: 2, colAxis: 3, channelAxis: 0, index: t.shape.map(() => 0), channelStart: 0, picture: false };
    return t.shape[2] * t.shape[3] < 4 ? undefined : { view, grid: sliceGrid(t.shape, view) };
  }
  const layout = t.layout ?? guessLayout(t.shape);
  const r = t.shape.length;
  const channels = layout && (r === 3 || r === 4) ? t.shape[channelAxisOf(r, layout)] : 0;
  const spatialOk = layout !== undefined && (r === 3 || r === 4) && spatial(t.shape, layout) >= 8 * 8;
  const picture = spatialOk && !!t.stats && pictureRange(t.stats, channels) !== undefined;
  const view = defaultView(t.shape, layout, picture);
  // Maps of fewer than 4 cells ([2, 100, 1, 1]) say nothing as pictures: such a tensor keeps its one heatmap.
  if (t.shape[view.rowAxis] * t.shape[view.colAxis] < 4) return undefined;
  return { layout, view, grid: sliceGrid(t.shape, view) };
}

function spatial(shape: readonly number[], layout: ChannelLayout): number {
  const v = defaultView(shape, layout);
  return shape[v.rowAxis] * shape[v.colAxis];
}

/**
 * The grid a tensor view fetches first: its {@link initialView}'s, else its {@link chooseLayout}'s. The host
 * sends these with a stop, so the panel draws a stop without asking; both ends use this one rule.
 */
export function firstGrid(
  t: { readonly shape: readonly number[]; readonly layout?: ChannelLayout; readonly stats?: Parameters<typeof pictureRange>[0] },
  role: TensorRole,
): (Omit<SliceGrid, 'rowStride' | 'colStride'> & Partial<Pick<SliceGrid, 'rowStride' | 'colStride'>>) | undefined {
  return initialView(t, role)?.grid ?? gridOf(chooseLayout(t.shape, role));
}
