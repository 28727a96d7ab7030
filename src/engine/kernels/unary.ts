import { EngineError } from '../errors';
import { Tensor, allocate } from '../tensor';
import type { DType, TensorData } from '../tensor';
import { erfScalar } from './erf';
import { wasmUnary } from '../wasm/elementwise';

/**
 * Elementwise functions of one tensor (ONNX Sqrt, Exp, Log, Neg, Abs, Reciprocal, Erf, Floor, Ceil,
 * Identity). Each op writes its own loop so the function is inlined rather than called per element.
 * Float-only functions accept integer inputs and return float32 (ONNX would refuse them); the others keep
 * the input's dtype. NaN in gives NaN out.
 */

/** A loop over all elements: out[i] = f(x[i]). */
export type UnaryRun = (x: TensorData, out: TensorData) => void;

/** Applies `run` into a new tensor of dtype `outDtype`, the shape of `x`. */
export function mapTensor<D extends DType>(x: Tensor, outDtype: D, run: UnaryRun): Tensor<D> {
  const out = allocate(outDtype, x.size);
  run(x.data, out);
  return new Tensor(outDtype, x.shape, out);
}

/** Applies a float function: the result is float32 whatever the input's dtype. */
export function mapFloat(x: Tensor, run: UnaryRun): Tensor<'float32'> {
  return mapTensor(x, 'float32', run);
}

/** Applies a function that keeps the dtype (bool is refused: none of these is meant for truth values). */
export function mapSame(op: string, x: Tensor, run: UnaryRun): Tensor {
  if (x.dtype === 'bool') throw new EngineError(`input 'x' is bool; ${op} needs numbers`, op);
  return mapTensor(x, x.dtype, run);
}

export function sqrt(x: Tensor): Tensor {
  const fast = wasmUnary('sqrt', x);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = Math.sqrt(s[i]);
  });
}

export function exp(x: Tensor): Tensor {
  const fast = wasmUnary('exp', x);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = Math.exp(s[i]);
  });
}

/** Natural logarithm: log(0) = -Inf, log of a negative number is NaN. */
export function log(x: Tensor): Tensor {
  const fast = wasmUnary('log', x);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = Math.log(s[i]);
  });
}

export function reciprocal(x: Tensor): Tensor {
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = 1 / s[i];
  });
}

export function erf(x: Tensor): Tensor {
  const fast = wasmUnary('erf', x);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = erfScalar(s[i]);
  });
}

export function neg(x: Tensor): Tensor {
  const fast = wasmUnary('neg', x);
  if (fast) return fast;
  return mapSame('neg', x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = -s[i];
  });
}

export function abs(x: Tensor): Tensor {
  const fast = wasmUnary('abs', x);
  if (fast) return fast;
  return mapSame('abs', x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = Math.abs(s[i]);
  });
}

/** Rounds toward -Inf; integers are returned as they are. */
export function floor(x: Tensor): Tensor {
  if (x.dtype !== 'float32') return identity(x);
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = Math.floor(s[i]);
  });
}

/** Rounds toward +Inf; integers are returned as they are. */
export function ceil(x: Tensor): Tensor {
  if (x.dtype !== 'float32') return identity(x);
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = Math.ceil(s[i]);
  });
}

/** The same values as a new tensor object; the data is shared, which is safe because tensors are immutable. */
export function identity<D extends DType>(x: Tensor<D>): Tensor<D> {
  return new Tensor(x.dtype, x.shape, x.data);
}
