import { Tensor } from '../engine/tensor';
import type { DType } from '../engine/tensor';
import { DTYPES } from '../engine/tensor';
import type { ValueInfo } from '../model/ir';
import { isOpen } from '../model/specialize';
import { baseName, RunnerError } from '../runner/errors';

/** A tensor as a script gives it: a shape, a dtype, and its values in row-major order. */
export interface TensorInput {
  readonly shape: readonly number[];
  /** Defaults to the dtype the model declares for the input. */
  readonly dtype?: DType;
  /**
   * Float32Array for float32, Int32Array for int32, Float64Array or BigInt64Array for int64 (exact up to 2^53),
   * Uint8Array for bool; or a plain array of numbers (booleans for bool) of any dtype.
   */
  readonly data: ArrayLike<number | boolean | bigint>;
}

/** A tensor handed back to a script: its own copy of the values (int64 as a Float64Array, bool as a Uint8Array). */
export interface TensorOutput {
  readonly shape: number[];
  readonly dtype: DType;
  readonly data: Float32Array | Int32Array | Float64Array | Uint8Array;
}

/** A model's input or output as declared: `null` where the file leaves a size open (a batch, an image's height). */
export interface TensorDeclaration {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: (number | null)[];
}

export function declaration(v: ValueInfo): TensorDeclaration {
  return { name: v.name, dtype: v.dtype, shape: v.shape.map((d) => (isOpen(d) ? null : (d as number))) };
}

/** The typed array a dtype's values may come in without a conversion. */
const NATIVE: Readonly<Record<DType, readonly (abstract new (...a: never[]) => unknown)[]>> = {
  float32: [Float32Array],
  int32: [Int32Array],
  int64: [Float64Array, BigInt64Array],
  bool: [Uint8Array],
};

/**
 * One input (or a target of training data) given by a script as a Tensor of its own (the script's array is copied,
 * so later changes to it do not reach recorded values). Fails with one sentence naming the file and the tensor;
 * nothing is allocated before the number of values has been checked against the shape.
 */
export function toTensor(file: string, name: string, given: unknown, declared: DType | undefined, kind: 'input' | 'target' = 'input'): Tensor {
  const fail = (what: string): never => {
    throw new RunnerError(`${baseName(file)}: ${kind} '${name}' ${what}.`, { file });
  };
  if (typeof given !== 'object' || given === null) return fail('must be an object { shape, dtype, data }');
  const { shape, dtype = declared, data } = given as Partial<TensorInput>;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    return fail('needs a shape: an array of whole numbers, each 0 or more');
  }
  if (dtype === undefined || !DTYPES.includes(dtype)) {
    return fail(`has dtype ${JSON.stringify(dtype)}; it must be one of ${DTYPES.map((d) => `'${d}'`).join(', ')}`);
  }
  const isTyped = ArrayBuffer.isView(data) && !(data instanceof DataView);
  if (!Array.isArray(data) && !isTyped) return fail('needs data: a typed array or an array of numbers');
  const values = data as ArrayLike<unknown>;
  const size = shape.reduce((a: number, d: number) => a * d, 1);
  if (values.length !== size) {
    return fail(`has ${values.length} values in data but shape [${shape.join(', ')}] holds ${size}`);
  }
  if (isTyped && !NATIVE[dtype].some((c) => values instanceof c)) {
    return fail(`has dtype '${dtype}' but its data is a ${values.constructor.name}; give a ${NATIVE[dtype].map((c) => c.name).join(' or ')}, or an array of numbers`);
  }
  return new Tensor(dtype, shape, convert(values, dtype, fail));
}

function convert(values: ArrayLike<unknown>, dtype: DType, fail: (what: string) => never): Tensor['data'] {
  if (dtype === 'float32' && values instanceof Float32Array) return values.slice();
  if (dtype === 'int32' && values instanceof Int32Array) return values.slice();
  if (dtype === 'bool' && values instanceof Uint8Array) return values.map((v) => (v ? 1 : 0));
  const out = dtype === 'float32' ? new Float32Array(values.length)
    : dtype === 'int32' ? new Int32Array(values.length)
      : dtype === 'int64' ? new Float64Array(values.length) : new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    const v = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'boolean' && dtype === 'bool' ? Number(raw) : raw;
    if (typeof v !== 'number' || (typeof raw === 'bigint' && !Number.isSafeInteger(v))) {
      return fail(`has ${typeof raw === 'bigint' ? `an integer beyond 2^53 (${raw})` : `a value that is not a number (${String(raw)})`} at index ${i}`);
    }
    if (dtype !== 'float32' && !Number.isInteger(v)) return fail(`has dtype '${dtype}' but data[${i}] is ${v}, not a whole number`);
    if (dtype === 'int32' && (v < -(2 ** 31) || v >= 2 ** 31)) return fail(`has dtype 'int32' but data[${i}] is ${v}, out of its range`);
    if (dtype === 'int64' && !Number.isSafeInteger(v)) return fail(`has dtype 'int64' but data[${i}] is ${v}, beyond 2^53`);
    if (dtype === 'bool' && v !== 0 && v !== 1) return fail(`has dtype 'bool' but data[${i}] is ${v}; give true/false or 0/1`);
    out[i] = v;
  }
  return out;
}

/** A tensor of the engine as a script gets it: plain data, its own copy. */
export function fromTensor(t: Tensor): TensorOutput {
  return { shape: [...t.shape], dtype: t.dtype, data: t.data.slice() };
}
