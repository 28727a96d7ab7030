import type { GraphValue } from './graph';
import type { GraphTree, TreeBox } from './graphTree';

/**
 * The graph's search box. Terms separated by spaces must all hold:
 * - `dense`, `attn*`, `layer.?/mlp`: the name (or id) holds the text, case-insensitively; with `*` or `?` the
 *   whole name matches the pattern (`*` any run of characters, `?` one);
 * - `type:Conv`: the op or layer type holds the text;
 * - `has:nan`, `has:inf`: an output the run has made holds a NaN or an infinity;
 * - `dead>50`, `zeros>=90`, `nan>0`, `inf>0` (also `<`, `<=`, `=`): a measured property of an output, in percent
 *   for `dead` and `zeros`, a count for `nan` and `inf`. `dead` reads the run's tensor health when it measures it.
 * Spaces around `:` and the comparison are allowed, and `has nan` is `has:nan`.
 * Ops and modules match; runs of repeated blocks and terminals do not (their blocks do). Pure.
 */

export type SearchTerm =
  | { readonly kind: 'name'; readonly text: string; readonly glob: boolean }
  | { readonly kind: 'type'; readonly text: string }
  | { readonly kind: 'has'; readonly what: 'nan' | 'inf' }
  | { readonly kind: 'compare'; readonly property: 'dead' | 'zeros' | 'nan' | 'inf'; readonly op: '>' | '>=' | '<' | '<=' | '='; readonly value: number };

export type ParsedQuery = { readonly terms: readonly SearchTerm[] } | { readonly error: string };

const COMPARE = /^(dead|zeros|nan|inf)(>=|<=|>|<|=)(-?\d+(?:\.\d+)?)%?$/i;

/**
 * The query as terms. Written the way one says it, it means the same: `has NaN` is `has:nan`, `type: Conv` is
 * `type:Conv`, and `dead > 50%` is `dead>50`.
 */
export function parseQuery(query: string): ParsedQuery {
  const terms: SearchTerm[] = [];
  const compact = query
    .replace(/\bhas\s+(nan|inf)\b/gi, 'has:$1')
    .replace(/\b(type|has):\s+/gi, '$1:')
    .replace(/\b(dead|zeros|nan|inf)\s*(>=|<=|>|<|=)\s*(?=-?\d)/gi, '$1$2');
  for (const word of compact.trim().split(/\s+/).filter(Boolean)) {
    const lower = word.toLowerCase();
    if (lower.startsWith('type:')) {
      const text = lower.slice(5);
      if (!text) return { error: 'type: needs an op or layer type, as in type:Conv.' };
      terms.push({ kind: 'type', text });
    } else if (lower.startsWith('has:')) {
      const what = lower.slice(4);
      if (what !== 'nan' && what !== 'inf') return { error: `has: takes nan or inf, not '${word.slice(4)}'.` };
      terms.push({ kind: 'has', what });
    } else {
      const m = COMPARE.exec(word);
      if (m) {
        terms.push({ kind: 'compare', property: m[1].toLowerCase() as 'dead', op: m[2] as '>', value: Number(m[3]) });
      } else {
        terms.push({ kind: 'name', text: lower, glob: /[*?]/.test(word) });
      }
    }
  }
  return { terms };
}

/** Ids of the ops and modules that match every term, in the model's order. */
export function search(tree: GraphTree, terms: readonly SearchTerm[], values: ReadonlyMap<string, GraphValue>): string[] {
  if (terms.length === 0) return [];
  const out: string[] = [];
  const visit = (id: string) => {
    const b = tree.get(id);
    if (!b) return;
    if ((b.kind === 'node' || b.kind === 'module') && terms.every((t) => holds(t, b, values))) out.push(id);
    for (const c of b.children) visit(c);
  };
  for (const id of tree.top) visit(id);
  return out;
}

function holds(t: SearchTerm, b: TreeBox, values: ReadonlyMap<string, GraphValue>): boolean {
  switch (t.kind) {
    case 'name': {
      const name = b.name.toLowerCase();
      const id = b.id.toLowerCase();
      return t.glob ? globMatch(t.text, name) || globMatch(t.text, id) : name.includes(t.text) || id.includes(t.text);
    }
    case 'type': return b.type.toLowerCase().includes(t.text);
    case 'has': return b.outputs.some((v) => {
      const m = values.get(v);
      return !!m && (t.what === 'nan' ? m.nan > 0 : m.inf > 0);
    });
    case 'compare': return b.outputs.some((v) => {
      const m = values.get(v);
      const x = m && measure(m, t.property);
      return x !== undefined && compare(x, t.op, t.value);
    });
  }
}

function measure(m: GraphValue, p: 'dead' | 'zeros' | 'nan' | 'inf'): number | undefined {
  switch (p) {
    case 'dead': return m.dead === undefined ? undefined : m.dead * 100;
    case 'zeros': return m.zeros * 100;
    case 'nan': return m.nan;
    case 'inf': return m.inf;
  }
}

function compare(x: number, op: '>' | '>=' | '<' | '<=' | '=', v: number): boolean {
  switch (op) {
    case '>': return x > v;
    case '>=': return x >= v;
    case '<': return x < v;
    case '<=': return x <= v;
    case '=': return x === v;
  }
}

/** `*` any run of characters, `?` one; everything else literal. A backtracking walk, no regular expression. */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let s = 0;
  let star = -1;
  let mark = 0;
  while (s < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[s])) {
      p++;
      s++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = s;
    } else if (star >= 0) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
