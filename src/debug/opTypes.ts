import type { ModelOutline, OutlineNode } from '../protocol/engine';

/** A layer or op type of a model, and how many layers and ops have it (the BREAKPOINTS view's "Add Op Type Breakpoint…"). */
export interface TypeCount {
  readonly type: string;
  readonly layers: number;
  readonly ops: number;
}

/**
 * The model's layer types (`conv2d`, `dense`) and op types (`conv`, `matmul`), each with its counts, most used
 * first, then by name. The model's own module is left out: a `type:` breakpoint never stops there.
 */
export function typeCounts(outline: ModelOutline): TypeCount[] {
  const counts = new Map<string, { layers: number; ops: number }>();
  const visit = (n: OutlineNode): void => {
    const c = counts.get(n.type) ?? { layers: 0, ops: 0 };
    if (n.kind === 'module') c.layers++;
    else c.ops++;
    counts.set(n.type, c);
    n.children.forEach(visit);
  };
  outline.root.children.forEach(visit);
  return [...counts].map(([type, c]) => ({ type, ...c }))
    .sort((a, b) => b.layers + b.ops - (a.layers + a.ops) || a.type.localeCompare(b.type));
}

/** `2 layers`, `3 ops`, `1 layer, 1 op`. */
export function countText(c: TypeCount): string {
  const part = (n: number, one: string): string => (n ? `${n} ${one}${n === 1 ? '' : 's'}` : '');
  return [part(c.layers, 'layer'), part(c.ops, 'op')].filter(Boolean).join(', ');
}
