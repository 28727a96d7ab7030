/** The syntax tree of a tensor expression. Every node carries the 1-based column where it starts. */
export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly col: number }
  | { readonly kind: 'string'; readonly value: string; readonly col: number }
  | { readonly kind: 'name'; readonly name: string; readonly col: number }
  | { readonly kind: 'member'; readonly object: Expr; readonly property: string; readonly col: number }
  /** `f(x)` has no `object`; the method call `t.f(x)` has `object` t. */
  | { readonly kind: 'call'; readonly callee: string; readonly object?: Expr; readonly args: readonly Expr[]; readonly col: number }
  | { readonly kind: 'index'; readonly object: Expr; readonly items: readonly IndexItem[]; readonly col: number }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly operand: Expr; readonly col: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly col: number };

export type UnaryOp = '-' | '+' | '!';
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '**' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';

/** One entry between `[` and `]`: an index or a NumPy slice `start:stop:step` with any part left out. */
export type IndexItem =
  | { readonly kind: 'at'; readonly expr: Expr }
  | { readonly kind: 'slice'; readonly start?: Expr; readonly stop?: Expr; readonly step?: Expr };

/** Every free identifier an expression reads (not member names, not called function names). */
export function namesIn(e: Expr, into = new Set<string>()): Set<string> {
  switch (e.kind) {
    case 'number':
    case 'string':
      break;
    case 'name':
      into.add(e.name);
      break;
    case 'member':
      namesIn(e.object, into);
      break;
    case 'call':
      if (e.object) namesIn(e.object, into);
      for (const a of e.args) namesIn(a, into);
      break;
    case 'index':
      namesIn(e.object, into);
      for (const it of e.items) {
        if (it.kind === 'at') namesIn(it.expr, into);
        else for (const p of [it.start, it.stop, it.step]) if (p) namesIn(p, into);
      }
      break;
    case 'unary':
      namesIn(e.operand, into);
      break;
    case 'binary':
      namesIn(e.left, into);
      namesIn(e.right, into);
      break;
  }
  return into;
}
