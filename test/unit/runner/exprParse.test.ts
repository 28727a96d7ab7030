import { describe, expect, it } from 'vitest';
import { namesIn } from '../../../src/runner/expr/ast';
import type { Expr } from '../../../src/runner/expr/ast';
import { ExpressionError } from '../../../src/runner/expr/errors';
import { tokenize } from '../../../src/runner/expr/lexer';
import { parseExpression } from '../../../src/runner/expr/parser';
import { parseTemplate } from '../../../src/runner/expr/template';

/** The tree as compact text, for readable expectations: binary ops in parentheses. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'number': return String(e.value);
    case 'string': return JSON.stringify(e.value);
    case 'name': return e.name;
    case 'member': return `${show(e.object)}.${e.property}`;
    case 'call': return `${e.object ? `${show(e.object)}.` : ''}${e.callee}(${e.args.map(show).join(', ')})`;
    case 'index': return `${show(e.object)}[${e.items.map((it) => (it.kind === 'at' ? show(it.expr)
      : `${it.start ? show(it.start) : ''}:${it.stop ? show(it.stop) : ''}${it.step ? `:${show(it.step)}` : ''}`)).join(', ')}]`;
    case 'unary': return `(${e.op}${show(e.operand)})`;
    case 'binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
  }
}

function columnOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return (e as ExpressionError).column;
  }
  throw new Error('expected an ExpressionError');
}

describe('lexer', () => {
  it('splits numbers, strings, names and operators with 1-based columns', () => {
    const t = tokenize("x.max() >= 1.5e3 && name != 'a\\'b'");
    expect(t.map((k) => [k.kind, k.text, k.col])).toEqual([
      ['name', 'x', 1], ['punct', '.', 2], ['name', 'max', 3], ['punct', '(', 6], ['punct', ')', 7],
      ['punct', '>=', 9], ['number', '1.5e3', 12], ['punct', '&&', 18], ['name', 'name', 21],
      ['punct', '!=', 26], ['string', "a'b", 29], ['end', '', 35],
    ]);
  });

  it('reads a leading-dot number but not a member after a name', () => {
    expect(tokenize('.5 * 2').map((k) => k.text)).toEqual(['.5', '*', '2', '']);
    expect(tokenize('x.y').map((k) => k.kind)).toEqual(['name', 'punct', 'name', 'end']);
  });

  it('names the column of a bad character and suggests == for =', () => {
    expect(() => tokenize('x = 1')).toThrow("column 3: unexpected character '=' (use '==' to compare)");
    expect(columnOf(() => tokenize('a # b'))).toBe(3);
    expect(columnOf(() => tokenize("'open"))).toBe(1);
    expect(columnOf(() => tokenize('1e'))).toBe(1);
  });

  it('refuses expressions longer than the limit', () => {
    expect(() => tokenize('1+'.repeat(1500) + '1')).toThrow(/limit is 2000/);
  });
});

describe('parser', () => {
  it.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['a - b - c', '((a - b) - c)'],
    ['2 ** 3 ** 2', '(2 ** (3 ** 2))'],
    ['-x ** 2', '(-(x ** 2))'],
    ['2 ** -1', '(2 ** (-1))'],
    ['a < b == c < d', '((a < b) == (c < d))'],
    ['a || b && c', '(a || (b && c))'],
    ['!hasNaN(output) && output.max() > 10', '((!hasNaN(output)) && (output.max() > 10))'],
    ['-output.std()', '(-output.std())'],
    ['x % 2 + 1', '((x % 2) + 1)'],
  ])('parses %s with the usual precedence', (src, tree) => {
    expect(show(parseExpression(src))).toBe(tree);
  });

  it('parses members, calls, methods and indexing with slices', () => {
    expect(show(parseExpression('weights.kernel[0, :5, ::2, -1]'))).toBe('weights.kernel[0, :5, ::2, (-1)]');
    expect(show(parseExpression('x[1:, :-1, 2:8:3]'))).toBe('x[1:, :(-1), 2:8:3]');
    expect(show(parseExpression("value('hidden/matmul:0').mean()"))).toBe('value("hidden/matmul:0").mean()');
    expect(show(parseExpression('max(a, b)'))).toBe('max(a, b)');
    expect(show(parseExpression('f()'))).toBe('f()');
  });

  it('names the column of a syntax error', () => {
    expect(() => parseExpression('1 +')).toThrow('column 4: unexpected end of expression');
    expect(columnOf(() => parseExpression('(1 + 2'))).toBe(7);
    expect(columnOf(() => parseExpression('a b'))).toBe(3);
    expect(columnOf(() => parseExpression('x.'))).toBe(3);
    expect(columnOf(() => parseExpression('x[]'))).toBe(3);
    expect(columnOf(() => parseExpression('x.max()(1)'))).toBe(8);
    expect(() => parseExpression('   ')).toThrow('empty expression');
  });

  it('rejects names that lead to JavaScript prototypes', () => {
    for (const src of ['constructor', 'x.constructor', 'x.__proto__', 'inputs.prototype', '__proto__.x']) {
      expect(() => parseExpression(src), src).toThrow(/is not allowed/);
    }
  });

  it('bounds nesting and size', () => {
    expect(() => parseExpression('('.repeat(100) + '1' + ')'.repeat(100))).toThrow(/nests deeper than/);
    expect(() => parseExpression(Array.from({ length: 600 }, () => '1').join('+'))).toThrow(/more than 500 parts/);
  });

  it('lists the free names an expression reads', () => {
    expect([...namesIn(parseExpression('output.max() > input[0].min() + k && t.shape'))].sort()).toEqual(['input', 'k', 'output', 't']);
  });
});

describe('log message templates', () => {
  it('splits text and expressions', () => {
    const parts = parseTemplate('{name}: {output.std()}!');
    expect(parts.map((p) => (p.kind === 'text' ? p.text : `<${p.source}>`))).toEqual(['<name>', ': ', '<output.std()>', '!']);
  });

  it('reports errors with columns in the whole message', () => {
    expect(columnOf(() => parseTemplate('mean {x +}'))).toBe(10);
    expect(columnOf(() => parseTemplate('a {b'))).toBe(3);
    expect(columnOf(() => parseTemplate('a } b'))).toBe(3);
  });
});
