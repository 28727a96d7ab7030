import type { Tensor } from '../engine/tensor';
import type { Model } from '../model/ir';
import { loadPendingWeights } from '../model/lazyWeights';
import { Runner } from '../runner/runner';
import type { RunnerInit } from '../runner/runner';
import { baseName, RunnerError } from '../runner/errors';
import { loadModel } from '../service/engineService';
import { FileModelSource } from './fileSource';
import { yieldToEventLoop } from './ports';

/**
 * A model file on the local disk, opened and run in this thread: the one road the command line (src/cli/) and
 * the scripting API (src/api.ts) share, so both open every format alike and fail with the same sentences.
 */

/**
 * Opens a model file of any registered format. Every weight is read here (a loader may leave weights in their
 * files until needed): the CLI's inspect shows every weight's statistics, and runs use them all.
 */
export async function openModelFile(path: string): Promise<Model> {
  const model = await loadModel(new FileModelSource(path));
  await loadPendingWeights(model);
  return model;
}

/** A runner over the given inputs (checked against the model's declarations by the runner). */
export function createRunner(model: Model, inputs: ReadonlyMap<string, Tensor>, options: RunnerInit = {}): Runner {
  return new Runner(model, Object.fromEntries(inputs), { yieldToHost: yieldToEventLoop, ...options });
}

/**
 * One forward pass through the stepping runner, without breakpoints, to the end: what a Run in the debugger does.
 * Returns the outputs by the model's output names; an op that fails rejects with the runner's sentence.
 */
export async function runToEnd(model: Model, inputs: ReadonlyMap<string, Tensor>, options: RunnerInit = {}): Promise<ReadonlyMap<string, Tensor>> {
  const runner = createRunner(model, inputs, options);
  const stop = await runner.continue();
  if (!runner.finished) {
    throw new RunnerError(`${baseName(runner.model.file)}: the run stopped early (${stop.reason}${stop.description ? `: ${stop.description}` : ''}).`, { file: model.file });
  }
  return runner.outputs();
}
