import { describe, expect, it } from 'vitest';
import { globMatcher, isGlob } from '../../../src/runner/glob';
import { parseHitCondition } from '../../../src/runner/hitCondition';

describe('glob', () => {
  it.each([
    ['block*', 'block1', true], ['block*', 'block1/conv', true], ['block*', 'xblock', false],
    ['*conv', 'block1/conv', true], ['*', '', true], ['conv?', 'conv1', true], ['conv?', 'conv', false],
    ['conv?', 'conv12', false], ['dense_[0-9]', 'dense_7', true], ['dense_[0-9]', 'dense_x', false],
    ['dense_[!0-9]', 'dense_x', true], ['dense_[^0-9]', 'dense_3', false], ['[]x]', ']', true],
    ['a*b*c', 'aXXbYYbZZc', true], ['a*b*c', 'aXXbYYbZZ', false], ['**x', 'yyx', true],
    ['a\\*', 'a*', true], ['a\\*', 'ab', false], ['[abc', '[abc', true], ['[abc', 'a', false],
    ['hidden', 'hidden', true], ['hidden', 'Hidden', false], ['(a|b)', '(a|b)', true], ['.*', 'x', false],
  ])('%s matches %s: %s', (pattern, text, want) => {
    expect(globMatcher(pattern)(text)).toBe(want);
  });

  it('treats regular expression syntax as literal text', () => {
    expect(globMatcher('^a+$')('^a+$')).toBe(true);
    expect(globMatcher('^a+$')('aaa')).toBe(false);
  });

  it('matches long pathological patterns quickly', () => {
    const text = 'a'.repeat(5000);
    expect(globMatcher('*a*a*a*a*a*a*a*b')(text)).toBe(false);
  });

  it('tells globs from plain names', () => {
    expect(isGlob('block*')).toBe(true);
    expect(isGlob('hidden/matmul')).toBe(false);
    expect(isGlob('a\\*')).toBe(false);
  });
});

describe('hit conditions', () => {
  const hitsOf = (text: string) => {
    const test = parseHitCondition(text);
    if (typeof test === 'string') throw new Error(test);
    return [1, 2, 3, 4, 5, 6].filter(test);
  };

  it.each([
    ['3', [3]], ['== 3', [3]], ['>= 5', [5, 6]], ['> 5', [6]], ['< 3', [1, 2]], ['<=2', [1, 2]], ['% 2', [2, 4, 6]], [' %3 ', [3, 6]],
  ])('%s stops on hits %j', (text, want) => {
    expect(hitsOf(text)).toEqual(want);
  });

  it('explains a malformed hit condition', () => {
    expect(parseHitCondition('often')).toMatch(/is not one of/);
    expect(parseHitCondition('% 0')).toMatch(/never true/);
  });
});
