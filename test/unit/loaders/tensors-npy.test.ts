import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { TensorFileError, formatNpy, parseNpy } from '../../../src/loaders/tensors';

/** Files written by NumPy 2.4 (`np.save`, and `format.write_array(..., version=(2, 0))` for v2). */
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(__dirname, '../cli/fixtures/npy', name)));
const read = (name: string): Tensor => parseNpy(name, fixture(name));

/** A hand-made .npy with a given header text and data bytes (version 1). */
function handMade(header: string, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(header + '\n');
  const out = new Uint8Array(10 + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 255, h.length >> 8]);
  out.set(h, 10);
  out.set(data, 10 + h.length);
  return out;
}

describe('.npy files', () => {
  it('reads NumPy float32, float64 (as float32), int32, int64, bool and uint8 arrays', () => {
    const f4 = read('f4_3x4.npy');
    expect([f4.dtype, ...f4.shape]).toEqual(['float32', 3, 4]);
    expect(f4.toArray()).toEqual(Array.from({ length: 12 }, (_, i) => i / 8 - 0.5));
    const f8 = read('f8_2x3.npy');
    expect(f8.dtype).toBe('float32');
    expect(f8.toArray()).toEqual([1.5, -2.25, 3, 0.1, 1e-8, -7].map(Math.fround));
    expect(read('i4_5.npy').toArray()).toEqual([-3, 0, 7, 2 ** 31 - 1, -(2 ** 31)]);
    const i8 = read('i8_2x2.npy');
    expect([i8.dtype, ...i8.shape, ...i8.toArray()]).toEqual(['int64', 2, 2, 2 ** 53 - 1, -5, 0, 42]);
    const b = read('b1_4.npy');
    expect([b.dtype, ...b.toArray()]).toEqual(['bool', 1, 0, 0, 1]);
    const u1 = read('u1_2x2.npy');
    expect([u1.dtype, ...u1.toArray()]).toEqual(['int32', 0, 255, 128, 7]);
  });

  it('reads a 0-d array and a version 2 header', () => {
    const s = read('scalar_f4.npy');
    expect([...s.shape]).toEqual([]);
    expect(s.toArray()).toEqual([3.5]);
    expect(read('v2_f4_2x2.npy').toArray()).toEqual([1, 2, 3, 4]);
  });

  it('refuses Fortran order, big-endian and unsupported dtypes clearly', () => {
    expect(() => read('fortran_2x3.npy')).toThrow(/fortran_2x3\.npy: is stored in Fortran \(column-major\) order; only C order is supported/);
    expect(() => read('be_f4.npy')).toThrow(/holds dtype '>f4' \(big-endian data is not supported/);
    expect(() => read('f2_3.npy')).toThrow(/holds dtype '<f2'; supported are/);
  });

  it('checks the claimed size against the file length before allocating', () => {
    const huge = handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", new Uint8Array(8));
    expect(() => parseNpy('huge.npy', huge)).toThrow("huge.npy: claims shape (100000, 100000, 100000) of '<f4' (4000000000000000 bytes of data) but holds 8 bytes of data.");
    const short = handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8));
    expect(() => parseNpy('short.npy', short)).toThrow("short.npy: claims shape (3,) of '<f4' (12 bytes of data) but holds 8 bytes of data.");
    const truncated = fixture('f4_3x4.npy').subarray(0, 60);
    expect(() => parseNpy('t.npy', truncated)).toThrow(/claims a 118-byte header but is only 60 bytes long/);
  });

  it('refuses files that are not .npy or have a malformed header', () => {
    expect(() => parseNpy('x.npy', new TextEncoder().encode('{"shape": [1]}'))).toThrow(TensorFileError);
    expect(() => parseNpy('x.npy', new TextEncoder().encode('{"shape": [1]}'))).toThrow(/not a NumPy \.npy file/);
    const bad = handMade("{'descr': '<f4', 'shape': (3,), }", new Uint8Array(12));
    expect(() => parseNpy('x.npy', bad)).toThrow(/malformed \.npy header \(no 'fortran_order' True or False\)/);
    const structured = handMade("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
    expect(() => parseNpy('x.npy', structured)).toThrow(/structured dtypes/);
  });

  it('writes files that read back, with a 64-byte aligned preamble', () => {
    for (const t of [
      Tensor.from([2, 3], [0.5, -1, NaN, Infinity, 1e-30, 7]),
      Tensor.from([3], [1, -2, 3], 'int32'),
      Tensor.from([2], [2 ** 40, -1], 'int64'),
      Tensor.from([3], [1, 0, 1], 'bool'),
      Tensor.scalar(2),
    ]) {
      const bytes = formatNpy(t);
      const headerLen = bytes[8] | (bytes[9] << 8);
      expect((10 + headerLen) % 64).toBe(0);
      expect(bytes[10 + headerLen - 1]).toBe(10);
      const back = parseNpy('out.npy', bytes);
      expect([back.dtype, ...back.shape]).toEqual([t.dtype, ...t.shape]);
      expect(back.toArray()).toEqual(t.toArray());
    }
  });

  it('writes float32 and int32 data that is a view into a larger buffer as its own values, little-endian', () => {
    const buffer = new ArrayBuffer(64);
    const f = new Float32Array(buffer, 12, 5);
    f.set([1.5, -2, NaN, -Infinity, 3e-41]);
    const i = new Int32Array(buffer, 40, 3);
    i.set([-7, 2 ** 31 - 1, 0]);
    for (const t of [new Tensor('float32', [5], f), new Tensor('int32', [3], i)]) {
      const bytes = formatNpy(t);
      const start = 10 + (bytes[8] | (bytes[9] << 8));
      const view = new DataView(bytes.buffer, bytes.byteOffset + start);
      const values = Array.from(t.data, (_, k) => (t.dtype === 'float32' ? view.getFloat32(4 * k, true) : view.getInt32(4 * k, true)));
      expect(values).toEqual(Array.from(t.data));
      expect(bytes.length).toBe(start + 4 * t.size);
      expect(parseNpy('view.npy', bytes).toArray()).toEqual(t.toArray());
    }
  });

  it('writes the header NumPy writes', () => {
    const bytes = formatNpy(Tensor.from([3, 4], read('f4_3x4.npy').toArray()));
    expect(bytes).toEqual(fixture('f4_3x4.npy'));
  });
});
