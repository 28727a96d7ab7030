// Pooling over NCHW planes (ONNX MaxPool output 0 and AveragePool, opset 22; GlobalMaxPool, GlobalAveragePool),
// with the semantics of the TypeScript kernel (src/engine/kernels/pool.ts): a NaN in a window gives NaN (a value
// replaces the running maximum when it is larger or NaN, in the order kh, kw); a mean sums in float32 in the order
// kh, kw and divides by the count of real input elements, or with `countIncludePad` of window positions inside the
// padded input (never past the end padding); a window with nothing to count gives 0. 1-D pooling is H = KH = 1.
// Output rows are vectorised four pixels at a time where every tap reads real input; splits by planes.

import { partStart } from './simd';
import { ceilDiv, interiorHi, interiorLo, load4 } from './window';

/** `kind` of pool2d: the maximum, the mean of real elements, the mean over the padded window. */
const MAX: i32 = 0;
const MEAN_INCLUDE_PAD: i32 = 2;

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** The running maximum of the TypeScript kernel on four lanes: v replaces acc where v > acc or v is NaN. */
// @ts-ignore: decorator
@inline function maxStep(acc: v128, v: v128): v128 {
  return v128.bitselect(v, acc, v128.or(f32x4.gt(v, acc), f32x4.ne(v, v)));
}

/** One output pixel with every tap checked: its maximum, or its sum divided by its count. */
// @ts-ignore: decorator
@inline function pixel(xc: usize, W: i32, KW: i32, kh0: i32, kh1: i32, ihBase: i32, dh: i32, start: i32, dw: i32,
  padEndW: i32, kind: i32, rowCount: i32): f32 {
  const kw0 = min(KW, max(0, ceilDiv(-start, dw)));
  const kw1 = max(kw0, min(KW, ceilDiv(W - start, dw)));
  if (kind == MAX) {
    let acc = -Infinity as f32;
    for (let kh = kh0; kh < kh1; kh++) {
      const row = at(xc, (ihBase + kh * dh) * W + start);
      for (let kw = kw0; kw < kw1; kw++) {
        const v = load<f32>(at(row, kw * dw));
        if (v > acc || v != v) acc = v;
      }
    }
    return acc;
  }
  let sum: f32 = 0;
  for (let kh = kh0; kh < kh1; kh++) {
    const row = at(xc, (ihBase + kh * dh) * W + start);
    for (let kw = kw0; kw < kw1; kw++) sum += load<f32>(at(row, kw * dw));
  }
  const cols = kind == MEAN_INCLUDE_PAD ? min(KW, max(0, ceilDiv(W + padEndW - start, dw))) : kw1 - kw0;
  const count = rowCount * cols;
  return count > 0 ? sum / <f32>count : 0;
}

/** One output row; `sw` is a constant where this is inlined. See depthwiseRow in conv.ts. */
// @ts-ignore: decorator
@inline function poolRow(xc: usize, yrow: usize, W: i32, OW: i32, KW: i32, kh0: i32, kh1: i32, ihBase: i32, dh: i32,
  sw: i32, dw: i32, pw: i32, padEndW: i32, lo: i32, hi: i32, kind: i32, rowCount: i32): void {
  for (let ow = 0; ow < lo; ow++) {
    store<f32>(at(yrow, ow), pixel(xc, W, KW, kh0, kh1, ihBase, dh, ow * sw - pw, dw, padEndW, kind, rowCount));
  }
  let ow = lo;
  if (kind == MAX) {
    for (; ow + 4 <= hi; ow += 4) {
      let acc = f32x4.splat(<f32>-Infinity);
      for (let kh = kh0; kh < kh1; kh++) {
        const row = at(xc, (ihBase + kh * dh) * W + ow * sw - pw);
        for (let kw = 0; kw < KW; kw++) acc = maxStep(acc, load4(at(row, kw * dw), sw));
      }
      v128.store(at(yrow, ow), acc);
    }
  } else {
    // Inside the row every tap counts, padding included or not.
    const count = rowCount * KW;
    const div = f32x4.splat(<f32>count);
    for (; ow + 4 <= hi; ow += 4) {
      let acc = f32x4.splat(0);
      for (let kh = kh0; kh < kh1; kh++) {
        const row = at(xc, (ihBase + kh * dh) * W + ow * sw - pw);
        for (let kw = 0; kw < KW; kw++) acc = f32x4.add(acc, load4(at(row, kw * dw), sw));
      }
      v128.store(at(yrow, ow), count > 0 ? f32x4.div(acc, div) : f32x4.splat(0));
    }
  }
  for (; ow < OW; ow++) {
    store<f32>(at(yrow, ow), pixel(xc, W, KW, kh0, kh1, ihBase, dh, ow * sw - pw, dw, padEndW, kind, rowCount));
  }
}

/**
 * `planes` planes x [H, W] → y [OH, OW]. `kind`: 0 max, 1 mean of real elements, 2 mean including padding
 * (`padEndH`, `padEndW` are the end pads it counts). x must be followed by a few floats of slack (see load4).
 * This call computes part `part` of `parts` of the planes.
 */
export function pool2d(x: usize, planes: i32, H: i32, W: i32, y: usize, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, padEndH: i32, padEndW: i32, kind: i32,
  part: i32, parts: i32): void {
  const p0 = partStart(planes, 1, part, parts);
  const p1 = partStart(planes, 1, part + 1, parts);
  const lo = interiorLo(OW, sw, pw);
  const hi = interiorHi(lo, W, OW, KW, sw, dw, pw);
  for (let p = p0; p < p1; p++) {
    const xc = at(x, p * H * W);
    for (let oh = 0; oh < OH; oh++) {
      const ihBase = oh * sh - ph;
      const kh0 = min(KH, max(0, ceilDiv(-ihBase, dh)));
      const kh1 = max(kh0, min(KH, ceilDiv(H - ihBase, dh)));
      const rowCount = kind == MEAN_INCLUDE_PAD ? min(KH, max(0, ceilDiv(H + padEndH - ihBase, dh))) : kh1 - kh0;
      const yrow = at(y, (p * OH + oh) * OW);
      if (sw == 1) poolRow(xc, yrow, W, OW, KW, kh0, kh1, ihBase, dh, 1, dw, pw, padEndW, lo, hi, kind, rowCount);
      else if (sw == 2) poolRow(xc, yrow, W, OW, KW, kh0, kh1, ihBase, dh, 2, dw, pw, padEndW, lo, hi, kind, rowCount);
      else poolRow(xc, yrow, W, OW, KW, kh0, kh1, ihBase, dh, sw, dw, pw, padEndW, lo, hi, kind, rowCount);
    }
  }
}

/**
 * `planes` planes of `size` floats → one float each: the maximum (`kind` 0), or the mean (1) summed in float64.
 * This call computes part `part` of `parts` of the planes.
 */
export function globalPool(x: usize, planes: i32, size: i32, y: usize, kind: i32, part: i32, parts: i32): void {
  const p0 = partStart(planes, 1, part, parts);
  const p1 = partStart(planes, 1, part + 1, parts);
  for (let p = p0; p < p1; p++) {
    const xc = at(x, p * size);
    let i = 0;
    if (kind == MAX) {
      let acc = f32x4.splat(<f32>-Infinity);
      for (; i + 4 <= size; i += 4) acc = maxStep(acc, v128.load(at(xc, i)));
      let m = f32x4.extract_lane(acc, 0);
      for (let l = 1; l < 4; l++) {
        const v = l == 1 ? f32x4.extract_lane(acc, 1) : l == 2 ? f32x4.extract_lane(acc, 2) : f32x4.extract_lane(acc, 3);
        if (v > m || v != v) m = v;
      }
      for (; i < size; i++) {
        const v = load<f32>(at(xc, i));
        if (v > m || v != v) m = v;
      }
      store<f32>(at(y, p), m);
    } else {
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      for (; i + 4 <= size; i += 4) {
        const v = v128.load(at(xc, i));
        a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
        a1 = f64x2.add(a1, f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1)));
      }
      const s = f64x2.add(a0, a1);
      let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
      for (; i < size; i++) sum += <f64>load<f32>(at(xc, i));
      store<f32>(at(y, p), <f32>(sum / <f64>size));
    }
  }
}
