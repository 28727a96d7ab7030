import { formatNumber, formatSummary } from '../engine/stats';
import { Tensor } from '../engine/tensor';
import { ExpressionError } from './expr/errors';
import { Collection } from './expr/values';
import type { Val } from './expr/values';
import type { Value } from './types';

/** A value for people: a tensor's one-line summary, integers in full, other numbers to four digits, lists in brackets. */
export function formatValue(v: Value): string {
  if (v instanceof Tensor) return formatSummary(v);
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : formatNumber(v);
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return String(v);
}

/** An expression's result as handed to callers: collections cannot leave, lists of strings become text. */
export function toValue(v: Val): Value {
  if (v instanceof Collection) {
    const keys = v.keys();
    throw new ExpressionError(`'${v.label}' is a collection (${keys.join(', ') || 'empty'}); pick one entry, e.g. ${v.label}[0]`);
  }
  if (v === null) return 'null';
  if (Array.isArray(v) && v.some((x) => typeof x === 'string')) return `[${v.join(', ')}]`;
  return v as Value;
}
