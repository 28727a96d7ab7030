import type { LossName } from '../engine/grad/losses';
import type { OptimizerName } from '../engine/grad/optimizers';
import { Tensor } from '../engine/tensor';
import { mulberry32 } from '../loaders/tensors/random';
import type { Model } from '../model/ir';
import type { RunnerInit } from '../runner/runner';
import { trainData } from '../runner/train/data';
import { Trainer } from '../runner/train/trainer';
import { BenchEngineError, BenchMismatchError } from './bench';
import { compareOutputs, measureAll } from './measure';
import type { MeasureOptions, Timing } from './measure';
import type { SkippedPeer } from './peer';
import { buildWorkloads, engineModel } from './workloads';
import type { Workload } from './workloads';

/**
 * One training step of a forward workload: its layers and weights, its input as a batch, fixed one-hot targets, a
 * loss and an optimizer. The engine's Trainer and TensorFlow.js train the same model from the same weights.
 */
export interface TrainWorkload {
  /** Short key for `--workload`, e.g. `train-mlp-b32`. */
  readonly id: string;
  /** Label in the training table: the forward workload's. */
  readonly name: string;
  readonly description: string;
  readonly workload: Workload;
  readonly loss: LossName;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  /** One-hot rows, [batch, classes]. */
  readonly target: Tensor<'float32'>;
}

/** A TensorFlow.js backend (or any peer) training a workload, one step per call. */
export interface TrainPeer {
  readonly name: string;
  /** Variables, optimizer and constants, outside any timing. */
  prepare(w: TrainWorkload): Promise<PreparedTraining>;
}

export interface PreparedTraining {
  /** One step (forward, loss, gradients, update) to completion; returns the loss before the update. */
  step(): Promise<number>;
  dispose(): void;
}

/** `step` was run `steps` times with the losses checked; extra keys only, none of the forward bench's. */
export interface TrainRow {
  readonly id: string;
  readonly workload: string;
  readonly description: string;
  readonly loss: LossName;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly batch: number;
  /** The engine's losses of the first two steps (the second shows the first update agreeing too). */
  readonly losses: readonly number[];
  /** The Trainer, `train(1)` per run, every value recorded, on one thread and on all threads. */
  readonly engine: Timing;
  readonly engineAll?: Timing;
  /** By peer name; absent for peers left out. */
  readonly peers: Readonly<Record<string, Timing>>;
  /** Largest |peer − engine| over the two losses, by peer name (`threads` for all threads vs one). */
  readonly maxAbsDiff: Readonly<Record<string, number>>;
  /** Peers that cannot train this workload, with the reason. */
  readonly leftOut?: Readonly<Record<string, string>>;
}

export interface TrainBenchOptions {
  readonly measure: MeasureOptions;
  readonly workloads: Iterable<TrainWorkload>;
  readonly peers: readonly (TrainPeer | SkippedPeer)[];
  /** Options of each step's runner (the CLI's: no memory limit, yields by setImmediate, as its recorded runs). */
  readonly runner?: Omit<RunnerInit, 'ops' | 'keepWeights'>;
  /** Sets the engine's thread count; see BenchOptions.threads. */
  readonly threads?: { readonly configure: (threads: number) => unknown; readonly all: number };
  readonly onStep?: (text: string) => void;
}

/** The forward workload each training workload trains, by id, in table order. */
const TRAINED: readonly (readonly [string, string])[] = [
  ['train-mlp-b32', 'mlp-b32'],
  ['train-cnn-b32', 'cnn-b32'],
];

export const TRAIN_WORKLOAD_IDS: readonly string[] = TRAINED.map(([id]) => id);

/** Both models end in a linear dense layer: cross-entropy from logits, with Adam as most training scripts use. */
const LOSS: LossName = 'cce-logits';
const OPTIMIZER: OptimizerName = 'adam';
const LEARNING_RATE = 1e-3;

/** `rows` one-hot rows of `classes`, seeded: always the same classes. */
export function oneHot(rows: number, classes: number, seed: number): Tensor<'float32'> {
  const rand = mulberry32(seed);
  const t = Tensor.zeros([rows, classes], 'float32');
  for (let r = 0; r < rows; r++) t.data[r * classes + Math.floor(rand() * classes)] = 1;
  return t;
}

/** A training workload on a forward workload whose output is [batch, classes]. */
export function trainWorkload(w: Workload, id = `train-${w.id}`): TrainWorkload {
  const model = engineModel(w);
  const [rows, classes] = model.outputs[0].shape as number[];
  return {
    id, name: w.name, workload: w, loss: LOSS, optimizer: OPTIMIZER, learningRate: LEARNING_RATE,
    description: `one training step of ${w.description}: ${LOSS}, ${OPTIMIZER} lr ${LEARNING_RATE}`,
    target: oneHot(rows, classes, 7000 + rows * classes),
  };
}

/** The training workloads with these ids (all by default), in table order, each built when reached. */
export function* buildTrainWorkloads(ids: readonly string[] = TRAIN_WORKLOAD_IDS): Generator<TrainWorkload> {
  for (const [id, forward] of TRAINED) {
    if (ids.includes(id)) yield trainWorkload([...buildWorkloads([forward])][0], id);
  }
}

/** Losses differ between implementations by float32 summation order, and a second step by the update's. */
const ATOL = 1e-4;
const RTOL = 1e-3;

const isSkipped = (p: TrainPeer | SkippedPeer): p is SkippedPeer => 'reason' in p;

/** A kernel a backend lacks: that peer cannot train the workload, which the table says instead of failing. */
const MISSING_KERNEL = /Kernel '([^']+)' not registered for backend '([^']+)'/;

/**
 * For each training workload: checks that the engine's Trainer and every peer agree on the losses of the first two
 * steps (the first measures the forward pass, the second the gradients and the update too), then times one step of
 * each, interleaved, with the Trainer on one thread; then the Trainer again on all threads.
 */
export async function runTrainBench(options: TrainBenchOptions): Promise<TrainRow[]> {
  const peers = options.peers.filter((p): p is TrainPeer => !isSkipped(p));
  const threads = options.threads;
  const rows: TrainRow[] = [];
  for (const tw of options.workloads) {
    const step = (what: string): void => options.onStep?.(`${tw.id}: ${what}`);
    const model = engineModel(tw.workload);
    threads?.configure(1);
    step('checking agreement');
    const firstRuns = new Map<string, number>();
    const trainer = await createTrainer(model, tw, options.runner);
    const expected = await firstSteps(trainer, tw, firstRuns);
    const maxAbsDiff: Record<string, number> = {};
    const check = (who: string, actual: readonly number[]): void => {
      const c = compareOutputs(actual, expected, ATOL, RTOL);
      maxAbsDiff[who] = c.maxAbsDiff;
      if (!c.ok) {
        throw new BenchMismatchError(`bench: ${who} and the engine disagree on the training losses of '${tw.id}' (first two steps ${actual.join(', ')}, expected ${expected.join(', ')}; allowed ${ATOL} + ${RTOL}·|expected|).`);
      }
    };
    const prepared = new Map<string, PreparedTraining>();
    const leftOut: Record<string, string> = {};
    try {
      for (const p of peers) {
        step(`preparing ${p.name}`);
        const run = await p.prepare(tw);
        let losses: number[];
        try {
          losses = [await run.step()];
          // The second step is warm: the estimate, or the one timing of a peer slower than the budget.
          const start = performance.now();
          losses.push(await run.step());
          firstRuns.set(p.name, performance.now() - start);
        } catch (e) {
          run.dispose();
          const missing = MISSING_KERNEL.exec(e instanceof Error ? e.message : String(e));
          if (!missing) throw e;
          leftOut[p.name] = `the ${missing[2]} backend has no ${missing[1]} kernel`;
          continue;
        }
        prepared.set(p.name, run);
        check(p.name, losses);
      }

      step('timing');
      const runs = new Map<string, () => unknown>([[ENGINE, () => trainer.train(1)]]);
      for (const [name, run] of prepared) runs.set(name, () => run.step());
      const timings = await measureAll(runs, options.measure, firstRuns);
      let engineAll: Timing | undefined;
      if (threads) {
        threads.configure(threads.all);
        step(`timing on ${threads.all} threads`);
        // A fresh trainer, from the same weights: kernels split over threads may add in another order.
        const all = await createTrainer(model, tw, options.runner);
        check('threads', await firstSteps(all, tw));
        engineAll = (await measureAll(new Map([[ENGINE, () => all.train(1)]]), options.measure)).get(ENGINE);
      }
      const times: Record<string, Timing> = {};
      for (const name of prepared.keys()) times[name] = timings.get(name)!;
      rows.push({
        id: tw.id, workload: tw.name, description: tw.description, loss: tw.loss, optimizer: tw.optimizer,
        learningRate: tw.learningRate, batch: trainer.batch, losses: expected, engine: timings.get(ENGINE)!, engineAll,
        peers: times, maxAbsDiff, leftOut: Object.keys(leftOut).length ? leftOut : undefined,
      });
    } finally {
      for (const run of prepared.values()) run.dispose();
    }
  }
  return rows;
}

/** Key of the Trainer among the timings (peer names are short lowercase words: no clash). */
const ENGINE = 'engine (trainer)';

function createTrainer(model: Model, tw: TrainWorkload, runner: TrainBenchOptions['runner']): Promise<Trainer> {
  const data = trainData(new Map([[model.inputs[0].name, tw.workload.input]]), new Map([[model.outputs[0].name, tw.target]]), `bench:${tw.id}`);
  return Trainer.create(model, data, { loss: tw.loss, optimizer: tw.optimizer, learningRate: tw.learningRate, runner });
}

/** The Trainer's first two steps; their losses. The second (warm) is timed into `firstRuns` when given. */
async function firstSteps(trainer: Trainer, tw: TrainWorkload, firstRuns?: Map<string, number>): Promise<number[]> {
  try {
    await trainer.train(1);
    const start = performance.now();
    await trainer.train(1);
    firstRuns?.set(ENGINE, performance.now() - start);
  } catch (e) {
    throw new BenchEngineError(`bench: the engine cannot train '${tw.id}': ${(e as Error).message}.`, { cause: e });
  }
  return trainer.losses.slice(0, 2);
}
