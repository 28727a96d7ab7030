import type { Dim } from '../../src/model/ir';
import type { SummaryModule } from '../../src/protocol/summary';

/** Text of the summary editor, pure (no DOM) so unit tests call it. */

/** `[1, 6, 16]`, with symbolic dimensions by name and `?` for an open one. */
export function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** A module's own ops: `matmul ×2 · add`. */
export function opsText(ops: SummaryModule['ownOps']): string {
  return ops.map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(' · ');
}

/** `4,620`. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1 op`, `13 ops`, `1,089 params`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
