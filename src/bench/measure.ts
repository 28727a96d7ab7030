/**
 * How long to measure each implementation on a workload. Its first warm-up run estimates one run's time; then
 * it gets enough timed runs for `minMillis` in all, at least `minReps` of them unless that would take more than
 * `maxMillis`, never more than `maxReps` and never fewer than one. Further warm-up runs (up to `warmup` in all)
 * are made only while they stay under a quarter of `minMillis`. So fast workloads get many repetitions and slow
 * ones (a GPT-2-size stack) a few, and a full run of the bench stays within minutes.
 */
export interface MeasureOptions {
  readonly warmup: number;
  readonly minReps: number;
  readonly maxReps: number;
  readonly minMillis: number;
  readonly maxMillis: number;
}

export const FULL: MeasureOptions = { warmup: 3, minReps: 7, maxReps: 200, minMillis: 1000, maxMillis: 4000 };
export const QUICK: MeasureOptions = { warmup: 1, minReps: 3, maxReps: 30, minMillis: 200, maxMillis: 1000 };

export interface Timing {
  /** Median of the timed runs, milliseconds. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly reps: number;
}

/** How many timed runs an implementation whose run takes about `estimateMs` gets. */
export function repsFor(estimateMs: number, o: MeasureOptions): number {
  const t = Math.max(estimateMs, 1e-3);
  const forMillis = Math.ceil(o.minMillis / t);
  const forReps = Math.min(o.minReps, Math.floor(o.maxMillis / t));
  return Math.max(1, Math.min(o.maxReps, Math.max(forMillis, forReps)));
}

async function timed(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/**
 * Times several implementations of the same work, interleaved: warm-up runs of each, then rounds in which
 * each runs once, until it has its number of runs ({@link repsFor}; one that has drops out of later rounds).
 * Interleaving spreads any slowdown of the machine (other processes, thermal limits) evenly over all of them,
 * so their ratios stay fair; the median resists the odd slow run (a GC pause). `firstRuns` gives the time of a run
 * already made of some of them: one slower than `maxMillis` is reported as that single run (a tfjs-cpu pass of
 * the GPT-2-size stack takes most of a minute), not run again.
 */
export async function measureAll(
  runs: ReadonlyMap<string, () => unknown>, options: MeasureOptions, firstRuns: ReadonlyMap<string, number> = new Map(),
): Promise<Map<string, Timing>> {
  const target = new Map<string, number>();
  const times = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
  for (const [name, run] of runs) {
    // A run already made (the agreement check) that took longer than the whole budget is its own one timing.
    const first = firstRuns.get(name);
    if (first !== undefined && first > options.maxMillis) {
      times.get(name)!.push(first);
      target.set(name, 1);
      continue;
    }
    let spent = await timed(run);
    const estimate = spent;
    for (let i = 1; i < options.warmup && spent + estimate <= options.minMillis / 4; i++) spent += await timed(run);
    target.set(name, repsFor(estimate, options));
  }
  for (let more = true; more;) {
    more = false;
    for (const [name, run] of runs) {
      const ts = times.get(name)!;
      if (ts.length >= target.get(name)!) continue;
      ts.push(await timed(run));
      more ||= ts.length < target.get(name)!;
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
