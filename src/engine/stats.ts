import type { Tensor } from './tensor';
import { wasmStats } from './wasm/stats';

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

/**
 * Statistics of a tensor in one pass. The pass is written without data-dependent branches (a ReLU output is
 * about half zeros, and a branch on each zero costs more than the arithmetic): it also sums `v - v`, which is 0
 * for every finite value and NaN otherwise, so data holding a NaN or Inf is detected and counted again with
 * the careful loop. Float32 tensors of a few thousand elements and more take the same pass in WebAssembly SIMD
 * (wasm/stats.ts through ./wasm/stats.ts), finished here the same way; this pass stays the reference.
 */
export function tensorStats(t: Tensor): TensorStats {
  const d = t.data;
  const size = d.length;
  if (t.dtype === 'float32' && size) {
    const shift = firstFinite(d);
    const p = wasmStats(d as Float32Array, shift);
    if (p) {
      const n = size - p.nan - p.posInf - p.negInf;
      return finish(size, n, shift, p.sum, p.sumSq, p.min, p.max, p.zeros, p.nan, p.posInf, p.negInf);
    }
  }
  // Sums are taken around a shift (the first value) in float64, so the variance formula E[(x-s)²] - E[x-s]²
  // stays accurate for data with a large mean, without a division per element.
  const shift = size ? d[0] : 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  let zeros = 0;
  let bad = 0;
  for (let i = 0; i < size; i++) {
    const v = d[i];
    bad += v - v;
    zeros += Number(v === 0);
    min = v < min ? v : min;
    max = v > max ? v : max;
    const x = v - shift;
    sum += x;
    sumSq += x * x;
  }
  if (bad !== 0) return statsWithNonFinite(d);
  return finish(size, size, shift, sum, sumSq, min, max, zeros, 0, 0, 0);
}

/** The careful pass, for data holding NaN or ±Inf: those are counted and left out of the rest. */
function statsWithNonFinite(d: Tensor['data']): TensorStats {
  const size = d.length;
  const shift = firstFinite(d);
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
  return finish(size, size - nan - posInf - negInf, shift, sum, sumSq, min, max, zeros, nan, posInf, negInf);
}

/** The shift both passes take their sums around: the first finite value (0 when there is none). */
function firstFinite(d: Tensor['data']): number {
  const size = d.length;
  for (let i = 0; i < size; i++) {
    const v = d[i];
    if (v - v === 0) return v;
  }
  return 0;
}

/** A zero min or max is reported as +0, whichever zero the pass met first. */
function finish(
  size: number, n: number, shift: number, sum: number, sumSq: number, min: number, max: number,
  zeros: number, nan: number, posInf: number, negInf: number,
): TensorStats {
  const meanShifted = n ? sum / n : 0;
  return {
    size,
    min: n ? min + 0 : NaN,
    max: n ? max + 0 : NaN,
    mean: n ? shift + meanShifted : NaN,
    std: n ? Math.sqrt(Math.max(0, sumSq / n - meanShifted * meanShifted)) : NaN,
    zeros: size ? zeros / size : 0,
    nan,
    posInf,
    negInf,
  };
}

const cache = new WeakMap<Tensor, TensorStats>();

/**
 * The statistics of a tensor that no longer changes (a value a node produced, a weight, a model input),
 * computed by its first reader and kept with it: the NaN watch, the recorder, summaries and histograms all
 * share that one pass. A tensor still being filled must use {@link tensorStats}.
 */
export function statsOf(t: Tensor): TensorStats {
  let s = cache.get(t);
  if (!s) cache.set(t, (s = tensorStats(t)));
  return s;
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
