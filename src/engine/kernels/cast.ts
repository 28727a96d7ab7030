import { EngineError } from '../errors';
import { allocate, DTYPES, Tensor } from '../tensor';
import type { DType } from '../tensor';

/**
 * Target names `cast` accepts for `to`: our dtype names, ONNX TensorProto.DataType codes (as numbers or
 * numeric strings) and ONNX type names. Only types the engine holds are accepted.
 */
const ALIASES: Readonly<Record<string, DType>> = {
  1: 'float32', 6: 'int32', 7: 'int64', 9: 'bool',
  float: 'float32', FLOAT: 'float32', int32: 'int32', INT32: 'int32', int64: 'int64', INT64: 'int64', BOOL: 'bool',
};

/** The dtype a `to` attribute names, or an error listing what is accepted. */
export function castTarget(to: unknown): DType {
  if ((typeof to === 'string' || typeof to === 'number') && DTYPES.includes(to as DType)) return to as DType;
  const hit = typeof to === 'string' || typeof to === 'number' ? ALIASES[String(to)] : undefined;
  if (hit) return hit;
  throw new EngineError(
    `'to' must be float32, int32, int64 or bool (or ONNX codes 1, 6, 7, 9), got ${JSON.stringify(to)}`, 'cast');
}

/**
 * ONNX Cast-21 between the engine's dtypes: floats to integers truncate toward zero (NaN gives 0), int64 to
 * int32 wraps modulo 2^32 as a C cast does, and anything to bool is `value != 0` (so NaN is true).
 */
export function cast<D extends DType>(x: Tensor, to: D): Tensor<D> {
  if (x.dtype === to) return new Tensor(to, x.shape, x.data as Tensor<D>['data']);
  const src = x.data;
  const out = allocate(to, x.size);
  const n = x.size;
  if (to === 'bool') {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else if (to === 'int64' && x.dtype === 'float32') {
    // A Float64Array stores fractions, so truncate explicitly; NaN and ±Inf have no integer value.
    for (let i = 0; i < n; i++) {
      const v = src[i];
      out[i] = Number.isFinite(v) ? Math.trunc(v) : 0;
    }
  } else {
    // Int32Array applies ToInt32 (truncate, wrap) and Float32Array rounds to nearest: both are the C casts.
    out.set(src as ArrayLike<number>);
  }
  return new Tensor(to, x.shape, out);
}
