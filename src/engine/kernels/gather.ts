import { EngineError } from '../errors';
import { allocate, Tensor } from '../tensor';
import type { DType } from '../tensor';
import { fmtShape, normalizeAxis, prod } from './opArgs';

/**
 * ONNX Gather-13: picks slices of `data` along `axis` by `indices` (any rank, int32 or int64; negative
 * values count from the end). The output shape is data.shape[:axis] + indices.shape + data.shape[axis+1:].
 * An embedding lookup is gather on axis 0 of a [vocab, dim] table with token ids.
 */
export function gather<D extends DType>(data: Tensor<D>, indices: Tensor, axis = 0): Tensor<D> {
  if (data.rank === 0) throw new EngineError(`'data' must have rank >= 1, got a scalar`, 'gather');
  const ax = normalizeAxis('gather', axis, data.rank);
  if (indices.dtype === 'bool') throw new EngineError(`'indices' must be int32 or int64, got bool`, 'gather');
  const dim = data.shape[ax];
  const ids = indices.data;
  const count = ids.length;
  // Validate and normalize every index first, so an error names the first bad one.
  const norm = new Int32Array(count);
  for (let j = 0; j < count; j++) {
    const v = ids[j];
    const k = v < 0 ? v + dim : v;
    if (!Number.isInteger(v) || k < 0 || k >= dim) {
      throw new EngineError(
        `index ${v} at position ${j} of 'indices' ${fmtShape(indices.shape)} is out of range for axis ${ax} of size ${dim} (data ${fmtShape(data.shape)})`,
        'gather');
    }
    norm[j] = k;
  }
  const outShape = [...data.shape.slice(0, ax), ...indices.shape, ...data.shape.slice(ax + 1)];
  const outer = prod(data.shape, 0, ax);
  const inner = prod(data.shape, ax + 1);
  const src = data.data;
  const out = allocate(data.dtype, outer * count * inner);
  let o = 0;
  for (let b = 0; b < outer; b++) {
    const base = b * dim * inner;
    if (inner === 1) {
      for (let j = 0; j < count; j++) out[o++] = src[base + norm[j]];
    } else if (inner < 16) {
      for (let j = 0; j < count; j++) {
        const s = base + norm[j] * inner;
        for (let i = 0; i < inner; i++) out[o++] = src[s + i];
      }
    } else {
      for (let j = 0; j < count; j++) {
        const s = base + norm[j] * inner;
        out.set(src.subarray(s, s + inner) as ArrayLike<number>, o);
        o += inner;
      }
    }
  }
  return new Tensor(data.dtype, outShape, out);
}
