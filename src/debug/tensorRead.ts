import { Tensor, allocate } from '../engine/tensor';
import type { DType } from '../engine/tensor';
import type { TensorValues } from '../protocol/engine';

/** Values per `tensor` request when a whole tensor is read (4 MB of float32). */
export const READ_CHUNK = 1 << 20;

/** Reads `count` values of a tensor from element `start` (the engine's `tensor` request). */
export type ValueReader = (start: number, count: number) => Promise<TensorValues>;

export interface ReadOptions {
  readonly chunk?: number;
  /** Called after each chunk with the values read so far and the total. */
  readonly progress?: (done: number, total: number) => void;
  /** Asked before each chunk: true stops the read. */
  readonly cancelled?: () => boolean;
}

/**
 * A whole tensor, read in chunks so that no single message carries all of it and a long read can be followed
 * and stopped; undefined when `cancelled` stopped it. `head` is its shape and dtype (a `tensor` request of 0
 * values gives them).
 */
export async function readWhole(read: ValueReader, head: { readonly shape: readonly number[]; readonly dtype: DType }, opts: ReadOptions = {}): Promise<Tensor | undefined> {
  const size = head.shape.reduce((a, b) => a * b, 1);
  const chunk = Math.max(1, opts.chunk ?? READ_CHUNK);
  const data = allocate(head.dtype, size);
  for (let start = 0; start < size; start += chunk) {
    if (opts.cancelled?.()) return undefined;
    const got = await read(start, Math.min(chunk, size - start));
    if (got.values.length !== Math.min(chunk, size - start)) {
      throw new Error(`'${got.name}' changed while it was read (it has ${got.shape.reduce((a, b) => a * b, 1)} values now, ${size} before).`);
    }
    data.set(got.values as never, start);
    opts.progress?.(start + got.values.length, size);
  }
  return new Tensor(head.dtype, head.shape, data);
}
