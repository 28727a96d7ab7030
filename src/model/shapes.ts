import type { Attrs, AttrValue } from '../engine/registry';
import type { Shape } from '../engine/tensor';

/**
 * Static shape inference for the engine's ops (docs/ops.md), used by loaders to check a model before any run.
 * Rules follow the ONNX operators the ops mirror. Functions throw {@link ShapeError} with a sentence about the
 * shapes; callers add the file, line and layer.
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

export const fmt = (s: Shape): string => `[${s.join(', ')}]`;

/** NumPy broadcasting of two shapes. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new ShapeError(`shapes ${fmt(a)} and ${fmt(b)} do not broadcast`);
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** NumPy matmul: batched, batch dims broadcast, 1-D operands promoted and their added axis dropped. */
export function matmulShape(a: Shape, b: Shape): number[] {
  if (a.length === 0 || b.length === 0) throw new ShapeError('matmul needs operands of rank 1 or more');
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const k1 = a2[a2.length - 1];
  const k2 = b2[b2.length - 2];
  if (k1 !== k2) throw new ShapeError(`matmul of ${fmt(a)} by ${fmt(b)}: inner dimensions ${k1} and ${k2} differ`);
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return out;
}

/** An axis in [-rank, rank) as a non-negative index. */
export function normAxis(axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new ShapeError(`axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Output length of a convolution or pooling window along one axis. */
export function windowOut(size: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, ceil = false): number {
  const span = (kernel - 1) * dilation + 1;
  const room = size + padBegin + padEnd - span;
  if (room < 0) throw new ShapeError(`a window of ${span} does not fit an axis of ${size} padded by ${padBegin + padEnd}`);
  return (ceil ? Math.ceil(room / stride) : Math.floor(room / stride)) + 1;
}

/**
 * Explicit pads that give TF/Keras `same` padding: out = ceil(size / stride), the odd extra pad at the end
 * (ONNX `SAME_UPPER`).
 */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

function nums(v: AttrValue | undefined, fallback: readonly number[]): readonly number[] {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as readonly number[];
  throw new ShapeError(`expected a number array attribute, got ${JSON.stringify(v)}`);
}

function num(v: AttrValue | undefined, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return v;
  throw new ShapeError(`expected a number attribute, got ${JSON.stringify(v)}`);
}

function convLike(x: Shape, w: Shape, attrs: Attrs, transpose: boolean): number[] {
  const spatial = x.length - 2;
  if (spatial < 1) throw new ShapeError(`input ${fmt(x)} must be [N, C, ...spatial]`);
  if (w.length !== x.length) throw new ShapeError(`kernel ${fmt(w)} must have the input's rank ${x.length}`);
  const group = num(attrs.group, 1);
  const k = w.slice(2);
  const strides = nums(attrs.strides, k.map(() => 1));
  const dilations = nums(attrs.dilations, k.map(() => 1));
  const pads = nums(attrs.pads, [...k.map(() => 0), ...k.map(() => 0)]);
  if (!transpose) {
    if (x[1] !== w[1] * group) throw new ShapeError(`input ${fmt(x)} has ${x[1]} channels but kernel ${fmt(w)} with group ${group} takes ${w[1] * group}`);
    const out = [x[0], w[0]];
    for (let i = 0; i < spatial; i++) out.push(windowOut(x[2 + i], k[i], strides[i], dilations[i], pads[i], pads[spatial + i]));
    return out;
  }
  if (x[1] !== w[0]) throw new ShapeError(`input ${fmt(x)} has ${x[1]} channels but transposed kernel ${fmt(w)} takes ${w[0]}`);
  const outPad = nums(attrs.outputPadding, k.map(() => 0));
  const out = [x[0], w[1] * group];
  for (let i = 0; i < spatial; i++) {
    const o = strides[i] * (x[2 + i] - 1) + outPad[i] + (k[i] - 1) * dilations[i] + 1 - pads[i] - pads[spatial + i];
    if (o < 1) throw new ShapeError(`transposed convolution gives an empty axis ${i + 2}`);
    out.push(o);
  }
  return out;
}

function pool(x: Shape, attrs: Attrs): number[] {
  const spatial = x.length - 2;
  if (spatial < 1) throw new ShapeError(`input ${fmt(x)} must be [N, C, ...spatial]`);
  const k = nums(attrs.kernelShape, []);
  if (k.length !== spatial) throw new ShapeError(`kernelShape ${fmt(k)} must have ${spatial} entries for input ${fmt(x)}`);
  const strides = nums(attrs.strides, k.map(() => 1));
  const dilations = nums(attrs.dilations, k.map(() => 1));
  const pads = nums(attrs.pads, [...k.map(() => 0), ...k.map(() => 0)]);
  const ceil = num(attrs.ceilMode, 0) === 1;
  const out = [x[0], x[1]];
  for (let i = 0; i < spatial; i++) out.push(windowOut(x[2 + i], k[i], strides[i], dilations[i], pads[i], pads[spatial + i], ceil));
  return out;
}

function reshape(x: Shape, target: readonly number[], allowzero: boolean): number[] {
  const total = x.reduce((a, d) => a * d, 1);
  const out = target.map((d, i) => (d === 0 && !allowzero ? x[i] : d));
  if (out.some((d) => d === undefined)) throw new ShapeError(`shape ${fmt(target)} copies a dimension that ${fmt(x)} does not have`);
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1) throw new ShapeError(`shape ${fmt(target)} has more than one -1`);
  const known = out.reduce((a, d) => (d === -1 ? a : a * d), 1);
  if (unknown === 1) {
    if (known === 0 || total % known !== 0) throw new ShapeError(`cannot reshape ${fmt(x)} (${total} elements) to ${fmt(target)}`);
    return out.map((d) => (d === -1 ? total / known : d));
  }
  if (known !== total) throw new ShapeError(`cannot reshape ${fmt(x)} (${total} elements) to ${fmt(target)} (${known} elements)`);
  return out;
}

function sliceShape(x: Shape, attrs: Attrs): number[] {
  const starts = nums(attrs.starts, []);
  const ends = nums(attrs.ends, []);
  const axes = nums(attrs.axes, starts.map((_, i) => i));
  const steps = nums(attrs.steps, starts.map(() => 1));
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new ShapeError('slice needs starts, ends, axes and steps of the same length');
  }
  const out = [...x];
  axes.forEach((a, i) => {
    const ax = normAxis(a, x.length);
    const dim = x[ax];
    const step = steps[i];
    if (step === 0) throw new ShapeError('slice step 0');
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
    const s = step > 0 ? clamp(starts[i], 0, dim) : clamp(starts[i], -1, dim - 1);
    const e = step > 0 ? clamp(ends[i], 0, dim) : clamp(ends[i], -1, dim - 1);
    out[ax] = Math.max(0, Math.ceil((e - s) / step));
  });
  return out;
}

function reduceShape(x: Shape, attrs: Attrs): number[] {
  const keep = num(attrs.keepdims, 1) === 1;
  const given = nums(attrs.axes, []);
  const axes = new Set((given.length ? given : x.map((_, i) => i)).map((a) => normAxis(a, x.length)));
  const out: number[] = [];
  x.forEach((d, i) => {
    if (!axes.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

const UNARY = new Set([
  'sqrt', 'exp', 'log', 'neg', 'abs', 'reciprocal', 'erf', 'floor', 'ceil', 'identity', 'relu', 'sigmoid', 'tanh',
  'softplus', 'softsign', 'leakyRelu', 'elu', 'selu', 'gelu', 'hardSigmoid', 'silu', 'clip', 'softmax', 'logSoftmax', 'cast',
]);
const BINARY = new Set(['add', 'sub', 'mul', 'div', 'pow', 'max', 'min']);

/**
 * Output shapes of one op call from its input shapes (undefined = optional input left out) and attributes.
 * Returns undefined for an op it does not know.
 */
export function inferOpShapes(op: string, inputs: readonly (Shape | undefined)[], attrs: Attrs): number[][] | undefined {
  const x = inputs[0] ?? [];
  const need = (i: number): Shape => {
    const s = inputs[i];
    if (!s) throw new ShapeError(`${op} needs input ${i}`);
    return s;
  };
  if (UNARY.has(op)) return [[...need(0)]];
  if (BINARY.has(op)) return [broadcastShapes(need(0), need(1))];
  switch (op) {
    case 'matmul': return [matmulShape(need(0), need(1))];
    case 'gemm': {
      const [a, b] = [need(0), need(1)];
      const m = num(attrs.transA, 0) ? a[1] : a[0];
      const ka = num(attrs.transA, 0) ? a[0] : a[1];
      const kb = num(attrs.transB, 0) ? b[1] : b[0];
      const n = num(attrs.transB, 0) ? b[0] : b[1];
      if (ka !== kb) throw new ShapeError(`gemm inner dimensions ${ka} and ${kb} differ`);
      return [[m, n]];
    }
    case 'conv': return [convLike(need(0), need(1), attrs, false)];
    case 'convTranspose': return [convLike(need(0), need(1), attrs, true)];
    case 'maxPool': case 'averagePool': return [pool(need(0), attrs)];
    case 'globalAveragePool': case 'globalMaxPool': return [[x[0], x[1], ...x.slice(2).map(() => 1)]];
    case 'batchNormalization': case 'layerNormalization': return [[...need(0)]];
    case 'flatten': {
      const axis = num(attrs.axis, 1);
      const a = axis < 0 ? axis + x.length : axis;
      if (a < 0 || a > x.length) throw new ShapeError(`flatten axis ${axis} is out of range for rank ${x.length}`);
      const prod = (s: Shape): number => s.reduce((p, d) => p * d, 1);
      return [[prod(x.slice(0, a)), prod(x.slice(a))]];
    }
    case 'reshape': return [reshape(need(0), nums(attrs.shape, []), num(attrs.allowzero, 0) === 1)];
    case 'transpose': {
      const perm = nums(attrs.perm, x.map((_, i) => x.length - 1 - i));
      if (perm.length !== x.length || new Set(perm.map((p) => normAxis(p, x.length))).size !== x.length) {
        throw new ShapeError(`perm ${fmt(perm)} is not a permutation of the ${x.length} axes of ${fmt(x)}`);
      }
      return [perm.map((p) => x[normAxis(p, x.length)])];
    }
    case 'concat': {
      const shapes = inputs.filter((s): s is Shape => !!s);
      const axis = normAxis(num(attrs.axis, 0), x.length);
      const out = [...shapes[0]];
      for (const s of shapes.slice(1)) {
        if (s.length !== out.length || s.some((d, i) => i !== axis && d !== out[i])) {
          throw new ShapeError(`cannot concatenate ${fmt(shapes[0])} and ${fmt(s)} along axis ${axis}`);
        }
        out[axis] += s[axis];
      }
      return [out];
    }
    case 'split': {
      const axis = normAxis(num(attrs.axis, 0), x.length);
      const parts = nums(attrs.split, []);
      if (parts.length) {
        if (parts.reduce((a, b) => a + b, 0) !== x[axis]) throw new ShapeError(`split ${fmt(parts)} does not add up to ${x[axis]}`);
        return parts.map((p) => x.map((d, i) => (i === axis ? p : d)));
      }
      const n = num(attrs.numOutputs, 0);
      if (n < 1) throw new ShapeError('split needs split sizes or numOutputs');
      const size = Math.ceil(x[axis] / n);
      return Array.from({ length: n }, (_, k) => x.map((d, i) => (i === axis ? Math.min(size, d - k * size) : d)));
    }
    case 'slice': return [sliceShape(need(0), attrs)];
    case 'gather': {
      const data = need(0);
      const axis = normAxis(num(attrs.axis, 0), data.length);
      return [[...data.slice(0, axis), ...need(1), ...data.slice(axis + 1)]];
    }
    case 'squeeze': {
      const axes = new Set(nums(attrs.axes, x.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normAxis(a, x.length)));
      for (const a of axes) if (x[a] !== 1) throw new ShapeError(`cannot squeeze axis ${a} of ${fmt(x)}`);
      return [x.filter((_, i) => !axes.has(i))];
    }
    case 'unsqueeze': {
      const rank = x.length + nums(attrs.axes, []).length;
      const axes = new Set(nums(attrs.axes, []).map((a) => normAxis(a, rank)));
      const out: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) out.push(axes.has(i) ? 1 : x[k++]);
      return [out];
    }
    case 'shape': return [[x.length]];
    case 'pad': {
      const pads = nums(attrs.pads, []);
      if (pads.length !== 2 * x.length) throw new ShapeError(`pads ${fmt(pads)} must have ${2 * x.length} entries for ${fmt(x)}`);
      const out = x.map((d, i) => d + pads[i] + pads[x.length + i]);
      if (out.some((d) => d < 0)) throw new ShapeError(`pads ${fmt(pads)} remove more than ${fmt(x)} holds`);
      return [out];
    }
    case 'resize': {
      const sizes = nums(attrs.sizes, []);
      if (sizes.length) return [[...sizes]];
      const scales = nums(attrs.scales, []);
      if (scales.length !== x.length) throw new ShapeError(`resize scales ${fmt(scales)} must have ${x.length} entries`);
      return [x.map((d, i) => Math.floor(d * scales[i]))];
    }
    case 'reduceMean': case 'reduceSum': case 'reduceMax': case 'reduceMin': return [reduceShape(need(0), attrs)];
    case 'argMax': {
      const axis = normAxis(num(attrs.axis, 0), x.length);
      const keep = num(attrs.keepdims, 1) === 1;
      return [keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis)];
    }
    default: return undefined;
  }
}
