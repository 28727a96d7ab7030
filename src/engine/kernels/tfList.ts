import { EngineError } from '../errors';
import { Tensor } from '../tensor';
import type { DType, Shape } from '../tensor';

/**
 * TensorFlow tensor lists (TensorListReserve, TensorListSetItem, ... as tf.while_loop and tf.map_fn write them),
 * held as one tensor whose leading axis is the list: item k is slice k. A list reserved before its element shape
 * is known is `[n, 0]` until an item is set, which gives every element that item's shape (the other elements
 * zeros, as TensorFlow reads elements never set). Every element has one shape: a list of ragged items is refused.
 */

const MAX_ELEMENTS = 2 ** 31 - 1;

/** Whether the list still waits for its element shape (reserved without one, nothing set yet). */
export function unshaped(list: Tensor): boolean {
  return list.rank === 2 && list.shape[1] === 0;
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** An element shape as TF gives it (`-1` for an unknown dimension, a scalar `-1` for an unknown rank), or undefined when not fully known. */
export function knownShape(elementShape: readonly number[], scalarGiven: boolean): number[] | undefined {
  if (scalarGiven && elementShape.length === 1 && elementShape[0] === -1) return undefined;
  return elementShape.every((d) => Number.isInteger(d) && d >= 0) ? [...elementShape] : undefined;
}

function zeros(shape: Shape, dtype: DType, op: string): Tensor {
  const size = shape.reduce((a, d) => a * d, 1);
  if (size > MAX_ELEMENTS) throw new EngineError(`a list of shape ${fmt(shape)} would hold ${size} elements, more than one tensor holds`, op);
  return Tensor.zeros(shape, dtype);
}

/** `n` elements of `element` shape (zeros), or an unshaped list when the shape is not known. */
export function listReserve(element: readonly number[] | undefined, n: number, dtype: DType): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new EngineError(`num_elements must be a non-negative integer, got ${n}`, 'tfListReserve');
  return zeros([n, ...(element ?? [0])], dtype, 'tfListReserve');
}

function checkIndex(op: string, list: Tensor, index: number): void {
  const n = list.shape[0];
  if (!Number.isInteger(index) || index < 0 || index >= n) throw new EngineError(`index ${index} is outside the list of ${n} items`, op);
}

/** The list with item `index` replaced by `item` (a scatter of one slice along axis 0). */
export function listSetItem(list: Tensor, index: number, item: Tensor): Tensor {
  const op = 'tfListSetItem';
  if (list.rank === 0) throw new EngineError('the list is a scalar, not a list', op);
  checkIndex(op, list, index);
  const element = list.shape.slice(1);
  const same = element.length === item.rank && element.every((d, k) => d === item.shape[k]);
  if (!same && !unshaped(list)) throw new EngineError(`the item of shape ${fmt(item.shape)} does not fit the list's element shape ${fmt(element)}`, op);
  const out = same ? new Tensor(list.dtype, list.shape, list.data.slice()) : zeros([list.shape[0], ...item.shape], list.dtype, op);
  const size = item.size;
  const data = out.data as { [k: number]: number };
  for (let k = 0; k < size; k++) data[index * size + k] = Number(item.data[k]);
  return out;
}

/** Item `index` of the list; for an unshaped list, zeros of `element` (its shape as the op gives it) when known. */
export function listGetItem(list: Tensor, index: number, element: readonly number[] | undefined): Tensor {
  const op = 'tfListGetItem';
  if (list.rank === 0) throw new EngineError('the list is a scalar, not a list', op);
  checkIndex(op, list, index);
  if (unshaped(list)) {
    if (!element) throw new EngineError("the list's element shape is unknown: no item was set and element_shape leaves it open", op);
    return zeros(element, list.dtype, op);
  }
  const shape = list.shape.slice(1);
  const size = shape.reduce((a, d) => a * d, 1);
  return new Tensor(list.dtype, shape, list.data.slice(index * size, (index + 1) * size));
}

/** Every item stacked along a new first axis: the list itself (zeros of `element` for an unshaped list). */
export function listStack(list: Tensor, element: readonly number[] | undefined, numElements: number): Tensor {
  const op = 'tfListStack';
  if (list.rank === 0) throw new EngineError('the list is a scalar, not a list', op);
  if (numElements >= 0 && numElements !== list.shape[0]) throw new EngineError(`num_elements is ${numElements} but the list holds ${list.shape[0]} items`, op);
  if (!unshaped(list)) return list;
  if (!element) throw new EngineError("the list's element shape is unknown: no item was set and element_shape leaves it open", op);
  return zeros([list.shape[0], ...element], list.dtype, op);
}
