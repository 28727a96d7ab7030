import { EngineError } from '../errors';
import { allocate, stridesOf, Tensor } from '../tensor';
import type { DType } from '../tensor';
import { fmtShape } from './opArgs';

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

export const PAD_MODES: readonly PadMode[] = ['constant', 'reflect', 'edge', 'wrap'];

/**
 * For each output position along one axis, the input position it copies, or -1 for the constant.
 * `c` is the position relative to the input's start. Reflect mirrors without repeating the border
 * (period 2·(dim-1), as numpy's 'reflect'); edge repeats the border; wrap is periodic (ONNX Pad-19).
 */
function axisMap(dim: number, begin: number, outDim: number, mode: PadMode): Int32Array {
  const map = new Int32Array(outDim);
  const period = 2 * (dim - 1);
  for (let i = 0; i < outDim; i++) {
    const c = i - begin;
    if (c >= 0 && c < dim) map[i] = c;
    else if (mode === 'constant') map[i] = -1;
    else if (mode === 'edge') map[i] = c < 0 ? 0 : dim - 1;
    else if (mode === 'wrap') map[i] = ((c % dim) + dim) % dim;
    else if (dim === 1) map[i] = 0;
    else {
      const m = ((c % period) + period) % period;
      map[i] = m < dim ? m : period - m;
    }
  }
  return map;
}

/**
 * ONNX Pad-21 over every axis: `pads` is [begin_0..begin_{r-1}, end_0..end_{r-1}]; a negative pad
 * removes that many elements (a crop). `value` fills in constant mode.
 */
export function pad<D extends DType>(x: Tensor<D>, pads: readonly number[], mode: PadMode = 'constant', value = 0): Tensor<D> {
  const r = x.rank;
  if (pads.length !== 2 * r) {
    throw new EngineError(`'pads' has ${pads.length} values but an input of rank ${r} needs ${2 * r} ([begin…, end…])`, 'pad');
  }
  const outShape = x.shape.map((d, i) => d + pads[i] + pads[i + r]);
  outShape.forEach((d, i) => {
    if (d < 0) throw new EngineError(`'pads' [${pads.join(', ')}] crop axis ${i} of ${fmtShape(x.shape)} below zero`, 'pad');
    if (mode !== 'constant' && x.shape[i] === 0 && d > 0) {
      throw new EngineError(`${mode} mode cannot pad axis ${i} of ${fmtShape(x.shape)}: it is empty`, 'pad');
    }
  });
  const out = allocate(x.dtype, outShape.reduce((a, b) => a * b, 1));
  if (out.length === 0) return new Tensor(x.dtype, outShape, out);
  if (r === 0) {
    out[0] = x.data[0];
    return new Tensor(x.dtype, outShape, out);
  }
  const maps = x.shape.map((d, i) => axisMap(d, pads[i], outShape[i], mode));
  const strides = stridesOf(x.shape);
  const src = x.data;
  const inner = maps[r - 1];
  const cols = outShape[r - 1];
  const idx = new Array<number>(r - 1).fill(0);
  // base = input offset of the current row, or -1 when an outer coordinate is in the constant border.
  const rowBase = (): number => {
    let b = 0;
    for (let k = 0; k < r - 1; k++) {
      const m = maps[k][idx[k]];
      if (m < 0) return -1;
      b += m * strides[k];
    }
    return b;
  };
  for (let o = 0; o < out.length; o += cols) {
    const base = rowBase();
    if (base < 0) out.fill(value, o, o + cols);
    else {
      for (let j = 0; j < cols; j++) {
        const m = inner[j];
        out[o + j] = m < 0 ? value : src[base + m];
      }
    }
    for (let k = r - 2; k >= 0; k--) {
      if (++idx[k] < outShape[k]) break;
      idx[k] = 0;
    }
  }
  return new Tensor(x.dtype, outShape, out);
}
