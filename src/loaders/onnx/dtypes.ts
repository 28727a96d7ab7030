import type { DType } from '../../engine/tensor';

/**
 * ONNX element types (TensorProto.DataType) and how the engine holds them. The engine has four dtypes:
 * small integers widen to int32, 32- and 64-bit unsigned and int64 to int64 (a Float64Array, exact to
 * 2^53), every float type to float32, bool to bool. Strings, complex numbers and the 8- and 4-bit float and
 * integer types have no engine dtype.
 */

/** TensorProto.DataType codes. */
export const ONNX_TYPES: Readonly<Record<number, string>> = {
  0: 'undefined', 1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'double', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128',
  16: 'bfloat16', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4',
  22: 'int4', 23: 'float4e2m1',
};

const ENGINE: Readonly<Record<number, DType>> = {
  1: 'float32', 10: 'float32', 11: 'float32', 16: 'float32',
  2: 'int32', 3: 'int32', 4: 'int32', 5: 'int32', 6: 'int32',
  7: 'int64', 12: 'int64', 13: 'int64',
  9: 'bool',
};

/** Bytes per element in raw_data, for the types the engine reads. */
export const RAW_BYTES: Readonly<Record<number, number>> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2,
};

/** The ONNX type's name for messages: `float16`, or `type 99` for a code this list does not know. */
export function onnxTypeName(code: number): string {
  return ONNX_TYPES[code] ?? `type ${code}`;
}

/** The engine dtype that holds an ONNX element type, or undefined when none does. */
export function engineDType(code: number): DType | undefined {
  return ENGINE[code];
}
