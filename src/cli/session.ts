import type { Tensor } from '../engine/tensor';
import type { Model } from '../model/ir';
import { runToEnd as runModelToEnd } from '../node/localModel';
import type { RunnerInit } from '../runner/runner';

export { createRunner, openModelFile } from '../node/localModel';

/**
 * One forward pass through the runner, to the end; returns the outputs by the model's output names. `options`
 * carry what the command line adds to the run: progress, and `--set` edits.
 */
export function runToEnd(
  model: Model,
  inputs: ReadonlyMap<string, Tensor>,
  options: Pick<RunnerInit, 'onProgress' | 'edits'> = {},
): Promise<ReadonlyMap<string, Tensor>> {
  return runModelToEnd(model, inputs, options);
}

/** The bench's recorded run: the runner with no memory limit, so every intermediate value is kept. */
export function recordedRun(model: Model, inputs: ReadonlyMap<string, Tensor>): Promise<ReadonlyMap<string, Tensor>> {
  return runModelToEnd(model, inputs, { memoryBudgetBytes: Infinity });
}
