import type { TensorValues } from '../protocol/engine';

/**
 * Tensor values as they cross the JSON of a DAP custom response: the typed array's bytes in base64 with its
 * dtype. JSON of a typed array is an object of numbers five times larger, and loses NaN and ±Inf (to null).
 */
export interface PackedValues {
  readonly base64: string;
  readonly dtype: TensorValues['dtype'];
}

export function packValues(v: TensorValues): Omit<TensorValues, 'values'> & { values: PackedValues } {
  const bytes = new Uint8Array(v.values.buffer, v.values.byteOffset, v.values.byteLength);
  let binary = '';
  // String.fromCharCode takes arguments: chunks keep the call stack small.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return { ...v, values: { base64: btoa(binary), dtype: v.dtype } };
}
