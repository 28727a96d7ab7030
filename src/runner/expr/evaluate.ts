import { Tensor } from '../../engine/tensor';
import type { BinaryOp, Expr, IndexItem } from './ast';
import { BUILTINS } from './builtins';
import type { BuiltinContext } from './builtins';
import { WorkBudget } from './budget';
import { arithmeticDtype, map, zip } from './elementwise';
import type { Operand } from './elementwise';
import { ExpressionError } from './errors';
import { indexTensor } from './indexing';
import type { ResolvedIndex } from './indexing';
import { FORBIDDEN_NAMES, parseExpression } from './parser';
import { Collection, kindOf } from './values';
import type { Val } from './values';

/** The names an expression can read: a frame's scope, as the runner builds it. */
export interface EvalScope {
  /** The value of an identifier, or undefined when the scope has no such name. */
  lookup(name: string): Val | undefined;
  /** `value('…')`: any value by its name; throws when there is none. */
  value(name: string): Tensor;
  /** `weight('…')`: a weight by its name; throws when there is none (scopes without weights leave it out). */
  weight?(name: string): Tensor;
  /** Names to suggest when an identifier is unknown. */
  names(): readonly string[];
}

const CONSTANTS: ReadonlyMap<string, Val> = new Map<string, Val>([
  ['true', true], ['false', false], ['NaN', NaN], ['Infinity', Infinity], ['null', null],
]);

/** Tensor properties reachable with `.`: plain data, never JavaScript members. */
const TENSOR_PROPERTIES: ReadonlyMap<string, (t: Tensor) => Val> = new Map<string, (t: Tensor) => Val>([
  ['shape', (t) => [...t.shape]],
  ['size', (t) => t.size],
  ['dtype', (t) => t.dtype],
  ['rank', (t) => t.rank],
]);

/**
 * Evaluates an expression (text or parsed) in a scope by walking its tree. Nothing reaches JavaScript
 * objects by a user-supplied name: identifiers go to the scope, members to {@link Collection}s and a fixed
 * table of tensor properties, calls to {@link BUILTINS}. Work is bounded by a {@link WorkBudget}.
 */
export function evaluate(expression: string | Expr, scope: EvalScope, budget = new WorkBudget()): Val {
  const ast = typeof expression === 'string' ? parseExpression(expression) : expression;
  return new Evaluator(scope, budget).eval(ast);
}

/** Truth of a condition: booleans and numbers as usual, a one-element tensor by its element. */
export function truthy(v: Val, col?: number): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof Tensor) {
    if (v.size === 1) return v.data[0] !== 0;
    throw new ExpressionError(`${kindOf(v)} has no single truth value; use any(...) or all(...)`, col);
  }
  if (v instanceof Collection) throw new ExpressionError(`${kindOf(v)} has no truth value`, col);
  return v.length > 0;
}

const ARITHMETIC: Readonly<Record<string, (x: number, y: number) => number>> = {
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  '/': (x, y) => x / y,
  // Python's floor modulo: the result takes the divisor's sign, as in NumPy.
  '%': (x, y) => x - y * Math.floor(x / y),
  '**': (x, y) => x ** y,
};

const COMPARISON: Readonly<Record<string, (x: number, y: number) => boolean>> = {
  '<': (x, y) => x < y,
  '<=': (x, y) => x <= y,
  '>': (x, y) => x > y,
  '>=': (x, y) => x >= y,
  '==': (x, y) => x === y,
  '!=': (x, y) => x !== y,
};

class Evaluator {
  constructor(
    private readonly scope: EvalScope,
    private readonly budget: WorkBudget,
  ) {}

  eval(e: Expr): Val {
    switch (e.kind) {
      case 'number': return e.value;
      case 'string': return e.value;
      case 'name': return this.name(e.name, e.col);
      case 'member': return this.member(this.eval(e.object), e.property, e.col);
      case 'call': return this.call(e.callee, e.object, e.args, e.col);
      case 'index': return this.index(this.eval(e.object), e.items, e.col);
      case 'unary': return this.unary(e.op, this.eval(e.operand), e.col);
      case 'binary': return this.binary(e.op, e.left, e.right, e.col);
    }
  }

  private name(name: string, col: number): Val {
    if (CONSTANTS.has(name)) return CONSTANTS.get(name) as Val;
    const v = this.scope.lookup(name);
    if (v !== undefined) return v;
    if (BUILTINS.has(name)) throw new ExpressionError(`'${name}' is a function; call it: ${name}(x)`, col);
    const known = this.scope.names();
    throw new ExpressionError(`unknown name '${name}'${known.length ? `; known here: ${known.slice(0, 12).join(', ')}` : ''}`, col);
  }

  private member(obj: Val, prop: string, col: number): Val {
    if (obj instanceof Collection) {
      if (obj.has(prop)) return obj.get(prop) as Val;
      throw new ExpressionError(`${obj.label} has no '${prop}'${obj.keys().length ? `; it has ${obj.keys().join(', ')}` : ' (it is empty)'}`, col);
    }
    if (obj instanceof Tensor) {
      const get = TENSOR_PROPERTIES.get(prop);
      if (get) return get(obj);
      if (BUILTINS.has(prop)) throw new ExpressionError(`'${prop}' is a method; call it: .${prop}()`, col);
    }
    if (Array.isArray(obj) && prop === 'length') return obj.length;
    throw new ExpressionError(`${kindOf(obj)} has no property '${prop}'`, col);
  }

  private call(callee: string, object: Expr | undefined, argExprs: readonly Expr[], col: number): Val {
    const fn = BUILTINS.get(callee);
    if (!fn) throw new ExpressionError(`unknown function '${callee}'; available: ${[...BUILTINS.keys()].join(', ')}`, col);
    const args = [...(object ? [this.eval(object)] : []), ...argExprs.map((a) => this.eval(a))];
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const want = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} or ${fn.maxArgs}`;
      throw new ExpressionError(`${callee} takes ${want} argument${fn.maxArgs === 1 ? '' : 's'}, got ${args.length}`, col);
    }
    const ctx: BuiltinContext = { budget: this.budget, col, value: (n) => this.scope.value(n), weight: (n) => this.weight(n, col) };
    return fn.call(args, ctx);
  }

  private weight(name: string, col: number): Tensor {
    if (!this.scope.weight) throw new ExpressionError('weight(...) is not available here', col);
    return this.scope.weight(name);
  }

  private index(obj: Val, items: readonly IndexItem[], col: number): Val {
    if (obj instanceof Tensor) return indexTensor(obj, items.map((it) => this.resolveIndex(it)), this.budget, col);
    const [first] = items;
    if (items.length !== 1 || first.kind !== 'at') {
      throw new ExpressionError(`${kindOf(obj)} takes one index, not ${items.length > 1 ? 'several' : 'a slice'}`, col);
    }
    const key = this.eval(first.expr);
    if (obj instanceof Collection) {
      // `inputs['hidden/matmul:0']` by name, `inputs[0]` by position.
      if (typeof key === 'string') {
        if (FORBIDDEN_NAMES.has(key)) throw new ExpressionError(`'${key}' is not allowed in expressions`, first.expr.col);
        if (!obj.has(key)) throw new ExpressionError(`${obj.label} has no '${key}'; it has ${obj.keys().join(', ') || 'nothing'}`, first.expr.col);
        return obj.get(key) as Val;
      }
      const i = integer(key, first.expr.col);
      const v = obj.at(i);
      if (v === undefined) throw new ExpressionError(`${obj.label}[${i}] is out of range (${obj.keys().length} entries)`, col);
      return v;
    }
    if (Array.isArray(obj)) {
      const i = integer(key, first.expr.col);
      const k = i < 0 ? i + obj.length : i;
      if (k < 0 || k >= obj.length) throw new ExpressionError(`index ${i} is out of range for a list of ${obj.length}`, col);
      return obj[k] as Val;
    }
    throw new ExpressionError(`${kindOf(obj)} cannot be indexed`, col);
  }

  private resolveIndex(it: IndexItem): ResolvedIndex {
    const int = (e: Expr | undefined): number | undefined => (e ? integer(this.eval(e), e.col) : undefined);
    if (it.kind === 'slice') return { kind: 'slice', start: int(it.start), stop: int(it.stop), step: int(it.step) };
    return { kind: 'at', index: int(it.expr) as number };
  }

  private unary(op: string, v: Val, col: number): Val {
    if (v instanceof Tensor) {
      if (op === '!') return map(v, (x) => (x === 0 ? 1 : 0), 'bool', this.budget, col);
      if (op === '+') return v;
      return map(v, (x) => -x, v.dtype === 'bool' ? 'int32' : v.dtype, this.budget, col);
    }
    if (op === '!') return !truthy(v, col);
    if (typeof v === 'number' || typeof v === 'boolean') return op === '-' ? -Number(v) : Number(v);
    throw new ExpressionError(`'${op}' does not apply to ${kindOf(v)}`, col);
  }

  private binary(op: BinaryOp, leftExpr: Expr, rightExpr: Expr, col: number): Val {
    const left = this.eval(leftExpr);
    if ((op === '&&' || op === '||') && !(left instanceof Tensor)) {
      // Scalars short-circuit, so `output && output.max() > 1` never evaluates the right side needlessly.
      const l = truthy(left, leftExpr.col);
      if (op === '&&' ? !l : l) return l;
      const right = this.eval(rightExpr);
      if (!(right instanceof Tensor)) return truthy(right, rightExpr.col);
      return this.binary2(op, l ? 1 : 0, right, col);
    }
    return this.binary2(op, left, this.eval(rightExpr), col);
  }

  private binary2(op: BinaryOp, left: Val, right: Val, col: number): Val {
    if ((op === '==' || op === '!=') && !(left instanceof Tensor) && !(right instanceof Tensor) && (typeof left !== 'number' || typeof right !== 'number')) {
      const eq = sameValue(left, right);
      return op === '==' ? eq : !eq;
    }
    if (op === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
    const a = operand(left, op, col);
    const b = operand(right, op, col);
    if (op === '&&' || op === '||') {
      const f = op === '&&' ? (x: number, y: number) => (x !== 0 && y !== 0 ? 1 : 0) : (x: number, y: number) => (x !== 0 || y !== 0 ? 1 : 0);
      return zip(a, b, f, 'bool', this.budget, col);
    }
    const cmp = COMPARISON[op];
    if (cmp) {
      if (typeof a === 'number' && typeof b === 'number') return cmp(a, b);
      return zip(a, b, (x, y) => (cmp(x, y) ? 1 : 0), 'bool', this.budget, col);
    }
    const f = ARITHMETIC[op];
    if (typeof a === 'number' && typeof b === 'number') return f(a, b);
    return zip(a, b, f, arithmeticDtype(a, b, op), this.budget, col);
  }
}

/** An index or slice bound: an integer number, or a one-element integer tensor (`x[argmax(y)]`). */
function integer(v: Val, col: number): number {
  const n = typeof v === 'number' ? v : v instanceof Tensor && v.size === 1 && v.dtype !== 'float32' ? v.data[0] : NaN;
  if (!Number.isInteger(n)) throw new ExpressionError(`an index must be an integer, got ${typeof v === 'number' ? v : kindOf(v)}`, col);
  return n;
}

/** A tensor or number for elementwise work; booleans count as 0/1. */
function operand(v: Val, op: string, col: number): Operand {
  if (v instanceof Tensor || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ExpressionError(`'${op}' does not apply to ${kindOf(v)}`, col);
}

/** Equality of non-tensor values: strings, booleans, lists (element by element), null. */
function sameValue(a: Val, b: Val): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return Number(a) === Number(b);
  }
  return a === b;
}
