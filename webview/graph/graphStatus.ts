import type { StopInfo } from '../../src/protocol/engine';
import type { GraphValue } from '../../src/protocol/graph';
import type { GraphTree } from '../../src/protocol/graphTree';
import type { GraphView } from '../../src/protocol/graphView';
import { representative } from '../../src/protocol/graphView';
import type { Timeline } from '../timeline';

/**
 * Where the run stands, as the graph colours it: which items have run, which are on the stack, which one is
 * shown, and the frames each item was called in (for a click to go to). Pure: made from the panel's timeline.
 */
export interface RunState {
  /** Items whose call has returned by the stop's position. */
  readonly executed: ReadonlySet<string>;
  /** Items on the stack at the stop. */
  readonly active: ReadonlySet<string>;
  /** The item of the shown frame, or of the nearest frame around it that the graph has (control flow's copies have none). */
  readonly current?: string;
  /** Frame ids of each item, in call order. */
  readonly frames: ReadonlyMap<string, readonly number[]>;
}

export function runState(tree: GraphTree, timeline: Timeline, stop: StopInfo, shownFrameId: number | undefined): RunState {
  const executed = new Set<string>();
  const frames = new Map<string, number[]>();
  for (const id of timeline.order) {
    const span = timeline.span(id);
    if (!span) continue;
    const item = span.frame.itemId;
    const list = frames.get(item);
    if (list) list.push(id);
    else frames.set(item, [id]);
    if (span.ret !== undefined && span.ret <= stop.index) executed.add(item);
  }
  const active = new Set(stop.stack.map((f) => f.itemId));
  const at = Math.max(0, stop.stack.findIndex((f) => f.id === shownFrameId));
  const current = stop.stack.slice(at).find((f) => tree.get(f.itemId))?.itemId;
  return { executed, active, ...(current !== undefined ? { current } : {}), frames };
}

/**
 * The frame a click on `item` goes to: its latest call at or before the position (a loop's body runs many
 * times), else its first. Undefined when the item has not been called.
 */
export function frameOf(state: RunState, timeline: Timeline, item: string, index: number): number | undefined {
  const list = state.frames.get(item);
  if (!list?.length) return undefined;
  let pick = list[0];
  for (const id of list) if ((timeline.span(id)?.call ?? Infinity) <= index) pick = id;
  return pick;
}

/** The boxes that hold a value with a NaN or an infinity: the op that made it and every box around that op. */
export function nonFiniteBoxes(tree: GraphTree, values: Iterable<GraphValue>): Set<string> {
  const out = new Set<string>();
  for (const v of values) {
    if (v.nan === 0 && v.inf === 0) continue;
    const op = tree.producer.get(v.name);
    if (!op || out.has(op)) continue;
    out.add(op);
    for (const a of tree.ancestors(op)) out.add(a);
  }
  return out;
}

/**
 * The classes of each drawn box: `current` (the shown frame's node, or the closed box that holds it), `active`
 * (on the stack: the current node's open boxes), `executed`, `pending`, `nonfinite` (holds a NaN or Inf),
 * `match` (a search match, or a closed box that holds one).
 */
export function boxClasses(
  tree: GraphTree, open: ReadonlySet<string>, view: GraphView, state: RunState | undefined, nonFinite: ReadonlySet<string>, matches: readonly string[],
): Map<string, string[]> {
  const currentBox = state?.current === undefined ? undefined : representative(tree, open, state.current);
  const matched = new Set(matches.map((m) => representative(tree, open, m)));
  const out = new Map<string, string[]>();
  for (const n of view.nodes) {
    const b = tree.get(n.id);
    if (!b) continue;
    const classes: string[] = [];
    if (state && b.kind !== 'input' && b.kind !== 'output') {
      const members = b.kind === 'repeat' ? b.children : [b.id];
      const active = members.some((m) => state.active.has(m));
      const executed = members.every((m) => state.executed.has(m));
      if (n.id === currentBox) classes.push('current');
      else if (active) classes.push('active');
      if (executed) classes.push('executed');
      else if (!active && n.id !== currentBox) classes.push('pending');
    }
    if (nonFinite.has(n.id)) classes.push('nonfinite');
    if (matched.has(n.id)) classes.push('match');
    out.set(n.id, classes);
  }
  return out;
}
