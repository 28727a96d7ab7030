import type { DType } from '../../engine/tensor';

/**
 * ONNX element types (TensorProto.DataType) and how the engine holds them. The engine has four dtypes:
 * small integers widen to int32, 32- and 64-bit unsigned and int64 to int64 (a Float64Array, exact to
 * 2^53), every float type to float32, bool to bool. Strings and complex numbers have no engine dtype.
 *
 * Two questions, two tables: which engine dtype COMPUTES in a type (`engineDType`: graph inputs, Cast targets),
 * and which one HOLDS a stored tensor of it exactly (`tensorDType`: initializers, constants). The 8-, 4- and 2-bit
 * types are storage only: every value of theirs is exact in float32 or int32, so their tensors are read, but
 * a graph input or a Cast to them has no engine form (computing in float32 would skip their rounding).
 */

/** TensorProto.DataType codes. */
export const ONNX_TYPES: Readonly<Record<number, string>> = {
  0: 'undefined', 1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'double', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128',
  16: 'bfloat16', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4',
  22: 'int4', 23: 'float4e2m1', 24: 'float8e8m0', 25: 'uint2', 26: 'int2',
};

const ENGINE: Readonly<Record<number, DType>> = {
  1: 'float32', 10: 'float32', 11: 'float32', 16: 'float32',
  2: 'int32', 3: 'int32', 4: 'int32', 5: 'int32', 6: 'int32',
  7: 'int64', 12: 'int64', 13: 'int64',
  9: 'bool',
};

const STORED: Readonly<Record<number, DType>> = {
  ...ENGINE,
  17: 'float32', 18: 'float32', 19: 'float32', 20: 'float32', 23: 'float32', 24: 'float32',
  21: 'int32', 22: 'int32', 25: 'int32', 26: 'int32',
};

/** Bits per element in raw_data, for the types whose tensors are read. 4- and 2-bit values are packed, first element in the low bits. */
export const RAW_BITS: Readonly<Record<number, number>> = {
  1: 32, 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 9: 8, 10: 16, 11: 64, 12: 32, 13: 64, 16: 16,
  17: 8, 18: 8, 19: 8, 20: 8, 24: 8, 21: 4, 22: 4, 23: 4, 25: 2, 26: 2,
};

/** Bytes of raw data that `count` elements of a type take (packed types round up to a whole byte). */
export function rawByteLength(code: number, count: number): number {
  return Math.ceil((count * RAW_BITS[code]) / 8);
}

/** The ONNX type's name for messages: `float16`, or `type 99` for a code this list does not know. */
export function onnxTypeName(code: number): string {
  return ONNX_TYPES[code] ?? `type ${code}`;
}

/** The engine dtype that computes in an ONNX element type (graph inputs, Cast), or undefined when none does. */
export function engineDType(code: number): DType | undefined {
  return ENGINE[code];
}

/** The engine dtype that holds a stored tensor of an ONNX element type exactly, or undefined when none does. */
export function tensorDType(code: number): DType | undefined {
  return STORED[code];
}

/**
 * A small float's bit pattern as a number (onnx docs/technical float8.md and float4.md): `exp` exponent bits,
 * `man` mantissa bits, exponent `bias`; `nan` says which patterns are NaN, and `inf` whether an all-ones exponent
 * with a zero mantissa is infinity (E5M2 only, as in IEEE 754).
 */
function smallFloat(bits: number, exp: number, man: number, bias: number, nan: (b: number) => boolean, inf: boolean): number {
  if (nan(bits)) return NaN;
  const sign = bits >> (exp + man) & 1 ? -1 : 1;
  const e = (bits >> man) & ((1 << exp) - 1);
  const m = bits & ((1 << man) - 1);
  if (inf && e === (1 << exp) - 1 && m === 0) return sign * Infinity;
  if (e === 0) return sign * 2 ** (1 - bias) * (m / 2 ** man);
  return sign * 2 ** (e - bias) * (1 + m / 2 ** man);
}

function table(decode: (b: number) => number, size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, b) => decode(b));
}

/** Every value of the 8- and 4-bit float types, by bit pattern. */
const SMALL_FLOATS: Readonly<Record<number, () => Float32Array>> = {
  17: () => table((b) => smallFloat(b, 4, 3, 7, (x) => (x & 0x7f) === 0x7f, false), 256),
  18: () => table((b) => smallFloat(b, 4, 3, 8, (x) => x === 0x80, false), 256),
  19: () => table((b) => smallFloat(b, 5, 2, 15, (x) => (x & 0x7c) === 0x7c && (x & 3) !== 0, true), 256),
  20: () => table((b) => smallFloat(b, 5, 2, 16, (x) => x === 0x80, false), 256),
  23: () => table((b) => smallFloat(b, 2, 1, 1, () => false, false), 16),
  // E8M0: an exponent alone, 2^(b - 127); all ones is NaN.
  24: () => table((b) => (b === 0xff ? NaN : 2 ** (b - 127)), 256),
};
const tables = new Map<number, Float32Array>();

/** The table of values of an 8- or 4-bit float type by bit pattern, or undefined for other types. */
export function smallFloatTable(code: number): Float32Array | undefined {
  const make = SMALL_FLOATS[code];
  if (!make) return undefined;
  let t = tables.get(code);
  if (!t) tables.set(code, (t = make()));
  return t;
}

/** A packed 4- or 2-bit integer's value: int4 and int2 are two's complement, uint4 and uint2 unsigned. */
export function smallInt(code: number, bits: number): number {
  switch (code) {
    case 22: return (bits ^ 8) - 8;
    case 26: return (bits ^ 2) - 2;
    default: return bits;
  }
}
