import { EngineError } from '../errors';
import type { DType, Tensor } from '../tensor';
import { binaryBroadcast } from './broadcast';
import type { BinaryRun } from './broadcast';
import { wasmBinary } from '../wasm/elementwise';

/**
 * Elementwise arithmetic with NumPy broadcasting: ONNX Add, Sub, Mul, Div, Pow, Max, Min (two inputs).
 *
 * Dtypes: ONNX requires equal input types; we also accept mixed ones and promote (float32 > int64 > int32 >
 * bool) so a graph mixing an int shape computation with floats still runs. Arithmetic on two bools is
 * refused. Values are computed in doubles and stored into the output's typed array, which gives the
 * float32 results a correctly rounded value, wraps int32 like C, and truncates int32 division toward zero
 * (ONNX Div on integers). Max and min propagate NaN, as NumPy's maximum and minimum do.
 */

const RANK: Readonly<Record<DType, number>> = { bool: 0, int32: 1, int64: 2, float32: 3 };

/** The dtype that `a op b` yields: the wider of the two. */
export function promoteDtypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

interface BinaryKernel {
  /** The loop for float32 results (and for int32 ones, which the store truncates and wraps). */
  readonly run: BinaryRun;
  /** A loop for int32 results where the default one would lose exactness. */
  readonly int32?: BinaryRun;
  /** A loop for int64 results (a Float64Array keeps fractions, so integer semantics must be explicit). */
  readonly int64?: BinaryRun;
}

function apply(op: string, k: BinaryKernel, a: Tensor, b: Tensor, outDtype: DType): Tensor {
  if (outDtype === 'bool') throw new EngineError(`inputs 'a' and 'b' are bool; ${op} needs numbers`, op);
  const fast = op === 'add' || op === 'sub' || op === 'mul' || op === 'div' ? wasmBinary(op, a, b) : null;
  if (fast) return fast;
  const run = (outDtype === 'int64' && k.int64) || (outDtype === 'int32' && k.int32) || k.run;
  return binaryBroadcast(a, b, outDtype, run, op);
}

const ADD: BinaryKernel = {
  run: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] + b[bi];
  },
};

const SUB: BinaryKernel = {
  run: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] - b[bi];
  },
};

const MUL: BinaryKernel = {
  run: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] * b[bi];
  },
  // A double product of two int32 values can pass 2^53 and lose the low bits that the wrap keeps.
  int32: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.imul(a[ai], b[bi]);
  },
};

const DIV: BinaryKernel = {
  // For int32 results the store truncates toward zero, and x/0 (±Inf or NaN) stores as 0.
  run: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] / b[bi];
  },
  int64: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) {
      const d = b[bi];
      o[oi + i] = d === 0 ? 0 : Math.trunc(a[ai] / d);
    }
  },
};

const POW: BinaryKernel = {
  run: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.pow(a[ai], b[bi]);
  },
  int64: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) {
      const v = Math.pow(a[ai], b[bi]);
      o[oi + i] = Number.isFinite(v) ? Math.trunc(v) : 0;
    }
  },
};

const MAX: BinaryKernel = {
  run: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) {
      const x = a[ai];
      const y = b[bi];
      o[oi + i] = x > y || x !== x ? x : y;
    }
  },
};

const MIN: BinaryKernel = {
  run: (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) {
      const x = a[ai];
      const y = b[bi];
      o[oi + i] = x < y || x !== x ? x : y;
    }
  },
};

export function add(a: Tensor, b: Tensor): Tensor {
  return apply('add', ADD, a, b, promoteDtypes(a.dtype, b.dtype));
}

export function sub(a: Tensor, b: Tensor): Tensor {
  return apply('sub', SUB, a, b, promoteDtypes(a.dtype, b.dtype));
}

export function mul(a: Tensor, b: Tensor): Tensor {
  return apply('mul', MUL, a, b, promoteDtypes(a.dtype, b.dtype));
}

/** Division; on integers it truncates toward zero, and an integer division by zero gives 0. */
export function div(a: Tensor, b: Tensor): Tensor {
  return apply('div', DIV, a, b, promoteDtypes(a.dtype, b.dtype));
}

/** aᵇ with the dtype of the base `a` (ONNX Pow); integer results truncate toward zero. */
export function pow(a: Tensor, b: Tensor): Tensor {
  if (a.dtype === 'bool') throw new EngineError(`input 'a' is bool; pow needs numbers`, 'pow');
  return apply('pow', POW, a, b, a.dtype);
}

/** Elementwise maximum; NaN wins. */
export function max(a: Tensor, b: Tensor): Tensor {
  return apply('max', MAX, a, b, promoteDtypes(a.dtype, b.dtype));
}

/** Elementwise minimum; NaN wins. */
export function min(a: Tensor, b: Tensor): Tensor {
  return apply('min', MIN, a, b, promoteDtypes(a.dtype, b.dtype));
}
