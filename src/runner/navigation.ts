import type { Item } from '../model/ir';
import { bindLine } from './lineBinding';
import type { TimelineEntry } from './timeline';
import type { Frame, Position, StopPoint } from './types';

/**
 * Where a debugger can send the run besides stepping: the layer or op of a line (Jump to Cursor, Run to Cursor),
 * and the child calls of a module (Step Into Target). Pure reads of the recorded timeline: nothing runs here.
 */

/** What the runner shows this module: its recorded timeline and frames, and where it stands. */
export interface TimelineView {
  readonly position: Position;
  readonly root: Item & { kind: 'module' };
  timeline(): readonly TimelineEntry[];
  frame(id: number): Frame | undefined;
}

/** A layer or op a move can go to. */
export interface ItemTarget {
  readonly itemId: string;
  readonly name: string;
  readonly kind: 'module' | 'node';
  /** Layer type of a module, op of a node. */
  readonly type: string;
  /** Its first line in the model file, when the format has lines. */
  readonly line?: number;
  /** A child that reads none of its siblings' values (Step Into Target): the head of a parallel branch. */
  readonly branch?: boolean;
}

/** A line's layer or op, with the recorded events a jump goes back (or forward) to. */
export interface GotoTarget extends ItemTarget {
  /**
   * The recorded event of its call and of its return nearest the position: the last one at or before it, else
   * the first one after it. Absent when the run has not got there yet (a jump then runs on to it).
   */
  readonly call?: number;
  readonly return?: number;
}

const typeOf = (item: Item): string => (item.kind === 'module' ? item.type : item.op);

function target(item: Item): ItemTarget {
  return { itemId: item.id, name: item.name, kind: item.kind, type: typeOf(item), ...(item.source ? { line: item.source.startLine } : {}) };
}

/**
 * The layer or op a line breakpoint on `line` would bind to (src/runner/lineBinding.ts), with its nearest recorded
 * call and return; none for a line outside every layer.
 */
export function gotoTargets(view: TimelineView, line: number): GotoTarget[] {
  const item = bindLine(view.root, line);
  if (!item) return [];
  const here = view.position.index;
  const nearest: Partial<Record<StopPoint, number>> = {};
  const entries = view.timeline();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (view.frame(e.frameId)?.item !== item) continue;
    // The last at or before the position; else the first after it (events come in order).
    if (i <= here || nearest[e.point] === undefined) nearest[e.point] = i;
  }
  return [{ ...target(item), ...(nearest.call !== undefined ? { call: nearest.call } : {}), ...(nearest.return !== undefined ? { return: nearest.return } : {}) }];
}

/** Step Into Target's children, and the frame (a module) they are called in. */
export interface StepInTargets {
  readonly frameId?: number;
  readonly targets: readonly ItemTarget[];
}

/**
 * The module whose children Step Into Target offers when `frameId` is focused: the frame itself when it is a
 * module of the stack that has children to call, else the module that called it.
 */
function steppingModule(view: TimelineView, frameId: number): Frame | undefined {
  const stack = view.position.stack;
  const k = stack.findIndex((f) => f.id === frameId);
  if (k < 0) return undefined;
  const own = stack[k];
  const returned = k === stack.length - 1 && view.position.point === 'return';
  if (own.item.kind === 'module' && own.item.body.length > 0 && !returned) return own;
  return k > 0 ? stack[k - 1] : undefined;
}

/**
 * Step Into Target: the direct children of the focused module that it has not called yet at the position, in
 * the order they run (a residual block's main branch and its shortcut, an inception block's branches, or the
 * layers of a plain block). Every child call is offered, not only the heads of parallel branches: the run goes
 * on to the chosen child's call, running the children before it. A control-flow module's body is made as it
 * runs, so it offers none.
 */
export function stepInTargets(view: TimelineView, frameId: number): StepInTargets {
  const parent = steppingModule(view, frameId);
  if (!parent || parent.item.kind !== 'module') return { targets: [] };
  const called = new Set<Item>();
  const entries = view.timeline();
  for (let i = 0; i <= view.position.index && i < entries.length; i++) {
    const e = entries[i];
    if (e.point !== 'call') continue;
    const f = view.frame(e.frameId);
    if (f?.parentId === parent.id) called.add(f.item);
  }
  const body = parent.item.body;
  const made = new Set(body.flatMap((c) => c.outputs));
  // A branch head reads nothing its siblings make: the module's input, or values from outside it.
  // Marked only where there are two or more (a plain sequence's first layer is no branch).
  const heads = new Set(body.filter((c) => c.inputs.every((n) => !made.has(n))));
  const branch = (c: Item): boolean => heads.size > 1 && heads.has(c);
  return { frameId: parent.id, targets: body.filter((c) => !called.has(c)).map((c) => ({ ...target(c), ...(branch(c) ? { branch: true } : {}) })) };
}
