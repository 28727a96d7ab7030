import type { OpRegistry } from '../engine/registry';
import type { Tensor } from '../engine/tensor';
import type { Model } from '../model/ir';
import { compareOutputs, measureAll } from './measure';
import type { MeasureOptions, Timing } from './measure';
import type { Peer, PreparedRun, SkippedPeer } from './peer';
import type { TrainRow } from './train';
import { runPlain } from './plain';
import { buildWorkloads, engineModel } from './workloads';
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
  /** Only these workloads, in this order (built lazily by a generator, one at a time); all by default. */
  readonly workloads?: Iterable<Workload>;
  /**
   * Sets the engine's thread count (`configureEngine` in src/node/engineSetup.ts). When given, the engine is timed
   * on one thread with the peers, then again on `all` threads; without it, only as the engine stands.
   */
  readonly threads?: { readonly configure: (threads: number) => EngineInfo; readonly all: number };
  /** For workloads with `openProbe`: opens the model from an ONNX file and measures a recorded pass from it. */
  readonly openProbe?: (w: Workload) => Promise<OpenProbe>;
}

/** What `configureEngine` reports (src/node/engineSetup.ts). */
export interface EngineInfo {
  readonly threads: number;
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
}

/**
 * Opening a large model the way the CLI does, and a recorded pass on it. Resident memory is measured apart, in a
 * fresh process (`node scripts/measure-memory.mjs --model FILE`): in the bench's process, which has run every
 * other workload and holds the peers, it says little.
 */
export interface OpenProbe {
  /** Size of the ONNX file written for it. */
  readonly fileBytes: number;
  /** From the file on disk to a model with every weight read (the loader and `loadPendingWeights`). */
  readonly openMs: number;
  /** One pass through the runner on the opened model, every value recorded. */
  readonly recordedMs: number;
  readonly weightsBytes: number;
  /** Every intermediate value the runner kept. */
  readonly recordedBytes: number;
}

export interface BenchRow {
  readonly workload: string;
  readonly description: string;
  /** The ops run in order through the registry, nothing recorded. */
  readonly engine: Timing;
  /** The same through the runner, `continue()` to the end with every intermediate recorded. */
  readonly recorded: Timing;
  /** Both again on all threads (when the bench has `threads`). */
  readonly engineAll?: Timing;
  readonly recordedAll?: Timing;
  /** (recorded − engine) / engine, in percent. */
  readonly overheadPct: number;
  /** By peer name; absent for skipped peers. */
  readonly peers: Readonly<Record<string, Timing>>;
  /** Largest |peer − engine| over the output, by peer name (and `runner` for recorded vs plain, `threads` for all threads vs one). */
  readonly maxAbsDiff: Readonly<Record<string, number>>;
  readonly open?: OpenProbe;
  /** Peers not run on this workload, with the reason. */
  readonly leftOut?: Readonly<Record<string, string>>;
}

export interface BenchResult {
  readonly rows: readonly BenchRow[];
  readonly peers: readonly string[];
  readonly skipped: readonly SkippedPeer[];
  readonly measure: MeasureOptions;
  /** The engine on one thread and on all threads, as `configureEngine` reported them. */
  readonly engine?: { readonly one: EngineInfo; readonly all: EngineInfo };
  /** One training step per training workload (src/bench/train.ts), when any was run. */
  readonly training?: readonly TrainRow[];
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
  const threads = options.threads;
  let engine: BenchResult['engine'];
  if (threads) engine = { one: threads.configure(1), all: threads.configure(threads.all) };
  for (const w of options.workloads ?? buildWorkloads()) {
    const model = engineModel(w);
    const inputs = new Map<string, Tensor>([['x', w.input]]);
    const outName = model.outputs[0].name;
    const step = (what: string): void => options.onStep?.(`${w.name}: ${what}`);

    let open: OpenProbe | undefined;
    if (w.openProbe && options.openProbe) {
      step('opening it from an ONNX file');
      open = await options.openProbe(w);
    }
    threads?.configure(1);
    step('checking agreement');
    const plain = (): Float32Array => {
      try {
        return runPlain(model, inputs, options.ops).get(outName)!.data as Float32Array;
      } catch (e) {
        throw new BenchEngineError(`bench: the engine cannot run '${w.name}': ${(e as Error).message}.`, { cause: e });
      }
    };
    const firstRuns = new Map<string, number>();
    const clock = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
      const start = performance.now();
      const out = await f();
      firstRuns.set(name, performance.now() - start);
      return out;
    };
    const expected = await clock(ENGINE, plain);
    const maxAbsDiff: Record<string, number> = {};
    const check = (who: string, actual: ArrayLike<number>, atol: number, rtol: number): void => {
      const c = compareOutputs(actual, expected, atol, rtol);
      maxAbsDiff[who] = c.maxAbsDiff;
      if (!c.ok) {
        throw new BenchMismatchError(`bench: ${who} and the engine disagree on '${w.name}' (${c.detail}; largest difference ${c.maxAbsDiff}, allowed ${atol} + ${rtol}·|expected|).`);
      }
    };
    const recordedOut = async (): Promise<ArrayLike<number>> => {
      const out = (await options.recorded(model, inputs)).get(outName);
      if (!out) throw new BenchMismatchError(`bench: the runner returned no output '${outName}' on '${w.name}'.`);
      return out.data;
    };
    check('runner', await clock(RECORDED, recordedOut), 0, 0);
    const prepared = new Map<string, PreparedRun>();
    try {
      for (const p of peers) {
        if (w.skipPeers?.[p.name]) continue;
        step(`preparing ${p.name}`);
        const run = await p.prepare(w);
        prepared.set(p.name, run);
        check(p.name, await clock(p.name, () => run.result()), ATOL, RTOL);
      }

      step('timing');
      const runs = new Map<string, () => unknown>([
        [ENGINE, () => runPlain(model, inputs, options.ops)],
        [RECORDED, () => options.recorded(model, inputs)],
      ]);
      for (const [name, run] of prepared) runs.set(name, () => run.run());
      const timings = await measureAll(runs, options.measure, firstRuns);
      let all: Map<string, Timing> | undefined;
      if (threads) {
        threads.configure(threads.all);
        step(`timing on ${threads.all} threads`);
        // Kernels split over threads may add in another order: the one-thread output is the reference.
        check('threads', plain(), ATOL, RTOL);
        check('runner (threads)', await recordedOut(), ATOL, RTOL);
        all = await measureAll(new Map<string, () => unknown>([
          [ENGINE, () => runPlain(model, inputs, options.ops)],
          [RECORDED, () => options.recorded(model, inputs)],
        ]), options.measure);
      }
      const engineTime = timings.get(ENGINE)!;
      const recorded = timings.get(RECORDED)!;
      const times: Record<string, Timing> = {};
      for (const name of prepared.keys()) times[name] = timings.get(name)!;
      rows.push({
        workload: w.name, description: w.description, engine: engineTime, recorded,
        engineAll: all?.get(ENGINE), recordedAll: all?.get(RECORDED),
        overheadPct: (100 * (recorded.medianMs - engineTime.medianMs)) / engineTime.medianMs,
        peers: times, maxAbsDiff, open, leftOut: w.skipPeers,
      });
    } finally {
      for (const run of prepared.values()) run.dispose();
    }
  }
  return { rows, peers: peers.map((p) => p.name), skipped, measure: options.measure, engine };
}
