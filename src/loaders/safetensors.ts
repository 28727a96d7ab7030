import { Tensor } from '../engine/tensor';
import type { DType } from '../engine/tensor';
import { ModelError } from '../model/errors';

/**
 * The safetensors container (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length N, N bytes of JSON `{ "<key>": { "dtype", "shape", "data_offsets": [begin, end] }, "__metadata__"?: {..} }`,
 * then the data, row-major little-endian, offsets relative to the byte after the header.
 *
 * Every size and offset the header claims is checked against the file's length and against a byte budget
 * before any tensor is allocated, so a hostile or truncated file fails with a sentence, not an out-of-memory.
 */

/** How each file dtype is read: bytes per element in the file and the engine dtype it becomes. */
const FILE_DTYPES: Readonly<Record<string, { bytes: number; dtype: DType }>> = {
  F64: { bytes: 8, dtype: 'float32' },
  F32: { bytes: 4, dtype: 'float32' },
  F16: { bytes: 2, dtype: 'float32' },
  BF16: { bytes: 2, dtype: 'float32' },
  I8: { bytes: 1, dtype: 'int32' },
  U8: { bytes: 1, dtype: 'int32' },
  I16: { bytes: 2, dtype: 'int32' },
  U16: { bytes: 2, dtype: 'int32' },
  I32: { bytes: 4, dtype: 'int32' },
  U32: { bytes: 4, dtype: 'int64' },
  I64: { bytes: 8, dtype: 'int64' },
  U64: { bytes: 8, dtype: 'int64' },
  BOOL: { bytes: 1, dtype: 'bool' },
};

/** The file dtype each engine dtype is written as. */
const WRITE_DTYPES: Readonly<Record<DType, string>> = { float32: 'F32', int32: 'I32', int64: 'I64', bool: 'BOOL' };

/** Engine bytes per element, for the budget (what the decoded tensor will hold). */
const ENGINE_BYTES: Readonly<Record<DType, number>> = { float32: 4, int32: 4, int64: 8, bool: 1 };

/** The spec caps the header at 100 MB; we do too, so a huge claimed length is refused before decoding. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** One tensor as the header describes it, after checking. */
export interface SafetensorsEntry {
  readonly key: string;
  /** The file's dtype, e.g. `F16`. */
  readonly fileDtype: string;
  /** The engine dtype it decodes to. */
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Absolute byte offsets in the file, end exclusive. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface SafetensorsReadOptions {
  /** The file's name as shown in messages. */
  readonly file: string;
  /** Largest number of decoded bytes the tensors may claim in total. */
  readonly maxBytes: number;
}

function fail(file: string, message: string): never {
  throw new ModelError(`${file} ${message}`, file);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and checks the header of a safetensors file. Does not allocate any tensor; checks that every
 * entry's offsets lie inside the file, agree with its dtype and shape, and that the decoded total fits `maxBytes`.
 */
export function readSafetensorsHeader(bytes: Uint8Array, options: SafetensorsReadOptions): SafetensorsHeader {
  const { file } = options;
  if (bytes.length < 8) fail(file, `is ${bytes.length} bytes long, shorter than the 8-byte header length of a safetensors file.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) fail(file, `declares a header of ${headerLength} bytes, more than the 100 MB a safetensors header may take.`);
  if (8 + headerLength > bytes.length) {
    fail(file, `declares a header of ${headerLength} bytes but the file holds only ${bytes.length - 8} bytes after the length (truncated?).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(file, `has a header that is not valid JSON (${(e as Error).message}).`);
  }
  if (!isRecord(json)) fail(file, 'has a header that is not a JSON object of tensors.');

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  let total = 0;
  for (const [key, raw] of Object.entries(json)) {
    if (key === '__metadata__') {
      if (!isRecord(raw)) fail(file, `has a '__metadata__' that is not an object of strings.`);
      metadata = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
      continue;
    }
    const entry = checkEntry(file, key, raw, dataStart, dataLength);
    total += ENGINE_BYTES[entry.dtype] * (entry.end - entry.begin) / FILE_DTYPES[entry.fileDtype].bytes;
    if (total > options.maxBytes) {
      fail(file, `claims more than ${options.maxBytes} bytes of tensors (reached at key '${key}'); refusing to load it.`);
    }
    entries.set(key, entry);
  }
  return { entries, metadata };
}

function checkEntry(file: string, key: string, raw: unknown, dataStart: number, dataLength: number): SafetensorsEntry {
  if (!isRecord(raw)) fail(file, `holds key '${key}' that is not an object with dtype, shape and data_offsets.`);
  const fileDtype = raw.dtype;
  if (typeof fileDtype !== 'string' || !(fileDtype in FILE_DTYPES)) {
    fail(file, `holds key '${key}' with dtype ${JSON.stringify(fileDtype)}; supported are ${Object.keys(FILE_DTYPES).join(', ')}.`);
  }
  const shape = raw.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(file, `holds key '${key}' with shape ${JSON.stringify(shape)}; a shape is an array of non-negative integers.`);
  }
  const offsets = raw.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(file, `holds key '${key}' with data_offsets ${JSON.stringify(offsets)}; expected [begin, end] byte offsets.`);
  }
  const [begin, end] = offsets as [number, number];
  // Multiply in floating point: a product past 2^53 is imprecise but still far beyond any file length.
  const elements = (shape as number[]).reduce((a, d) => a * d, 1);
  const expected = elements * FILE_DTYPES[fileDtype].bytes;
  if (end < begin) fail(file, `holds key '${key}' with data_offsets [${begin}, ${end}] that end before they begin.`);
  if (end > dataLength) {
    fail(file, `holds key '${key}' at bytes ${begin} to ${end} of its data, but the data is only ${dataLength} bytes long (truncated?).`);
  }
  if (end - begin !== expected) {
    fail(file, `holds key '${key}' as ${fileDtype}[${(shape as number[]).join(', ')}], which takes ${expected} bytes, but its data_offsets span ${end - begin}.`);
  }
  return { key, fileDtype, dtype: FILE_DTYPES[fileDtype].dtype, shape: shape as number[], begin: dataStart + begin, end: dataStart + end };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes one checked entry into an engine tensor (a copy; the file's bytes are not kept). */
export function decodeSafetensorsEntry(bytes: Uint8Array, entry: SafetensorsEntry): Tensor {
  const n = entry.shape.reduce((a, d) => a * d, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + entry.begin, entry.end - entry.begin);
  // A fresh, exactly sized buffer: `new Uint8Array(view)` copies (Node's Buffer#slice would not).
  const copy = (): ArrayBuffer => new Uint8Array(bytes.subarray(entry.begin, entry.end)).buffer;
  switch (entry.fileDtype) {
    case 'F32':
      return new Tensor('float32', entry.shape, LITTLE_ENDIAN_HOST ? new Float32Array(copy()) : readEach(n, new Float32Array(n), (i) => view.getFloat32(4 * i, true)));
    case 'F64': return new Tensor('float32', entry.shape, readEach(n, new Float32Array(n), (i) => view.getFloat64(8 * i, true)));
    case 'F16': return new Tensor('float32', entry.shape, readEach(n, new Float32Array(n), (i) => halfToFloat(view.getUint16(2 * i, true))));
    case 'BF16': return new Tensor('float32', entry.shape, readEach(n, new Float32Array(n), (i) => bfloat16ToFloat(view.getUint16(2 * i, true))));
    case 'I32':
      return new Tensor('int32', entry.shape, LITTLE_ENDIAN_HOST ? new Int32Array(copy()) : readEach(n, new Int32Array(n), (i) => view.getInt32(4 * i, true)));
    case 'I8': return new Tensor('int32', entry.shape, readEach(n, new Int32Array(n), (i) => view.getInt8(i)));
    case 'U8': return new Tensor('int32', entry.shape, readEach(n, new Int32Array(n), (i) => view.getUint8(i)));
    case 'I16': return new Tensor('int32', entry.shape, readEach(n, new Int32Array(n), (i) => view.getInt16(2 * i, true)));
    case 'U16': return new Tensor('int32', entry.shape, readEach(n, new Int32Array(n), (i) => view.getUint16(2 * i, true)));
    case 'U32': return new Tensor('int64', entry.shape, readEach(n, new Float64Array(n), (i) => view.getUint32(4 * i, true)));
    // int64 lives in a Float64Array: exact up to 2^53 (see engine/tensor.ts).
    case 'I64': return new Tensor('int64', entry.shape, readEach(n, new Float64Array(n), (i) => Number(view.getBigInt64(8 * i, true))));
    case 'U64': return new Tensor('int64', entry.shape, readEach(n, new Float64Array(n), (i) => Number(view.getBigUint64(8 * i, true))));
    case 'BOOL': return new Tensor('bool', entry.shape, readEach(n, new Uint8Array(n), (i) => (view.getUint8(i) !== 0 ? 1 : 0)));
    default: throw new ModelError(`safetensors key '${entry.key}' has unsupported dtype '${entry.fileDtype}'.`);
  }
}

function readEach<A extends Float32Array | Float64Array | Int32Array | Uint8Array>(n: number, out: A, at: (i: number) => number): A {
  for (let i = 0; i < n; i++) out[i] = at(i);
  return out;
}

/** IEEE 754 binary16 → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 is the top half of a float32. */
export function bfloat16ToFloat(b: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, b << 16);
  return buf.getFloat32(0);
}

/** Reads a whole safetensors file: every tensor by key, and the metadata. */
export function decodeSafetensors(
  bytes: Uint8Array,
  options: SafetensorsReadOptions,
): { tensors: Map<string, Tensor>; metadata: Readonly<Record<string, string>> } {
  const header = readSafetensorsHeader(bytes, options);
  const tensors = new Map<string, Tensor>();
  for (const entry of header.entries.values()) tensors.set(entry.key, decodeSafetensorsEntry(bytes, entry));
  return { tensors, metadata: header.metadata };
}

/**
 * Writes tensors as a safetensors file. Tensors are laid out widest dtype first (then in the given order) so
 * every tensor's data is aligned to its element size; the header is padded with spaces to a multiple of 8.
 */
export function encodeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const keys = Object.keys(tensors);
  const order = keys
    .map((k, i) => ({ k, i }))
    .sort((a, b) => ENGINE_BYTES[tensors[b.k].dtype] - ENGINE_BYTES[tensors[a.k].dtype] || a.i - b.i)
    .map((e) => e.k);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const k of order) {
    const t = tensors[k];
    const size = t.size * ENGINE_BYTES[t.dtype];
    header[k] = { dtype: WRITE_DTYPES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const pad = (8 - (headerBytes.length % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    headerBytes = encoder.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const k of order) {
    const t = tensors[k];
    for (let i = 0; i < t.size; i++) {
      const v = t.data[i];
      switch (t.dtype) {
        case 'float32': view.setFloat32(at, v, true); at += 4; break;
        case 'int32': view.setInt32(at, v, true); at += 4; break;
        case 'int64': view.setBigInt64(at, BigInt(Math.trunc(v)), true); at += 8; break;
        case 'bool': view.setUint8(at, v ? 1 : 0); at += 1; break;
      }
    }
  }
  return out;
}
