import { failFile } from './errors';
import { InflateError, zlibInflate } from './inflate';

/*
 * A PNG reader for model inputs (PNG specification, W3C, 2nd edition): the chunk stream with CRCs, IHDR,
 * PLTE, tRNS (for palettes), the concatenated IDAT zlib stream, and the five scanline filters. It reads
 * non-interlaced images of 8 bits per channel (grayscale, grayscale + alpha, RGB, RGBA) and palette or
 * grayscale images of 1, 2, 4 or 8 bits per pixel. Interlaced and 16-bit images are refused with a sentence
 * saying how to re-save them. Dimensions are checked before anything is allocated.
 */

/** An image as 8-bit interleaved channels, rows top to bottom. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** 1: gray, 2: gray + alpha, 3: RGB, 4: RGBA. */
  readonly channels: 1 | 2 | 3 | 4;
  /** `height × width × channels` bytes. */
  readonly data: Uint8Array;
}

/** Images with more pixels are refused (8192 × 8192): a model input never needs them, and they cost 256 MB as RGBA. */
export const MAX_IMAGE_PIXELS = 8192 * 8192;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Does the file start with the PNG signature? */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `bytes[start, end)` as PNG computes it over a chunk's type and data (the writer's too). */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

interface Header {
  readonly width: number;
  readonly height: number;
  readonly depth: number;
  readonly colorType: number;
}

/** Bit depths each colour type allows (PNG §11.2.2), and its samples per pixel. */
const COLOR_TYPES: Readonly<Record<number, { name: string; samples: number; depths: readonly number[] }>> = {
  0: { name: 'grayscale', samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { name: 'RGB', samples: 3, depths: [8, 16] },
  3: { name: 'palette', samples: 1, depths: [1, 2, 4, 8] },
  4: { name: 'grayscale + alpha', samples: 2, depths: [8, 16] },
  6: { name: 'RGBA', samples: 4, depths: [8, 16] },
};

function readHeader(file: string, data: Uint8Array): Header {
  if (data.length !== 13) failFile(file, `has an IHDR chunk of ${data.length} bytes, 13 expected.`);
  const width = u32(data, 0);
  const height = u32(data, 4);
  const [depth, colorType, compression, filter, interlace] = data.subarray(8, 13);
  const kind = COLOR_TYPES[colorType];
  if (!kind) failFile(file, `has the unknown PNG colour type ${colorType}.`);
  if (!kind.depths.includes(depth)) failFile(file, `is a ${kind.name} PNG with ${depth} bits per sample, which PNG does not allow.`);
  if (depth === 16) failFile(file, `is a 16-bit PNG; Layerstep reads 8 bits per channel: save the image with 8-bit channels.`);
  if (compression !== 0 || filter !== 0) failFile(file, `uses PNG compression method ${compression} / filter method ${filter}; only 0 / 0 exist.`);
  if (interlace === 1) failFile(file, `is an interlaced (Adam7) PNG; Layerstep reads non-interlaced PNGs: save the image without interlacing.`);
  if (interlace !== 0) failFile(file, `has the unknown PNG interlace method ${interlace}.`);
  if (width === 0 || height === 0) failFile(file, `is an empty image (${width}×${height} pixels).`);
  if (width * height > MAX_IMAGE_PIXELS) {
    failFile(file, `is ${width}×${height} pixels; images above ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} pixels are refused: scale it down first.`);
  }
  return { width, height, depth, colorType };
}

/** Undoes the per-row filters in place (PNG §9); `raw` holds `height` rows of one filter byte + `rowBytes`. */
function unfilter(file: string, raw: Uint8Array, height: number, rowBytes: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (rowBytes + 1)];
    const src = y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    const prev = row - rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0;
      const b = y > 0 ? out[prev + x] : 0;
      let v = raw[src + x];
      switch (type) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) >> 1; break;
        case 4: {
          const c = y > 0 && x >= bpp ? out[prev + x - bpp] : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: failFile(file, `row ${y} has the unknown PNG filter type ${type}.`);
      }
      out[row + x] = v & 0xff;
    }
  }
  return out;
}

/** The sample at `x` of a row packed `depth` bits per sample, most significant bits first (PNG §7.2). */
function sampleAt(rows: Uint8Array, row: number, x: number, depth: number): number {
  if (depth === 8) return rows[row + x];
  const bit = x * depth;
  return (rows[row + (bit >> 3)] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/** Palette and low-depth grayscale images as 8-bit channels; 8-bit images are already. */
function expand(file: string, h: Header, rows: Uint8Array, rowBytes: number, palette?: Uint8Array, alpha?: Uint8Array): DecodedImage {
  const { width, height, depth, colorType } = h;
  if (colorType === 3) {
    if (!palette) failFile(file, 'is a palette PNG without a PLTE chunk.');
    const entries = palette.length / 3;
    const channels = alpha ? 4 : 3;
    const data = new Uint8Array(width * height * channels);
    for (let y = 0, o = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = sampleAt(rows, y * rowBytes, x, depth);
        if (i >= entries) failFile(file, `pixel (${x}, ${y}) uses palette entry ${i}, but the palette has ${entries}.`);
        data[o++] = palette[3 * i];
        data[o++] = palette[3 * i + 1];
        data[o++] = palette[3 * i + 2];
        if (alpha) data[o++] = i < alpha.length ? alpha[i] : 255;
      }
    }
    return { width, height, channels, data };
  }
  const channels = COLOR_TYPES[colorType].samples as 1 | 2 | 3 | 4;
  if (depth === 8) return { width, height, channels, data: rows };
  // Grayscale of 1, 2 or 4 bits: scaled to 0–255 so that white is 255 at every depth.
  const data = new Uint8Array(width * height);
  const max = (1 << depth) - 1;
  for (let y = 0, o = 0; y < height; y++) for (let x = 0; x < width; x++) data[o++] = Math.round((sampleAt(rows, y * rowBytes, x, depth) * 255) / max);
  return { width, height, channels: 1, data };
}

/**
 * Decodes a PNG file. Throws a TensorFileError whose message names `file` and says what is wrong
 * (a bad signature or CRC, a truncated chunk, an interlaced or 16-bit image, an image too large).
 */
export function decodePng(file: string, bytes: Uint8Array): DecodedImage {
  if (!isPng(bytes)) failFile(file, 'is not a PNG image (its first bytes are not the PNG signature).');
  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  let alpha: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  for (let at = 8; !ended;) {
    if (at + 12 > bytes.length) failFile(file, 'ends before its IEND chunk: the file is truncated.');
    const length = u32(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const start = at + 8;
    const end = start + length;
    if (end + 4 > bytes.length) failFile(file, `ends inside its ${type} chunk: the file is truncated.`);
    if (crc32(bytes, at + 4, end) !== u32(bytes, end)) failFile(file, `has a ${type} chunk whose CRC does not match: the file is damaged.`);
    const data = bytes.subarray(start, end);
    if (!header && type !== 'IHDR') failFile(file, `starts with a ${type} chunk; a PNG starts with IHDR.`);
    switch (type) {
      case 'IHDR': header = readHeader(file, data); break;
      case 'PLTE':
        if (length % 3 !== 0 || length === 0 || length > 768) failFile(file, `has a PLTE chunk of ${length} bytes; a palette is 1 to 256 RGB entries.`);
        palette = data;
        break;
      case 'tRNS': if (header?.colorType === 3) alpha = data; break; // grayscale and RGB transparency keys are ignored
      case 'IDAT': idat.push(data); break;
      case 'IEND': ended = true; break;
      default:
        // A chunk type starting with an upper-case letter is critical: an image that needs it cannot be read without it.
        if (type.charCodeAt(0) < 97) failFile(file, `uses the critical PNG chunk '${type}', which Layerstep does not read.`);
    }
    at = end + 4;
  }
  const h = header!;
  if (idat.length === 0) failFile(file, 'has no image data (no IDAT chunk).');
  const bitsPerPixel = COLOR_TYPES[h.colorType].samples * h.depth;
  const rowBytes = Math.ceil((h.width * bitsPerPixel) / 8);
  const compressed = idat.length === 1 ? idat[0] : concatBytes(idat);
  let raw: Uint8Array;
  try {
    raw = zlibInflate(compressed, h.height * (rowBytes + 1), 'image data');
  } catch (e) {
    if (e instanceof InflateError) failFile(file, `${e.message}`);
    throw e;
  }
  const rows = unfilter(file, raw, h.height, rowBytes, Math.max(1, bitsPerPixel >> 3));
  return expand(file, h, rows, rowBytes, palette, alpha);
}

/** The byte arrays one after another, in one array. */
export function concatBytes(parts: readonly ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
