import type { FrameInfo, StopInfo } from '../protocol/engine';
import { healthBadge } from '../protocol/healthBadge';

/** The type of a training step's root module (src/runner/train/trainingModel.ts). */
const TRAINING_STEP = 'training step';

/**
 * A CALL STACK row: `hidden (dense)` for a module, `matmul` for an op, `✎ edited` when an edit changed it, its
 * health when notable (`⚠ dead 62%`, see src/protocol/healthBadge.ts), with `↩` at a return stop.
 */
export function frameLabel(f: FrameInfo, atReturn: boolean): string {
  const base = f.kind === 'module' ? (f.depth === 0 ? `${f.name} (${f.type === TRAINING_STEP ? f.type : 'model'})` : `${f.name} (${f.type})`) : f.name === f.type ? f.name : `${f.name} [${f.type}]`;
  const edited = f.edited ? `${base} ✎ edited` : base;
  const badge = healthBadge(f.health);
  const marked = badge ? `${edited} ${badge}` : edited;
  return atReturn ? `${marked} ↩ return` : marked;
}

/**
 * The text VS Code shows for a stop, beside the session in CALL STACK: it says plainly that the run is paused
 * (and why and where) or finished. VS Code itself says "Running" while a move is under way. In a training run it
 * says the step too (`Paused on entry · step 1 of 20`, `Step 3 of 20 finished · loss 0.0123`).
 */
export function describeStop(stop: StopInfo): string {
  const t = stop.training;
  if (!t) return describeForward(stop);
  if (stop.finished && (stop.reason === 'end' || stop.reason === 'pause')) {
    const loss = t.losses[t.step - 1];
    const tail = loss === undefined ? '' : ` · loss ${lossText(loss)}`;
    if (t.step >= t.steps) return `Training finished: ${t.steps} ${t.steps === 1 ? 'step' : 'steps'}${tail}`;
    return `${stop.reason === 'pause' ? 'Paused: step' : 'Step'} ${t.step} of ${t.steps} finished${tail}`;
  }
  return `${describeForward(stop)} · ${stepText(t.step, t.steps)}`;
}

function describeForward(stop: StopInfo): string {
  if (stop.reason === 'end') return 'Forward pass finished';
  const top = stop.stack[0];
  const where = top ? `${stop.point === 'call' ? 'call of' : 'return from'} ${top.name}` : 'the model';
  switch (stop.reason) {
    case 'entry': return 'Paused on entry';
    case 'breakpoint':
    case 'function breakpoint': return `Paused on ${stop.description || `breakpoint at ${where}`}`;
    case 'exception': return `Paused on exception: ${stop.exception?.message ?? stop.description ?? 'the engine failed'}`;
    default: return stop.description ? `Paused: ${stop.description}` : `Paused at ${where}`;
  }
}

/** `step 3 of 20`. */
export function stepText(step: number, steps: number): string {
  return `step ${step} of ${steps}`;
}

/** A loss for people: six significant digits (`0.0123457`, `1.5e-7`). */
export function lossText(loss: number): string {
  return Number.isFinite(loss) ? String(Number(loss.toPrecision(6))) : String(loss);
}

/**
 * The run has nothing more to do: a forward pass at its end, or a training run at its last step's end (a
 * training run between steps is not done: a forward move goes on into the next step).
 */
export function runDone(stop: StopInfo | undefined): boolean {
  if (!stop?.finished) return false;
  return !stop.training || stop.training.step >= stop.training.steps;
}

/** A divergence as one line: `max abs 0.031 · max rel 0.2 · cosine 0.9991`, with `diverged` when beyond the tolerance. */
export function divergenceText(d: { maxAbs: number | null; maxRel: number | null; cosine: number | null; diverged: boolean }): string {
  const n = (x: number | null): string => (x === null ? 'n/a (shapes differ)' : Number.isInteger(x) ? String(x) : x.toPrecision(3));
  const text = d.maxAbs === null ? 'shapes differ' : `max abs ${n(d.maxAbs)} · max rel ${n(d.maxRel)} · cosine ${n(d.cosine)}`;
  return d.diverged ? `${text} — diverged` : `${text} — agrees`;
}
