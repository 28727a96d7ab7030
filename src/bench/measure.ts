/** How long to measure: warm-up runs first, then at least `minReps` timed rounds and at least `minMillis` in all. */
export interface MeasureOptions {
  readonly warmup: number;
  readonly minReps: number;
  readonly maxReps: number;
  readonly minMillis: number;
}

export const FULL: MeasureOptions = { warmup: 3, minReps: 10, maxReps: 200, minMillis: 1500 };
export const QUICK: MeasureOptions = { warmup: 1, minReps: 3, maxReps: 30, minMillis: 200 };

export interface Timing {
  /** Median of the timed runs, milliseconds. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly reps: number;
}

/**
 * Times several implementations of the same work, interleaved: warm-up runs of each, then rounds in which
 * each runs once, until both `minReps` rounds and `minMillis` in all are reached (or `maxReps`). Interleaving
 * spreads any slowdown of the machine (other processes, thermal limits) evenly over all of them, so their
 * ratios stay fair; the median resists the odd slow run (a GC pause).
 */
export async function measureAll(runs: ReadonlyMap<string, () => unknown>, options: MeasureOptions): Promise<Map<string, Timing>> {
  for (const run of runs.values()) for (let i = 0; i < options.warmup; i++) await run();
  const times = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
  let total = 0;
  for (let rep = 0; rep < options.maxReps && (rep < options.minReps || total < options.minMillis); rep++) {
    for (const [name, run] of runs) {
      const start = performance.now();
      await run();
      const t = performance.now() - start;
      times.get(name)!.push(t);
      total += t;
    }
  }
  return new Map([...times].map(([name, ts]) => [name, summarize(ts)]));
}

/** Times one run the same way. */
export async function measure(run: () => unknown, options: MeasureOptions): Promise<Timing> {
  return (await measureAll(new Map([['run', run]]), options)).get('run')!;
}

function summarize(times: number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { medianMs, minMs: sorted[0], reps: sorted.length };
}

/** The largest elementwise difference and whether all elements are within `atol + rtol·|expected|`. */
export function compareOutputs(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): { ok: boolean; maxAbsDiff: number; detail: string } {
  if (actual.length !== expected.length) {
    return { ok: false, maxAbsDiff: Infinity, detail: `${actual.length} elements instead of ${expected.length}` };
  }
  let maxAbsDiff = 0;
  let bad = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= atol + rtol * Math.abs(expected[i]))) {
      if (bad < 0) bad = i;
      if (Number.isNaN(d)) maxAbsDiff = NaN;
    }
    if (d > maxAbsDiff) maxAbsDiff = d;
  }
  const detail = bad < 0 ? '' : `element ${bad} is ${actual[bad]}, expected ${expected[bad]}`;
  return { ok: bad < 0, maxAbsDiff, detail };
}
