import { checkLearningRate } from '../../engine/grad/optimizers';
import { Tensor } from '../../engine/tensor';
import type { Model } from '../../model/ir';
import { loadPendingWeights } from '../../model/lazyWeights';
import { modelFor } from '../../model/specialize';
import { RunnerError, baseName } from '../errors';
import { aliasInputs, checkInputs } from '../inputs';
import { Runner } from '../runner';
import type { RunnerInit } from '../runner';
import { batchOf, batchRange } from './data';
import type { TrainData } from './data';
import { trainingOps } from './ops';
import { layoutTraining, LOSS_VALUE, stepModel } from './trainingModel';
import type { TrainingLayout, TrainSetup } from './trainingModel';

export interface TrainerOptions extends TrainSetup {
  /** Examples per step; all of them when left out. */
  readonly batch?: number;
  /** Options of each step's runner (memory budget, progress, output, yielding). */
  readonly runner?: Omit<RunnerInit, 'ops' | 'keepWeights'>;
}

/**
 * Trains a model step by step. Each step is a run of its own (a {@link Runner} over the step's program, see
 * src/runner/train/trainingModel.ts), so it can be stepped through in the debugger like any run; {@link finish}
 * takes what a finished step made: its loss, the new weights and the optimizer's new state. The loaded model is
 * never changed.
 */
export class Trainer {
  /** The loss of each finished step, measured in its forward pass (before its update). */
  readonly losses: number[] = [];
  /** The trainable weights as trained so far, by name. */
  private readonly trained = new Map<string, Tensor>();
  private readonly state = new Map<string, Tensor>();
  private readonly layouts = new Map<Model, TrainingLayout>();
  private current?: { runner: Runner; layout: TrainingLayout; step: number };
  readonly batch: number;

  private constructor(
    readonly model: Model,
    readonly data: TrainData,
    readonly options: TrainerOptions,
  ) {
    checkLearningRate(options.optimizer, options.learningRate);
    const batch = options.batch ?? data.rows;
    if (!Number.isSafeInteger(batch) || batch < 1) throw new RunnerError(`the batch size must be a whole number of at least 1, got ${batch}`);
    this.batch = Math.min(batch, data.rows);
    for (const name of data.targets.keys()) {
      if (!model.outputs.some((v) => v.name === name) && !model.root.outputs.includes(name)) {
        const outs = model.outputs.length ? model.outputs.map((v) => v.name) : model.root.outputs;
        throw new RunnerError(`${data.source} gives a target for '${name}', but ${baseName(model.file)} has no output of that name; its outputs are ${outs.join(', ')}`);
      }
    }
  }

  /** A trainer of `model` on `data`; reads the weights the loader left in their files. */
  static async create(model: Model, data: TrainData, options: TrainerOptions): Promise<Trainer> {
    await loadPendingWeights(model);
    const trainer = new Trainer(model, data, options);
    trainer.layoutFor(1);
    return trainer;
  }

  /** Steps finished so far. */
  get steps(): number {
    return this.losses.length;
  }

  /** The names of the weights a step changes. */
  get trainable(): readonly string[] {
    return this.layoutFor(this.steps + 1).layout.trainable;
  }

  /** The runner of the next step, standing at its start; {@link finish} it once it has run to its end. */
  nextStep(): Runner {
    const step = this.steps + 1;
    const { layout, inputs, targets } = this.layoutFor(step);
    const given = new Map<string, Tensor>(inputs);
    for (const [out, t] of targets) given.set(layout.targets.get(out)!, t);
    // The optimizer's state starts at zeros.
    const state = new Map(this.state);
    for (const u of layout.updates) {
      for (const s of u.state) if (!state.has(s)) state.set(s, Tensor.zeros(this.model.weights.get(u.weight)!.shape));
    }
    const model = stepModel(layout, step, given, this.trained, state);
    const runner = new Runner(model, Object.fromEntries(given), { ...this.options.runner, ops: trainingOps(), keepWeights: false });
    this.current = { runner, layout, step };
    return runner;
  }

  /** Takes a finished step's loss and new weights; returns the loss. */
  finish(runner: Runner): number {
    const cur = this.current;
    if (!cur || cur.runner !== runner) throw new RunnerError('this run is not the trainer\'s current step');
    if (!runner.finished) throw new RunnerError(`step ${cur.step} has not run to its end`);
    const loss = Number(runner.valueAnyTime(LOSS_VALUE)!.data[0]);
    for (const u of cur.layout.updates) {
      this.trained.set(u.weight, runner.valueAnyTime(u.next)!);
      u.state.forEach((s, i) => this.state.set(s, runner.valueAnyTime(u.nextState[i])!));
    }
    this.losses.push(loss);
    this.current = undefined;
    return loss;
  }

  /** Runs `steps` steps to their ends, calling `onStep` after each; stops early when `cancelled` says so. */
  async train(steps: number, onStep?: (step: number, loss: number) => void, cancelled?: () => boolean): Promise<readonly number[]> {
    for (let i = 0; i < steps && !cancelled?.(); i++) {
      const runner = this.nextStep();
      try {
        await runner.continue();
        // (finish first: an optional call would not evaluate its arguments without onStep.)
        const loss = this.finish(runner);
        onStep?.(this.steps, loss);
      } finally {
        runner.dispose();
      }
    }
    return this.losses;
  }

  /** Every weight of the model as trained so far (the ones no step changes as loaded). */
  weights(): Map<string, Tensor> {
    const out = new Map(this.model.weights);
    for (const [n, t] of this.trained) out.set(n, t);
    return out;
  }

  /** The layout of a step's batch (one per set of input sizes), and its inputs and targets. */
  private layoutFor(step: number): { layout: TrainingLayout; inputs: Map<string, Tensor>; targets: Map<string, Tensor> } {
    const batch = batchOf(this.data, this.batch, step);
    const inputs = new Map(Object.entries(aliasInputs(this.model, Object.fromEntries(batch.inputs))));
    const { targets } = batch;
    let forward: Model;
    try {
      checkInputs(this.model, Object.fromEntries(inputs));
      forward = modelFor(this.model, inputs);
    } catch (e) {
      throw new RunnerError(`${baseName(this.model.file)} cannot take a batch of ${this.batchRows(step)} from ${this.data.source}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    let layout = this.layouts.get(forward);
    if (!layout) {
      layout = layoutTraining(forward, [...this.data.targets.keys()], this.options);
      this.layouts.set(forward, layout);
    }
    return { layout, inputs, targets };
  }

  private batchRows(step: number): number {
    const [start, end] = batchRange(this.data.rows, this.batch, step);
    return end - start;
  }
}

export type { TrainSetup } from './trainingModel';
