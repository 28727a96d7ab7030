/** Histogram binning for the tensor views. Pure. */

export interface Histogram {
  /** Left edge of the first bin and right edge of the last. */
  readonly min: number;
  readonly max: number;
  readonly counts: Uint32Array;
  /** Finite values binned. */
  readonly total: number;
  readonly nan: number;
  readonly posInf: number;
  readonly negInf: number;
}

export interface BinPlan {
  readonly min: number;
  readonly max: number;
  readonly bins: number;
}

/**
 * Bins for data in [min, max]: one bin per integer for integer data with a small range (so 0/1 masks and class
 * ids show as bars on their values), else about √n bins between 8 and 64. A constant tensor gets a small range
 * around its value; no finite data gives [0, 1].
 */
export function planBins(min: number, max: number, n: number, integer: boolean): BinPlan {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return { min: 0, max: 1, bins: 1 };
  if (integer && max - min + 1 <= 64) return { min: min - 0.5, max: max + 0.5, bins: max - min + 1 };
  const bins = Math.min(64, Math.max(8, Math.ceil(Math.sqrt(Math.max(1, n)))));
  if (max === min) {
    const pad = Math.abs(min) * 0.05 || 0.5;
    return { min: min - pad, max: max + pad, bins };
  }
  return { min, max, bins };
}

/** Counts of the finite values in each of `plan.bins` equal bins; values outside the range go to the end bins. */
export function histogram(values: ArrayLike<number>, plan: BinPlan): Histogram {
  const counts = new Uint32Array(Math.max(1, plan.bins));
  const width = (plan.max - plan.min) / counts.length;
  let total = 0;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) { nan++; continue; }
    if (v === Infinity) { posInf++; continue; }
    if (v === -Infinity) { negInf++; continue; }
    let b = width > 0 ? Math.floor((v - plan.min) / width) : 0;
    if (b < 0) b = 0;
    else if (b >= counts.length) b = counts.length - 1;
    counts[b]++;
    total++;
  }
  return { min: plan.min, max: plan.max, counts, total, nan, posInf, negInf };
}

/** Smallest and largest finite value, NaN when there is none. */
export function finiteRange(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min && v > -Infinity) min = v;
    if (v > max && v < Infinity) max = v;
  }
  return min <= max ? { min, max } : { min: NaN, max: NaN };
}
