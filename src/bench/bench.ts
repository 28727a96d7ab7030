import type { OpRegistry } from '../engine/registry';
import type { Tensor } from '../engine/tensor';
import type { Model } from '../model/ir';
import { compareOutputs, measureAll } from './measure';
import type { MeasureOptions, Timing } from './measure';
import type { Peer, PreparedRun, SkippedPeer } from './peer';
import { runPlain } from './plain';
import { benchWorkloads, engineModel } from './workloads';
import type { Workload } from './workloads';

/** Runs a model through the stepping runner to the end, recording every value; returns the outputs. */
export type RecordedRun = (model: Model, inputs: ReadonlyMap<string, Tensor>) => Promise<ReadonlyMap<string, Tensor>>;

export interface BenchOptions {
  readonly measure: MeasureOptions;
  readonly ops: OpRegistry;
  readonly recorded: RecordedRun;
  /** Loaded peers, and those that could not be loaded. */
  readonly peers: readonly (Peer | SkippedPeer)[];
  /** Called before each step, for progress. */
  readonly onStep?: (text: string) => void;
  /** Only these workloads (by name); all by default. */
  readonly workloads?: readonly Workload[];
}

export interface BenchRow {
  readonly workload: string;
  readonly description: string;
  /** The ops run in order through the registry, nothing recorded. */
  readonly engine: Timing;
  /** The same through the runner, `continue()` to the end with every intermediate recorded. */
  readonly recorded: Timing;
  /** (recorded − engine) / engine, in percent. */
  readonly overheadPct: number;
  /** By peer name; absent for skipped peers. */
  readonly peers: Readonly<Record<string, Timing>>;
  /** Largest |peer − engine| over the output, by peer name (and `runner` for recorded vs plain). */
  readonly maxAbsDiff: Readonly<Record<string, number>>;
}

export interface BenchResult {
  readonly rows: readonly BenchRow[];
  readonly peers: readonly string[];
  readonly skipped: readonly SkippedPeer[];
  readonly measure: MeasureOptions;
}

/** Keys of the engine's two runs among the timings (peer names are short lowercase words: no clash). */
const ENGINE = 'engine (plain)';
const RECORDED = 'engine (recorded)';

/** Outputs may differ between implementations by float32 summation order only. */
const ATOL = 1e-4;
const RTOL = 1e-3;

/** A peer disagreed with the engine: the bench refuses to time implementations that compute different things. */
export class BenchMismatchError extends Error {
  override readonly name = 'BenchMismatchError';
}

/** The engine itself failed on a workload (an op missing or broken). */
export class BenchEngineError extends Error {
  override readonly name = 'BenchEngineError';
}

export const isSkipped = (p: Peer | SkippedPeer): p is SkippedPeer => 'reason' in p;

/** Checks agreement on every workload, then times the engine (plain and recorded) and every peer on it. */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const peers = options.peers.filter((p): p is Peer => !isSkipped(p));
  const skipped = options.peers.filter(isSkipped);
  const rows: BenchRow[] = [];
  for (const w of options.workloads ?? benchWorkloads()) {
    const model = engineModel(w);
    const inputs = new Map<string, Tensor>([['x', w.input]]);
    const outName = model.outputs[0].name;
    const step = (what: string): void => options.onStep?.(`${w.name}: ${what}`);

    step('checking agreement');
    let expected: Float32Array;
    try {
      expected = runPlain(model, inputs, options.ops).get(outName)!.data as Float32Array;
    } catch (e) {
      throw new BenchEngineError(`bench: the engine cannot run '${w.name}': ${(e as Error).message}.`, { cause: e });
    }
    const maxAbsDiff: Record<string, number> = {};
    const check = (who: string, actual: ArrayLike<number>, atol: number, rtol: number): void => {
      const c = compareOutputs(actual, expected, atol, rtol);
      maxAbsDiff[who] = c.maxAbsDiff;
      if (!c.ok) {
        throw new BenchMismatchError(`bench: ${who} and the engine disagree on '${w.name}' (${c.detail}; largest difference ${c.maxAbsDiff}, allowed ${atol} + ${rtol}·|expected|).`);
      }
    };
    const recordedOut = (await options.recorded(model, inputs)).get(outName);
    if (!recordedOut) throw new BenchMismatchError(`bench: the runner returned no output '${outName}' on '${w.name}'.`);
    check('runner', recordedOut.data, 0, 0);
    const prepared = new Map<string, PreparedRun>();
    try {
      for (const p of peers) {
        const run = await p.prepare(w);
        prepared.set(p.name, run);
        check(p.name, await run.result(), ATOL, RTOL);
      }

      step('timing');
      const runs = new Map<string, () => unknown>([
        [ENGINE, () => runPlain(model, inputs, options.ops)],
        [RECORDED, () => options.recorded(model, inputs)],
      ]);
      for (const [name, run] of prepared) runs.set(name, () => run.run());
      const timings = await measureAll(runs, options.measure);
      const engine = timings.get(ENGINE)!;
      const recorded = timings.get(RECORDED)!;
      const times: Record<string, Timing> = {};
      for (const name of prepared.keys()) times[name] = timings.get(name)!;
      rows.push({
        workload: w.name, description: w.description, engine, recorded,
        overheadPct: (100 * (recorded.medianMs - engine.medianMs)) / engine.medianMs,
        peers: times, maxAbsDiff,
      });
    } finally {
      for (const run of prepared.values()) run.dispose();
    }
  }
  return { rows, peers: peers.map((p) => p.name), skipped, measure: options.measure };
}
