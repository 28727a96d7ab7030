import { broadcastDims } from '../../engine/shapeRules';
import { allocate, Tensor } from '../../engine/tensor';
import type { DType, Shape } from '../../engine/tensor';
import type { WorkBudget } from './budget';
import { ExpressionError } from './errors';

/**
 * Elementwise arithmetic for expressions, with NumPy broadcasting. The engine's op catalog has no
 * comparisons, logical ops or `%`, and its kernels expect equal dtypes; expressions mix tensors with plain
 * numbers (`output > 0.5`, `x * 2`), so they get this one small zip instead of a chain of casts and ops.
 * Work is done in float64 and stored in the result dtype.
 */
export type Operand = Tensor | number;

/** The broadcast shape of two shapes (the engine's one NumPy rule), as an expression error at `col` when they clash. */
export function broadcastShapes(a: Shape, b: Shape, col?: number): number[] {
  return broadcastDims([a, b], () => new ExpressionError(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`, col));
}

const isIntDtype = (d: DType): boolean => d === 'int32' || d === 'int64';

/**
 * The dtype of an arithmetic result. Plain numbers are "weak" as in NumPy: `x * 2` keeps x's dtype, but a
 * fractional number or `/` makes an integer tensor float32. Booleans compute as int32.
 */
export function arithmeticDtype(a: Operand, b: Operand, op: string): DType {
  const dt = (v: Operand): DType | 'int' | 'float' => {
    if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
    return v.dtype === 'bool' ? 'int32' : v.dtype;
  };
  const da = dt(a);
  const db = dt(b);
  if (op === '/' || op === '**' || da === 'float' || db === 'float' || da === 'float32' || db === 'float32') return 'float32';
  if (da === 'int64' || db === 'int64') return 'int64';
  return 'int32';
}

/** `f(a[i], b[j])` over the broadcast of a and b. At least one of a, b is a tensor. */
export function zip(a: Operand, b: Operand, f: (x: number, y: number) => number, dtype: DType, budget: WorkBudget, col?: number): Tensor {
  const sa = typeof a === 'number' ? [] : a.shape;
  const sb = typeof b === 'number' ? [] : b.shape;
  const shape = broadcastShapes(sa, sb, col);
  const size = shape.reduce((p, d) => p * d, 1);
  budget.charge(size, col);
  const out = allocate(dtype, size);
  const da: ArrayLike<number> = typeof a === 'number' ? [a] : a.data;
  const db: ArrayLike<number> = typeof b === 'number' ? [b] : b.data;
  const convert = converter(dtype);
  if (da.length === size && db.length === size) {
    for (let i = 0; i < size; i++) out[i] = convert(f(da[i], db[i]));
  } else if (db.length === 1 && da.length === size) {
    const y = db[0];
    for (let i = 0; i < size; i++) out[i] = convert(f(da[i], y));
  } else if (da.length === 1 && db.length === size) {
    const x = da[0];
    for (let i = 0; i < size; i++) out[i] = convert(f(x, db[i]));
  } else {
    const ia = broadcastIndex(sa, shape);
    const ib = broadcastIndex(sb, shape);
    for (let i = 0; i < size; i++) out[i] = convert(f(da[ia[i]], db[ib[i]]));
  }
  return new Tensor(dtype, shape, out);
}

/** `f(x[i])` elementwise. */
export function map(x: Tensor, f: (v: number) => number, dtype: DType, budget: WorkBudget, col?: number): Tensor {
  budget.charge(x.size, col);
  const out = allocate(dtype, x.size);
  const convert = converter(dtype);
  for (let i = 0; i < x.size; i++) out[i] = convert(f(x.data[i]));
  return new Tensor(dtype, x.shape, out);
}

/** Integer results truncate toward zero as C and the engine do; bool stores 0 or 1. */
function converter(dtype: DType): (v: number) => number {
  if (dtype === 'bool') return (v) => (v !== 0 && !Number.isNaN(v) ? 1 : 0);
  if (isIntDtype(dtype)) return (v) => (Number.isFinite(v) ? Math.trunc(v) : 0);
  return (v) => v;
}

/** For every element of the broadcast `shape`, the flat index into a tensor of shape `from`. */
function broadcastIndex(from: Shape, shape: Shape): Int32Array {
  const size = shape.reduce((p, d) => p * d, 1);
  const idx = new Int32Array(size);
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = from.length - 1; i >= 0; i--) {
    const axis = rank - from.length + i;
    strides[axis] = from[i] === 1 ? 0 : acc;
    acc *= from[i];
  }
  const pos = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < size; i++) {
    idx[i] = off;
    for (let ax = rank - 1; ax >= 0; ax--) {
      pos[ax]++;
      off += strides[ax];
      if (pos[ax] < shape[ax]) break;
      off -= strides[ax] * pos[ax];
      pos[ax] = 0;
    }
  }
  return idx;
}
