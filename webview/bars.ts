/** Bar-chart helpers: the largest values, and min/max envelopes when there are more values than pixels. Pure. */

/**
 * Indices of the `k` largest values, largest first; NaN never counts, ties keep the lower index first.
 * O(n·k), for the small k of a class top-k.
 */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    if (out.length === k && !(v > values[out[k - 1]])) continue;
    let j = out.length < k ? out.length : k - 1;
    while (j > 0 && v > values[out[j - 1]]) j--;
    out.splice(j, 0, i);
    if (out.length > k) out.pop();
  }
  return out;
}

export interface BarBins {
  /** Number of bars. */
  readonly count: number;
  /** First value of each bar (and `start[count]` = the length), so bar i covers values [start[i], start[i+1]). */
  readonly start: Int32Array;
  /** Smallest and largest finite value of each bar (NaN when it has none). */
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** 1 when the bar's values include a NaN, 2 when an Inf (and no NaN). */
  readonly special: Uint8Array;
}

/**
 * Groups `values` into at most `maxBars` bars of consecutive values, each keeping its min/max envelope, so a
 * long vector drawn on a narrow canvas still shows every spike and every NaN.
 */
export function barBins(values: ArrayLike<number>, maxBars: number): BarBins {
  const n = values.length;
  const count = Math.max(0, Math.min(n, Math.max(1, Math.floor(maxBars))));
  const start = new Int32Array(count + 1);
  const min = new Float64Array(count);
  const max = new Float64Array(count);
  const special = new Uint8Array(count);
  for (let b = 0; b <= count; b++) start[b] = Math.floor((b * n) / Math.max(1, count));
  for (let b = 0; b < count; b++) {
    let lo = Infinity;
    let hi = -Infinity;
    let s = 0;
    for (let i = start[b]; i < start[b + 1]; i++) {
      const v = values[i];
      if (v !== v) s = 1;
      else if (v === Infinity || v === -Infinity) { if (s === 0) s = 2; }
      else {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    min[b] = lo <= hi ? lo : NaN;
    max[b] = lo <= hi ? hi : NaN;
    special[b] = s;
  }
  return { count, start, min, max, special };
}
