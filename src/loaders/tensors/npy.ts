import { Tensor, allocate } from '../../engine/tensor';
import type { DType } from '../../engine/tensor';
import { failFile } from './errors';

/**
 * NumPy `.npy` files, following the format description in NumPy's `numpy/lib/format.py` (NEP 1):
 * the magic `\x93NUMPY`, a major and minor version byte, the header length (2 bytes little-endian in
 * version 1, 4 bytes in versions 2 and 3), then an ASCII (v3: UTF-8) Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 784), }` padded with spaces and a newline, then the data.
 *
 * The header is parsed by a small literal parser, never evaluated. Only C (row-major) order is read. The size
 * the header claims is checked against the file's length before anything is allocated.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** How each accepted `descr` is read: bytes per element in the file and the engine dtype it becomes. */
const READ_DESCR: Readonly<Record<string, { bytes: number; dtype: DType }>> = {
  '<f4': { bytes: 4, dtype: 'float32' },
  '<f8': { bytes: 8, dtype: 'float32' },
  '<i4': { bytes: 4, dtype: 'int32' },
  '<i8': { bytes: 8, dtype: 'int64' },
  '|b1': { bytes: 1, dtype: 'bool' },
  '|u1': { bytes: 1, dtype: 'int32' },
  '<u1': { bytes: 1, dtype: 'int32' },
};

/** The `descr` each engine dtype is written as. */
const WRITE_DESCR: Readonly<Record<DType, string>> = { float32: '<f4', int32: '<i4', int64: '<i8', bool: '|b1' };

interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: number[];
}

/** Reads a `.npy` file into a tensor. `file` names it in messages. */
export function parseNpy(file: string, bytes: Uint8Array): Tensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    failFile(file, 'is not a NumPy .npy file (it does not start with the bytes \\x93NUMPY).');
  }
  const major = bytes[6];
  if (major < 1 || major > 3) failFile(file, `is a .npy file of format version ${major}; versions 1 to 3 are supported.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) failFile(file, 'ends inside its header.');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) failFile(file, `claims a ${headerLen}-byte header but is only ${bytes.length} bytes long.`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));
  const header = readHeader(file, text);

  const format = READ_DESCR[header.descr];
  if (!format) {
    const hint = header.descr.startsWith('>') ? ' (big-endian data is not supported; save it with `a.astype(a.dtype.newbyteorder("<"))`)' : '';
    failFile(file, `holds dtype '${header.descr}'${hint}; supported are ${Object.keys(READ_DESCR).join(', ')}.`);
  }
  if (header.fortranOrder) {
    failFile(file, 'is stored in Fortran (column-major) order; only C order is supported: save np.ascontiguousarray(a) instead.');
  }
  let size = 1;
  for (const d of header.shape) size *= d;
  const shapeText = header.shape.length === 1 ? `(${header.shape[0]},)` : `(${header.shape.join(', ')})`;
  if (!Number.isSafeInteger(size)) failFile(file, `claims shape ${shapeText}, too large to hold.`);
  const claimed = size * format.bytes;
  const available = bytes.length - dataStart;
  if (claimed !== available) {
    failFile(file, `claims shape ${shapeText} of '${header.descr}' (${claimed} bytes of data) but holds ${available} bytes of data.`);
  }
  const data = allocate(format.dtype, size);
  readData(file, view, dataStart, header.descr, data);
  return new Tensor(format.dtype, header.shape, data);
}

function readData(file: string, view: DataView, start: number, descr: string, out: Float32Array | Int32Array | Float64Array | Uint8Array): void {
  const n = out.length;
  switch (descr) {
    case '<f4': for (let i = 0; i < n; i++) out[i] = view.getFloat32(start + 4 * i, true); break;
    case '<f8': for (let i = 0; i < n; i++) out[i] = view.getFloat64(start + 8 * i, true); break;
    case '<i4': for (let i = 0; i < n; i++) out[i] = view.getInt32(start + 4 * i, true); break;
    case '|b1': for (let i = 0; i < n; i++) out[i] = view.getUint8(start + i) ? 1 : 0; break;
    case '|u1': case '<u1': for (let i = 0; i < n; i++) out[i] = view.getUint8(start + i); break;
    case '<i8':
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(start + 8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
          failFile(file, `element ${i} is ${v}, beyond the 2^53 that int64 tensors hold exactly.`);
        }
        out[i] = Number(v);
      }
      break;
  }
}

/** Parses the header's dict literal: string keys; values are strings, True/False, or tuples of integers. */
function readHeader(file: string, text: string): NpyHeader {
  const bad = (why: string): never => failFile(file, `has a malformed .npy header (${why}): ${JSON.stringify(text.trim())}.`);
  let i = 0;
  const skip = (): void => { while (i < text.length && /\s/.test(text[i])) i++; };
  const expect = (ch: string): void => { skip(); if (text[i] !== ch) bad(`expected '${ch}' at ${i}`); i++; };
  const readString = (): string => {
    skip();
    const q = text[i];
    if (q !== "'" && q !== '"') bad(`expected a string at ${i}`);
    const end = text.indexOf(q, i + 1);
    if (end < 0) bad('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const readValue = (): string | boolean | number[] => {
    skip();
    if (text[i] === "'" || text[i] === '"') return readString();
    if (text.startsWith('True', i)) { i += 4; return true; }
    if (text.startsWith('False', i)) { i += 5; return false; }
    if (text[i] === '(') {
      i++;
      const dims: number[] = [];
      for (;;) {
        skip();
        if (text[i] === ')') { i++; return dims; }
        const m = /^(\d+)L?/.exec(text.slice(i));
        if (!m) return bad(`expected a dimension at ${i}`);
        dims.push(Number(m[1]));
        i += m[0].length;
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') bad(`expected ',' or ')' at ${i}`);
      }
    }
    if (text[i] === '[') return bad("structured dtypes (a list as 'descr') are not supported");
    return bad(`unexpected value at ${i}`);
  };
  const entries = new Map<string, string | boolean | number[]>();
  expect('{');
  for (;;) {
    skip();
    if (text[i] === '}') break;
    const key = readString();
    expect(':');
    entries.set(key, readValue());
    skip();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') bad(`expected ',' or '}' at ${i}`);
  }
  const descr = entries.get('descr');
  const fortranOrder = entries.get('fortran_order');
  const shape = entries.get('shape');
  if (typeof descr !== 'string') bad("no 'descr' string");
  if (typeof fortranOrder !== 'boolean') bad("no 'fortran_order' True or False");
  if (!Array.isArray(shape)) bad("no 'shape' tuple");
  return { descr: descr as string, fortranOrder: fortranOrder as boolean, shape: shape as number[] };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes a tensor as a version 1 `.npy` file (C order, little-endian). */
export function formatNpy(t: Tensor): Uint8Array {
  const descr = WRITE_DESCR[t.dtype];
  const shape = t.rank === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // The whole preamble (magic 6 + version 2 + length 2 + header) is padded to a multiple of 64 and ends in '\n'.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const itemBytes = t.dtype === 'int64' ? 8 : t.dtype === 'bool' ? 1 : 4;
  const out = new Uint8Array(10 + header.length + t.size * itemBytes);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  const d = t.data;
  // float32 and int32 are stored as '<f4' and '<i4': on a little-endian machine, the typed array's own bytes.
  if (LITTLE_ENDIAN && (d instanceof Float32Array || d instanceof Int32Array)) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, t.size * 4), start);
    return out;
  }
  for (let i = 0; i < t.size; i++) {
    switch (t.dtype) {
      case 'float32': view.setFloat32(start + 4 * i, d[i], true); break;
      case 'int32': view.setInt32(start + 4 * i, d[i], true); break;
      case 'int64': view.setBigInt64(start + 8 * i, BigInt(d[i]), true); break;
      case 'bool': out[start + i] = d[i] ? 1 : 0; break;
    }
  }
  return out;
}
