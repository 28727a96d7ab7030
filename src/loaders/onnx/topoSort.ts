import { ModelError } from '../../model/errors';

/** What the sort needs of a node: a label for messages, the values it reads (subgraph reads included) and makes. */
export interface SortItem {
  /** `node '/encoder/MatMul' (MatMul)`. */
  readonly label: string;
  readonly reads: readonly string[];
  readonly outputs: readonly string[];
}

/**
 * Orders nodes so that each comes after the producers of what it reads, keeping the file's order where it
 * already is one (exporters write nodes in execution order, and the module tree follows the order). Refuses,
 * with one sentence naming a node, a graph where a node reads a value nothing defines, where two nodes define
 * the same value, or where nodes form a cycle. `defined` holds what exists before any node runs (graph
 * inputs, initializers, constants, values of enclosing graphs).
 */
export function topoSort<T extends SortItem>(items: readonly T[], defined: ReadonlySet<string>, file: string): T[] {
  const producer = new Map<string, number>();
  items.forEach((item, i) => {
    for (const out of item.outputs) {
      if (out === '') continue;
      const prior = producer.get(out);
      if (prior !== undefined) throw new ModelError(`${file}: ${item.label} defines '${out}', which ${items[prior].label} already defines.`, file);
      if (defined.has(out)) throw new ModelError(`${file}: ${item.label} defines '${out}', which is already a graph input, initializer or constant.`, file);
      producer.set(out, i);
    }
  });
  const deps = items.map((item) => {
    const d: number[] = [];
    for (const name of item.reads) {
      if (name === '' || defined.has(name)) continue;
      const p = producer.get(name);
      if (p === undefined) throw new ModelError(`${file}: ${item.label} reads '${name}', which no node, graph input or initializer defines.`, file);
      d.push(p);
    }
    return d;
  });

  // Depth-first, in file order, producers before readers; iterative so that long chains do not overflow the stack.
  const state = new Uint8Array(items.length); // 0 new, 1 on the stack, 2 placed
  const order: T[] = [];
  for (let start = 0; start < items.length; start++) {
    if (state[start] === 2) continue;
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [i, k] = top;
      if (k < deps[i].length) {
        top[1]++;
        const j = deps[i][k];
        if (state[j] === 1) throw cycleError(items, stack.map(([n]) => n), j, file);
        if (state[j] === 0) {
          state[j] = 1;
          stack.push([j, 0]);
        }
      } else {
        state[i] = 2;
        order.push(items[i]);
        stack.pop();
      }
    }
  }
  return order;
}

function cycleError(items: readonly SortItem[], path: readonly number[], back: number, file: string): ModelError {
  const cycle = path.slice(path.indexOf(back));
  // The stack runs from readers to their producers; show the data flow, producer first.
  const names = [...cycle].reverse().map((i) => items[i].label);
  return new ModelError(
    `${file}: ${items[back].label} is part of a cycle (${[...names, names[0]].join(' → ')}); an ONNX graph must be acyclic.`, file);
}
