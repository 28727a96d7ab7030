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
