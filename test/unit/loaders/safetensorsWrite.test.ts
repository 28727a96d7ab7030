import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/model/errors';
import { decodeSafetensors, readSafetensorsHeader } from '../../../src/loaders/safetensors';
import { encodeSafetensorsFile } from '../../../src/loaders/safetensorsWrite';
import type { NamedValues } from '../../../src/loaders/safetensorsWrite';

const file = 'edited.safetensors';
const read = (bytes: Uint8Array) => decodeSafetensors(bytes, { file, maxBytes: 1 << 20 });

/** The file the safetensors spec describes, built byte by byte: u64 LE header length, JSON header, data. */
function handBuilt(headerJson: string, data: (view: DataView) => void, dataBytes: number): Uint8Array {
  const header = new TextEncoder().encode(headerJson);
  const out = new Uint8Array(8 + header.length + dataBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, header.length, true);
  view.setUint32(4, 0, true);
  out.set(header, 8);
  data(new DataView(out.buffer, 8 + header.length));
  return out;
}

describe('encodeSafetensorsFile', () => {
  it('writes the bytes the spec prescribes: header length, a space-padded JSON header, little-endian data', () => {
    const bytes = encodeSafetensorsFile([
      { name: 'dense.kernel', dtype: 'float32', shape: [2, 2], start: 0, values: new Float32Array([1, -2, 0.5, 3]) },
      { name: 'steps', dtype: 'int32', shape: [3], values: new Int32Array([1, -1, 70000]) },
    ], { file });
    const json = '{"dense.kernel":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"steps":{"dtype":"I32","shape":[3],"data_offsets":[16,28]}}';
    // 127 characters: padded with 1 space to 128, a multiple of 8, so the data starts aligned.
    expect(json.length).toBe(127);
    const expected = handBuilt(`${json} `, (v) => {
      [1, -2, 0.5, 3].forEach((x, i) => v.setFloat32(4 * i, x, true));
      [1, -1, 70000].forEach((x, i) => v.setInt32(16 + 4 * i, x, true));
    }, 28);
    expect([...bytes]).toEqual([...expected]);
    // Spot-check against the raw bytes too: 1.0f is 00 00 80 3f, -1 is ff ff ff ff.
    expect([...bytes.subarray(136, 140)]).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect([...bytes.subarray(156, 160)]).toEqual([0xff, 0xff, 0xff, 0xff]);
  });

  it('reads back with the safetensors reader: every dtype, NaN and ±Infinity, an empty tensor, and the metadata', () => {
    const tensors: NamedValues[] = [
      { name: 'b', dtype: 'bool', shape: [3], values: new Uint8Array([1, 0, 1]) },
      { name: 'w', dtype: 'float32', shape: [2, 3], values: new Float32Array([0.1, NaN, Infinity, -Infinity, -0, 1e-30]) },
      { name: 'ids', dtype: 'int64', shape: [2], values: new Float64Array([-3, 2 ** 40]) },
      { name: 'n', dtype: 'int32', shape: [1, 1], values: new Int32Array([-7]) },
      { name: 'none', dtype: 'float32', shape: [0, 4], values: new Float32Array(0) },
    ];
    const bytes = encodeSafetensorsFile(tensors, { file, metadata: { edits: "weight('w')[0, 0] = 0.1" } });
    const { tensors: back, metadata } = read(bytes);
    expect(metadata).toEqual({ edits: "weight('w')[0, 0] = 0.1" });
    expect([...back.keys()].sort()).toEqual(['b', 'ids', 'n', 'none', 'w']);
    for (const t of tensors) {
      const got = back.get(t.name)!;
      expect(got.dtype, t.name).toBe(t.dtype);
      expect(got.shape, t.name).toEqual(t.shape);
      expect([...got.data], t.name).toEqual([...t.values]);
    }
    expect(Object.is(back.get('w')!.data[4], -0), 'signed zero survives').toBe(true);
    // Every tensor's data starts at a multiple of its element size (from the start of the file).
    const header = readSafetensorsHeader(bytes, { file, maxBytes: 1 << 20 });
    const width: Record<string, number> = { F32: 4, I32: 4, I64: 8, BOOL: 1 };
    for (const e of header.entries.values()) expect(e.begin % width[e.fileDtype], e.key).toBe(0);
  });

  it('keeps float32 values bit for bit', () => {
    const values = new Float32Array([Math.PI, 1 / 3, 16777217, -1.5e-45]);
    const back = read(encodeSafetensorsFile([{ name: 'x', dtype: 'float32', shape: [4], values }], { file })).tensors.get('x')!;
    expect(new Uint32Array((back.data as Float32Array).buffer)).toEqual(new Uint32Array(values.buffer));
  });

  it('refuses a tensor it would write wrong, with a sentence naming the file and the tensor', () => {
    const ok: NamedValues = { name: 'k', dtype: 'float32', shape: [2], values: new Float32Array(2) };
    const cases: [NamedValues[], RegExp][] = [
      [[ok, { ...ok }], /edited\.safetensors: cannot write tensor 'k': the name is used twice\./],
      [[{ ...ok, name: '__metadata__' }], /'__metadata__'.*reserves/],
      [[{ ...ok, name: '' }], /non-empty name/],
      [[{ ...ok, start: 1 }], /tensor 'k': only whole tensors are written, and these values start at element 1\./],
      [[{ ...ok, shape: [3] }], /tensor 'k': shape \[3\] holds 3 elements but 2 values came\./],
      [[{ ...ok, dtype: 'int32' }], /tensor 'k': its int32 values arrive as Float32Array, not Int32Array\./],
      [[{ ...ok, shape: [-2] }], /shape \[-2\] is not a list of sizes/],
    ];
    for (const [tensors, message] of cases) {
      expect(() => encodeSafetensorsFile(tensors, { file })).toThrow(ModelError);
      expect(() => encodeSafetensorsFile(tensors, { file })).toThrow(message);
    }
  });
});
