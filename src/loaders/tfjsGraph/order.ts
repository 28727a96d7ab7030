import type { JsonDocument } from '../native/json';
import type { TfInput, TfNode } from './graphDef';

/**
 * The nodes a run needs, in an order where every node follows its inputs: the nodes the outputs depend on,
 * visited depth first in file order. A TF1 loop's back edge (NextIteration into Merge) is not followed, so
 * such a graph still orders and fails at its control-flow node when run; any other cycle is refused, naming
 * a node on it. Iterative, so a deep graph cannot exhaust the stack.
 */
export function orderNodes(doc: JsonDocument, nodes: readonly TfNode[], byName: ReadonlyMap<string, TfNode>, outputs: readonly TfInput[]): TfNode[] {
  const state = new Map<TfNode, 1 | 2>();
  const order: TfNode[] = [];
  const deps = (n: TfNode): TfNode[] => n.inputs
    .map((i) => byName.get(i.node)!)
    .filter((d) => !(n.op === 'Merge' && d.op === 'NextIteration'));
  const visit = (start: TfNode): void => {
    if (state.has(start)) return;
    const stack: { node: TfNode; next: number; deps: TfNode[] }[] = [{ node: start, next: 0, deps: deps(start) }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next < top.deps.length) {
        const d = top.deps[top.next++];
        const s = state.get(d);
        if (s === 1) {
          const path = stack.slice(stack.findIndex((f) => f.node === d)).map((f) => `'${f.node.name}'`);
          throw doc.error(d.json, `node '${d.name}' (${d.op}) depends on itself through ${path.join(' → ')} → '${d.name}'; a graph model must be acyclic outside TF1 loops.`);
        }
        if (s === undefined) {
          state.set(d, 1);
          stack.push({ node: d, next: 0, deps: deps(d) });
        }
        continue;
      }
      state.set(top.node, 2);
      order.push(top.node);
      stack.pop();
    }
  };
  // Mark what the outputs need, then emit it in file order.
  const needed = new Set<TfNode>();
  const work = outputs.map((o) => byName.get(o.node)!);
  while (work.length) {
    const n = work.pop()!;
    if (needed.has(n)) continue;
    needed.add(n);
    for (const i of n.inputs) work.push(byName.get(i.node)!);
  }
  for (const n of nodes) if (needed.has(n)) visit(n);
  return order;
}
