import { describe, expect, it } from 'vitest';
import { decodePng } from '../../../src/loaders/tensors/png';
import type { PicturePlan } from '../../../src/loaders/tensors/pngWrite';
import { byteMapping, drawPicture, encodePng, encodePngInSlices, picturePlan, tensorPng } from '../../../src/loaders/tensors/pngWrite';

/** The picture written for `values` of `shape`, read back with the project's own PNG reader. */
function roundTrip(shape: number[], values: ArrayLike<number>) {
  return decodePng('t.png', tensorPng(shape, 'float32', values));
}

function plan(shape: number[]): PicturePlan {
  const p = picturePlan(shape, 'float32');
  if ('refusal' in p) throw new Error(p.refusal);
  return p;
}

const ramp = (n: number, f: (i: number) => number = (i) => i) => Float32Array.from({ length: n }, (_, i) => f(i));

describe('encodePng', () => {
  it('writes gray, gray + alpha, RGB and RGBA images that read back byte for byte', () => {
    for (const channels of [1, 2, 3, 4] as const) {
      const data = Uint8Array.from({ length: 5 * 3 * channels }, (_, i) => (i * 37) & 0xff);
      const back = decodePng('x.png', encodePng({ width: 5, height: 3, channels, data }));
      expect(back).toMatchObject({ width: 5, height: 3, channels });
      expect([...back.data]).toEqual([...data]);
    }
  });

  it('starts with the PNG signature and ends with IEND', () => {
    const png = encodePng({ width: 1, height: 1, channels: 1, data: Uint8Array.of(7) });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(String.fromCharCode(...png.subarray(png.length - 8, png.length - 4))).toBe('IEND');
  });
});

describe('encodePngInSlices', () => {
  it('deflates a big picture slice by slice, pausing between slices, into the same pixels', async () => {
    // 1000 × 1000 RGB pixels, 3 MB: three slices of about 1 MB (349 rows), two pauses between them.
    const image = { width: 1000, height: 1000, channels: 3 as const, data: Uint8Array.from({ length: 1000 * 1000 * 3 }, (_, i) => (i * 7 + (i >> 11)) & 0xff) };
    let pauses = 0;
    const png = await encodePngInSlices(image, async () => {
      pauses++;
    });
    expect(pauses).toBe(2);
    const back = decodePng('big.png', png);
    expect(back).toMatchObject({ width: 1000, height: 1000, channels: 3 });
    expect(Buffer.from(back.data).equals(Buffer.from(image.data))).toBe(true);
    expect(Buffer.from(decodePng('one.png', encodePng(image)).data).equals(Buffer.from(back.data))).toBe(true);
  });

  it('writes a small picture in one slice, without pausing', async () => {
    const image = { width: 3, height: 2, channels: 1 as const, data: Uint8Array.of(0, 50, 100, 150, 200, 250) };
    let pauses = 0;
    const back = decodePng('small.png', await encodePngInSlices(image, async () => {
      pauses++;
    }));
    expect(pauses).toBe(0);
    expect([...back.data]).toEqual([...image.data]);
  });
});

describe('which picture a tensor makes', () => {
  it('draws image-shaped tensors as images, channels last or first, leading 1s dropped', () => {
    expect(plan([28, 28])).toMatchObject({ kind: 'image', width: 28, height: 28, channels: 1 });
    expect(plan([1, 224, 200, 3])).toMatchObject({ kind: 'image', width: 200, height: 224, channels: 3, order: 'hwc' });
    expect(plan([1, 3, 224, 200])).toMatchObject({ kind: 'image', width: 200, height: 224, channels: 3, order: 'chw' });
    expect(plan([1, 1, 28, 28])).toMatchObject({ kind: 'image', width: 28, height: 28, channels: 1 });
    expect(plan([1, 28, 28, 1])).toMatchObject({ kind: 'image', width: 28, height: 28, channels: 1 });
    expect(plan([16, 16, 4])).toMatchObject({ kind: 'image', channels: 4, order: 'hwc' });
  });

  it('draws a flattened square image ([1, 784]) as 28×28, other vectors as one row', () => {
    expect(plan([1, 784])).toMatchObject({ kind: 'image', width: 28, height: 28, channels: 1 });
    expect(plan([10])).toMatchObject({ kind: 'heatmap', width: 10, height: 1 });
    expect(plan([1, 128, 1])).toMatchObject({ kind: 'heatmap', width: 128, height: 1 });
    // A long vector is wrapped into a square block.
    expect(plan([10_001])).toMatchObject({ kind: 'heatmap', width: 101, height: 100, count: 10_001 });
  });

  it('tiles the maps of a 4-D tensor, one item a row, one black pixel apart', () => {
    expect(plan([2, 8, 5, 6])).toMatchObject({ kind: 'heatmap', maps: 16, perRow: 8, rows: 5, cols: 6, width: 8 * 6 + 7, height: 2 * 5 + 1 });
    // 1×1 maps are folded into a matrix instead.
    expect(plan([128, 64, 1, 1])).toMatchObject({ kind: 'heatmap', maps: 1, width: 1 * 64, height: 128 });
  });

  it('folds the leading axes of a 3-D tensor that is not an image into rows', () => {
    expect(plan([5, 7, 9])).toMatchObject({ kind: 'heatmap', maps: 1, width: 9, height: 35 });
  });

  it('refuses one number, an empty tensor, five real axes and pictures that are too large, in one sentence', () => {
    const refusal = (shape: number[]) => {
      const p = picturePlan(shape, 'float32');
      return 'refusal' in p ? p.refusal : '';
    };
    expect(refusal([])).toMatch(/single number.*\.json or \.npy/);
    expect(refusal([1, 1])).toMatch(/single number/);
    expect(refusal([0, 3])).toMatch(/empty tensor/);
    expect(refusal([2, 3, 4, 5, 6])).toMatch(/^A float32\[2,3,4,5,6\] tensor has no 2-D picture/);
    expect(refusal([1, 2, 3, 4, 5])).toBe('');
    expect(refusal([9000, 9000])).toMatch(/9000×9000 picture, above the 67,108,864 pixels/);
    expect(() => tensorPng([2, 3, 4, 5, 6], 'float32', ramp(720))).toThrow(/no 2-D picture/);
  });
});

describe('values as pixels', () => {
  it('scales an image within 0..1 by 255', () => {
    const img = roundTrip([1, 1, 2, 2], [0, 0.5, 1, 0.25]);
    expect([...img.data]).toEqual([0, 128, 255, 64]);
  });

  it('writes whole numbers within 0..255 as they are', () => {
    const img = roundTrip([2, 2], [0, 17, 200, 255]);
    expect([...img.data]).toEqual([0, 17, 200, 255]);
  });

  it('stretches any other range from min to max, even in an image', () => {
    const img = roundTrip([2, 2], [-1, 0, 0.5, 1]);
    expect([...img.data]).toEqual([0, 128, 191, 255]);
  });

  it('interleaves planar channels ([1, 3, H, W]) into RGB pixels', () => {
    // R plane all 1, G plane all 0, B plane 0 and 1.
    const img = roundTrip([1, 3, 1, 2], [1, 1, 0, 0, 0, 1]);
    expect(img.channels).toBe(3);
    expect([...img.data]).toEqual([255, 0, 0, 255, 0, 255]);
  });

  it('keeps RGB pixels of a channels-last image ([1, H, W, 3]) in place', () => {
    const img = roundTrip([1, 1, 2, 3], [10, 20, 30, 40, 50, 60]);
    expect([...img.data]).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('stretches a heatmap from min to max, whatever its range', () => {
    const img = roundTrip([4], [0, 1, 2, 4]);
    expect(img).toMatchObject({ width: 4, height: 1, channels: 1 });
    expect([...img.data]).toEqual([0, 64, 128, 255]);
  });

  it('draws NaN and -Inf black, +Inf white, and a constant tensor mid-gray', () => {
    expect([...roundTrip([5], [NaN, -Infinity, Infinity, 0, 2]).data]).toEqual([0, 0, 255, 0, 255]);
    expect([...roundTrip([3], [7, 7, 7]).data]).toEqual([128, 128, 128]);
    const f = byteMapping([NaN, NaN], 2, false);
    expect(f(NaN)).toBe(0);
  });

  it('puts each map of a 4-D tensor in its tile with black gaps', () => {
    // [1, 2, 2, 2]: two 2×2 maps side by side, one pixel apart: a 5×2 picture.
    const values = [0, 1, 2, 3, 4, 5, 6, 7];
    const p = plan([2, 1, 2, 2]);
    const img = drawPicture(p, values);
    expect(img).toMatchObject({ width: 2, height: 5 });
    const row = (y: number) => [...img.data.subarray(y * img.width, (y + 1) * img.width)];
    const px = (v: number) => Math.round((v * 255) / 7);
    expect(row(0)).toEqual([px(0), px(1)]);
    expect(row(2)).toEqual([0, 0]);
    expect(row(3)).toEqual([px(4), px(5)]);
    const wide = drawPicture(plan([1, 2, 2, 2]), values);
    expect(wide).toMatchObject({ width: 5, height: 2 });
    expect([...wide.data.subarray(0, 5)]).toEqual([px(0), px(1), 0, px(4), px(5)]);
  });

  it('pads the end of a wrapped vector with black', () => {
    const img = drawPicture(plan([10_001]), ramp(10_001, (i) => i + 1));
    expect(img.data[10_000]).toBe(255);
    expect(img.data[10_001]).toBe(0);
    expect(img.data[img.data.length - 1]).toBe(0);
  });

  it('draws a 28×28 digit from a flattened [1, 784] input in 0..1', () => {
    const values = ramp(784, (i) => (i % 28 === Math.floor(i / 28) ? 1 : 0));
    const img = roundTrip([1, 784], values);
    expect(img).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect(img.data[0]).toBe(255);
    expect(img.data[29]).toBe(255);
    expect(img.data[1]).toBe(0);
  });
});
