import type { Expr } from './ast';
import { namesIn } from './ast';
import { ExpressionError } from './errors';
import { parseExpression } from './parser';

/** A log message split into literal text and `{expression}` holes. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'expr'; readonly source: string; readonly expr: Expr };

/**
 * Parses a logpoint message such as `{name}: {output.std()}`. Expressions never contain braces, so a hole
 * runs to the next `}`. Errors carry columns within the whole message.
 */
export function parseTemplate(message: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < message.length) {
    const open = message.indexOf('{', i);
    const strayClose = message.indexOf('}', i);
    if (strayClose !== -1 && (open === -1 || strayClose < open)) {
      throw new ExpressionError("'}' without a matching '{'", strayClose + 1);
    }
    if (open === -1) {
      parts.push({ kind: 'text', text: message.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'text', text: message.slice(i, open) });
    const close = message.indexOf('}', open + 1);
    if (close === -1) throw new ExpressionError("'{' is never closed with '}'", open + 1);
    const source = message.slice(open + 1, close);
    try {
      parts.push({ kind: 'expr', source, expr: parseExpression(source) });
    } catch (e) {
      if (e instanceof ExpressionError) throw new ExpressionError(e.reason, open + 1 + (e.column ?? 1));
      throw e;
    }
    i = close + 1;
  }
  return parts;
}

/** Fills the holes; `show` turns one expression into text (and reports its own errors inline). */
export function renderTemplate(parts: readonly TemplatePart[], show: (e: Expr) => string): string {
  return parts.map((p) => (p.kind === 'text' ? p.text : show(p.expr))).join('');
}

/** Every identifier the holes read. */
export function templateNames(parts: readonly TemplatePart[]): Set<string> {
  const names = new Set<string>();
  for (const p of parts) if (p.kind === 'expr') namesIn(p.expr, names);
  return names;
}
