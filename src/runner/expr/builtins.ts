import { Tensor } from '../../engine/tensor';
import type { WorkBudget } from './budget';
import { arithmeticDtype, map, zip } from './elementwise';
import { ExpressionError } from './errors';
import { kindOf } from './values';
import type { Val } from './values';

/** What a builtin may use besides its arguments. */
export interface BuiltinContext {
  readonly budget: WorkBudget;
  /** Column of the call, for error messages. */
  readonly col: number;
  /** `value('hidden/matmul:0')`: any value recorded so far, by name. */
  value(name: string): Tensor;
  /** `weight('fc1.weight')`: a weight by its name, as `inspect` shows it. */
  weight(name: string): Tensor;
}

export interface Builtin {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** One line for completion and the docs. */
  readonly doc: string;
  call(args: readonly Val[], ctx: BuiltinContext): Val;
}

/** Tensors and plain numbers (booleans as 0/1) as one flat list of numbers. */
function numbers(v: Val, fn: string, col: number): ArrayLike<number> {
  if (v instanceof Tensor) return v.data;
  if (typeof v === 'number') return [v];
  if (typeof v === 'boolean') return [v ? 1 : 0];
  throw new ExpressionError(`${fn} expects a tensor or a number, got ${kindOf(v)}`, col);
}

/** A reduction over every element; NaN propagates as in NumPy. `empty` is the result for no elements, or an error. */
function reduction(doc: string, fold: (d: ArrayLike<number>) => number, empty?: number): (name: string) => Builtin {
  return (name) => ({
    minArgs: 1,
    maxArgs: 1,
    doc,
    call([x], ctx) {
      const d = numbers(x, name, ctx.col);
      if (d.length === 0) {
        if (empty === undefined) throw new ExpressionError(`${name} of an empty tensor`, ctx.col);
        return empty;
      }
      ctx.budget.charge(d.length, ctx.col);
      return fold(d);
    },
  });
}

function sum(d: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  return s;
}

function extreme(better: (a: number, b: number) => boolean): (d: ArrayLike<number>) => number {
  return (d) => {
    let m = d[0];
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v !== v) return NaN;
      if (better(v, m)) m = v;
    }
    return m;
  };
}

/** `min(x)` reduces; `min(a, b)` is elementwise. */
function minMax(name: 'min' | 'max'): Builtin {
  const reduce = reduction(`${name}(x): the ${name === 'min' ? 'smallest' : 'largest'} element (NaN if any); ${name}(a, b) elementwise`,
    extreme(name === 'min' ? (a, b) => a < b : (a, b) => a > b))(name);
  const pick = name === 'min' ? Math.min : Math.max;
  return {
    minArgs: 1,
    maxArgs: 2,
    doc: reduce.doc,
    call(args, ctx) {
      if (args.length === 1) return reduce.call(args, ctx);
      const [a, b] = args.map((v) => (v instanceof Tensor ? v : numbers(v, name, ctx.col)[0]));
      if (typeof a === 'number' && typeof b === 'number') return pick(a, b);
      return zip(a, b, pick, arithmeticDtype(a, b, name), ctx.budget, ctx.col);
    },
  };
}

function predicate(doc: string, test: (d: ArrayLike<number>) => boolean): Builtin {
  return {
    minArgs: 1,
    maxArgs: 1,
    doc,
    call([x], ctx) {
      const d = numbers(x, 'this function', ctx.col);
      ctx.budget.charge(d.length, ctx.col);
      return test(d);
    },
  };
}

function some(d: ArrayLike<number>, p: (v: number) => boolean): boolean {
  for (let i = 0; i < d.length; i++) if (p(d[i])) return true;
  return false;
}

const entries: [string, Builtin][] = [
  ['min', minMax('min')],
  ['max', minMax('max')],
  ['sum', reduction('sum(x): the sum of all elements', sum, 0)('sum')],
  ['mean', reduction('mean(x): the mean of all elements', (d) => sum(d) / d.length)('mean')],
  ['std', reduction('std(x): the population standard deviation of all elements', (d) => {
    const m = sum(d) / d.length;
    let s = 0;
    for (let i = 0; i < d.length; i++) s += (d[i] - m) * (d[i] - m);
    return Math.sqrt(s / d.length);
  })('std')],
  ['norm', reduction('norm(x): the L2 (Frobenius) norm', (d) => {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i] * d[i];
    return Math.sqrt(s);
  }, 0)('norm')],
  ['argmax', reduction('argmax(x): the flat index of the first largest element (of the first NaN if any)', (d) => {
    let k = 0;
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== d[i]) return i;
      if (d[i] > d[k]) k = i;
    }
    return k;
  })('argmax')],
  ['count', reduction('count(x): how many elements are non-zero (true), e.g. count(output > 0)', (d) => {
    let n = 0;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
    return n;
  }, 0)('count')],
  ['abs', {
    minArgs: 1, maxArgs: 1, doc: 'abs(x): elementwise absolute value',
    call([x], ctx) {
      if (x instanceof Tensor) return map(x, Math.abs, x.dtype === 'bool' ? 'int32' : x.dtype, ctx.budget, ctx.col);
      return Math.abs(numbers(x, 'abs', ctx.col)[0]);
    },
  }],
  ['shape', {
    minArgs: 1, maxArgs: 1, doc: 'shape(x): the dimensions, e.g. [1, 128]',
    call([x], ctx) {
      if (x instanceof Tensor) return [...x.shape];
      numbers(x, 'shape', ctx.col);
      return [];
    },
  }],
  ['size', {
    minArgs: 1, maxArgs: 1, doc: 'size(x): the number of elements',
    call([x], ctx) {
      return numbers(x, 'size', ctx.col).length;
    },
  }],
  ['dtype', {
    minArgs: 1, maxArgs: 1, doc: "dtype(x): the element type, e.g. 'float32'",
    call([x]) {
      return x instanceof Tensor ? x.dtype : typeof x;
    },
  }],
  ['hasNaN', predicate('hasNaN(x): true when any element is NaN', (d) => some(d, (v) => v !== v))],
  ['hasInf', predicate('hasInf(x): true when any element is +Inf or -Inf', (d) => some(d, (v) => v === Infinity || v === -Infinity))],
  ['isFinite', predicate('isFinite(x): true when every element is finite (no NaN, no Inf)', (d) => !some(d, (v) => !Number.isFinite(v)))],
  ['any', predicate('any(x): true when any element is non-zero', (d) => some(d, (v) => v !== 0))],
  ['all', predicate('all(x): true when every element is non-zero', (d) => !some(d, (v) => v === 0))],
  ['value', {
    minArgs: 1, maxArgs: 1, doc: "value('name'): a value by its name, e.g. value('hidden/matmul:0')",
    call([name], ctx) {
      if (typeof name !== 'string') throw new ExpressionError(`value expects a value name in quotes, got ${kindOf(name)}`, ctx.col);
      return ctx.value(name);
    },
  }],
  ['weight', {
    minArgs: 1, maxArgs: 1, doc: "weight('name'): a weight by its name, e.g. weight('fc1.weight')",
    call([name], ctx) {
      if (typeof name !== 'string') throw new ExpressionError(`weight expects a weight name in quotes, got ${kindOf(name)}`, ctx.col);
      return ctx.weight(name);
    },
  }],
];

/** Functions of the expression language, also callable as methods: `max(output)` is `output.max()`. */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map(entries);
