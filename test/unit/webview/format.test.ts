import { describe, expect, it } from 'vitest';
import { formatExact, formatIndex, formatNumber, num, unravel } from '../../../webview/format';

describe('formatNumber', () => {
  it('shows four significant digits, exponents for tiny and huge values, and NaN/Inf by name', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(3.28e-12)).toBe('3.28e-12');
    expect(formatNumber(123456)).toBe('1.23e+5');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-Inf');
  });
});

describe('formatExact', () => {
  it('keeps float32 precision and integers whole', () => {
    expect(formatExact(Math.fround(0.1))).toBe('0.1');
    expect(formatExact(-0.06434434123)).toBe('-0.06434434');
    expect(formatExact(784)).toBe('784');
    expect(formatExact(Infinity)).toBe('Inf');
  });
});

describe('unravel and formatIndex', () => {
  it('turns a flat index into a row-major multi-index', () => {
    expect(unravel(412, [1, 784])).toEqual([0, 412]);
    expect(unravel(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(formatIndex(5, [2, 3])).toBe('[1, 2]');
    expect(formatIndex(0, [])).toBe('[]');
  });
});

describe('num', () => {
  it('reads a NaN that JSON turned into null', () => {
    expect(num(null)).toBeNaN();
    expect(num(undefined)).toBeNaN();
    expect(num(2)).toBe(2);
  });
});
