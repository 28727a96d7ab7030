/** Number and index text for the panel. Pure. */

/** Four significant digits, no trailing zeros, exponent form for very large or small magnitudes (as the summaries). */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

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
