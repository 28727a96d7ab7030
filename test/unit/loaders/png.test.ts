import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InflateError, zlibInflate } from '../../../src/loaders/tensors/inflate';
import { decodePng, isPng, MAX_IMAGE_PIXELS } from '../../../src/loaders/tensors/png';
import { encodePng, noise } from './pngEncoder';

/** A mix of runs and noise: compresses with back-references of every length as well as literals. */
function sample(n: number, seed: number): Uint8Array {
  const out = noise(n, seed);
  for (let i = 0; i < n; i += 97) out.fill(out[i], i, Math.min(n, i + (i % 300)));
  return out;
}

describe('zlib inflate (node:zlib deflate as the oracle)', () => {
  const data = sample(200_000, 7);
  const cases: [string, object][] = [
    ['stored blocks (level 0)', { level: 0 }],
    ['fastest (level 1)', { level: 1 }],
    ['best (level 9)', { level: 9 }],
    ['fixed Huffman codes only', { strategy: constants.Z_FIXED }],
    ['Huffman only, no matches', { strategy: constants.Z_HUFFMAN_ONLY }],
    ['run-length matches', { strategy: constants.Z_RLE }],
  ];
  for (const [name, options] of cases) {
    it(`inflates ${name} to the original bytes`, () => {
      const z = deflateSync(data, options);
      expect(Buffer.from(zlibInflate(z, data.length, 'data')).equals(Buffer.from(data))).toBe(true);
    });
  }

  it('inflates empty and one-byte streams', () => {
    expect(zlibInflate(deflateSync(new Uint8Array(0)), 0, 'data').length).toBe(0);
    expect([...zlibInflate(deflateSync(Uint8Array.of(42)), 1, 'data')]).toEqual([42]);
  });

  it('refuses a stream that gives more or fewer bytes than expected, naming the data', () => {
    const z = deflateSync(data);
    expect(() => zlibInflate(z, data.length - 1, 'image data')).toThrow(/^image data: the compressed data gives more than the 199999 bytes expected/);
    expect(() => zlibInflate(z, data.length + 1, 'image data')).toThrow(/gives 200000 bytes, 200001 expected/);
  });

  it('refuses a damaged checksum, a truncated stream, a bad header and raw deflate', () => {
    const z = new Uint8Array(deflateSync(data));
    const bad = z.slice();
    bad[bad.length - 1] ^= 1;
    expect(() => zlibInflate(bad, data.length, 'd')).toThrow(/Adler-32/);
    expect(() => zlibInflate(z.subarray(0, z.length >> 1), data.length, 'd')).toThrow(InflateError);
    expect(() => zlibInflate(Uint8Array.of(0x78, 0x9d, 1, 2, 3, 4), 4, 'd')).toThrow(/header check/);
    expect(() => zlibInflate(new Uint8Array(deflateRawSync(data)), data.length, 'd')).toThrow(InflateError);
  });

  it('never reads past a corrupted stream: random damage fails with an InflateError or gives the right size', () => {
    const z = new Uint8Array(deflateSync(sample(5000, 3), { level: 9 }));
    for (let k = 0; k < 200; k++) {
      const bad = z.slice();
      const at = 2 + ((k * 7919) % (bad.length - 6));
      bad[at] ^= 1 << (k % 8);
      try {
        expect(zlibInflate(bad, 5000, 'd').length).toBe(5000);
      } catch (e) {
        expect(e).toBeInstanceOf(InflateError);
      }
    }
  });
});

describe('PNG decoding', () => {
  const W = 13;
  const H = 9;

  it('reads 8-bit grayscale, gray + alpha, RGB and RGBA with every filter type and split IDAT chunks', () => {
    for (const [colorType, channels] of [[0, 1], [4, 2], [2, 3], [6, 4]] as const) {
      const samples = noise(W * H * channels, colorType + 1);
      const png = encodePng({ width: W, height: H, colorType, samples, filters: [0, 1, 2, 3, 4], idatChunks: 3 });
      expect(isPng(png)).toBe(true);
      const img = decodePng('a.png', png);
      expect([img.width, img.height, img.channels]).toEqual([W, H, channels]);
      expect([...img.data]).toEqual([...samples]);
    }
  });

  it('reads palette images of 1, 2, 4 and 8 bits as RGB, and as RGBA with tRNS', () => {
    for (const depth of [1, 2, 4, 8] as const) {
      const entries = Math.min(256, 1 << depth);
      const palette = [...noise(entries * 3, depth)];
      const index = noise(W * H, depth + 10, entries);
      const rgb = decodePng('p.png', encodePng({ width: W, height: H, colorType: 3, depth, samples: index, palette, filters: [4, 1] }));
      expect(rgb.channels).toBe(3);
      expect([...rgb.data]).toEqual([...index].flatMap((i) => palette.slice(3 * i, 3 * i + 3)));
      const trns = [0, 128];
      const rgba = decodePng('p.png', encodePng({ width: W, height: H, colorType: 3, depth, samples: index, palette, trns }));
      expect(rgba.channels).toBe(4);
      expect([...rgba.data]).toEqual([...index].flatMap((i) => [...palette.slice(3 * i, 3 * i + 3), trns[i] ?? 255]));
    }
  });

  it('reads 1, 2 and 4-bit grayscale scaled to 0–255', () => {
    for (const depth of [1, 2, 4] as const) {
      const max = (1 << depth) - 1;
      const samples = noise(W * H, depth, max + 1);
      const img = decodePng('g.png', encodePng({ width: W, height: H, colorType: 0, depth, samples, filters: [2, 3] }));
      expect([...img.data]).toEqual([...samples].map((v) => Math.round((v * 255) / max)));
    }
  });

  it('refuses interlaced and 16-bit images with a sentence saying how to save them', () => {
    const samples = new Uint8Array(W * H);
    expect(() => decodePng('i.png', encodePng({ width: W, height: H, colorType: 0, samples, interlace: 1 })))
      .toThrow('i.png: is an interlaced (Adam7) PNG; Layerstep reads non-interlaced PNGs: save the image without interlacing.');
    expect(() => decodePng('d.png', encodePng({ width: W, height: H, colorType: 0, depth: 16, samples })))
      .toThrow('d.png: is a 16-bit PNG; Layerstep reads 8 bits per channel: save the image with 8-bit channels.');
  });

  it('checks the dimensions before allocating anything', () => {
    // A header claiming 100000 × 100000 pixels, with image data of one byte: refused at the header.
    const png = encodePng({ width: 1, height: 1, colorType: 0, samples: [0] });
    const view = new DataView(png.buffer);
    view.setUint32(16, 100_000);
    view.setUint32(20, 100_000);
    const fixed = encodePngHeaderCrc(png);
    expect(() => decodePng('big.png', fixed)).toThrow(`big.png: is 100000×100000 pixels; images above ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} pixels are refused`);
  });

  it('refuses a file that is not a PNG, a damaged CRC, a truncated file and a file without image data', () => {
    const png = encodePng({ width: W, height: H, colorType: 2, samples: noise(W * H * 3, 1) });
    expect(() => decodePng('x.png', new TextEncoder().encode('{"shape": [1]}'))).toThrow('x.png: is not a PNG image');
    expect(() => decodePng('c.png', encodePng({ width: W, height: H, colorType: 0, samples: new Uint8Array(W * H), badCrc: true })))
      .toThrow('c.png: has a IHDR chunk whose CRC does not match');
    expect(() => decodePng('t.png', png.subarray(0, png.length - 30))).toThrow(/^t\.png: ends (inside|before)/);
    const noData = encodePng({ width: W, height: H, colorType: 0, samples: new Uint8Array(W * H), idatChunks: 0 });
    expect(() => decodePng('n.png', noData)).toThrow('n.png: has no image data (no IDAT chunk).');
  });

  it('names the file when the image data is corrupt', () => {
    const png = encodePng({ width: W, height: H, colorType: 0, samples: new Uint8Array(W * H) });
    // Cut the image data short inside a valid chunk: the zlib stream ends early.
    const short = encodePng({ width: W, height: H * 2, colorType: 0, samples: new Uint8Array(W * H * 2) });
    const header = png.subarray(0, 33);
    const rest = short.subarray(33);
    const mixed = new Uint8Array([...header, ...rest]);
    expect(() => decodePng('z.png', mixed)).toThrow(/^z\.png: image data: the compressed data gives more than the \d+ bytes expected/);
  });
});

/** Rewrites the IHDR chunk's CRC after a test changed its fields. */
function encodePngHeaderCrc(png: Uint8Array): Uint8Array {
  const out = png.slice();
  const view = new DataView(out.buffer);
  // IHDR: length at 8, type at 12, data at 16..29, CRC at 29.
  let c = 0xffffffff;
  for (let i = 12; i < 29; i++) {
    c ^= out[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  view.setUint32(29, (c ^ 0xffffffff) >>> 0);
  return out;
}
