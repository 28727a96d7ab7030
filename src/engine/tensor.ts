import { EngineError } from './errors';

/**
 * Element types. `int64` is held in a Float64Array: exact for every integer up to 2^53, which covers
 * shapes, indices and counts; kernels never need BigInt arithmetic.
 */
export type DType = 'float32' | 'int32' | 'int64' | 'bool';

export type TensorData = Float32Array | Int32Array | Float64Array | Uint8Array;

/** The typed array that holds each dtype. */
export interface DataFor {
  float32: Float32Array;
  int32: Int32Array;
  int64: Float64Array;
  bool: Uint8Array;
}

export const DTYPES: readonly DType[] = ['float32', 'int32', 'int64', 'bool'];

/** Bytes per element of each dtype as stored. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, int32: 4, int64: 8, bool: 1 };

export type Shape = readonly number[];

/** Number of elements of a shape; throws on a negative or non-integer dimension. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new EngineError(`invalid dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function allocate<D extends DType>(dtype: D, size: number): DataFor[D] {
  switch (dtype) {
    case 'float32': return new Float32Array(size) as DataFor[D];
    case 'int32': return new Int32Array(size) as DataFor[D];
    case 'int64': return new Float64Array(size) as DataFor[D];
    case 'bool': return new Uint8Array(size) as DataFor[D];
    default: throw new EngineError(`unknown dtype '${String(dtype)}'`);
  }
}

/** An immutable n-dimensional array: dtype, shape and a row-major typed array. Kernels never mutate inputs. */
export class Tensor<D extends DType = DType> {
  readonly shape: Shape;
  readonly size: number;

  constructor(
    readonly dtype: D,
    shape: Shape,
    readonly data: DataFor[D],
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    if (data.length !== this.size) {
      throw new EngineError(`data has ${data.length} elements but shape [${shape.join(', ')}] needs ${this.size}`);
    }
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Bytes held by the data. */
  get bytes(): number {
    return this.data.byteLength;
  }

  static zeros<D extends DType = 'float32'>(shape: Shape, dtype: D = 'float32' as D): Tensor<D> {
    return new Tensor(dtype, shape, allocate(dtype, sizeOf(shape)));
  }

  /** A tensor filled from plain numbers (copied). */
  static from<D extends DType = 'float32'>(shape: Shape, values: ArrayLike<number>, dtype: D = 'float32' as D): Tensor<D> {
    const data = allocate(dtype, sizeOf(shape));
    if (values.length !== data.length) {
      throw new EngineError(`got ${values.length} values for shape [${shape.join(', ')}] (${data.length} elements)`);
    }
    for (let i = 0; i < data.length; i++) data[i] = values[i];
    return new Tensor(dtype, shape, data);
  }

  static scalar<D extends DType = 'float32'>(value: number, dtype: D = 'float32' as D): Tensor<D> {
    return Tensor.from([], [value], dtype);
  }

  /**
   * Moves the values to another array of the same type and length, which the caller has filled with them (the
   * WebAssembly kernels' memory, for a model's weights). The one place a tensor's data changes; its values never do.
   */
  moveTo(data: DataFor[D]): void {
    if (data.length !== this.size || data.constructor !== this.data.constructor) {
      throw new EngineError(`cannot move ${this.size} ${this.dtype} values to an array of ${data.length}`);
    }
    (this as { data: DataFor[D] }).data = data;
  }

  /** The same data under another shape of equal size (no copy). */
  reshape(shape: Shape): Tensor<D> {
    return new Tensor(this.dtype, shape, this.data);
  }

  /** The element at a full index (for tests, summaries and the expression language; not for kernels). */
  get(...index: number[]): number {
    if (index.length !== this.rank) throw new EngineError(`index of rank ${index.length} for a tensor of rank ${this.rank}`);
    let off = 0;
    const strides = stridesOf(this.shape);
    for (let i = 0; i < index.length; i++) {
      const k = index[i] < 0 ? index[i] + this.shape[i] : index[i];
      if (k < 0 || k >= this.shape[i]) throw new EngineError(`index ${index[i]} out of range for axis ${i} of size ${this.shape[i]}`);
      off += k * strides[i];
    }
    return this.data[off];
  }

  /** Plain numbers, row-major. */
  toArray(): number[] {
    return Array.from(this.data as ArrayLike<number>);
  }

  toString(): string {
    return `${this.dtype}[${this.shape.join(',')}]`;
  }
}
