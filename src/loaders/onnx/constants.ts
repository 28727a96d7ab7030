import type { AttrValue } from '../../engine/registry';
import { Tensor } from '../../engine/tensor';

/**
 * The value of an ONNX Constant node from whichever attribute holds it (Constant-13+): `value` (a tensor),
 * `value_float(s)` (float32), `value_int(s)` (int64). Returns undefined for the forms with no engine tensor
 * (`value_string(s)`, `sparse_value`), which the loader reports as an unsupported node.
 */
export function constantValue(attrs: Readonly<Record<string, AttrValue>>): Tensor | undefined {
  const { value, value_float: vf, value_floats: vfs, value_int: vi, value_ints: vis } = attrs;
  if (value instanceof Tensor) return value;
  if (typeof vf === 'number') return Tensor.scalar(vf, 'float32');
  if (Array.isArray(vfs)) return Tensor.from([vfs.length], vfs as readonly number[], 'float32');
  if (typeof vi === 'number') return Tensor.scalar(vi, 'int64');
  if (Array.isArray(vis)) return Tensor.from([vis.length], vis as readonly number[], 'int64');
  return undefined;
}

/**
 * Does a Constant node's tensor hold learned values, to be listed among a module's weights like an initializer?
 * Float tensors do (exporters that write no initializers keep every weight in Constant nodes); integer and bool
 * tensors are operands (a Reshape's shape, Slice's starts).
 */
export function isWeightConstant(t: Tensor | undefined): boolean {
  return t !== undefined && t.dtype === 'float32';
}
