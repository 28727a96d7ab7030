import { describe, expect, it } from 'vitest';
import { decodeNumber, encodeNumber } from '../../../src/protocol/webview';

describe('wire numbers', () => {
  it('carry NaN and ±Infinity through JSON', () => {
    for (const v of [1.5, 0, -2, NaN, Infinity, -Infinity]) {
      expect(decodeNumber(JSON.parse(JSON.stringify(encodeNumber(v))))).toBe(v);
    }
  });

  it('read a NaN that JSON turned into null', () => {
    expect(decodeNumber(JSON.parse(JSON.stringify({ v: NaN })).v)).toBeNaN();
  });
});
