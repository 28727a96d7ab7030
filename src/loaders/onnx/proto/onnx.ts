import type { MessageName } from './schema';
import { decodeMessage, encodeMessage } from './wire';
import type {
  IAttributeProto, IFunctionProto, IGraphProto, IModelProto, INodeProto, ISparseTensorProto, ITensorProto, ITypeProto,
  IValueInfoProto,
} from './types';

/**
 * The `onnx` namespace: each message's interface (`onnx.IModelProto`) and a codec of the same name
 * (`onnx.ModelProto.decode(bytes)`, `.encode(m).finish()`, `.create(m)`), plus the enums of onnx.proto.
 * Messages are plain objects; `decode` here throws ProtoError and skips unknown fields quietly; the loader
 * goes through `decodeMessage` (./wire) to learn them.
 */

export type * from './types';

export interface Codec<T> {
  /** A message from plain properties (a shallow copy). */
  create(properties?: T): T;
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

function codec<T extends object>(name: MessageName): Codec<T> {
  return {
    create: (properties) => ({ ...(properties ?? {}) }) as T,
    encode: (message) => ({ finish: () => encodeMessage(name, message) }),
    decode: (bytes) => decodeMessage<T>(name, bytes).message,
  };
}

/** TensorProto.DataType: element types. */
export const DataType = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10,
  DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16, FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19, FLOAT8E5M2FNUZ: 20, UINT4: 21, INT4: 22, FLOAT4E2M1: 23, FLOAT8E8M0: 24, UINT2: 25, INT2: 26,
} as const;

/** TensorProto.DataLocation: where a tensor's bytes are. */
export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const;

/** AttributeProto.AttributeType. */
export const AttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10,
  SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

/** The IR version of the onnx.proto this schema follows. */
export const IR_VERSION = 14;

export const ModelProto = codec<IModelProto>('ModelProto');
export type ModelProto = IModelProto;
export const GraphProto = codec<IGraphProto>('GraphProto');
export type GraphProto = IGraphProto;
export const NodeProto = codec<INodeProto>('NodeProto');
export type NodeProto = INodeProto;
export const AttributeProto = { ...codec<IAttributeProto>('AttributeProto'), AttributeType };
export type AttributeProto = IAttributeProto;
export const TensorProto = { ...codec<ITensorProto>('TensorProto'), DataType, DataLocation };
export type TensorProto = ITensorProto;
export const SparseTensorProto = codec<ISparseTensorProto>('SparseTensorProto');
export type SparseTensorProto = ISparseTensorProto;
export const ValueInfoProto = codec<IValueInfoProto>('ValueInfoProto');
export type ValueInfoProto = IValueInfoProto;
export const TypeProto = codec<ITypeProto>('TypeProto');
export type TypeProto = ITypeProto;
export const FunctionProto = codec<IFunctionProto>('FunctionProto');
export type FunctionProto = IFunctionProto;
