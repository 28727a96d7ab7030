import { EngineError } from '../errors';
import type { Tensor } from '../tensor';
import { promoteDtypes } from './binary';
import { binaryBroadcast } from './broadcast';
import { mapFloat, mapSame } from './unary';
import { wasmUnary } from '../wasm/elementwise';

/**
 * Elementwise functions ONNX defines beside the engine's core set: Sign-13, Round-11 (halves to even),
 * the trigonometric and hyperbolic functions, HardSwish-14, Mish-18, Celu-12, ThresholdedRelu-10 and
 * PRelu-16 (slope broadcast to x), Mod-13. Float functions return float32; Sign keeps the dtype.
 */

export type FloatFunction =
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'asinh' | 'acosh' | 'atanh'
  | 'round' | 'hardSwish' | 'mish';

/** Rounds to the nearest integer, halves to the even one (ONNX Round, as NumPy's round). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const FUNCTIONS: Readonly<Record<FloatFunction, (v: number) => number>> = {
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh,
  round: roundHalfEven,
  // x · max(0, min(1, x / 6 + 1/2))
  hardSwish: (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5)),
  // x · tanh(softplus(x)), softplus written to not overflow for large x
  mish: (v) => v * Math.tanh(Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0)),
};

export function floatFunction(name: FloatFunction, x: Tensor): Tensor {
  const fast = name === 'hardSwish' ? wasmUnary('hardSwish', x) : null;
  if (fast) return fast;
  const f = FUNCTIONS[name];
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = f(s[i]);
  });
}

/** -1, 0 or 1 by the sign of x (NaN stays NaN), in x's dtype. */
export function sign(x: Tensor): Tensor {
  return mapSame('sign', x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = s[i] > 0 ? 1 : s[i] < 0 ? -1 : s[i];
  });
}

/** max(0, x) + min(0, alpha · (e^(x / alpha) − 1)). */
export function celu(x: Tensor, alpha = 1): Tensor {
  if (alpha === 0) throw new EngineError(`attribute 'alpha' must not be 0`, 'celu');
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = Math.max(0, s[i]) + Math.min(0, alpha * (Math.exp(s[i] / alpha) - 1));
  });
}

/** x where x > alpha, else 0. */
export function thresholdedRelu(x: Tensor, alpha = 1): Tensor {
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = s[i] > alpha ? s[i] : 0;
  });
}

/** x, or slope · x below zero; slope broadcasts to x (one slope per channel is [C, 1, 1] for NCHW). */
export function prelu(x: Tensor, slope: Tensor): Tensor {
  if (x.dtype === 'bool') throw new EngineError(`input 'X' is bool; prelu needs numbers`, 'prelu');
  return binaryBroadcast(x, slope, x.dtype, (o, oi, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) {
      const v = a[ai];
      o[oi + i] = v < 0 ? v * b[bi] : v;
    }
  }, 'prelu', ['X', 'slope']);
}

/**
 * ONNX Mod: the remainder of a / b, broadcast. With `fmod` it takes the sign of a (C fmod, required for
 * floats), else the sign of b (Python's %). An integer remainder by zero gives 0.
 */
export function mod(a: Tensor, b: Tensor, fmod = false): Tensor {
  const dtype = promoteDtypes(a.dtype, b.dtype);
  if (dtype === 'bool') throw new EngineError(`inputs 'A' and 'B' are bool; mod needs numbers`, 'mod');
  if (dtype === 'float32' && !fmod) throw new EngineError(`'fmod' must be 1 for float inputs`, 'mod');
  const isInt = dtype !== 'float32';
  return binaryBroadcast(a, b, dtype, (o, oi, x, xi, xs, y, yi, ys, n) => {
    for (let i = 0; i < n; i++, xi += xs, yi += ys) {
      const p = x[xi];
      const q = y[yi];
      if (isInt && q === 0) {
        o[oi + i] = 0;
        continue;
      }
      const r = p % q;
      o[oi + i] = !fmod && r !== 0 && (r < 0) !== (q < 0) ? r + q : r;
    }
  }, 'mod', ['A', 'B']);
}
