import type { JsonDocument } from '../native/json';
import type { TfInput, TfNode } from './graphDef';

/**
 * TF1 while loops as tf.while_loop wrote them (and tfjs-converter kept them): a frame of nodes entered through
 * `Enter` (all with the frame's `frame_name`), one `Merge` per loop variable joining its Enter and its
 * `NextIteration`, the condition computed from the Merges into `LoopCond`, one `Switch` per variable on that
 * condition (`:1` into the body, `:0` to `Exit`), and the body computing each NextIteration's input. Loop-invariant
 * Enters (`is_constant`) pass an outer value in unchanged. A frame is rebuilt here into its parts, so the loader
 * can make it one `while` module (src/model/ir.ts WhileFlow): the condition reads the Merges, the body the
 * Switches' true outputs.
 */

export interface LoopVar {
  readonly enter: TfNode;
  readonly merge: TfNode;
  readonly next: TfNode;
  readonly switch?: TfNode;
  readonly exit?: TfNode;
}

export interface Frame {
  readonly name: string;
  /** Stands for the whole frame when the graph is ordered: reads every outer value the frame reads. */
  readonly node: TfNode;
  readonly vars: readonly LoopVar[];
  readonly loopCond: TfNode;
  /** The nodes computing LoopCond's input from the Merges, in file order. */
  readonly cond: readonly TfNode[];
  /** The nodes computing the NextIterations' inputs from the Switches' true outputs, in file order. */
  readonly body: readonly TfNode[];
  /** Every node the frame owns (not its Exits): left out of the outer graph. */
  readonly members: ReadonlySet<TfNode>;
}

export interface Frames {
  readonly frames: readonly Frame[];
  /** Loop-invariant Enter → the outer value it passes in (its input). */
  readonly alias: ReadonlyMap<string, TfInput>;
  /** The graph for ordering: frame members replaced by each frame's node, Exits reading it. */
  readonly nodes: readonly TfNode[];
  /** Exit node name → its frame and loop variable. */
  readonly exits: ReadonlyMap<string, { frame: Frame; index: number }>;
}

const LOOP_OPS = new Set(['Enter', 'Merge', 'Switch', 'Exit', 'NextIteration', 'LoopCond', 'RefEnter', 'RefMerge', 'RefSwitch', 'RefExit', 'RefNextIteration']);

/** The frame-owned nodes that only steer control (left out, never run). */
const steering = (n: TfNode): boolean => LOOP_OPS.has(n.op);

export function findFrames(doc: JsonDocument, nodes: readonly TfNode[], byName: ReadonlyMap<string, TfNode>): Frames {
  const enters = new Map<string, TfNode[]>();
  for (const n of nodes) {
    if (n.op !== 'Enter' && n.op !== 'RefEnter') continue;
    const frame = typeof n.attrs.frame_name === 'string' ? n.attrs.frame_name : '';
    if (!frame) throw doc.error(n.json, `Enter node '${n.name}' has no frame_name, so the loop it enters is unknown.`);
    enters.set(frame, [...(enters.get(frame) ?? []), n]);
  }
  const alias = new Map<string, TfInput>();
  if (enters.size === 0) return { frames: [], alias, nodes, exits: new Map() };

  const readers = new Map<string, { node: TfNode; input: TfInput }[]>();
  for (const n of nodes) for (const i of n.inputs) readers.set(i.node, [...(readers.get(i.node) ?? []), { node: n, input: i }]);
  const readersOf = (n: TfNode, index?: number): TfNode[] => (readers.get(n.name) ?? []).filter((r) => index === undefined || r.input.index === index).map((r) => r.node);
  const enterFrame = new Map<TfNode, string>();
  for (const [f, list] of enters) for (const e of list) enterFrame.set(e, f);

  const frames: Frame[] = [];
  const exits = new Map<string, { frame: Frame; index: number }>();
  const owned = new Map<TfNode, string>();
  for (const [name, list] of enters) {
    const first = list[0];
    // What lies inside: everything reachable from the Enters, up to the Exits.
    const inside = new Set<TfNode>();
    const work = [...list];
    while (work.length) {
      const n = work.pop()!;
      if (inside.has(n)) continue;
      if (n !== first && enterFrame.has(n) && enterFrame.get(n) !== name) {
        throw doc.error(n.json, `loop frame '${enterFrame.get(n)}' (Enter node '${n.name}') is nested inside loop frame '${name}'; nested TF1 loops are not supported.`);
      }
      inside.add(n);
      if (n.op === 'Exit' || n.op === 'RefExit') continue;
      work.push(...readersOf(n));
    }
    for (const n of inside) {
      if (owned.has(n) && owned.get(n) !== name) throw doc.error(n.json, `node '${n.name}' (${n.op}) belongs to both loop frames '${owned.get(n)}' and '${name}'.`);
      owned.set(n, name);
    }
    const vars: LoopVar[] = [];
    let loopCond: TfNode | undefined;
    for (const enter of list) {
      const merges = readersOf(enter).filter((r) => r.op === 'Merge' || r.op === 'RefMerge');
      if (enter.attrs.is_constant === true || merges.length === 0) {
        if (enter.inputs.length !== 1) throw doc.error(enter.json, `Enter node '${enter.name}' reads ${enter.inputs.length} values; an Enter passes one value into its loop.`);
        alias.set(enter.name, enter.inputs[0]);
        continue;
      }
      if (merges.length > 1) throw doc.error(merges[1].json, `Enter node '${enter.name}' of loop frame '${name}' feeds ${merges.length} Merge nodes; a loop variable has one.`);
      const merge = merges[0];
      const from = merge.inputs.map((i) => byName.get(i.node)!);
      const next = from.find((f) => f.op === 'NextIteration' || f.op === 'RefNextIteration');
      if (merge.inputs.length !== 2 || !next || !from.includes(enter) || merge.inputs.some((i) => i.index !== 0)) {
        throw doc.error(merge.json, `Merge node '${merge.name}' of loop frame '${name}' reads ${merge.inputs.map((i) => `'${i.node}' (${byName.get(i.node)!.op})`).join(', ')}; a loop variable's Merge reads its Enter and its NextIteration.`);
      }
      if (next.inputs.length !== 1) throw doc.error(next.json, `NextIteration node '${next.name}' reads ${next.inputs.length} values; it passes one value to the next iteration.`);
      const switches = readersOf(merge).filter((r) => r.op === 'Switch' || r.op === 'RefSwitch');
      if (switches.length > 1) throw doc.error(switches[1].json, `Merge node '${merge.name}' of loop frame '${name}' feeds ${switches.length} Switch nodes; a loop variable has one.`);
      const sw = switches[0];
      if (sw) {
        const pred = byName.get(sw.inputs[1]?.node ?? '');
        if (!pred || pred.op !== 'LoopCond' || sw.inputs[0].node !== merge.name) {
          throw doc.error(sw.json, `Switch node '${sw.name}' of loop frame '${name}' does not switch its Merge on the frame's LoopCond.`);
        }
        if (loopCond && loopCond !== pred) throw doc.error(sw.json, `loop frame '${name}' has two LoopCond nodes, '${loopCond.name}' and '${pred.name}'; a loop has one condition.`);
        loopCond = pred;
      }
      const outs = sw ? readersOf(sw, 0) : [];
      const exit = outs.find((r) => r.op === 'Exit' || r.op === 'RefExit');
      const stray = outs.find((r) => r.op !== 'Exit' && r.op !== 'RefExit');
      if (stray) throw doc.error(stray.json, `node '${stray.name}' (${stray.op}) reads the false output of Switch '${sw!.name}' in loop frame '${name}'; only an Exit may.`);
      vars.push({ enter, merge, next, switch: sw, exit });
    }
    if (vars.length === 0) throw doc.error(first.json, `loop frame '${name}' has no loop variable: none of its Enter nodes feeds a Merge.`);
    if (!loopCond) throw doc.error(first.json, `loop frame '${name}' has no LoopCond: no Switch decides whether its body runs.`);
    if (!vars.some((v) => v.exit)) throw doc.error(loopCond.json, `loop frame '${name}' has no Exit node, so no value leaves the loop.`);

    // The condition: back from LoopCond's input to the Merges; the body: back from the NextIterations to the Switches.
    const merges = new Set(vars.map((v) => v.merge));
    const switches = new Set(vars.flatMap((v) => (v.switch ? [v.switch] : [])));
    const outer: TfInput[] = [];
    const slice = (starts: readonly TfInput[], what: 'condition' | 'body', stop: (n: TfNode, i: TfInput) => boolean): TfNode[] => {
      const got = new Set<TfNode>();
      const work2 = [...starts];
      while (work2.length) {
        const i = work2.pop()!;
        const n = byName.get(i.node)!;
        if (stop(n, i) || got.has(n)) continue;
        if (alias.has(n.name)) {
          outer.push(alias.get(n.name)!);
          continue;
        }
        if (!inside.has(n)) {
          outer.push(i);
          continue;
        }
        if (steering(n)) {
          throw doc.error(n.json, `the ${what} of loop frame '${name}' reads ${n.op} node '${n.name}' directly; it reads loop variables through ${what === 'body' ? 'the Switches' : 'the Merges'} only.`);
        }
        got.add(n);
        work2.push(...n.inputs);
      }
      return nodes.filter((n) => got.has(n));
    };
    const cond = slice([loopCond.inputs[0]], 'condition', (n, i) => merges.has(n) && i.index === 0);
    if (!loopCond.inputs[0]) throw doc.error(loopCond.json, `LoopCond node '${loopCond.name}' reads no condition.`);
    const body = slice(vars.map((v) => v.next.inputs[0]), 'body', (n, i) => switches.has(n) && i.index === 1);
    const shared = body.find((n) => cond.includes(n));
    if (shared) throw doc.error(shared.json, `node '${shared.name}' (${shared.op}) is computed by both the condition and the body of loop frame '${name}'; each needs its own.`);
    const members = new Set<TfNode>([...inside].filter((n) => n.op !== 'Exit' && n.op !== 'RefExit'));
    const reads = [...vars.map((v) => v.enter.inputs[0]), ...outer].filter((i, k, all) => all.findIndex((j) => j.node === i.node && j.index === i.index) === k);
    const node: TfNode = { name: ` while ${name}`, op: 'While', inputs: reads, attrs: {}, json: first.json, index: first.index };
    const frame: Frame = { name, node, vars, loopCond, cond, body, members };
    vars.forEach((v, index) => v.exit && exits.set(v.exit.name, { frame, index }));
    frames.push(frame);
  }

  // Nothing outside a frame may read its inside but through an Exit.
  const memberOf = new Map<TfNode, Frame>();
  for (const f of frames) for (const m of f.members) memberOf.set(m, f);
  for (const n of nodes) {
    if (memberOf.has(n)) continue;
    for (const i of n.inputs) {
      const src = byName.get(i.node)!;
      const f = memberOf.get(src);
      if (f && !(exits.has(n.name) && exits.get(n.name)!.frame === f)) {
        throw doc.error(n.json, `node '${n.name}' (${n.op}) reads '${src.name}' from inside loop frame '${f.name}' without an Exit.`);
      }
    }
  }
  const ordered: TfNode[] = [];
  const placed = new Set<Frame>();
  for (const n of nodes) {
    const f = memberOf.get(n);
    if (f) {
      if (!placed.has(f)) ordered.push(f.node);
      placed.add(f);
      continue;
    }
    const e = exits.get(n.name);
    ordered.push(e ? { ...n, inputs: [{ node: e.frame.node.name, index: e.index }] } : n);
  }
  return { frames, alias, nodes: ordered, exits };
}
