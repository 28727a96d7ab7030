import { LOSS_NAMES } from '../../engine/grad/losses';
import { OPTIMIZER_NAMES } from '../../engine/grad/optimizers';
import type { TrainingHints } from '../../model/ir';
import type { JsonDocument, JsonNode } from './json';
import { describe, entries, prop } from './json';

/** The keys of `"training"`, in the order messages list them. */
export const TRAINING_KEYS: readonly (keyof TrainingHints)[] = ['loss', 'optimizer', 'learningRate', 'steps', 'batch'];

/**
 * The model's `"training"`: how it suggests a Train on it be run (loss, optimizer, learning rate, steps, batch),
 * each optional. Undefined when the file does not say.
 */
export function readTraining(doc: JsonDocument, root: JsonNode): TrainingHints | undefined {
  const node = prop(root, 'training');
  if (!node) return undefined;
  if (node.type !== 'object') {
    throw doc.error(node, `"training" is ${describe(node)}; expected an object such as { "loss": "mse", "optimizer": "sgd", "learningRate": 0.1, "steps": 60 }.`);
  }
  for (const [key, keyNode] of entries(node)) {
    if (!(TRAINING_KEYS as readonly string[]).includes(key)) throw doc.error(keyNode, `"training" has no property '${key}'; it takes ${TRAINING_KEYS.join(', ')}.`);
  }
  const oneOf = <T extends string>(key: string, names: readonly T[]): T | undefined => {
    const v = prop(node, key);
    if (!v) return undefined;
    if (v.type !== 'string' || !(names as readonly string[]).includes(v.value)) {
      throw doc.error(v, `"training" ${key} is ${describe(v)}; expected one of ${names.map((n) => `'${n}'`).join(', ')}.`);
    }
    return v.value as T;
  };
  const count = (key: string): number | undefined => {
    const v = prop(node, key);
    if (!v) return undefined;
    if (v.type !== 'number' || !Number.isInteger(v.value) || (v.value as number) < 1) {
      throw doc.error(v, `"training" ${key} is ${describe(v)}; expected a whole number of at least 1.`);
    }
    return v.value as number;
  };
  const rate = (key: string): number | undefined => {
    const v = prop(node, key);
    if (!v) return undefined;
    if (v.type !== 'number' || !((v.value as number) > 0) || !Number.isFinite(v.value)) {
      throw doc.error(v, `"training" ${key} is ${describe(v)}; expected a number greater than 0, such as 0.01.`);
    }
    return v.value as number;
  };
  const hints: TrainingHints = {
    loss: oneOf('loss', LOSS_NAMES),
    optimizer: oneOf('optimizer', OPTIMIZER_NAMES),
    learningRate: rate('learningRate'),
    steps: count('steps'),
    batch: count('batch'),
  };
  return Object.fromEntries(Object.entries(hints).filter(([, v]) => v !== undefined)) as TrainingHints;
}
