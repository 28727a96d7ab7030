import { DTYPES, Tensor, allocate } from '../../engine/tensor';
import type { DType } from '../../engine/tensor';
import { failFile } from './errors';

/**
 * Tensor JSON (DESIGN.md §3): `{ "<name>": { "shape": [..], "dtype": "float32", "data": [flat, row-major] } }`,
 * or one unnamed `{ "shape", "dtype"?, "data" }` for a single-input model. `dtype` defaults to `float32`.
 *
 * JSON has no NaN or infinities: we write them as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` and read
 * those (and `null`, which is what `JSON.stringify(NaN)` gives) back. Nested `data` arrays (what NumPy's
 * `tolist()` gives) are read too, flattened row-major; the element count must match the shape either way.
 */

/** The key under which a file's single unnamed tensor is returned. */
export const UNNAMED = '';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Is `v` an unnamed tensor object rather than a map of named ones? */
function looksLikeTensor(v: Record<string, unknown>): boolean {
  return Array.isArray(v.shape) && 'data' in v;
}

/**
 * Reads tensor JSON. Returns the tensors by name, in file order; a file holding one unnamed tensor gives a
 * single entry under {@link UNNAMED}.
 */
export function parseTensorJson(file: string, text: string): Map<string, Tensor> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    failFile(file, `is not valid JSON (${(e as Error).message}).`);
  }
  if (!isRecord(doc)) {
    failFile(file, 'must hold a JSON object: { "<input name>": { "shape": [..], "dtype": "float32", "data": [..] } }.');
  }
  if (looksLikeTensor(doc)) return new Map([[UNNAMED, readTensor(file, 'the tensor', doc)]]);
  const out = new Map<string, Tensor>();
  for (const [name, value] of Object.entries(doc)) {
    if (!isRecord(value)) failFile(file, `tensor '${name}' must be an object { "shape", "dtype", "data" }.`);
    out.set(name, readTensor(file, `tensor '${name}'`, value));
  }
  if (out.size === 0) failFile(file, 'holds no tensor.');
  return out;
}

/**
 * Reads training data: `{"inputs": {<input name>: tensor}, "targets": {<output name>: tensor}}`, tensors as in any
 * tensor JSON file, one row per example along their first axis.
 */
export function parseTrainingJson(file: string, text: string): { inputs: Map<string, Tensor>; targets: Map<string, Tensor> } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    failFile(file, `is not valid JSON (${(e as Error).message}).`);
  }
  const shape = '{ "inputs": { "<input name>": <tensor> }, "targets": { "<output name>": <tensor> } }';
  if (!isRecord(doc)) failFile(file, `must hold a JSON object: ${shape}.`);
  const extra = Object.keys(doc).filter((k) => k !== 'inputs' && k !== 'targets');
  if (extra.length) failFile(file, `has '${extra[0]}', but training data holds only "inputs" and "targets": ${shape}.`);
  const read = (key: 'inputs' | 'targets'): Map<string, Tensor> => {
    const part = doc[key];
    if (!isRecord(part)) failFile(file, `needs "${key}": an object of named tensors, as in ${shape}.`);
    const out = new Map<string, Tensor>();
    for (const [name, value] of Object.entries(part)) {
      if (!isRecord(value)) failFile(file, `${key} '${name}' must be an object { "shape", "dtype", "data" }.`);
      out.set(name, readTensor(file, `${key === 'inputs' ? 'input' : 'target'} '${name}'`, value));
    }
    if (out.size === 0) failFile(file, `has no ${key}.`);
    return out;
  };
  return { inputs: read('inputs'), targets: read('targets') };
}

function readTensor(file: string, what: string, obj: Record<string, unknown>): Tensor {
  const shape = readShape(file, what, obj.shape);
  const dtype = obj.dtype === undefined ? 'float32' : obj.dtype;
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
    failFile(file, `${what} has dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.join(', ')}.`);
  }
  if (!Array.isArray(obj.data)) failFile(file, `${what} needs "data": a flat array of numbers in row-major order.`);
  const flat: unknown[] = [];
  flatten(obj.data, flat);
  const size = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== size) {
    failFile(file, `${what} has ${flat.length} values but shape [${shape.join(', ')}] needs ${size}.`);
  }
  const data = allocate(dtype as DType, size);
  for (let i = 0; i < size; i++) data[i] = readValue(file, what, dtype as DType, flat[i], i);
  return new Tensor(dtype as DType, shape, data);
}

function readShape(file: string, what: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    failFile(file, `${what} has shape ${JSON.stringify(shape)}; expected an array of non-negative integers.`);
  }
  return shape as number[];
}

function flatten(v: readonly unknown[], out: unknown[]): void {
  for (const x of v) {
    if (Array.isArray(x)) flatten(x, out);
    else out.push(x);
  }
}

const SPECIAL: Readonly<Record<string, number>> = {
  NaN: NaN, nan: NaN, Infinity: Infinity, '-Infinity': -Infinity, inf: Infinity, '-inf': -Infinity,
};

function readValue(file: string, what: string, dtype: DType, v: unknown, i: number): number {
  const bad = (expected: string): never =>
    failFile(file, `${what}: element ${i} of data is ${JSON.stringify(v)}, expected ${expected}.`);
  switch (dtype) {
    case 'float32':
      if (typeof v === 'number') return v;
      if (v === null) return NaN;
      if (typeof v === 'string' && v in SPECIAL) return SPECIAL[v];
      return bad('a number (or "NaN", "Infinity", "-Infinity")');
    case 'int32':
      if (Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31) return v as number;
      return bad('a 32-bit integer');
    case 'int64':
      if (Number.isSafeInteger(v)) return v as number;
      return bad('an integer of magnitude below 2^53');
    case 'bool':
      if (v === true || v === 1) return 1;
      if (v === false || v === 0) return 0;
      return bad('true, false, 0 or 1');
  }
}

/**
 * The shortest decimal that reads back as the same float32, so `0.1f` prints as `0.1` rather than
 * `0.10000000149011612`. Round-tripping is monotone in the number of digits, so a binary search over 1..9
 * (9 digits always suffice for float32) finds the shortest.
 */
export function formatFloat32(v: number): string {
  if (Number.isNaN(v)) return '"NaN"';
  if (!Number.isFinite(v)) return v > 0 ? '"Infinity"' : '"-Infinity"';
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 24) return String(v);
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(v.toPrecision(mid))) === v) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(v.toPrecision(lo)));
}

function formatData(t: Tensor): string {
  const parts = new Array<string>(t.size);
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    if (t.dtype === 'float32') parts[i] = formatFloat32(d[i]);
    else if (t.dtype === 'bool') parts[i] = d[i] ? 'true' : 'false';
    else parts[i] = String(d[i]);
  }
  return `[${parts.join(', ')}]`;
}

/** One tensor as a one-line JSON object `{ "shape", "dtype", "data" }`. */
export function formatTensorObject(t: Tensor): string {
  return `{ "shape": [${t.shape.join(', ')}], "dtype": "${t.dtype}", "data": ${formatData(t)} }`;
}

/** Tensor JSON for named tensors, one line per tensor, in the order given; ends with a newline. */
export function formatTensorJson(tensors: Iterable<readonly [string, Tensor]>): string {
  const lines: string[] = [];
  for (const [name, t] of tensors) lines.push(`  ${JSON.stringify(name)}: ${formatTensorObject(t)}`);
  return lines.length ? `{\n${lines.join(',\n')}\n}\n` : '{}\n';
}
