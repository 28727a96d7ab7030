import type { Tensor } from '../../engine/tensor';
import { formatFloat32, formatTensorObject } from './json';
import { formatNpy } from './npy';
import { drawPicture, encodePngInSlices, picturePlan } from './pngWrite';

/**
 * One tensor saved to a file (Save Tensor As… in VS Code): NumPy `.npy`, tensor JSON (one unnamed tensor, which is
 * what `--input` and Select Input read back for a single-input model), or a `.png` picture (see pngWrite.ts).
 */
export type SaveFormat = 'npy' | 'json' | 'png';

export const SAVE_FORMATS: readonly { readonly format: SaveFormat; readonly label: string }[] = [
  { format: 'npy', label: 'NumPy array' },
  { format: 'json', label: 'Tensor JSON' },
  { format: 'png', label: 'PNG picture' },
];

/**
 * Tensor JSON is one line of text, written on the extension host's thread: beyond this many values (about 12 MB of
 * text, seconds to write) it is refused; `.npy` holds any size.
 */
export const MAX_JSON_VALUES = 1 << 20;

/** The format a file name asks for, by its extension. */
export function saveFormatOf(file: string): SaveFormat | undefined {
  const m = /\.([A-Za-z]+)$/.exec(file);
  const ext = m?.[1].toLowerCase();
  return SAVE_FORMATS.find((f) => f.format === ext)?.format;
}

/**
 * Why a tensor of this shape cannot be saved in `format`, before any value is read; undefined when it can.
 * `file` names the file in the sentence.
 */
export function saveRefusal(format: SaveFormat, shape: readonly number[], dtype: Tensor['dtype'], file: string): string | undefined {
  const size = shape.reduce((a, b) => a * b, 1);
  if (format === 'json' && size > MAX_JSON_VALUES) {
    return `${file}: ${size.toLocaleString('en-US')} values are too many for tensor JSON (at most ${MAX_JSON_VALUES.toLocaleString('en-US')}): save it as .npy.`;
  }
  if (format === 'png') {
    const plan = picturePlan(shape, dtype);
    if ('refusal' in plan) return `${file}: ${plan.refusal}`;
  }
  return undefined;
}

/** Values of tensor JSON formatted between two yields to the event loop. */
const JSON_SLICE = 1 << 15;

/**
 * The file's bytes. Rejects with a one-sentence Error when the tensor cannot be written so (see {@link saveRefusal}).
 * Tensor JSON, the slow one (about 5 µs a value), is formatted in slices, and a PNG deflated in slices, with the event
 * loop let run between them.
 */
export async function encodeSaved(format: SaveFormat, t: Tensor, file: string): Promise<Uint8Array> {
  const refusal = saveRefusal(format, t.shape, t.dtype, file);
  if (refusal) throw new Error(refusal);
  switch (format) {
    case 'npy': return formatNpy(t);
    case 'json': return new TextEncoder().encode(await tensorJson(t));
    case 'png': {
      const plan = picturePlan(t.shape, t.dtype);
      if ('refusal' in plan) throw new Error(`${file}: ${plan.refusal}`);
      return encodePngInSlices(drawPicture(plan, t.data), letRun);
    }
  }
}

/** Lets the event loop run (the extension host's other work) between two slices of encoding. */
function letRun(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** `formatTensorObject(t)` and a newline, the same text, made slice by slice. */
async function tensorJson(t: Tensor): Promise<string> {
  if (t.size <= JSON_SLICE) return formatTensorObject(t) + '\n';
  const parts: string[] = [];
  const d = t.data;
  for (let start = 0; start < t.size; start += JSON_SLICE) {
    const end = Math.min(t.size, start + JSON_SLICE);
    const slice = new Array<string>(end - start);
    for (let i = start; i < end; i++) slice[i - start] = t.dtype === 'float32' ? formatFloat32(d[i]) : t.dtype === 'bool' ? (d[i] ? 'true' : 'false') : String(d[i]);
    parts.push(slice.join(', '));
    await letRun();
  }
  return `{ "shape": [${t.shape.join(', ')}], "dtype": "${t.dtype}", "data": [${parts.join(', ')}] }\n`;
}

/**
 * A file name (without extension) from a tensor's label: `hidden1/relu:0` → `hidden1_relu_0`. Only letters,
 * digits, `.`, `-` and `_` are kept, at most 80 characters; `tensor` when nothing is left.
 */
export function fileNameFor(label: string): string {
  const name = label.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|[._]+$/g, '').slice(0, 80);
  return name || 'tensor';
}
