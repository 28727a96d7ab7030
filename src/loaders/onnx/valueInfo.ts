import type { onnx } from './proto';
import type { DType } from '../../engine/tensor';
import type { Dim, ValueInfo } from '../../model/ir';
import { ModelError } from '../../model/errors';
import { int } from './decode';
import { engineDType, onnxTypeName } from './dtypes';

/**
 * A graph input or output as the IR declares it: the engine dtype of its element type and its shape, where a
 * dimension is a number, the symbolic name the file gives (`batch`), or null when the file leaves it open.
 * Sequence, map and optional values have no engine form and are refused by name.
 */
export function valueInfo(v: onnx.IValueInfoProto, role: 'input' | 'output', file: string): ValueInfo {
  const name = v.name ?? '';
  const tensor = v.type?.tensorType;
  if (!tensor) {
    const t = v.type;
    const kind = t?.sequenceType ? 'a sequence' : t?.mapType ? 'a map' : t?.optionalType ? 'an optional value'
      : t?.sparseTensorType ? 'a sparse tensor' : t ? 'not a tensor' : undefined;
    // A value without any type (allowed for outputs) is taken as a float32 of open shape.
    if (kind === undefined) return { name, dtype: 'float32', shape: [] };
    throw new ModelError(`${file}: graph ${role} '${name}' is ${kind}; Layerstep runs models on tensors only.`, file);
  }
  const code = tensor.elemType ?? 0;
  const dtype: DType | undefined = engineDType(code);
  if (!dtype) throw new ModelError(`${file}: graph ${role} '${name}' has element type ${onnxTypeName(code)}, which Layerstep cannot hold.`, file);
  const shape: Dim[] = (tensor.shape?.dim ?? []).map((d) => {
    if (d.dimParam) return d.dimParam;
    // protobufjs puts a default 0 on the prototype: only a dim_value the file sets is an own property.
    if (Object.hasOwn(d, 'dimValue') && d.dimValue !== undefined && d.dimValue !== null) {
      const n = int(d.dimValue);
      return n >= 0 ? n : null;
    }
    return null;
  });
  return { name, dtype, shape };
}

/** The fully known shape of a value info, or undefined when a dimension is symbolic or open. */
export function staticShape(v: ValueInfo): number[] | undefined {
  return v.shape.every((d): d is number => typeof d === 'number') ? [...(v.shape as number[])] : undefined;
}
