import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { TensorFileError, UNNAMED, formatFloat32, formatTensorJson, parseTensorJson } from '../../../src/loaders/tensors';

function refuses(text: string, pattern: RegExp): void {
  expect(() => parseTensorJson('in.json', text)).toThrow(TensorFileError);
  expect(() => parseTensorJson('in.json', text)).toThrow(pattern);
}

describe('tensor JSON', () => {
  it('reads named tensors with their dtypes, in file order', () => {
    const m = parseTensorJson('in.json', JSON.stringify({
      x: { shape: [2, 2], dtype: 'float32', data: [1, 2.5, -3, 0] },
      ids: { shape: [3], dtype: 'int64', data: [0, 7, 2 ** 40] },
      mask: { shape: [2], dtype: 'bool', data: [true, 0] },
      n: { shape: [], dtype: 'int32', data: [-4] },
    }));
    expect([...m.keys()]).toEqual(['x', 'ids', 'mask', 'n']);
    expect(m.get('x')!.dtype).toBe('float32');
    expect([...m.get('x')!.shape]).toEqual([2, 2]);
    expect(m.get('x')!.toArray()).toEqual([1, 2.5, -3, 0]);
    expect(m.get('ids')!.toArray()).toEqual([0, 7, 2 ** 40]);
    expect(m.get('mask')!.toArray()).toEqual([1, 0]);
    expect(m.get('n')!.toArray()).toEqual([-4]);
  });

  it('reads one unnamed tensor, float32 by default', () => {
    const m = parseTensorJson('in.json', '{ "shape": [1, 3], "data": [0.5, 1, 2] }');
    expect([...m.keys()]).toEqual([UNNAMED]);
    expect(m.get(UNNAMED)!.dtype).toBe('float32');
  });

  it('flattens nested data row-major', () => {
    const m = parseTensorJson('in.json', '{ "a": { "shape": [2, 2], "data": [[1, 2], [3, 4]] } }');
    expect(m.get('a')!.toArray()).toEqual([1, 2, 3, 4]);
  });

  it('reads NaN and infinities written as strings or null', () => {
    const t = parseTensorJson('in.json', '{ "shape": [4], "data": ["NaN", null, "Infinity", "-Infinity"] }').get(UNNAMED)!;
    expect(t.toArray()).toEqual([NaN, NaN, Infinity, -Infinity]);
  });

  it('refuses malformed files with a sentence naming the file and tensor', () => {
    refuses('{ "x": ', /^in\.json: is not valid JSON/);
    refuses('[1, 2]', /must hold a JSON object/);
    refuses('{}', /holds no tensor/);
    refuses('{ "x": 3 }', /tensor 'x' must be an object/);
    refuses('{ "x": { "shape": [2], "data": [1, 2, 3] } }', /tensor 'x' has 3 values but shape \[2\] needs 2/);
    refuses('{ "x": { "shape": [2, -1], "data": [1, 2] } }', /tensor 'x' has shape \[2,-1\]; expected an array of non-negative integers/);
    refuses('{ "x": { "shape": [1], "dtype": "float16", "data": [1] } }', /dtype "float16"; expected one of float32, int32, int64, bool/);
    refuses('{ "x": { "shape": [2], "data": [1, "a"] } }', /tensor 'x': element 1 of data is "a", expected a number/);
    refuses('{ "x": { "shape": [1], "dtype": "int32", "data": [1.5] } }', /element 0 of data is 1.5, expected a 32-bit integer/);
    refuses('{ "x": { "shape": [1], "dtype": "bool", "data": [2] } }', /expected true, false, 0 or 1/);
    refuses('{ "x": { "shape": [1] } }', /tensor 'x' needs "data"/);
  });

  it('writes the shortest decimals that read back as the same float32', () => {
    for (const v of [0.1, 1 / 3, -2.5e-7, 3.4028234663852886e38, 1e-45, 16777217, 123456.789, 0]) {
      const f = Math.fround(v);
      const s = formatFloat32(f);
      expect(Math.fround(Number(s)), s).toBe(f);
    }
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(NaN)).toBe('"NaN"');
  });

  it('round-trips tensors of every dtype through text', () => {
    const tensors = new Map<string, Tensor>([
      ['probs', Tensor.from([1, 3], [Math.fround(0.2), NaN, -Infinity])],
      ['ids', Tensor.from([2], [5, -9], 'int64')],
      ['n', Tensor.from([1], [7], 'int32')],
      ['m', Tensor.from([2], [1, 0], 'bool')],
    ]);
    const text = formatTensorJson(tensors);
    expect(text.split('\n')).toHaveLength(4 + 3); // '{', one line per tensor, '}', and the final newline
    const back = parseTensorJson('out.json', text);
    for (const [name, t] of tensors) {
      expect(back.get(name)!.dtype).toBe(t.dtype);
      expect([...back.get(name)!.shape]).toEqual([...t.shape]);
      expect(back.get(name)!.toArray()).toEqual(t.toArray());
    }
  });
});
