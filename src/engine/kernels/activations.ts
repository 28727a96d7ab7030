import { EngineError } from '../errors';
import { Tensor, allocate } from '../tensor';
import { erfcScalar, erfScalar } from './erf';
import { mapFloat, mapSame } from './unary';
import { wasmUnary } from '../wasm/elementwise';

/**
 * Activation functions, following the ONNX operators of the same names (Relu, Sigmoid, Tanh, Softplus,
 * Softsign, LeakyRelu, Elu, Selu, Gelu-20, HardSigmoid, Clip) and PyTorch's SiLU for `silu`. Each is written
 * so that NaN passes through (`x < 0 ? … : x` rather than `x > 0 ? x : …`): a debugger must show where a
 * NaN came from, not hide it behind a zero. Relu and clip keep integer dtypes; the rest return float32.
 */

export function relu(x: Tensor): Tensor {
  const fast = wasmUnary('relu', x);
  if (fast) return fast;
  return mapSame('relu', x, (s, o) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      o[i] = v < 0 ? 0 : v;
    }
  });
}

/** 1 / (1 + e^-x), evaluated so that neither branch overflows. */
export function sigmoid(x: Tensor): Tensor {
  const fast = wasmUnary('sigmoid', x);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      if (v >= 0) {
        o[i] = 1 / (1 + Math.exp(-v));
      } else {
        const e = Math.exp(v);
        o[i] = e / (1 + e);
      }
    }
  });
}

export function tanh(x: Tensor): Tensor {
  const fast = wasmUnary('tanh', x);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = Math.tanh(s[i]);
  });
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exact for large |x| where the naive form overflows or rounds to 0. */
export function softplus(x: Tensor): Tensor {
  const fast = wasmUnary('softplus', x);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      o[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
  });
}

export function softsign(x: Tensor): Tensor {
  const fast = wasmUnary('softsign', x);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) o[i] = s[i] / (1 + Math.abs(s[i]));
  });
}

export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  const fast = wasmUnary('leakyRelu', x, alpha);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      o[i] = v < 0 ? alpha * v : v;
    }
  });
}

/** alpha · (e^x − 1) below zero, x above. */
export function elu(x: Tensor, alpha = 1): Tensor {
  const fast = wasmUnary('elu', x, alpha);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      o[i] = v < 0 ? alpha * Math.expm1(v) : v;
    }
  });
}

export const SELU_ALPHA = 1.6732632423543772;
export const SELU_GAMMA = 1.0507009873554805;

/** gamma · (alpha · (e^x − 1)) for x ≤ 0, gamma · x above. */
export function selu(x: Tensor, alpha = SELU_ALPHA, gamma = SELU_GAMMA): Tensor {
  const fast = wasmUnary('selu', x, gamma * alpha, gamma);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      o[i] = v <= 0 ? gamma * alpha * Math.expm1(v) : gamma * v;
    }
  });
}

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU (ONNX Gelu-20). Exact: x · Φ(x) = x/2 · (1 + erf(x/√2)), through erfc for x < 0 so that the small
 * negative tail keeps its digits. `tanh`: x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  const fast = wasmUnary(approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
  if (fast) return fast;
  if (approximate === 'tanh') {
    return mapFloat(x, (s, o) => {
      for (let i = 0; i < s.length; i++) {
        const v = s[i];
        o[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
    });
  }
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      o[i] = v < 0 ? 0.5 * v * erfcScalar(-v * SQRT_HALF) : 0.5 * v * (1 + erfScalar(v * SQRT_HALF));
    }
  });
}

/** max(0, min(1, alpha · x + beta)). */
export function hardSigmoid(x: Tensor, alpha = 0.2, beta = 0.5): Tensor {
  const fast = wasmUnary('hardSigmoid', x, alpha, beta);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) {
      const v = alpha * s[i] + beta;
      o[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  });
}

/** SiLU / swish: x · sigmoid(beta · x). */
export function silu(x: Tensor, beta = 1): Tensor {
  const fast = wasmUnary('silu', x, beta);
  if (fast) return fast;
  return mapFloat(x, (s, o) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      const z = beta * v;
      o[i] = z >= 0 ? v / (1 + Math.exp(-z)) : (v * Math.exp(z)) / (1 + Math.exp(z));
    }
  });
}

/**
 * Clamps to [lo, hi] (ONNX Clip-13): either bound may be absent. When lo > hi every value becomes hi, as the
 * spec says. Keeps the dtype; NaN passes through.
 */
export function clip(x: Tensor, lo = -Infinity, hi = Infinity): Tensor {
  if (x.dtype === 'bool') throw new EngineError(`input 'x' is bool; clip needs numbers`, 'clip');
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw new EngineError(`bounds must be numbers, got min ${lo} and max ${hi}`, 'clip');
  const fast = wasmUnary('clip', x, lo, hi);
  if (fast) return fast;
  const out = allocate(x.dtype, x.size);
  const s = x.data;
  for (let i = 0; i < s.length; i++) {
    let v = s[i];
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    out[i] = v;
  }
  return new Tensor(x.dtype, x.shape, out);
}
