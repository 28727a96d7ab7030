import { EngineError } from '../errors';
import { Tensor } from '../tensor';
import { broadcastShapes, broadcastTo } from './broadcast';
import { fmtShape } from './opArgs';
import { wasmChannelAffine } from '../wasm/norm';

/**
 * Arithmetic with TensorFlow semantics that the ONNX-shaped kernels do not give: floor division and floor
 * modulo for floats and ints alike (tf.math.floordiv, floormod), squared difference, batch normalisation over
 * the last axis (FusedBatchNorm, NHWC), a two-operand einsum and non-max suppression (TF image ops).
 */

/** f over a and b broadcast together; the result has the dtype of a (int32 results are truncated by the typed array). */
function elementwise(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, op);
  const x = broadcastTo(a, shape, op, 'a');
  const y = broadcastTo(b, shape, op, 'b');
  const dtype = a.dtype === 'bool' ? 'float32' : a.dtype;
  const out = dtype === 'float32' ? new Float32Array(x.size) : dtype === 'int32' ? new Int32Array(x.size) : new Float64Array(x.size);
  for (let i = 0; i < out.length; i++) out[i] = f(Number(x.data[i]), Number(y.data[i]));
  return new Tensor(dtype, shape, out);
}

export function floorDiv(a: Tensor, b: Tensor): Tensor {
  return elementwise('tfFloorDiv', a, b, (x, y) => Math.floor(x / y));
}

/** x − floor(x / y) · y: the sign of y, as TF FloorMod. */
export function floorMod(a: Tensor, b: Tensor): Tensor {
  return elementwise('tfFloorMod', a, b, (x, y) => {
    const r = x % y;
    return r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
  });
}

export function squaredDifference(a: Tensor, b: Tensor): Tensor {
  return elementwise('tfSquaredDifference', a, b, (x, y) => (x - y) * (x - y));
}

/** (x − mean) · scale / sqrt(variance + epsilon) + offset, the four vectors along the last axis of x. */
export function batchNormLastAxis(x: Tensor, scale: Tensor, offset: Tensor, mean: Tensor, variance: Tensor, epsilon: number): Tensor<'float32'> {
  const c = x.shape[x.rank - 1];
  for (const [name, t] of [['scale', scale], ['offset', offset], ['mean', mean], ['variance', variance]] as const) {
    if (t.size !== c) throw new EngineError(`${name} has ${t.size} elements but the input ${fmtShape(x.shape)} has ${c} channels`, 'tfBatchNorm');
  }
  const mul = new Float32Array(c);
  const add = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    mul[k] = scale.data[k] / Math.sqrt(variance.data[k] + epsilon);
    add[k] = offset.data[k] - mean.data[k] * mul[k];
  }
  const out = new Float32Array(x.size);
  if (x.dtype === 'float32' && c > 0 && wasmChannelAffine(x.data as Float32Array, mul, add, x.size / c, c, false, out)) return new Tensor('float32', x.shape, out);
  for (let i = 0; i < x.size; i++) out[i] = x.data[i] * mul[i % c] + add[i % c];
  return new Tensor('float32', x.shape, out);
}

/** Einsum of one or two operands (`ij,jk->ik`, `bij->bji`, ...): every label summed over that the output leaves out. */
export function einsum(equation: string, xs: readonly Tensor[]): Tensor<'float32'> {
  const op = 'tfEinsum';
  const eq = equation.replace(/\s+/g, '');
  const m = /^([a-zA-Z]*)(?:,([a-zA-Z]*))?->([a-zA-Z]*)$/.exec(eq);
  if (!m) throw new EngineError(`equation '${equation}' is not of the form 'ab,bc->ac' with one or two operands and an explicit output (ellipses are not read)`, op);
  const terms = m[2] === undefined ? [m[1]] : [m[1], m[2]];
  if (terms.length !== xs.length) throw new EngineError(`equation '${equation}' names ${terms.length} operands but ${xs.length} are given`, op);
  const sizes = new Map<string, number>();
  terms.forEach((t, k) => {
    if (t.length !== xs[k].rank) throw new EngineError(`operand ${k} has rank ${xs[k].rank} but '${t}' names ${t.length} axes`, op);
    [...t].forEach((l, i) => {
      const d = xs[k].shape[i];
      const seen = sizes.get(l);
      if (seen !== undefined && seen !== d) throw new EngineError(`label '${l}' is ${seen} in one place and ${d} in another`, op);
      sizes.set(l, d);
    });
  });
  const outLabels = [...m[3]];
  for (const l of outLabels) if (!sizes.has(l)) throw new EngineError(`output label '${l}' is in no operand`, op);
  const sumLabels = [...sizes.keys()].filter((l) => !outLabels.includes(l));
  const all = [...outLabels, ...sumLabels];
  const dims = all.map((l) => sizes.get(l)!);
  const outShape = outLabels.map((l) => sizes.get(l)!);
  const outSize = outShape.reduce((a, d) => a * d, 1);
  const sumSize = sumLabels.reduce((a, l) => a * sizes.get(l)!, 1);
  const strides = terms.map((t, k) => {
    const st = new Array<number>(all.length).fill(0);
    let acc = 1;
    for (let i = t.length - 1; i >= 0; i--) {
      st[all.indexOf(t[i])] += acc;
      acc *= xs[k].shape[i];
    }
    return st;
  });
  const out = new Float32Array(outSize);
  const idx = new Array<number>(all.length).fill(0);
  for (let o = 0; o < outSize * sumSize; o++) {
    let v = 1;
    for (let k = 0; k < xs.length; k++) {
      let at = 0;
      for (let i = 0; i < all.length; i++) at += idx[i] * strides[k][i];
      v *= xs[k].data[at];
    }
    out[Math.floor(o / sumSize)] += v;
    for (let i = all.length - 1; i >= 0; i--) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
  return new Tensor('float32', outShape, out);
}

function iou(b: ArrayLike<number>, i: number, j: number): number {
  const [ay1, ay2] = [Math.min(b[4 * i], b[4 * i + 2]), Math.max(b[4 * i], b[4 * i + 2])];
  const [ax1, ax2] = [Math.min(b[4 * i + 1], b[4 * i + 3]), Math.max(b[4 * i + 1], b[4 * i + 3])];
  const [by1, by2] = [Math.min(b[4 * j], b[4 * j + 2]), Math.max(b[4 * j], b[4 * j + 2])];
  const [bx1, bx2] = [Math.min(b[4 * j + 1], b[4 * j + 3]), Math.max(b[4 * j + 1], b[4 * j + 3])];
  const areaA = (ay2 - ay1) * (ax2 - ax1);
  const areaB = (by2 - by1) * (bx2 - bx1);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0) * Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0);
  return inter / (areaA + areaB - inter);
}

/**
 * Greedy non-max suppression (TF NonMaxSuppressionV3/V4/V5 with soft-NMS sigma 0): boxes [n, 4] as
 * (y1, x1, y2, x2) in either corner order, scores [n]; keeps boxes by falling score (ties to the lower index)
 * that score above `scoreThreshold` and overlap no kept box by more than `iouThreshold`, at most `maxOutput`.
 */
export function nonMaxSuppression(boxes: Tensor, scores: Tensor, maxOutput: number, iouThreshold: number, scoreThreshold: number): { indices: number[]; scores: number[] } {
  const op = 'tfNonMaxSuppression';
  if (boxes.rank !== 2 || boxes.shape[1] !== 4) throw new EngineError(`boxes must be [n, 4], got ${fmtShape(boxes.shape)}`, op);
  const n = boxes.shape[0];
  if (scores.rank !== 1 || scores.shape[0] !== n) throw new EngineError(`scores must be [${n}], got ${fmtShape(scores.shape)}`, op);
  if (iouThreshold < 0 || iouThreshold > 1) throw new EngineError(`iouThreshold ${iouThreshold} must lie in [0, 1]`, op);
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => scores.data[i] > scoreThreshold);
  order.sort((a, b) => scores.data[b] - scores.data[a] || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxOutput) break;
    if (kept.every((k) => iou(boxes.data, i, k) <= iouThreshold)) kept.push(i);
  }
  return { indices: kept, scores: kept.map((k) => scores.data[k]) };
}
