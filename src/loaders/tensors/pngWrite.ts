import { Zlib, zlibSync } from 'fflate';
import type { DType } from '../../engine/tensor';
import type { DecodedImage } from './png';
import { concatBytes, crc32, MAX_IMAGE_PIXELS } from './png';

/*
 * Tensors as PNG pictures (PNG specification, W3C, 2nd edition): 8 bits per channel, non-interlaced, gray,
 * RGB or RGBA, every scanline with filter type 0 and the zlib stream made by fflate.
 *
 * Which picture a tensor makes (leading axes of size 1 are dropped first, down to two axes):
 * - an image: `[H, W]`, `[H, W, C]` and `[C, H, W]` with C of 1 (gray), 3 (RGB) or 4 (RGBA), so `[1, H, W, C]`
 *   and `[1, C, H, W]` too, and a vector of k² values for a k of 14 or more (a flattened image: `[1, 784]` is
 *   28×28). Values all within 0..1 are scaled by 255; whole numbers all within 0..255 are written as they are;
 *   any other range is stretched from its minimum to its maximum;
 * - otherwise a grayscale heatmap of the 2-D view the panel draws, stretched from the minimum to the maximum: a
 *   vector as one row (wrapped into a square block beyond 8,192 values), a 3-D tensor with its leading axes folded
 *   into rows, a 4-D tensor `[N, C, H, W]` as its N·C maps of H×W side by side, one row of C per item (up to 64;
 *   more are wrapped into a square block), one pixel of black between them (maps under 4 pixels: an N × C·H·W
 *   matrix).
 * NaN and −Inf are black, +Inf is white, and a constant tensor is mid-gray. One number, an empty tensor, a tensor
 * of 5 or more axes that are not 1, and a picture over 8192×8192 pixels are refused with a sentence.
 */

/** How a tensor's elements are laid out as pixels; see the file's comment. */
export type PicturePlan =
  | {
    readonly kind: 'image'; readonly width: number; readonly height: number; readonly channels: 1 | 3 | 4;
    /** Channels interleaved (`[H, W, C]`) or planar (`[C, H, W]`). */
    readonly order: 'hwc' | 'chw';
  }
  | {
    readonly kind: 'heatmap'; readonly width: number; readonly height: number;
    /** `maps` tiles of `rows × cols` elements, `perRow` of them a line, one pixel apart when there are several. */
    readonly maps: number; readonly rows: number; readonly cols: number; readonly perRow: number;
    /** Elements drawn; cells past them (the end of a wrapped vector) are black. */
    readonly count: number;
  };

/** A vector is one row of pixels up to this many values, and a square block beyond. */
const MAX_ROW = 8192;
/** Maps of a 4-D tensor per line of the picture: one line per item when it has at most this many. */
const MAX_PER_ROW = 64;
const IMAGE_CHANNELS: readonly number[] = [1, 3, 4];

/** The picture a tensor of `shape` makes, or the sentence that says why it makes none. */
export function picturePlan(shape: readonly number[], dtype: DType): PicturePlan | { readonly refusal: string } {
  const size = shape.reduce((a, b) => a * b, 1);
  const what = `a ${dtype}[${shape.join(',')}] tensor`;
  if (size === 0) return { refusal: `It is an empty tensor (${dtype}[${shape.join(',')}]): there is nothing to draw.` };
  if (size === 1) return { refusal: `It is a single number: save it as .json or .npy.` };
  const plan = planFor(shape, size);
  if (!plan) return { refusal: `${capital(what)} has no 2-D picture (more than 4 axes that are not 1): save it as .npy or .json.` };
  if (plan.width * plan.height > MAX_IMAGE_PIXELS) {
    return { refusal: `${capital(what)} makes a ${plan.width}×${plan.height} picture, above the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} pixels a PNG is written with: save it as .npy.` };
  }
  return plan;
}

function planFor(shape: readonly number[], size: number): PicturePlan | undefined {
  const dims = shape.filter((d) => d !== 1);
  if (dims.length === 1) {
    const k = Math.round(Math.sqrt(size));
    if (k >= 14 && k * k === size) return { kind: 'image', width: k, height: k, channels: 1, order: 'hwc' };
    const cols = size <= MAX_ROW ? size : Math.ceil(Math.sqrt(size));
    return heatmap(1, Math.ceil(size / cols), cols, 1, size);
  }
  const s = dropLeadingOnes(shape, 2);
  if (s.length === 2) return { kind: 'image', width: s[1], height: s[0], channels: 1, order: 'hwc' };
  if (s.length === 3) {
    const [a, b, c] = s;
    if (IMAGE_CHANNELS.includes(c)) return { kind: 'image', width: b, height: a, channels: c as 1 | 3 | 4, order: 'hwc' };
    if (IMAGE_CHANNELS.includes(a)) return { kind: 'image', width: c, height: b, channels: a as 1 | 3 | 4, order: 'chw' };
  }
  // Not an image: the panel's view, with the batch axis of a 4-D activation kept (its maps are tiled).
  const r = dropLeadingOnes(shape, 4);
  if (r.length === 3) return heatmap(1, r[0] * r[1], r[2], 1, size);
  if (r.length === 4) {
    const [n, c, h, w] = r;
    if (h * w < 4) return heatmap(1, n, c * h * w, 1, size);
    const maps = n * c;
    const perRow = c <= MAX_PER_ROW ? c : Math.ceil(Math.sqrt(maps));
    return heatmap(maps, h, w, perRow, size);
  }
  return undefined;
}

/** `shape` without its leading axes of size 1, down to `rank` axes. */
function dropLeadingOnes(shape: readonly number[], rank: number): number[] {
  let s = [...shape];
  while (s.length > rank && s[0] === 1) s = s.slice(1);
  return s;
}

function heatmap(maps: number, rows: number, cols: number, perRow: number, count: number): PicturePlan {
  const gap = maps > 1 ? 1 : 0;
  const lines = Math.ceil(maps / perRow);
  const across = Math.min(maps, perRow);
  return { kind: 'heatmap', maps, rows, cols, perRow, count, width: across * cols + (across - 1) * gap, height: lines * rows + (lines - 1) * gap };
}

/**
 * How values become bytes: scaled by 255 (values within 0..1), as they are (whole numbers within 0..255), or
 * stretched from min..max. Only images may take the first two; heatmaps always stretch.
 */
export function byteMapping(values: ArrayLike<number>, count: number, image: boolean): (v: number) => number {
  let min = Infinity;
  let max = -Infinity;
  let whole = true;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    if (whole && !Number.isInteger(v)) whole = false;
  }
  const byte = (f: (v: number) => number) => (v: number) => (Number.isNaN(v) ? 0 : v === Infinity ? 255 : v === -Infinity ? 0 : f(v));
  if (min > max) return byte(() => 0);
  if (image && min >= 0 && max <= 1) return byte((v) => Math.round(v * 255));
  if (image && whole && min >= 0 && max <= 255) return byte((v) => v);
  if (min === max) return byte(() => 128);
  const scale = 255 / (max - min);
  return byte((v) => Math.round((v - min) * scale));
}

/** Draws `values` (row-major, at least the plan's elements) as 8-bit pixels. */
export function drawPicture(plan: PicturePlan, values: ArrayLike<number>): DecodedImage {
  const { width, height } = plan;
  if (plan.kind === 'image') {
    const { channels, order } = plan;
    const n = width * height * channels;
    const byte = byteMapping(values, n, true);
    const data = new Uint8Array(n);
    const plane = width * height;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) data[p * channels + c] = byte(values[order === 'hwc' ? p * channels + c : c * plane + p]);
    }
    return { width, height, channels, data };
  }
  const { maps, rows, cols, perRow, count } = plan;
  const byte = byteMapping(values, count, false);
  const data = new Uint8Array(width * height);
  const gap = maps > 1 ? 1 : 0;
  for (let m = 0; m < maps; m++) {
    const x0 = (m % perRow) * (cols + gap);
    const y0 = Math.floor(m / perRow) * (rows + gap);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = m * rows * cols + r * cols + c;
        if (i < count) data[(y0 + r) * width + x0 + c] = byte(values[i]);
      }
    }
  }
  return { width, height, channels: 1, data };
}

/** PNG colour type by channels: gray, gray + alpha, RGB, RGBA. */
const COLOR_TYPE: Readonly<Record<DecodedImage['channels'], number>> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/** Encodes 8-bit pixels as a PNG file. */
export function encodePng(image: DecodedImage): Uint8Array {
  const { width, height, channels, data } = image;
  return pngFile(image, zlibSync(scanlines(data, width * channels, 0, height), { level: 6 }));
}

/** Pixel bytes deflated between two pauses. */
const SLICE_BYTES = 1 << 20;

/**
 * {@link encodePng} for big pictures on a thread that must stay responsive: the scanlines are deflated as one zlib
 * stream, about 1 MB at a time, with `pause` awaited between the slices. The file decodes to the same pixels.
 */
export async function encodePngInSlices(image: DecodedImage, pause: () => Promise<void>): Promise<Uint8Array> {
  const { width, height, channels, data } = image;
  const rowBytes = width * channels;
  const parts: Uint8Array[] = [];
  const stream = new Zlib({ level: 6 }, (part) => parts.push(part));
  const rowsPerSlice = Math.max(1, Math.floor(SLICE_BYTES / (rowBytes + 1)));
  for (let y = 0; y < height; y += rowsPerSlice) {
    const end = Math.min(height, y + rowsPerSlice);
    stream.push(scanlines(data, rowBytes, y, end), end === height);
    if (end < height) await pause();
  }
  if (height === 0) stream.push(new Uint8Array(0), true);
  return pngFile(image, concatBytes(parts));
}

/** Rows `from` to `to` of the pixels, each after its filter byte (0: none). */
function scanlines(data: Uint8Array, rowBytes: number, from: number, to: number): Uint8Array {
  const raw = new Uint8Array((to - from) * (rowBytes + 1));
  for (let y = from; y < to; y++) raw.set(data.subarray(y * rowBytes, (y + 1) * rowBytes), (y - from) * (rowBytes + 1) + 1);
  return raw;
}

/** The file: signature, IHDR, the one IDAT of `deflated` scanlines, IEND. */
function pngFile(image: DecodedImage, deflated: Uint8Array): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, image.width);
  view.setUint32(4, image.height);
  header.set([8, COLOR_TYPE[image.channels], 0, 0, 0], 8);
  return concatBytes([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflated), chunk('IEND', new Uint8Array(0))]);
}

/** A tensor's values as a PNG file by {@link picturePlan}; throws the refusal as an Error. */
export function tensorPng(shape: readonly number[], dtype: DType, values: ArrayLike<number>): Uint8Array {
  const plan = picturePlan(shape, dtype);
  if ('refusal' in plan) throw new Error(plan.refusal);
  return encodePng(drawPicture(plan, values));
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** length, type, data, CRC-32 of type and data (PNG §5.3). */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
