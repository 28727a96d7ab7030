import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { ModelError } from '../../../src/model/errors';
import {
  bfloat16ToFloat, decodeSafetensors, encodeSafetensors, halfToFloat, readSafetensorsHeader,
} from '../../../src/loaders/safetensors';

const opts = { file: 'w.safetensors', maxBytes: 1 << 20 };

/** Builds a file by hand: a header object and a raw data section. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips float32, int32, int64 and bool tensors with metadata', () => {
    const tensors = {
      'a.kernel': Tensor.from([2, 3], [1, -2, 3.5, NaN, Infinity, 0]),
      ids: Tensor.from([3], [1, -7, 2 ** 40], 'int64'),
      mask: Tensor.from([2], [1, 0], 'bool'),
      n: Tensor.from([1], [-5], 'int32'),
    };
    const bytes = encodeSafetensors(tensors, { author: 'test' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const { tensors: back, metadata } = decodeSafetensors(bytes, opts);
    expect(metadata).toEqual({ author: 'test' });
    for (const [k, t] of Object.entries(tensors)) {
      const got = back.get(k)!;
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(t.shape);
      expect(got.toArray()).toEqual(t.toArray());
    }
  });

  it('decodes F16 and BF16 into float32', () => {
    // F16 0x3c00 = 1, 0xc000 = -2, 0x7c00 = +Inf, 0x0001 = smallest subnormal. BF16 0x3f80 = 1, 0x4049 = 3.140625.
    const data = new Uint8Array(12);
    const v = new DataView(data.buffer);
    [0x3c00, 0xc000, 0x7c00, 0x0001].forEach((h, i) => v.setUint16(2 * i, h, true));
    [0x3f80, 0x4049].forEach((h, i) => v.setUint16(8 + 2 * i, h, true));
    const file = rawFile({
      h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
    }, data);
    const { tensors } = decodeSafetensors(file, opts);
    expect(tensors.get('h')!.toArray()).toEqual([1, -2, Infinity, 2 ** -24]);
    expect(tensors.get('b')!.toArray()).toEqual([1, 3.140625]);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(bfloat16ToFloat(0xbf80)).toBe(-1);
  });

  it('reads U8 as int32 values', () => {
    const file = rawFile({ u: { dtype: 'U8', shape: [3], data_offsets: [0, 3] } }, new Uint8Array([0, 128, 255]));
    const t = decodeSafetensors(file, opts).tensors.get('u')!;
    expect(t.dtype).toBe('int32');
    expect(t.toArray()).toEqual([0, 128, 255]);
  });

  it('refuses a file shorter than its header length', () => {
    const file = rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4));
    expect(() => decodeSafetensors(file.subarray(0, 20), opts)).toThrow(/w\.safetensors declares a header of \d+ bytes/);
    expect(() => decodeSafetensors(new Uint8Array(3), opts)).toThrow(/shorter than the 8-byte header length/);
  });

  it('refuses data offsets past the end of the file, naming the key', () => {
    const file = rawFile({ 'dense.kernel': { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8));
    expect(() => decodeSafetensors(file, opts)).toThrow(/w\.safetensors holds key 'dense\.kernel' at bytes 0 to 16 of its data, but the data is only 8 bytes long/);
  });

  it('refuses offsets that disagree with dtype and shape', () => {
    const file = rawFile({ k: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => decodeSafetensors(file, opts)).toThrow(/key 'k' as F32\[3\], which takes 12 bytes, but its data_offsets span 8/);
  });

  it('refuses a huge claimed shape before allocating anything', () => {
    const file = rawFile({ big: { dtype: 'F32', shape: [1e6, 1e6], data_offsets: [0, 4e12] } });
    expect(() => decodeSafetensors(file, opts)).toThrow(ModelError);
    const honest = rawFile({ a: { dtype: 'F32', shape: [300000], data_offsets: [0, 1200000] } }, new Uint8Array(1200000));
    expect(() => readSafetensorsHeader(honest, opts)).toThrow(/claims more than 1048576 bytes of tensors \(reached at key 'a'\)/);
  });

  it('refuses a header that is not JSON, an unknown dtype and a bad shape', () => {
    const bad = new Uint8Array(8 + 3);
    new DataView(bad.buffer).setBigUint64(0, 3n, true);
    bad.set(new TextEncoder().encode('{x:'), 8);
    expect(() => decodeSafetensors(bad, opts)).toThrow(/header that is not valid JSON/);
    expect(() => decodeSafetensors(rawFile({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), opts))
      .toThrow(/key 'a' with dtype "C64"; supported are/);
    expect(() => decodeSafetensors(rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), opts))
      .toThrow(/key 'a' with shape \[-1\]/);
  });

  it('refuses a header length beyond 100 MB', () => {
    const file = new Uint8Array(16);
    new DataView(file.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => decodeSafetensors(file, opts)).toThrow(/more than the 100 MB/);
  });
});
