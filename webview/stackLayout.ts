import type { Divergence } from '../src/protocol/engine';
import type { Timeline } from './timeline';

/** Geometry of the stack-over-time view (an icicle chart: x = timeline index, y = depth). Pure. */

export type BarState =
  /** The frame the session stands in. */
  | 'current'
  /** A caller of the current frame. */
  | 'stack'
  /** Called before the current position (and returned, unless it is on the stack). */
  | 'past'
  /** Recorded but after the current position (after a step back): not run yet at this point. */
  | 'future';

/**
 * The part of a training step a frame belongs to (the step's own frame has none): the model's forward pass, the
 * loss, the backward pass (the `∂` frames, and the sums of gradients that reach a value from several uses) and
 * the update of the weights. Frames outside a training step have no phase.
 */
export type Phase = 'forward' | 'loss' | 'backward' | 'update';

/** The module type of a training step's frame (src/runner/train/trainingModel.ts). */
export const TRAINING_STEP_TYPE = 'training step';

export interface StackBar {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly kind: 'module' | 'node';
  readonly depth: number;
  readonly call: number;
  /** Undefined while the frame has not returned in the recording. */
  readonly ret?: number;
  /** Where a click goes: the return event when recorded, else the call. */
  readonly target: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly state: BarState;
  /** A what-if edit changed one of its outputs or weights. */
  readonly edited: boolean;
  /** In a compared run, how far its first output is from the counterpart's (once it has returned). */
  readonly divergence?: Divergence;
  /** In a training step, the part of it the frame belongs to. */
  readonly phase?: Phase;
}

export interface StackLayout {
  readonly bars: readonly StackBar[];
  readonly width: number;
  readonly height: number;
  /** Width of one timeline event. */
  readonly eventWidth: number;
  /** Left edge of the region not recorded yet (equal to `width` when all is recorded). */
  readonly recordedX: number;
  /** Centre of the current event, or undefined without a position. */
  readonly cursorX?: number;
  /** The phases the bars show (for the legend); empty outside a training step. */
  readonly phases: readonly Phase[];
}

export interface StackOptions {
  /** Events of a full pass, as the outline counts them (the recording may end up longer, e.g. loops). */
  readonly totalEvents: number;
  /** The session's position: timeline index and the ids on its stack, innermost first. */
  readonly position?: { readonly index: number; readonly stack: readonly number[] };
  /** Width available; the view scrolls when events would be narrower than `minEventWidth`. */
  readonly width: number;
  readonly rowHeight: number;
  readonly minEventWidth: number;
}

export function layoutStack(t: Timeline, o: StackOptions): StackLayout {
  const events = Math.max(o.totalEvents, t.length, 1);
  const width = Math.max(o.width, Math.ceil(events * o.minEventWidth));
  const ew = width / events;
  const current = o.position?.stack[0];
  const onStack = new Set(o.position?.stack ?? []);
  const index = o.position?.index ?? t.length;
  const bars: StackBar[] = [];
  let maxDepth = 0;
  const phases = new Set<Phase>();
  const phaseOf = phaseFinder(t);
  for (const id of t.order) {
    const s = t.span(id);
    if (!s) continue;
    const end = s.ret ?? Math.max(s.call, t.length - 1);
    const state: BarState = id === current ? 'current' : onStack.has(id) ? 'stack' : s.call > index ? 'future' : 'past';
    const phase = phaseOf(id);
    if (phase) phases.add(phase);
    bars.push({
      id, name: s.frame.name, type: s.frame.type, kind: s.frame.kind, depth: s.frame.depth, call: s.call, ret: s.ret,
      target: s.ret ?? s.call, x: s.call * ew, y: s.frame.depth * o.rowHeight, width: (end - s.call + 1) * ew, state,
      edited: !!s.frame.edited, ...(s.frame.divergence ? { divergence: s.frame.divergence } : {}), ...(phase ? { phase } : {}),
    });
    maxDepth = Math.max(maxDepth, s.frame.depth + 1);
  }
  return {
    bars,
    width,
    height: Math.max(1, maxDepth) * o.rowHeight,
    eventWidth: ew,
    recordedX: Math.min(width, t.length * ew),
    cursorX: o.position ? (o.position.index + 0.5) * ew : undefined,
    phases: PHASES.filter((p) => phases.has(p)),
  };
}

export const PHASES: readonly Phase[] = ['forward', 'loss', 'backward', 'update'];

/**
 * The phase of each frame of `t`: a child of a training step's frame by its own item (`loss`, `∂…`, `update`;
 * the model's pass otherwise), anything deeper by that child's.
 */
function phaseFinder(t: Timeline): (id: number) => Phase | undefined {
  const memo = new Map<number, Phase | undefined>();
  const find = (id: number): Phase | undefined => {
    if (memo.has(id)) return memo.get(id);
    const f = t.span(id)?.frame;
    let phase: Phase | undefined;
    if (f && f.parentId !== undefined) {
      const parent = t.span(f.parentId)?.frame;
      if (parent && parent.parentId === undefined && parent.type === TRAINING_STEP_TYPE) phase = ownPhase(f.itemId, f.type);
      else if (parent) phase = find(parent.id);
    }
    memo.set(id, phase);
    return phase;
  };
  return find;
}

function ownPhase(itemId: string, type: string): Phase {
  if (itemId.startsWith('∂')) return 'backward';
  if (itemId === 'loss' || type === 'loss') return 'loss';
  if (itemId === 'update') return 'update';
  return 'forward';
}
