import { resize } from '../../engine/kernels/resize';
import { Tensor } from '../../engine/tensor';
import type { Dim, ValueInfo } from '../../model/ir';
import { failFile } from './errors';
import type { DecodedImage } from './png';

/*
 * A decoded image as a model input: channels converted, resized (bilinear, the engine's Resize kernel with
 * half_pixel coordinates, as OpenCV's INTER_LINEAR and PyTorch's interpolate without antialiasing), scaled,
 * normalised per channel, and laid out channels first (NCHW) or last (NHWC) with a batch of one. What the
 * preprocessing leaves open is read from the model input's declared shape, so `input: "digit.png"` alone
 * fits a [1, 1, 28, 28] or [1, 28, 28, 1] input.
 */

export type ImageLayout = 'NCHW' | 'NHWC';

/** How an image becomes a tensor (launch attribute `preprocess`, the CLI's image options). Every field is optional. */
export interface ImagePreprocess {
  /** `[height, width]` to resize to. Default: the input's declared H and W, else the image's own size. */
  readonly size?: readonly [number, number];
  /** 1: grayscale (ITU-R BT.601 luma of RGB), 3: RGB (gray replicated). Alpha is dropped. Default: the input's channel dimension, else the image's. */
  readonly channels?: 1 | 3;
  /** Multiplies the 0–255 pixel values first. Default 1/255. */
  readonly scale?: number;
  /** Subtracted after scaling: one value, or one per channel. Default 0. */
  readonly mean?: number | readonly number[];
  /** Divides after the mean: one value, or one per channel. Default 1. */
  readonly std?: number | readonly number[];
  /** Default: channels first unless the input's shape has 1 or 3 only in the last place. */
  readonly layout?: ImageLayout;
}

/** A launch configuration or command line whose image options make no sense; the message is for the user. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** The largest side `size` may ask for. */
const MAX_SIDE = 8192;
const KEYS = ['size', 'channels', 'scale', 'mean', 'std', 'layout'];

/** A number, or a fraction written as text (`"1/255"`), as `scale` may be given. */
export function parseNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*(?:\/\s*([\d.]+(?:e-?\d+)?)\s*)?$/i.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2]));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Checks image options given as JSON (a launch configuration's `preprocess`, or the CLI's options gathered
 * into one object). `field` names a field in messages (`preprocess.size`, or `--size` for the CLI). Throws
 * {@link InputError} naming the field and what it takes.
 */
export function parsePreprocess(value: unknown, field: (name: string) => string = (n) => `preprocess.${n}`): ImagePreprocess {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InputError('preprocess must be an object such as { "size": [28, 28], "scale": "1/255" }.');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KEYS.includes(k)) throw new InputError(`preprocess has an unknown field '${k}' (it takes ${KEYS.join(', ')}).`);
  }
  const out: { -readonly [K in keyof ImagePreprocess]: ImagePreprocess[K] } = {};
  if (o.size !== undefined) {
    const s = o.size;
    if (!Array.isArray(s) || s.length !== 2 || !s.every((d) => Number.isInteger(d) && d >= 1 && d <= MAX_SIDE)) {
      throw new InputError(`${field('size')} must be [height, width], two whole numbers from 1 to ${MAX_SIDE}, got ${JSON.stringify(s)}.`);
    }
    out.size = [s[0], s[1]];
  }
  if (o.channels !== undefined) {
    if (o.channels !== 1 && o.channels !== 3) throw new InputError(`${field('channels')} must be 1 (grayscale) or 3 (RGB), got ${JSON.stringify(o.channels)}.`);
    out.channels = o.channels;
  }
  if (o.scale !== undefined) {
    const n = parseNumber(o.scale);
    if (n === undefined || n === 0) throw new InputError(`${field('scale')} must be a non-zero number or a fraction such as "1/255", got ${JSON.stringify(o.scale)}.`);
    out.scale = n;
  }
  for (const key of ['mean', 'std'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    const list = Array.isArray(v) ? v : [v];
    const nums = list.map(parseNumber);
    if (list.length === 0 || nums.some((n) => n === undefined) || (key === 'std' && nums.some((n) => n === 0))) {
      throw new InputError(`${field(key)} must be a number or a list of numbers (one per channel)${key === 'std' ? ', none of them 0' : ''}, got ${JSON.stringify(v)}.`);
    }
    out[key] = Array.isArray(v) ? (nums as number[]) : (nums[0] as number);
  }
  if (o.layout !== undefined) {
    if (o.layout !== 'NCHW' && o.layout !== 'NHWC') throw new InputError(`${field('layout')} must be "NCHW" or "NHWC", got ${JSON.stringify(o.layout)}.`);
    out.layout = o.layout;
  }
  return out;
}

const known = (d: Dim | undefined): number | undefined => (typeof d === 'number' ? d : undefined);
const isChannelDim = (d: number | undefined): boolean => d === 1 || d === 3;

/** Layout, channels and size: as given, else from the input's declared shape, else from the image. */
function resolvePlan(input: ValueInfo, image: DecodedImage, pre: ImagePreprocess): { layout: ImageLayout; channels: 1 | 3; height: number; width: number } {
  const s = input.shape;
  const fromImage: 1 | 3 = image.channels <= 2 ? 1 : 3;
  if (s.length !== 4) {
    const [height, width] = pre.size ?? [image.height, image.width];
    return { layout: pre.layout ?? 'NCHW', channels: pre.channels ?? fromImage, height, width };
  }
  const layout = pre.layout ?? (!isChannelDim(known(s[1])) && isChannelDim(known(s[3])) ? 'NHWC' : 'NCHW');
  const [c, h, w] = layout === 'NCHW' ? [s[1], s[2], s[3]] : [s[3], s[1], s[2]];
  const declared = known(c);
  const channels = pre.channels ?? (declared === 1 || declared === 3 ? declared : fromImage);
  const [height, width] = pre.size ?? [known(h) ?? image.height, known(w) ?? image.width];
  return { layout, channels, height, width };
}

/** Per-channel values of `mean` or `std`: one value for all channels, or exactly one per channel. */
function perChannel(file: string, name: string, v: number | readonly number[] | undefined, fallback: number, channels: number): number[] {
  if (v === undefined) return new Array<number>(channels).fill(fallback);
  if (typeof v === 'number') return new Array<number>(channels).fill(v);
  if (v.length === 1) return new Array<number>(channels).fill(v[0]);
  if (v.length !== channels) failFile(file, `preprocess.${name} has ${v.length} values but the input takes ${channels} channel${channels === 1 ? '' : 's'}.`);
  return [...v];
}

/** The image's pixels as `height × width × channels` float32 values in 0–255, with the channels converted. */
function toChannels(image: DecodedImage, channels: 1 | 3): Tensor<'float32'> {
  const { width, height, data } = image;
  const src = image.channels;
  const out = new Float32Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    const i = p * src;
    if (src <= 2) {
      for (let c = 0; c < channels; c++) out[p * channels + c] = data[i];
    } else if (channels === 3) {
      out[p * 3] = data[i];
      out[p * 3 + 1] = data[i + 1];
      out[p * 3 + 2] = data[i + 2];
    } else {
      out[p] = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    }
  }
  return new Tensor('float32', [height, width, channels], out);
}

/** The declared shape the tensor takes: its own for rank 4, else the input's when the element counts agree. */
function targetShape(file: string, input: ValueInfo, shape: readonly number[]): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const declared = input.shape;
  const text = (s: readonly Dim[]) => `[${s.map((d) => (typeof d === 'number' ? String(d) : '?')).join(', ')}]`;
  const fits = declared.length === 4
    ? declared.every((d, i) => typeof d !== 'number' || d === shape[i])
    : declared.reduce<number>((a, d) => a * (known(d) ?? 1), 1) === n;
  if (!fits) {
    failFile(file, `input '${input.name}' expects shape ${text(declared)}, but the preprocessed image is ${text(shape)}: set preprocess size, channels or layout to match.`);
  }
  return declared.length === 4 ? [...shape] : declared.map((d) => known(d) ?? 1);
}

/**
 * The tensors a model runs on when its input is an image: the one input of the model, fed the image
 * preprocessed by `pre`. Throws a TensorFileError naming `file` when the model takes several inputs, or when
 * the result cannot take the input's declared shape.
 */
export function imageInputs(file: string, image: DecodedImage, pre: ImagePreprocess, inputs: readonly ValueInfo[]): Map<string, Tensor> {
  if (inputs.length !== 1) {
    failFile(file, `is an image, which feeds a model with one input; this model has ${inputs.length} (${inputs.map((i) => `'${i.name}'`).join(', ')}): give a tensor JSON file keyed by input name.`);
  }
  const input = inputs[0];
  if (input.dtype === 'bool') failFile(file, `is an image, but input '${input.name}' takes bool values.`);
  const { layout, channels, height, width } = resolvePlan(input, image, pre);
  let hwc = toChannels(image, channels);
  if (height !== image.height || width !== image.width) {
    hwc = resize(hwc, [height, width, channels], [height / image.height, width / image.width, 1], { mode: 'linear', coordinateTransformationMode: 'half_pixel' });
  }
  const scale = pre.scale ?? 1 / 255;
  const mean = perChannel(file, 'mean', pre.mean, 0, channels);
  const std = perChannel(file, 'std', pre.std, 1, channels);
  const n = height * width * channels;
  const values = new Float64Array(n);
  const chw = layout === 'NCHW';
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < channels; c++) {
      const v = (hwc.data[p * channels + c] * scale - mean[c]) / std[c];
      values[chw ? c * height * width + p : p * channels + c] = v;
    }
  }
  const shape = targetShape(file, input, chw ? [1, channels, height, width] : [1, height, width, channels]);
  // Integer inputs (models that take raw uint8 pixels) get the values rounded.
  const t = input.dtype === 'float32'
    ? new Tensor('float32', shape, Float32Array.from(values))
    : input.dtype === 'int32'
      ? new Tensor('int32', shape, Int32Array.from(values, Math.round))
      : new Tensor('int64', shape, values.map(Math.round));
  return new Map([[input.name, t]]);
}
