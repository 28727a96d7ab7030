import type { Tensor } from './tensor';

/** What a one-line summary shows, computed in one pass over the data. NaN and ±Inf are left out of min/max/mean/std. */
export interface TensorStats {
  readonly size: number;
  /** Smallest and largest finite value; NaN when there is none. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation of the finite values. */
  readonly std: number;
  /** Share of exact zeros among all elements, 0..1. */
  readonly zeros: number;
  readonly nan: number;
  readonly posInf: number;
  readonly negInf: number;
}

export function tensorStats(t: Tensor): TensorStats {
  const d = t.data;
  const size = d.length;
  // Sums are taken around a shift (the first finite value) in float64, so the variance formula
  // E[(x-s)²] - E[x-s]² stays accurate for data with a large mean, without a division per element.
  let shift = 0;
  for (let i = 0; i < size; i++) {
    const v = d[i];
    if (v - v === 0) { shift = v; break; }
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  let zeros = 0;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  for (let i = 0; i < size; i++) {
    const v = d[i];
    if (v - v !== 0) {
      // Not finite: NaN, +Inf or -Inf.
      if (v !== v) nan++;
      else if (v > 0) posInf++;
      else negInf++;
      continue;
    }
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
    const x = v - shift;
    sum += x;
    sumSq += x * x;
  }
  const n = size - nan - posInf - negInf;
  const meanShifted = n ? sum / n : 0;
  return {
    size,
    min: n ? min : NaN,
    max: n ? max : NaN,
    mean: n ? shift + meanShifted : NaN,
    std: n ? Math.sqrt(Math.max(0, sumSq / n - meanShifted * meanShifted)) : NaN,
    zeros: size ? zeros / size : 0,
    nan,
    posInf,
    negInf,
  };
}

/** Four significant digits, no trailing zeros, exponent form for very large or small magnitudes. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

/**
 * The one-line summary used everywhere a tensor is shown as a value:
 * `float32[1,128] μ=0.013 σ=0.41 [-1.2, 2.3] 37% zeros`, with `NaN!` / `Inf!` counts when present.
 * A tensor of at most 4 elements shows its values instead of statistics.
 */
export function formatSummary(t: Tensor, stats: TensorStats = tensorStats(t)): string {
  const head = `${t.dtype}[${t.shape.join(',')}]`;
  const bad: string[] = [];
  if (stats.nan) bad.push(`NaN!×${stats.nan}`);
  if (stats.posInf + stats.negInf) bad.push(`Inf!×${stats.posInf + stats.negInf}`);
  const flags = bad.length ? ' ' + bad.join(' ') : '';
  if (t.size === 0) return `${head} empty`;
  if (t.size <= 4) return `${head} [${Array.from(t.data as ArrayLike<number>, formatNumber).join(', ')}]${flags}`;
  if (t.dtype === 'bool') return `${head} ${Math.round((1 - stats.zeros) * 100)}% true`;
  const zeros = stats.zeros >= 0.005 ? ` ${Math.round(stats.zeros * 100)}% zeros` : '';
  const range = Number.isNaN(stats.min) ? '' : ` μ=${formatNumber(stats.mean)} σ=${formatNumber(stats.std)} [${formatNumber(stats.min)}, ${formatNumber(stats.max)}]`;
  return `${head}${range}${zeros}${flags}`;
}

/** Whether any element is NaN or ±Inf: a cheaper scan than {@link tensorStats} for watching a whole run. */
export function hasNonFinite(t: Tensor): boolean {
  if (t.dtype !== 'float32') return false;
  const d = t.data;
  let acc = 0;
  // x - x is 0 for every finite x and NaN otherwise; summing keeps the loop free of branches.
  for (let i = 0; i < d.length; i++) acc += d[i] - d[i];
  return acc !== 0;
}
