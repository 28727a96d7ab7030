import { crc32, deflateSync } from 'node:zlib';

/**
 * A tiny PNG writer for tests, with node:zlib doing the deflate and the CRCs: any colour type and bit depth,
 * a chosen filter per row (cycling through `filters`), image data split into several IDAT chunks, and
 * switches to produce files the reader must refuse (interlace flag, 16-bit, damaged CRC).
 */
export interface PngSpec {
  readonly width: number;
  readonly height: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  readonly colorType: 0 | 2 | 3 | 4 | 6;
  readonly depth?: 1 | 2 | 4 | 8 | 16;
  /** One sample per entry, row-major, interleaved: `height × width × samplesPerPixel` values below 2^depth. */
  readonly samples: ArrayLike<number>;
  /** RGB triples for colour type 3. */
  readonly palette?: readonly number[];
  readonly trns?: readonly number[];
  /** Filter type of each row (0–4), cycled. Default: all 0. */
  readonly filters?: readonly number[];
  readonly idatChunks?: number;
  readonly interlace?: number;
  readonly level?: number;
  /** Flip a bit of the IHDR CRC. */
  readonly badCrc?: boolean;
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function chunk(type: string, data: Uint8Array, badCrc = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((crc32(Buffer.concat([head.subarray(4), data])) ^ (badCrc ? 1 : 0)) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The packed, unfiltered bytes of each row. */
function packRows(s: PngSpec): Uint8Array[] {
  const depth = s.depth ?? 8;
  const spp = SAMPLES[s.colorType];
  const rowBytes = Math.ceil((s.width * spp * depth) / 8);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < s.height; y++) {
    const row = new Uint8Array(rowBytes);
    for (let i = 0; i < s.width * spp; i++) {
      const v = s.samples[y * s.width * spp + i];
      if (depth === 8) row[i] = v;
      else if (depth === 16) {
        row[2 * i] = v >> 8;
        row[2 * i + 1] = v & 255;
      } else {
        const bit = i * depth;
        row[bit >> 3] |= v << (8 - depth - (bit & 7));
      }
    }
    rows.push(row);
  }
  return rows;
}

export function encodePng(s: PngSpec): Uint8Array {
  const depth = s.depth ?? 8;
  const bpp = Math.max(1, (SAMPLES[s.colorType] * depth) >> 3);
  const rows = packRows(s);
  const filters = s.filters ?? [0];
  const raw: number[] = [];
  rows.forEach((row, y) => {
    const type = filters[y % filters.length];
    raw.push(type);
    const prev = y > 0 ? rows[y - 1] : new Uint8Array(row.length);
    for (let x = 0; x < row.length; x++) {
      const a = x >= bpp ? row[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type];
      raw.push((row[x] - predictor) & 255);
    }
  });
  const z = deflateSync(Uint8Array.from(raw), { level: s.level ?? 6 });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(s.width, 0);
  ihdr.writeUInt32BE(s.height, 4);
  ihdr.set([depth, s.colorType, 0, 0, s.interlace ?? 0], 8);
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr, s.badCrc)];
  if (s.palette) parts.push(chunk('PLTE', Uint8Array.from(s.palette)));
  if (s.trns) parts.push(chunk('tRNS', Uint8Array.from(s.trns)));
  parts.push(chunk('tEXt', Buffer.from('Comment\0written by the Layerstep tests', 'latin1')));
  const n = s.idatChunks ?? 1;
  const step = Math.ceil(z.length / n);
  for (let i = 0; i < n; i++) parts.push(chunk('IDAT', z.subarray(i * step, Math.min(z.length, (i + 1) * step))));
  parts.push(chunk('IEND', new Uint8Array(0)));
  return new Uint8Array(Buffer.concat(parts));
}

/** Seeded pseudo-random bytes (below `below`) for test images. */
export function noise(n: number, seed: number, below = 256): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 16) % below;
  }
  return out;
}
