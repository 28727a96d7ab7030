import { ExpressionError } from './errors';

export type TokenKind = 'number' | 'string' | 'name' | 'punct' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (a string token's decoded value for `string`). */
  readonly text: string;
  readonly value?: number;
  /** 1-based column of the token's first character. */
  readonly col: number;
}

/** Longest first, so `**` wins over `*` and `<=` over `<`. */
const PUNCT = ['**', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '(', ')', '[', ']', ',', '.', ':'];

/** Longest expression accepted: conditions and watches are short; this bounds parsing work. */
export const MAX_EXPRESSION_LENGTH = 2000;

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"' };

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isNameStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$';
const isNameChar = (c: string): boolean => isNameStart(c) || isDigit(c);

/** Splits an expression into tokens; the last token is always `end`. */
export function tokenize(src: string): Token[] {
  if (src.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression is ${src.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    const col = i + 1;
    const prev = tokens[tokens.length - 1];
    const afterValue = prev !== undefined && (prev.kind === 'name' || prev.kind === 'number' || prev.text === ')' || prev.text === ']');
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1] ?? '') && !afterValue)) {
      const m = /^(\d*\.?\d*(?:[eE][+-]?\d+)?)/.exec(src.slice(i));
      const text = m ? m[1] : c;
      const value = Number(text);
      if (Number.isNaN(value)) throw new ExpressionError(`malformed number '${text}'`, col);
      if (isNameStart(src[i + text.length] ?? '')) throw new ExpressionError(`malformed number '${text}${src[i + text.length]}'`, col);
      tokens.push({ kind: 'number', text, value, col });
      i += text.length;
      continue;
    }
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < src.length && isNameChar(src[j])) j++;
      tokens.push({ kind: 'name', text: src.slice(i, j), col });
      i = j;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= src.length) throw new ExpressionError('unterminated string', col);
        const d = src[j];
        if (d === c) break;
        if (d === '\\') {
          const e = ESCAPES[src[j + 1] ?? ''];
          if (e === undefined) throw new ExpressionError(`unknown escape '\\${src[j + 1] ?? ''}' in string`, j + 1);
          text += e;
          j += 2;
          continue;
        }
        text += d;
        j++;
      }
      tokens.push({ kind: 'string', text, col });
      i = j + 1;
      continue;
    }
    const p = PUNCT.find((q) => src.startsWith(q, i));
    if (p === undefined) {
      const hint = c === '=' ? " (use '==' to compare)" : c === '&' ? " (use '&&')" : c === '|' ? " (use '||')" : '';
      throw new ExpressionError(`unexpected character '${c}'${hint}`, col);
    }
    tokens.push({ kind: 'punct', text: p, col });
    i += p.length;
  }
  tokens.push({ kind: 'end', text: '', col: src.length + 1 });
  return tokens;
}
