import type { Item, ModuleDef, SourceRange } from '../model/ir';

const contains = (r: SourceRange | undefined, line: number): boolean => r !== undefined && r.startLine <= line && line <= r.endLine;
const sameLines = (a: SourceRange | undefined, b: SourceRange | undefined): boolean =>
  a !== undefined && b !== undefined && a.startLine === b.startLine && a.endLine === b.endLine;

/**
 * The item a line breakpoint binds to: the innermost module or node under the root whose source range
 * holds the line. A child whose lines are exactly its parent's (a dense layer's matmul and add pointing
 * at the layer) does not count as deeper, so the breakpoint binds to the layer the user sees; a child
 * with lines of its own (the `"activation"` line) does. Items without a source are transparent: their
 * children are searched. The root (the whole file) is never bound.
 */
export function bindLine(root: ModuleDef, line: number): Item | undefined {
  return innermost(root.body, line, undefined);
}

/** The first item holding the line with lines other than `outer`'s, else the first holding it at all. */
function innermost(items: readonly Item[], line: number, outer: SourceRange | undefined): Item | undefined {
  let fallback: Item | undefined;
  for (const item of items) {
    let found: Item | undefined;
    if (contains(item.source, line)) found = item.kind === 'module' ? deepest(item, line) : item;
    else if (!item.source && item.kind === 'module') found = innermost(item.body, line, outer);
    if (!found) continue;
    if (!sameLines(found.source, outer)) return found;
    fallback ??= found;
  }
  return fallback;
}

function deepest(m: ModuleDef, line: number): Item {
  const inner = innermost(m.body, line, m.source);
  return inner && !sameLines(inner.source, m.source) ? inner : m;
}
