/**
 * Glob patterns for name breakpoints and `runTo`: `*` any run of characters (including `/`), `?` one
 * character, `[abc]` `[a-z]` `[!a-z]` `[^a-z]` one character of (or not of) a set, `\x` the character x.
 * An unclosed `[` is a literal `[`, as in shells. Matching is a plain backtracking walk over the pattern:
 * no regular expression is ever built from user text.
 */
export type GlobPart =
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'set'; readonly negate: boolean; readonly ranges: readonly (readonly [string, string])[] };

export function parseGlob(pattern: string): GlobPart[] {
  const parts: GlobPart[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      parts.push({ kind: 'char', char: pattern[++i] });
    } else if (c === '*') {
      if (parts[parts.length - 1]?.kind !== 'star') parts.push({ kind: 'star' });
    } else if (c === '?') {
      parts.push({ kind: 'any' });
    } else if (c === '[') {
      const set = parseSet(pattern, i);
      if (set) {
        parts.push(set.part);
        i = set.end;
      } else {
        parts.push({ kind: 'char', char: c });
      }
    } else {
      parts.push({ kind: 'char', char: c });
    }
  }
  return parts;
}

/** A `[...]` set starting at `open`, or undefined when it is never closed. A `]` right after `[` or `[!` is a member. */
function parseSet(pattern: string, open: number): { part: GlobPart; end: number } | undefined {
  let i = open + 1;
  const negate = pattern[i] === '!' || pattern[i] === '^';
  if (negate) i++;
  const ranges: [string, string][] = [];
  let first = true;
  for (; i < pattern.length; i++) {
    let c = pattern[i];
    if (c === ']' && !first) return { part: { kind: 'set', negate, ranges }, end: i };
    first = false;
    if (c === '\\' && i + 1 < pattern.length) c = pattern[++i];
    if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      let hi = pattern[i + 2];
      i += 2;
      if (hi === '\\' && i + 1 < pattern.length) hi = pattern[++i];
      ranges.push([c, hi]);
    } else {
      ranges.push([c, c]);
    }
  }
  return undefined;
}

export function isGlob(pattern: string): boolean {
  return parseGlob(pattern).some((p) => p.kind !== 'char');
}

function matchOne(p: GlobPart, c: string): boolean {
  switch (p.kind) {
    case 'char': return p.char === c;
    case 'any': return true;
    case 'set': return p.ranges.some(([lo, hi]) => c >= lo && c <= hi) !== p.negate;
    case 'star': return true;
  }
}

/**
 * Does the whole `text` match? Linear-time in practice: on a mismatch it resumes after the most recent
 * `*`, which is enough because a later star can absorb whatever an earlier one would have.
 */
export function globMatch(parts: readonly GlobPart[], text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const part = parts[p];
    if (part !== undefined && part.kind === 'star') {
      starP = p++;
      starT = t;
    } else if (part !== undefined && matchOne(part, text[t])) {
      p++;
      t++;
    } else if (starP !== -1) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (parts[p]?.kind === 'star') p++;
  return p === parts.length;
}

/** Compiles a pattern once for many matches. */
export function globMatcher(pattern: string): (text: string) => boolean {
  const parts = parseGlob(pattern);
  return (text) => globMatch(parts, text);
}
