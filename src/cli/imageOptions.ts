import type { ImagePreprocess } from '../loaders/tensors/image';
import { InputError, parsePreprocess } from '../loaders/tensors/image';
import { isImageFile } from '../loaders/tensors/inputFile';

/** The options that say how a `.png` --input becomes a tensor, as the CLI spells them (`--size 28,28`). */
export const IMAGE_FLAGS = ['size', 'channels', 'scale', 'mean', 'std', 'layout'] as const;

const list = (v: string): string[] => v.split(/[,x×]/).map((s) => s.trim());

/**
 * The image options of `run` and `trace` (`--size H,W --channels 1|3 --scale 1/255 --mean 0.5 --std 0.5
 * --layout NCHW`), checked like a launch configuration's `preprocess`. They apply only to a `.png` input.
 * Throws InputError (the caller makes it a usage error) naming the option.
 */
export function imageOptions(flag: (name: string) => string | undefined, input: string | undefined): ImagePreprocess | undefined {
  const given = IMAGE_FLAGS.filter((f) => flag(f) !== undefined);
  if (given.length === 0) return undefined;
  if (input === undefined || !isImageFile(input)) {
    throw new InputError(`--${given[0]} applies to an image input: give --input FILE.png.`);
  }
  const raw: Record<string, unknown> = {};
  const size = flag('size');
  if (size !== undefined) raw.size = list(size).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const channels = flag('channels');
  if (channels !== undefined) raw.channels = /^\d+$/.test(channels) ? Number(channels) : channels;
  const scale = flag('scale');
  if (scale !== undefined) raw.scale = scale;
  for (const key of ['mean', 'std'] as const) {
    const v = flag(key);
    if (v !== undefined) raw[key] = v.includes(',') ? list(v) : v;
  }
  const layout = flag('layout');
  if (layout !== undefined) raw.layout = layout.toUpperCase();
  return parsePreprocess(raw, (name) => `--${name}`);
}
