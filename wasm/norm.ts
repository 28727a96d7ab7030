// Normalisations on 128-bit SIMD, with the semantics of the TypeScript kernels (src/engine/kernels/softmax.ts,
// norm.ts, tfMath.ts): softmax and log-softmax over the last axis (ONNX Softmax-13, LogSoftmax-13), layer
// normalisation over the last axis (ONNX LayerNormalization-17) and the per-channel affine map that inference batch
// normalisation folds into (ONNX BatchNormalization-15 on NCHW, TF FusedBatchNorm on NHWC). Each row is one unit
// of work; parts split the rows.

import { exp4, log4 } from './math';
import { fma, partStart } from './simd';

// @ts-ignore: decorator
@inline function splat(v: f32): v128 {
  return f32x4.splat(v);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** The largest lane; NaN when any lane is NaN (f32x4.max and f32.max both keep NaN). */
// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** e^v for one float, through the vector code so that tails round exactly as the body. */
// @ts-ignore: decorator
@inline function exp1(v: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(v)), 0);
}

/**
 * Softmax (log = 0) or log-softmax (log = 1) of each row of x [rows, n] into y. The row maximum is subtracted
 * first; a NaN anywhere in a row makes the whole row NaN.
 */
export function softmaxRows(x: usize, y: usize, rows: i32, n: i32, log: i32, part: i32, parts: i32): void {
  const r0 = partStart(rows, 1, part, parts);
  const r1 = partStart(rows, 1, part + 1, parts);
  const n4 = n & ~3;
  for (let r = r0; r < r1; r++) {
    const xr = x + (<usize>r * <usize>n << 2);
    const yr = y + (<usize>r * <usize>n << 2);
    let mv = splat(-Infinity);
    for (let k = 0; k < n4; k += 4) mv = f32x4.max(mv, v128.load(xr + (<usize>k << 2)));
    let m = hmax(mv);
    for (let k = n4; k < n; k++) m = max(m, load<f32>(xr + (<usize>k << 2)));
    const ms = splat(m);
    let sv = splat(0);
    for (let k = 0; k < n4; k += 4) {
      const e = exp4(f32x4.sub(v128.load(xr + (<usize>k << 2)), ms));
      sv = f32x4.add(sv, e);
      if (!log) v128.store(yr + (<usize>k << 2), e);
    }
    let sum = hsum(sv);
    for (let k = n4; k < n; k++) {
      const e = exp1(load<f32>(xr + (<usize>k << 2)) - m);
      sum += e;
      if (!log) store<f32>(yr + (<usize>k << 2), e);
    }
    if (log) {
      const shift = m + f32x4.extract_lane(log4(f32x4.splat(sum)), 0);
      const sh = splat(shift);
      for (let k = 0; k < n4; k += 4) v128.store(yr + (<usize>k << 2), f32x4.sub(v128.load(xr + (<usize>k << 2)), sh));
      for (let k = n4; k < n; k++) store<f32>(yr + (<usize>k << 2), load<f32>(xr + (<usize>k << 2)) - shift);
    } else {
      const inv: f32 = 1 / sum;
      const iv = splat(inv);
      for (let k = 0; k < n4; k += 4) v128.store(yr + (<usize>k << 2), f32x4.mul(v128.load(yr + (<usize>k << 2)), iv));
      for (let k = n4; k < n; k++) store<f32>(yr + (<usize>k << 2), load<f32>(yr + (<usize>k << 2)) * inv);
    }
  }
}

/**
 * Layer normalisation of each row of x [rows, d]: y = (x − μ) · σ⁻¹ · scale + bias, σ⁻¹ = 1/√(variance + eps)
 * with the population variance; scale and bias have d values (bias 0: none). The row statistics go to
 * means[rows] and invs[rows].
 */
export function layerNorm(x: usize, y: usize, scale: usize, bias: usize, rows: i32, d: i32, eps: f32,
  means: usize, invs: usize, part: i32, parts: i32): void {
  const r0 = partStart(rows, 1, part, parts);
  const r1 = partStart(rows, 1, part + 1, parts);
  const d4 = d & ~3;
  for (let r = r0; r < r1; r++) {
    const xr = x + (<usize>r * <usize>d << 2);
    const yr = y + (<usize>r * <usize>d << 2);
    let sv = splat(0);
    for (let k = 0; k < d4; k += 4) sv = f32x4.add(sv, v128.load(xr + (<usize>k << 2)));
    let sum = hsum(sv);
    for (let k = d4; k < d; k++) sum += load<f32>(xr + (<usize>k << 2));
    const mu = sum / <f32>d;
    const mv = splat(mu);
    let qv = splat(0);
    for (let k = 0; k < d4; k += 4) {
      const c = f32x4.sub(v128.load(xr + (<usize>k << 2)), mv);
      qv = fma(c, c, qv);
    }
    let sq = hsum(qv);
    for (let k = d4; k < d; k++) {
      const c = load<f32>(xr + (<usize>k << 2)) - mu;
      sq += c * c;
    }
    const inv: f32 = 1 / sqrt<f32>(sq / <f32>d + eps);
    store<f32>(means + (<usize>r << 2), mu);
    store<f32>(invs + (<usize>r << 2), inv);
    const iv = splat(inv);
    for (let k = 0; k < d4; k += 4) {
      const o = <usize>k << 2;
      const c = f32x4.mul(f32x4.mul(f32x4.sub(v128.load(xr + o), mv), iv), v128.load(scale + o));
      v128.store(yr + o, bias ? f32x4.add(c, v128.load(bias + o)) : c);
    }
    for (let k = d4; k < d; k++) {
      const o = <usize>k << 2;
      const c = (load<f32>(xr + o) - mu) * inv * load<f32>(scale + o);
      store<f32>(yr + o, bias ? c + load<f32>(bias + o) : c);
    }
  }
}

/**
 * y = x · mul + add on x [rows, inner], per channel: with `perRow` 1 row r uses channel r % channels (NCHW with
 * inner = H·W), else element j of a row uses channel j (channels last, inner = channels).
 */
export function affine(x: usize, y: usize, mul: usize, add: usize, rows: i32, inner: i32, channels: i32, perRow: i32,
  part: i32, parts: i32): void {
  const r0 = partStart(rows, 1, part, parts);
  const r1 = partStart(rows, 1, part + 1, parts);
  const n4 = inner & ~3;
  for (let r = r0; r < r1; r++) {
    const xr = x + (<usize>r * <usize>inner << 2);
    const yr = y + (<usize>r * <usize>inner << 2);
    if (perRow) {
      const c = <usize>(r % channels) << 2;
      const m = load<f32>(mul + c);
      const k = load<f32>(add + c);
      const mv = splat(m);
      const kv = splat(k);
      for (let j = 0; j < n4; j += 4) v128.store(yr + (<usize>j << 2), fma(v128.load(xr + (<usize>j << 2)), mv, kv));
      for (let j = n4; j < inner; j++) store<f32>(yr + (<usize>j << 2), load<f32>(xr + (<usize>j << 2)) * m + k);
    } else {
      for (let j = 0; j < n4; j += 4) {
        const o = <usize>j << 2;
        v128.store(yr + o, fma(v128.load(xr + o), v128.load(mul + o), v128.load(add + o)));
      }
      for (let j = n4; j < inner; j++) {
        const o = <usize>j << 2;
        store<f32>(yr + o, load<f32>(xr + o) * load<f32>(mul + o) + load<f32>(add + o));
      }
    }
  }
}
