import type { DType, TensorData } from '../engine/tensor';
import { Tensor } from '../engine/tensor';
import { ModelError } from '../model/errors';
import { encodeSafetensors } from './safetensors';

/**
 * Writing a set of named tensors as one safetensors file, from the plain shape the engine service sends
 * (`weights`: name, dtype, shape, values). It is how a session's edited weights become a file another run, or
 * another tool, can load: the keys are the model's weight names, so a native model.json whose `weightsFile`
 * points at the new file reads it as it read the old one.
 *
 * The byte layout itself is {@link encodeSafetensors}'s (one encoder for the format); this module checks that
 * every tensor is whole and consistent first, because a file written from a partial or mislabelled tensor would
 * load later as wrong numbers rather than fail.
 */

/** One tensor to write: every element from the first (`start` 0 when given), row-major. */
export interface NamedValues {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly start?: number;
  readonly values: TensorData;
}

/** The typed array each dtype must arrive in (int64 lives in a Float64Array, see engine/tensor.ts). */
const ARRAY_OF: Readonly<Record<DType, new (n: number) => TensorData>> = {
  float32: Float32Array, int32: Int32Array, int64: Float64Array, bool: Uint8Array,
};

/**
 * The bytes of a safetensors file holding `tensors` under their names, with `metadata` as `__metadata__`.
 * Throws a ModelError naming `file` and the offending tensor when a name repeats or is reserved, or when a
 * tensor is not whole (a slice that starts past 0, fewer values than its shape) or its values' array does
 * not match its dtype.
 */
export function encodeSafetensorsFile(
  tensors: readonly NamedValues[], options: { readonly file: string; readonly metadata?: Readonly<Record<string, string>> },
): Uint8Array {
  const { file } = options;
  const byName: Record<string, Tensor> = {};
  for (const t of tensors) {
    const fail = (why: string): never => {
      throw new ModelError(`${file}: cannot write tensor '${t.name}': ${why}.`, file);
    };
    if (!t.name) fail('a tensor needs a non-empty name');
    if (t.name === '__metadata__') fail("'__metadata__' is the key safetensors reserves for metadata");
    if (Object.hasOwn(byName, t.name)) fail('the name is used twice');
    if ((t.start ?? 0) !== 0) fail(`only whole tensors are written, and these values start at element ${t.start}`);
    const array = ARRAY_OF[t.dtype];
    if (!array) fail(`dtype '${String(t.dtype)}' is not one of float32, int32, int64, bool`);
    if (!(t.values instanceof array)) fail(`its ${t.dtype} values arrive as ${t.values.constructor.name}, not ${array.name}`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`shape [${t.shape.join(', ')}] is not a list of sizes`);
    const size = t.shape.reduce((a, d) => a * d, 1);
    if (t.values.length !== size) fail(`shape [${t.shape.join(', ')}] holds ${size} elements but ${t.values.length} values came`);
    byName[t.name] = new Tensor(t.dtype, t.shape, t.values);
  }
  return encodeSafetensors(byName, options.metadata);
}
