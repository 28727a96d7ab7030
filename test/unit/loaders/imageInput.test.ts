import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../../src/engine/tensor';
import { imageInputs, parseNumber, parsePreprocess } from '../../../src/loaders/tensors/image';
import type { ImagePreprocess } from '../../../src/loaders/tensors/image';
import { readInputFile } from '../../../src/loaders/tensors/inputFile';
import { inputSpecOf } from '../../../src/debug/launchArgs';
import type { DecodedImage } from '../../../src/loaders/tensors/png';
import type { Dim, ValueInfo } from '../../../src/model/ir';
import { encodePng, noise } from './pngEncoder';

const input = (shape: readonly Dim[], dtype: ValueInfo['dtype'] = 'float32', name = 'x'): ValueInfo => ({ name, dtype, shape });
const image = (width: number, height: number, channels: DecodedImage['channels'], seed = 1): DecodedImage =>
  ({ width, height, channels, data: noise(width * height * channels, seed) });
const only = (m: Map<string, Tensor>): Tensor => [...m.values()][0];

/**
 * The same preprocessing in TensorFlow.js (cpu backend): channels, bilinear resize with half-pixel centres,
 * scale, mean, std, then NCHW or NHWC with a batch of one.
 */
function oracle(img: DecodedImage, channels: 1 | 3, size: [number, number], scale: number, mean: number[], std: number[], layout: 'NCHW' | 'NHWC'): number[] {
  return tf.tidy(() => {
    let t = tf.tensor3d(Float32Array.from(img.data), [img.height, img.width, img.channels]);
    if (channels === 3) t = img.channels <= 2 ? tf.tile(t.slice([0, 0, 0], [-1, -1, 1]), [1, 1, 3]) : t.slice([0, 0, 0], [-1, -1, 3]);
    else t = img.channels <= 2 ? t.slice([0, 0, 0], [-1, -1, 1]) : tf.sum(tf.mul(t.slice([0, 0, 0], [-1, -1, 3]), tf.tensor1d([0.299, 0.587, 0.114])), 2, true);
    if (size[0] !== img.height || size[1] !== img.width) t = tf.image.resizeBilinear(t, size, false, true);
    t = tf.div(tf.sub(tf.mul(t, scale), tf.tensor1d(mean)), tf.tensor1d(std));
    const out = layout === 'NCHW' ? tf.transpose(t, [2, 0, 1]) : t;
    return Array.from(out.dataSync());
  });
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThan(tol);
}

describe('image preprocessing (TensorFlow.js as the oracle)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('resizes, scales and normalises an RGB image per channel into NCHW', () => {
    const img = image(37, 23, 3);
    const pre: ImagePreprocess = { size: [16, 20], scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    const t = only(imageInputs('a.png', img, pre, [input([1, 3, 16, 20])]));
    expect(t.shape).toEqual([1, 3, 16, 20]);
    expectClose(t.data, oracle(img, 3, [16, 20], 1 / 255, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 'NCHW'), 1e-4);
  });

  it('upsamples RGBA to grayscale NHWC, reading the size and layout from the input shape', () => {
    const img = image(7, 5, 4, 2);
    const t = only(imageInputs('a.png', img, { scale: 1, mean: 127.5, std: 127.5 }, [input([1, 12, 9, 1])]));
    expect(t.shape).toEqual([1, 12, 9, 1]);
    expectClose(t.data, oracle(img, 1, [12, 9], 1, [127.5], [127.5], 'NHWC'), 1e-5);
  });

  it('replicates a gray image into 3 channels when the input takes 3, and keeps the size when nothing says otherwise', () => {
    const img = image(6, 4, 1, 3);
    const t = only(imageInputs('a.png', img, {}, [input(['batch', 3, 'h', 'w'])]));
    expect(t.shape).toEqual([1, 3, 4, 6]);
    expectClose(t.data, oracle(img, 3, [4, 6], 1 / 255, [0, 0, 0], [1, 1, 1], 'NCHW'), 1e-6);
  });
});

describe('image preprocessing rules', () => {
  it('turns RGB into gray with the BT.601 luma weights and drops alpha', () => {
    const img: DecodedImage = { width: 2, height: 1, channels: 4, data: Uint8Array.of(255, 0, 0, 7, 0, 0, 255, 0) };
    const t = only(imageInputs('a.png', img, { scale: 1, channels: 1 }, [input([1, 1, 1, 2])]));
    expect(Array.from(t.data, (v) => Math.round(v * 1000) / 1000)).toEqual([76.245, 29.07]);
  });

  it('feeds a flat input when the element counts agree (an MLP on 28 × 28 digits)', () => {
    const t = only(imageInputs('d.png', image(28, 28, 1), {}, [input([1, 784])]));
    expect(t.shape).toEqual([1, 784]);
    const sym = only(imageInputs('d.png', image(28, 28, 1), {}, [input(['n', 784])]));
    expect(sym.shape).toEqual([1, 784]);
  });

  it('rounds the values for integer inputs', () => {
    const img: DecodedImage = { width: 1, height: 1, channels: 1, data: Uint8Array.of(200) };
    const t = only(imageInputs('a.png', img, { scale: 0.5 }, [input([1, 1, 1, 1], 'int32')]));
    expect([t.dtype, ...t.data]).toEqual(['int32', 100]);
  });

  it('refuses with a sentence naming the file: several inputs, a shape that does not fit, per-channel values of the wrong length', () => {
    const img = image(4, 4, 3);
    expect(() => imageInputs('a.png', img, {}, [input([1, 3, 4, 4]), input([1], 'float32', 'mask')]))
      .toThrow("a.png: is an image, which feeds a model with one input; this model has 2 ('x', 'mask'): give a tensor JSON file keyed by input name.");
    expect(() => imageInputs('a.png', img, {}, [input([1, 784])]))
      .toThrow("a.png: input 'x' expects shape [1, 784], but the preprocessed image is [1, 3, 4, 4]: set preprocess size, channels or layout to match.");
    expect(() => imageInputs('a.png', img, { size: [8, 8] }, [input([1, 3, 4, 4])])).toThrow('expects shape [1, 3, 4, 4], but the preprocessed image is [1, 3, 8, 8]');
    expect(() => imageInputs('a.png', img, { mean: [1, 2] }, [input([1, 3, 4, 4])]))
      .toThrow('a.png: preprocess.mean has 2 values but the input takes 3 channels.');
  });

  it('reads a PNG file through readInputFile, and tensor files as before', () => {
    const png = encodePng({ width: 3, height: 2, colorType: 0, samples: [0, 51, 102, 153, 204, 255] });
    const t = only(readInputFile('g.png', png, [input([1, 1, 2, 3])], { scale: 1 / 255 }));
    expectClose(t.data, [0, 0.2, 0.4, 0.6, 0.8, 1], 1e-6);
    const json = new TextEncoder().encode('{"shape": [1, 2], "data": [1, 2]}');
    expect([...only(readInputFile('t.json', json, [input([1, 2])])).data]).toEqual([1, 2]);
  });
});

describe('preprocess options', () => {
  it('accepts every field, fractions for numbers, and nothing at all', () => {
    expect(parsePreprocess({ size: [28, 28], channels: 1, scale: '1/255', mean: 0.5, std: ['0.5'], layout: 'NHWC' }))
      .toEqual({ size: [28, 28], channels: 1, scale: 1 / 255, mean: 0.5, std: [0.5], layout: 'NHWC' });
    expect(parsePreprocess(undefined)).toEqual({});
    expect(parseNumber('2/4')).toBe(0.5);
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(parseNumber('abc')).toBeUndefined();
  });

  it('refuses bad fields with a sentence naming the field and what it takes', () => {
    expect(() => parsePreprocess({ size: [28] })).toThrow('preprocess.size must be [height, width], two whole numbers from 1 to 8192, got [28].');
    expect(() => parsePreprocess({ channels: 2 })).toThrow('preprocess.channels must be 1 (grayscale) or 3 (RGB), got 2.');
    expect(() => parsePreprocess({ scale: 0 })).toThrow('preprocess.scale must be a non-zero number');
    expect(() => parsePreprocess({ std: [1, 0, 1] })).toThrow('preprocess.std must be a number or a list of numbers (one per channel), none of them 0');
    expect(() => parsePreprocess({ layout: 'CHW' })).toThrow('preprocess.layout must be "NCHW" or "NHWC", got "CHW".');
    expect(() => parsePreprocess({ resize: [1, 1] })).toThrow("preprocess has an unknown field 'resize' (it takes size, channels, scale, mean, std, layout).");
    expect(() => parsePreprocess('28x28')).toThrow('preprocess must be an object');
    expect(() => parsePreprocess({ size: [0, 1] }, (f) => `--${f}`)).toThrow(/^--size must be/);
  });
});

describe('a launch configuration with an image input', () => {
  const resolve = (p: string) => `/ws/${p}`;

  it('takes the checked preprocess attribute along with a .png input, and only then', () => {
    expect(inputSpecOf({ input: 'digit.png', preprocess: { size: [28, 28], scale: '1/255' } }, resolve))
      .toEqual({ kind: 'file', path: '/ws/digit.png', preprocess: { size: [28, 28], scale: 1 / 255 } });
    expect(inputSpecOf({ input: 'digit.PNG' }, resolve)).toEqual({ kind: 'file', path: '/ws/digit.PNG' });
    expect(inputSpecOf({ input: 'x.npy', preprocess: { channels: 2 } }, resolve)).toEqual({ kind: 'file', path: '/ws/x.npy' });
  });

  it('refuses a bad preprocess attribute with an InputError naming the field', () => {
    const run = () => inputSpecOf({ input: 'digit.png', preprocess: { layout: 'CHW' } }, resolve);
    expect(run).toThrow('preprocess.layout must be "NCHW" or "NHWC", got "CHW".');
    try {
      run();
    } catch (e) {
      expect((e as Error).name).toBe('InputError');
    }
  });
});
