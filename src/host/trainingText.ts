import type { Checked } from './whatIfText';

/** Train N Steps… asks for this many when the model file gives no `training.steps` hint. */
export const DEFAULT_TRAIN_STEPS = 20;
/** More steps than this is a typing mistake rather than a plan (a step is recorded frame by frame). */
export const MAX_TRAIN_STEPS = 1_000_000;

/**
 * The `training.steps` hint of a Layerstep model file, read from its text without parsing the whole file (a
 * model with inline weights can be megabytes): the first `"training": { … "steps": N … }` object, if any.
 */
export function stepsHint(text: string): number | undefined {
  const m = /"training"\s*:\s*\{[^{}]*?"steps"\s*:\s*(\d+)/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) && n >= 1 && n <= MAX_TRAIN_STEPS ? n : undefined;
}

/** The Train N Steps… input box: a whole number of steps, 1 or more. */
export function parseSteps(text: string): Checked<number> {
  const t = text.trim().replace(/[_\s]/g, '');
  if (!/^\d+$/.test(t)) return { error: `Type a whole number of steps, such as ${DEFAULT_TRAIN_STEPS}.` };
  const n = Number(t);
  if (n < 1) return { error: 'Train at least 1 step.' };
  if (n > MAX_TRAIN_STEPS) return { error: `At most ${MAX_TRAIN_STEPS.toLocaleString('en-US')} steps in one run.` };
  return { ok: n };
}

/** The file name Save Trained Weights… offers: `xor-trained.safetensors`. */
export function trainedWeightsFileName(modelName: string): string {
  const safe = modelName.replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
  return `${safe}-trained.safetensors`;
}

/**
 * The metadata a trained weights file carries, with the keys `layerstep train --save` writes (where it came from
 * and how it was trained), and the losses of the steps.
 */
export function trainedMetadata(modelFile: string, t: { loss: string; optimizer: string; learningRate: number; batch: number; data: string; losses: readonly number[] }): Record<string, string> {
  return {
    trainedFrom: modelFile, loss: t.loss, optimizer: t.optimizer, learningRate: String(t.learningRate),
    steps: String(t.losses.length), batch: String(t.batch), data: t.data, losses: JSON.stringify(t.losses),
  };
}
