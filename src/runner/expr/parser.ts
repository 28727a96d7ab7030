import type { BinaryOp, Expr, IndexItem, UnaryOp } from './ast';
import { ExpressionError } from './errors';
import { tokenize } from './lexer';
import type { Token } from './lexer';

/**
 * A Pratt parser for the tensor expression language. Precedence, loosest first:
 * `||` < `&&` < `== !=` < `< <= > >=` < `+ -` < `* / %` < unary `- + !` < `**` (right-assoc) < `.` `()` `[]`.
 * As in Python, `-x ** 2` is `-(x ** 2)` and `2 ** -1` is allowed.
 */
const BINARY_POWER: Readonly<Record<BinaryOp, number>> = {
  '||': 10, '&&': 20, '==': 30, '!=': 30, '<': 40, '<=': 40, '>': 40, '>=': 40,
  '+': 50, '-': 50, '*': 60, '/': 60, '%': 60, '**': 80,
};
const UNARY_POWER = 70;
const POSTFIX_POWER = 90;

/** Names that could reach a JavaScript prototype; refused anywhere in an expression. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/** Deepest nesting and most nodes a parsed expression may have: bounds the work of parsing and evaluating. */
export const MAX_DEPTH = 64;
export const MAX_NODES = 500;

const isBinary = (t: Token): t is Token & { text: BinaryOp } => t.kind === 'punct' && Object.hasOwn(BINARY_POWER, t.text);

export function parseExpression(src: string): Expr {
  return new Parser(tokenize(src)).parseAll();
}

class Parser {
  private i = 0;
  private depth = 0;
  private nodes = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): Expr {
    if (this.peek().kind === 'end') throw new ExpressionError('empty expression', 1);
    const e = this.expr(0);
    const t = this.peek();
    if (t.kind !== 'end') throw new ExpressionError(`unexpected '${t.text}' after the end of the expression`, t.col);
    return e;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private expect(text: string, what: string): Token {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== text) {
      throw new ExpressionError(`expected '${text}' ${what}, got ${describe(t)}`, t.col);
    }
    return this.next();
  }

  private count(col: number): void {
    if (++this.nodes > MAX_NODES) throw new ExpressionError(`expression has more than ${MAX_NODES} parts`, col);
  }

  private expr(rbp: number): Expr {
    if (++this.depth > MAX_DEPTH) throw new ExpressionError(`expression nests deeper than ${MAX_DEPTH}`, this.peek().col);
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct') break;
      if (t.text === '.' || t.text === '(' || t.text === '[') {
        if (POSTFIX_POWER <= rbp) break;
        left = this.postfix(left);
        continue;
      }
      if (!isBinary(t)) break;
      const bp = BINARY_POWER[t.text];
      if (bp <= rbp) break;
      this.next();
      this.count(t.col);
      // `**` is right-associative: its right side may hold another `**`.
      const right = this.expr(t.text === '**' ? bp - 1 : bp);
      left = { kind: 'binary', op: t.text, left, right, col: t.col };
    }
    this.depth--;
    return left;
  }

  private prefix(): Expr {
    const t = this.next();
    this.count(t.col);
    switch (t.kind) {
      case 'number':
        return { kind: 'number', value: t.value ?? Number(t.text), col: t.col };
      case 'string':
        return { kind: 'string', value: t.text, col: t.col };
      case 'name':
        checkName(t.text, t.col);
        return { kind: 'name', name: t.text, col: t.col };
      case 'end':
        throw new ExpressionError('unexpected end of expression', t.col);
      case 'punct':
        break;
    }
    if (t.text === '(') {
      const e = this.expr(0);
      this.expect(')', `to close '(' at column ${t.col}`);
      return e;
    }
    if (t.text === '-' || t.text === '+' || t.text === '!') {
      return { kind: 'unary', op: t.text as UnaryOp, operand: this.expr(UNARY_POWER), col: t.col };
    }
    throw new ExpressionError(`unexpected '${t.text}'`, t.col);
  }

  private postfix(left: Expr): Expr {
    const t = this.next();
    this.count(t.col);
    if (t.text === '.') {
      const name = this.next();
      if (name.kind !== 'name') throw new ExpressionError(`expected a name after '.', got ${describe(name)}`, name.col);
      checkName(name.text, name.col);
      if (this.isPunct('(')) {
        this.next();
        return { kind: 'call', callee: name.text, object: left, args: this.args(t.col), col: name.col };
      }
      return { kind: 'member', object: left, property: name.text, col: name.col };
    }
    if (t.text === '(') {
      if (left.kind !== 'name') throw new ExpressionError('only functions and methods can be called', t.col);
      return { kind: 'call', callee: left.name, args: this.args(t.col), col: left.col };
    }
    // '['
    const items: IndexItem[] = [];
    for (;;) {
      items.push(this.indexItem());
      if (this.isPunct(',')) { this.next(); continue; }
      this.expect(']', `to close '[' at column ${t.col}`);
      break;
    }
    return { kind: 'index', object: left, items, col: t.col };
  }

  private args(openCol: number): Expr[] {
    const args: Expr[] = [];
    if (this.isPunct(')')) { this.next(); return args; }
    for (;;) {
      args.push(this.expr(0));
      if (this.isPunct(',')) { this.next(); continue; }
      this.expect(')', `to close '(' at column ${openCol}`);
      return args;
    }
  }

  private indexItem(): IndexItem {
    const ends = (): boolean => this.isPunct(':') || this.isPunct(',') || this.isPunct(']');
    const start = ends() ? undefined : this.expr(0);
    if (!this.isPunct(':')) {
      if (!start) throw new ExpressionError(`expected an index, got ${describe(this.peek())}`, this.peek().col);
      return { kind: 'at', expr: start };
    }
    this.next();
    const stop = ends() ? undefined : this.expr(0);
    let step: Expr | undefined;
    if (this.isPunct(':')) {
      this.next();
      step = ends() ? undefined : this.expr(0);
    }
    return { kind: 'slice', start, stop, step };
  }
}

function checkName(name: string, col: number): void {
  if (FORBIDDEN_NAMES.has(name)) throw new ExpressionError(`'${name}' is not allowed in expressions`, col);
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end': return 'the end of the expression';
    case 'string': return 'a string';
    default: return `'${t.text}'`;
  }
}
