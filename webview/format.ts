/** Number and index text for the panel. Pure. */

import { formatNumber } from '../src/engine/stats';

/** Four significant digits, as in the summaries: the engine's own formatting. */
export { formatNumber };

/** Enough digits to tell float32 values apart (7 significant), for a hovered element. */
export function formatExact(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(7)));
}

/** The multi-index of flat element `flat` in a row-major tensor of `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i];
    if (d > 0) {
      out[i] = rest % d;
      rest = Math.floor(rest / d);
    }
  }
  return out;
}

/** `[0, 412]` for element 412 of a [1, 784] tensor. */
export function formatIndex(flat: number, shape: readonly number[]): string {
  return `[${unravel(flat, shape).join(', ')}]`;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Reads a number field that JSON may have turned from NaN into null. */
export function num(v: number | null | undefined): number {
  return typeof v === 'number' ? v : NaN;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
