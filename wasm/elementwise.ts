// Elementwise kernels on 128-bit SIMD: the activations and math functions of one tensor (`unary`) and the four
// arithmetic operators with the broadcasts models use most (`binary`). The semantics are those of the TypeScript
// kernels (src/engine/kernels/activations.ts, unary.ts, unaryMore.ts, binary.ts): ONNX operator definitions,
// NaN passed through. Four lanes at a time; a tail of fewer than four elements runs the same vector code on one
// lane, so nothing is read or written outside the operands.

import { erf4, exp4, expm14, geluErf4, geluTanh4, log1pPositive, log4, select, sigmoid4, tanh4 } from './math';
import { partStart } from './simd';

// Unary functions by number (src/engine/wasm/elementwise.ts holds the same table). `a` and `b` are parameters.
const RELU = 0;
const LEAKY_RELU = 1; // a: slope
const CLIP = 2; // a: low, b: high
const SIGMOID = 3;
const TANH = 4;
const GELU = 5;
const GELU_TANH = 6;
const ELU = 7; // a: alpha
const SELU = 8; // a: gamma · alpha, b: gamma
const SOFTPLUS = 9;
const SILU = 10; // a: beta
const HARD_SIGMOID = 11; // a: alpha, b: beta
const HARD_SWISH = 12;
const EXP = 13;
const LOG = 14;
const SQRT = 15;
const NEG = 16;
const ABS = 17;
const SOFTSIGN = 18;
const ERF = 19;

// @ts-ignore: decorator
@inline function splat(v: f32): v128 {
  return f32x4.splat(v);
}

/** Function `kind` on four lanes. */
// @ts-ignore: decorator
@inline function apply(kind: i32, x: v128, a: f32, b: f32): v128 {
  const zero = splat(0);
  switch (kind) {
    case RELU: return select(zero, x, f32x4.lt(x, zero));
    case LEAKY_RELU: return select(f32x4.mul(x, splat(a)), x, f32x4.lt(x, zero));
    case CLIP: {
      const lo = select(splat(a), x, f32x4.lt(x, splat(a)));
      return select(splat(b), lo, f32x4.gt(lo, splat(b)));
    }
    case SIGMOID: return sigmoid4(x);
    case TANH: return tanh4(x);
    case GELU: return geluErf4(x);
    case GELU_TANH: return geluTanh4(x);
    case ELU: return select(f32x4.mul(splat(a), expm14(x)), x, f32x4.lt(x, zero));
    case SELU: return select(f32x4.mul(splat(a), expm14(x)), f32x4.mul(splat(b), x), f32x4.le(x, zero));
    case SOFTPLUS: return f32x4.add(f32x4.max(x, zero), log1pPositive(exp4(f32x4.neg(f32x4.abs(x)))));
    case SILU: return f32x4.mul(x, sigmoid4(f32x4.mul(x, splat(a))));
    case HARD_SIGMOID: {
      const v = f32x4.add(f32x4.mul(x, splat(a)), splat(b));
      return select(zero, select(splat(1), v, f32x4.gt(v, splat(1))), f32x4.lt(v, zero));
    }
    case HARD_SWISH: {
      const v = f32x4.add(f32x4.mul(x, splat(<f32>(1.0 / 6))), splat(0.5));
      return f32x4.mul(x, f32x4.max(zero, f32x4.min(splat(1), v)));
    }
    case EXP: return exp4(x);
    case LOG: return log4(x);
    case SQRT: return f32x4.sqrt(x);
    case NEG: return f32x4.neg(x);
    case ABS: return f32x4.abs(x);
    case SOFTSIGN: return f32x4.div(x, f32x4.add(splat(1), f32x4.abs(x)));
    case ERF: return erf4(x);
    default: return x;
  }
}

/** Elements [s, e) of y = f(x). The switch on `kind` inside the loop is one well-predicted branch per vector. */
function unaryRange(kind: i32, x: usize, y: usize, s: i32, e: i32, a: f32, b: f32): void {
  let i = s;
  for (; i + 4 <= e; i += 4) {
    const p = <usize>i << 2;
    v128.store(y + p, apply(kind, v128.load(x + p), a, b));
  }
  for (; i < e; i++) {
    const p = <usize>i << 2;
    store<f32>(y + p, f32x4.extract_lane(apply(kind, f32x4.splat(load<f32>(x + p)), a, b), 0));
  }
}

/** y[i] = f(x[i]) for i < n, f the function numbered `kind` with parameters a, b. Parts split the elements. */
export function unary(kind: i32, x: usize, y: usize, n: i32, a: f32, b: f32, part: i32, parts: i32): void {
  unaryRange(kind, x, y, partStart(n, 16, part, parts), partStart(n, 16, part + 1, parts), a, b);
}

// Binary operators by number; the reversed ones let the broadcast operand stand on the left.
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const RSUB = 4;
const RDIV = 5;

// How `b` broadcasts against `a` ([rows, inner]).
const SAME = 0;
const SCALAR = 1;
/** b[j]: a vector over the last axis (a bias). */
const ROW = 2;
/** b[r % channels]: one value per row, e.g. per channel of NCHW with inner = H·W. */
const PER_ROW = 3;

// @ts-ignore: decorator
@inline function op4(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(x, y);
    case SUB: return f32x4.sub(x, y);
    case MUL: return f32x4.mul(x, y);
    case DIV: return f32x4.div(x, y);
    case RSUB: return f32x4.sub(y, x);
    default: return f32x4.div(y, x);
  }
}

// @ts-ignore: decorator
@inline function op1(op: i32, x: f32, y: f32): f32 {
  switch (op) {
    case ADD: return x + y;
    case SUB: return x - y;
    case MUL: return x * y;
    case DIV: return x / y;
    case RSUB: return y - x;
    default: return y / x;
  }
}

/** out[i] = a[i] op (b[i] when `vector`, else the scalar bv), i in [s, e). */
function binaryRange(op: i32, a: usize, b: usize, vector: bool, bv: f32, out: usize, s: i32, e: i32): void {
  const bs = f32x4.splat(bv);
  let i = s;
  for (; i + 4 <= e; i += 4) {
    const p = <usize>i << 2;
    v128.store(out + p, op4(op, v128.load(a + p), vector ? v128.load(b + p) : bs));
  }
  for (; i < e; i++) {
    const p = <usize>i << 2;
    store<f32>(out + p, op1(op, load<f32>(a + p), vector ? load<f32>(b + p) : bv));
  }
}

/**
 * out = a op b for a of shape [rows, inner] and b broadcast as `mode` says (SAME, SCALAR, ROW: b[inner],
 * PER_ROW: b[channels] with row r using b[r % channels]). Parts split the elements or the rows.
 */
export function binary(op: i32, a: usize, b: usize, out: usize, rows: i32, inner: i32, mode: i32, channels: i32,
  part: i32, parts: i32): void {
  if (mode == SAME || mode == SCALAR) {
    const n = rows * inner;
    const s = partStart(n, 16, part, parts);
    const e = partStart(n, 16, part + 1, parts);
    if (mode == SAME) binaryRange(op, a, b, true, 0, out, s, e);
    else binaryRange(op, a, 0, false, load<f32>(b), out, s, e);
    return;
  }
  const r0 = partStart(rows, 1, part, parts);
  const r1 = partStart(rows, 1, part + 1, parts);
  const rowBytes = <usize>inner << 2;
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * rowBytes;
    if (mode == ROW) binaryRange(op, a + o, b, true, 0, out + o, 0, inner);
    else binaryRange(op, a + o, 0, false, load<f32>(b + (<usize>(r % channels) << 2)), out + o, 0, inner);
  }
}
