import type { LossName } from '../../engine/grad/losses';
import type { OptimizerName } from '../../engine/grad/optimizers';
import type { Item, Model, NodeDef } from '../../model/ir';
import { outputNames } from '../plan';

/** The op that makes a value, found by a walk of the module tree (undefined for inputs and weights). */
function producerOf(root: Item, value: string): NodeDef | undefined {
  if (root.kind === 'node') return root.outputs.includes(value) ? root : undefined;
  for (const child of root.body) {
    const found = producerOf(child, value);
    if (found) return found;
  }
  return undefined;
}

/**
 * The loss a model's last op suggests: cross-entropy from probabilities after softmax or sigmoid, mean squared
 * error otherwise (a regression, or logits whose loss the user names).
 */
export function suggestedLoss(model: Model): LossName {
  const out = outputNames(model)[0];
  const op = out ? producerOf(model.root, out)?.op : undefined;
  if (op === 'softmax') return 'cce';
  if (op === 'sigmoid') return 'bce';
  return 'mse';
}

/**
 * Examples per step when none is asked for: all of them, unless the model fixes its batch size (a first axis of a
 * fixed size), in which case that many.
 */
export function suggestedBatch(model: Model, rows: number): number {
  const first = model.inputs[0]?.shape[0];
  return typeof first === 'number' && first > 0 && first < rows ? first : rows;
}

/** The learning rate of a Train when neither the caller nor the model file gives one. */
export const DEFAULT_LEARNING_RATE = 0.01;

/** What a training run is asked for; anything left out is filled in by {@link trainSettings}. */
export interface TrainAsk {
  readonly loss?: LossName;
  readonly optimizer?: OptimizerName;
  readonly learningRate?: number;
  readonly steps?: number;
  readonly batch?: number;
}

export type TrainSettings = Required<TrainAsk>;

/**
 * A training run's settings: what is asked, else the model file's training hints, else the loss its last op
 * suggests, SGD, learning rate 0.01, one step, and all the data per step (or the model's fixed batch size).
 */
export function trainSettings(model: Model, ask: TrainAsk, rows: number): TrainSettings {
  const hints = model.training ?? {};
  return {
    loss: ask.loss ?? hints.loss ?? suggestedLoss(model),
    optimizer: ask.optimizer ?? hints.optimizer ?? 'sgd',
    learningRate: ask.learningRate ?? hints.learningRate ?? DEFAULT_LEARNING_RATE,
    steps: ask.steps ?? hints.steps ?? 1,
    batch: ask.batch ?? hints.batch ?? suggestedBatch(model, rows),
  };
}
