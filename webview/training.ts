import type { FrameInfo, StopInfo, TrainingInfo } from '../src/protocol/engine';
import type { WireNumber } from '../src/protocol/webview';
import { decodeNumber, withLoss } from '../src/protocol/webview';
import { formatNumber } from './format';
import { formatLoss } from './lossCurve';

/**
 * What the panel knows of a session's training run: the loss of every finished step (step k's at index k − 1),
 * where the run stands, and its settings from the last stop. Stops and live `trainingLoss` events feed it
 * ({@link atStop}, {@link afterLoss}); a new timeline generation (every new step has one) keeps it. Pure.
 */
export interface TrainingState {
  readonly sessionId: string;
  readonly losses: readonly number[];
  /** The step the run is in (from 1), and how many it takes. */
  readonly step: number;
  readonly steps: number;
  /** The last stop's training settings; absent when the run has not stopped yet (Train N Steps without a stop). */
  readonly info?: TrainingInfo;
}

/** Losses as they cross postMessage: NaN (and ±Inf, in plain number fields) arrive as `null`. */
export function decodeLosses(values: readonly (WireNumber | null)[]): number[] {
  return values.map((v) => decodeNumber(v));
}

/**
 * The state at a stop: a stop knows every step its run has finished, so its losses replace those held (a
 * restarted run starts its curve over). Undefined for a stop outside a training run.
 */
export function atStop(sessionId: string, stop: StopInfo | undefined): TrainingState | undefined {
  const t = stop?.training;
  if (!t) return undefined;
  return { sessionId, losses: decodeLosses(t.losses as readonly (number | null)[]), step: t.step, steps: t.steps, info: t };
}

/**
 * After step `step` of `steps` finished with `loss`, while the run goes on: the curve has the point, and the run
 * is in the next step (or at the end of the last). The events come by another road than the stops and may lag
 * behind them (a run of many quick steps reaches its last stop first): a late one never moves the run back.
 */
export function afterLoss(held: TrainingState | undefined, sessionId: string, step: number, steps: number, loss: WireNumber | null): TrainingState {
  const same = held?.sessionId === sessionId ? held : undefined;
  return {
    sessionId,
    losses: withLoss(same?.losses ?? [], step, decodeNumber(loss)),
    step: Math.max(1, same?.step ?? 1, Math.min(steps, step + 1)),
    steps,
    info: same?.info,
  };
}

/** The snapshot's view of a session: its last stop, with the losses finished since. */
export function fromSnapshot(sessionId: string, stop: StopInfo | undefined, losses: readonly (WireNumber | null)[] | undefined): TrainingState | undefined {
  const base = atStop(sessionId, stop);
  if (!losses) return base;
  const values = decodeLosses(losses);
  if (!base && !values.length) return undefined;
  const steps = Math.max(base?.steps ?? 0, values.length);
  const step = base && values.length <= base.losses.length ? base.step : Math.min(steps, values.length + 1);
  return { sessionId, losses: values, step: Math.max(1, step), steps, info: base?.info };
}

/** The loss of the last finished step, if any (NaN when it was not a number). */
export function lastLoss(s: TrainingState): number | undefined {
  return s.losses.length ? s.losses[s.losses.length - 1] : undefined;
}

/** The training status line: `Training · step 3 of 20 · loss 0.0123 · sgd, lr 0.1 · batch 4 of 4`. */
export function describeTraining(s: TrainingState): string {
  const parts = ['Training', `step ${s.step} of ${s.steps}`];
  const loss = lastLoss(s);
  if (loss !== undefined) parts.push(`loss ${formatLoss(loss)}`);
  const info = s.info;
  if (info) {
    parts.push(`${info.optimizer}, lr ${formatNumber(info.learningRate)}`);
    parts.push(`batch ${info.batch} of ${info.rows}`);
  }
  return parts.join(' · ');
}

/** What a frame of a training step's backward pass or update shows, in one sentence. */
export function trainingNote(frame: Pick<FrameInfo, 'name' | 'kind' | 'type' | 'itemId'>): string | undefined {
  if (frame.itemId.startsWith('∂')) {
    return frame.kind === 'module'
      ? 'Backward pass: in, the gradient of the loss with respect to its output; out, with respect to its input and its weights.'
      : 'Backward pass: the gradients of the loss flow from this op\'s output to its inputs.';
  }
  if (frame.kind === 'node' && frame.type === 'update') return 'Update: the weight before (under Weights) and its gradient in; the weight after (new …) and the change (Δ…) out.';
  return undefined;
}
