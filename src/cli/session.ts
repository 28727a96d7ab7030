import type { Tensor } from '../engine/tensor';
import type { Model } from '../model/ir';
import { loadPendingWeights } from '../model/lazyWeights';
import { loadModel } from '../service/engineService';
import { Runner } from '../runner/runner';
import type { RunnerInit } from '../runner/runner';
import { baseName } from '../runner/errors';
import { CliError } from './errors';
import { FileModelSource } from '../node/fileSource';

/**
 * Opens a model file of any registered format from the local disk. The CLI uses every weight (inspect's
 * statistics, runs), so weights a loader left in their files are read here.
 */
export async function openModelFile(path: string): Promise<Model> {
  const model = await loadModel(new FileModelSource(path));
  await loadPendingWeights(model);
  return model;
}

/** A runner over the given inputs (checked against the model's declarations by the runner). */
export function createRunner(model: Model, inputs: ReadonlyMap<string, Tensor>, options: RunnerInit = {}): Runner {
  return new Runner(model, Object.fromEntries(inputs), options);
}

/** One forward pass through the runner, to the end; returns the outputs by the model's output names. */
export async function runToEnd(
  model: Model,
  inputs: ReadonlyMap<string, Tensor>,
  onProgress?: (done: number, total: number) => void,
): Promise<ReadonlyMap<string, Tensor>> {
  return finish(createRunner(model, inputs, { onProgress }));
}

/** The bench's recorded run: the runner with no memory limit, so every intermediate value is kept. */
export async function recordedRun(model: Model, inputs: ReadonlyMap<string, Tensor>): Promise<ReadonlyMap<string, Tensor>> {
  return finish(createRunner(model, inputs, { memoryBudgetBytes: Infinity }));
}

/** Continues a runner without breakpoints to the end; an op that fails rejects with the runner's sentence. */
async function finish(runner: Runner): Promise<ReadonlyMap<string, Tensor>> {
  const stop = await runner.continue();
  if (!runner.finished) throw new CliError(`${baseName(runner.model.file)}: the run stopped early (${stop.reason}${stop.description ? `: ${stop.description}` : ''}).`);
  return runner.outputs();
}
