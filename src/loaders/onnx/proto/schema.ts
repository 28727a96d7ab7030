/**
 * onnx.proto (ONNX 1.23, IR version 14) as data: for every message, its fields' numbers, names (camelCase, as
 * ./types declares them), wire types and labels. The generic reader and writer (./wire) walk these tables, so a
 * field is added here in one line. Written from the field numbers of the specification (onnx/onnx.proto, proto2).
 */

/** A scalar field's protobuf type; a name starting with a capital letter is a message of this schema instead. */
export type ScalarType = 'int32' | 'int64' | 'uint64' | 'float' | 'double' | 'string' | 'bytes';

export interface FieldSpec {
  readonly no: number;
  readonly name: string;
  readonly type: ScalarType | MessageName;
  /** `packed`: repeated, written packed (the reader takes both forms for every repeated number). */
  readonly label?: 'repeated' | 'packed';
  /** The oneof the field belongs to: setting it clears the others. */
  readonly oneof?: string;
}

export interface MessageSpec {
  /** The message's name in onnx.proto (`TensorProto.Segment`), used for unknown fields. */
  readonly name: string;
  readonly byNo: ReadonlyMap<number, FieldSpec>;
  readonly fields: readonly FieldSpec[];
}

/** One field: number, name, type (a ScalarType or a message name, checked by the schema's unit test), label, oneof. */
type Row = readonly [no: number, name: string, type: string, label?: 'repeated' | 'packed' | '', oneof?: string];

const ROWS = {
  ModelProto: [
    [1, 'irVersion', 'int64'], [8, 'opsetImport', 'OperatorSetIdProto', 'repeated'], [2, 'producerName', 'string'],
    [3, 'producerVersion', 'string'], [4, 'domain', 'string'], [5, 'modelVersion', 'int64'], [6, 'docString', 'string'],
    [7, 'graph', 'GraphProto'], [14, 'metadataProps', 'StringStringEntryProto', 'repeated'],
    [20, 'trainingInfo', 'TrainingInfoProto', 'repeated'], [25, 'functions', 'FunctionProto', 'repeated'],
    [26, 'configuration', 'DeviceConfigurationProto', 'repeated'],
  ],
  DeviceConfigurationProto: [[1, 'name', 'string'], [2, 'numDevices', 'int32'], [3, 'device', 'string', 'repeated']],
  StringStringEntryProto: [[1, 'key', 'string'], [2, 'value', 'string']],
  OperatorSetIdProto: [[1, 'domain', 'string'], [2, 'version', 'int64']],
  TrainingInfoProto: [
    [1, 'initialization', 'GraphProto'], [2, 'algorithm', 'GraphProto'],
    [3, 'initializationBinding', 'StringStringEntryProto', 'repeated'], [4, 'updateBinding', 'StringStringEntryProto', 'repeated'],
  ],
  FunctionProto: [
    [1, 'name', 'string'], [4, 'input', 'string', 'repeated'], [5, 'output', 'string', 'repeated'],
    [6, 'attribute', 'string', 'repeated'], [11, 'attributeProto', 'AttributeProto', 'repeated'], [7, 'node', 'NodeProto', 'repeated'],
    [8, 'docString', 'string'], [9, 'opsetImport', 'OperatorSetIdProto', 'repeated'], [10, 'domain', 'string'],
    [13, 'overload', 'string'], [12, 'valueInfo', 'ValueInfoProto', 'repeated'], [14, 'metadataProps', 'StringStringEntryProto', 'repeated'],
  ],
  GraphProto: [
    [1, 'node', 'NodeProto', 'repeated'], [2, 'name', 'string'], [5, 'initializer', 'TensorProto', 'repeated'],
    [15, 'sparseInitializer', 'SparseTensorProto', 'repeated'], [10, 'docString', 'string'], [11, 'input', 'ValueInfoProto', 'repeated'],
    [12, 'output', 'ValueInfoProto', 'repeated'], [13, 'valueInfo', 'ValueInfoProto', 'repeated'],
    [14, 'quantizationAnnotation', 'TensorAnnotation', 'repeated'], [16, 'metadataProps', 'StringStringEntryProto', 'repeated'],
  ],
  TensorAnnotation: [[1, 'tensorName', 'string'], [2, 'quantParameterTensorNames', 'StringStringEntryProto', 'repeated']],
  NodeProto: [
    [1, 'input', 'string', 'repeated'], [2, 'output', 'string', 'repeated'], [3, 'name', 'string'], [4, 'opType', 'string'],
    [7, 'domain', 'string'], [8, 'overload', 'string'], [5, 'attribute', 'AttributeProto', 'repeated'], [6, 'docString', 'string'],
    [9, 'metadataProps', 'StringStringEntryProto', 'repeated'], [10, 'deviceConfigurations', 'NodeDeviceConfigurationProto', 'repeated'],
  ],
  NodeDeviceConfigurationProto: [[1, 'configurationId', 'string'], [2, 'shardingSpec', 'ShardingSpecProto', 'repeated'], [3, 'pipelineStage', 'int32']],
  ShardingSpecProto: [
    [1, 'tensorName', 'string'], [2, 'device', 'int64', 'repeated'], [3, 'indexToDeviceGroupMap', 'IntIntListEntryProto', 'repeated'],
    [4, 'shardedDim', 'ShardedDimProto', 'repeated'],
  ],
  IntIntListEntryProto: [[1, 'key', 'int64'], [2, 'value', 'int64', 'repeated']],
  ShardedDimProto: [[1, 'axis', 'int64'], [2, 'simpleSharding', 'SimpleShardedDimProto', 'repeated']],
  SimpleShardedDimProto: [[1, 'dimValue', 'int64', '', 'dim'], [2, 'dimParam', 'string', '', 'dim'], [3, 'numShards', 'int64']],
  AttributeProto: [
    [1, 'name', 'string'], [21, 'refAttrName', 'string'], [13, 'docString', 'string'], [20, 'type', 'int32'],
    [2, 'f', 'float'], [3, 'i', 'int64'], [4, 's', 'bytes'], [5, 't', 'TensorProto'], [6, 'g', 'GraphProto'],
    [22, 'sparseTensor', 'SparseTensorProto'], [14, 'tp', 'TypeProto'], [7, 'floats', 'float', 'repeated'],
    [8, 'ints', 'int64', 'repeated'], [9, 'strings', 'bytes', 'repeated'], [10, 'tensors', 'TensorProto', 'repeated'],
    [11, 'graphs', 'GraphProto', 'repeated'], [23, 'sparseTensors', 'SparseTensorProto', 'repeated'],
    [15, 'typeProtos', 'TypeProto', 'repeated'],
  ],
  ValueInfoProto: [[1, 'name', 'string'], [2, 'type', 'TypeProto'], [3, 'docString', 'string'], [4, 'metadataProps', 'StringStringEntryProto', 'repeated']],
  TensorProto: [
    [1, 'dims', 'int64', 'repeated'], [2, 'dataType', 'int32'], [3, 'segment', 'TensorProto.Segment'],
    [4, 'floatData', 'float', 'packed'], [5, 'int32Data', 'int32', 'packed'], [6, 'stringData', 'bytes', 'repeated'],
    [7, 'int64Data', 'int64', 'packed'], [8, 'name', 'string'], [12, 'docString', 'string'], [9, 'rawData', 'bytes'],
    [13, 'externalData', 'StringStringEntryProto', 'repeated'], [14, 'dataLocation', 'int32'],
    [10, 'doubleData', 'double', 'packed'], [11, 'uint64Data', 'uint64', 'packed'], [16, 'metadataProps', 'StringStringEntryProto', 'repeated'],
  ],
  'TensorProto.Segment': [[1, 'begin', 'int64'], [2, 'end', 'int64']],
  SparseTensorProto: [[1, 'values', 'TensorProto'], [2, 'indices', 'TensorProto'], [3, 'dims', 'int64', 'repeated']],
  TensorShapeProto: [[1, 'dim', 'TensorShapeProto.Dimension', 'repeated']],
  'TensorShapeProto.Dimension': [[1, 'dimValue', 'int64', '', 'value'], [2, 'dimParam', 'string', '', 'value'], [3, 'denotation', 'string']],
  TypeProto: [
    [1, 'tensorType', 'TypeProto.Tensor', '', 'value'], [4, 'sequenceType', 'TypeProto.Sequence', '', 'value'],
    [5, 'mapType', 'TypeProto.Map', '', 'value'], [9, 'optionalType', 'TypeProto.Optional', '', 'value'],
    [8, 'sparseTensorType', 'TypeProto.SparseTensor', '', 'value'], [7, 'opaqueType', 'TypeProto.Opaque', '', 'value'],
    [6, 'denotation', 'string'],
  ],
  'TypeProto.Tensor': [[1, 'elemType', 'int32'], [2, 'shape', 'TensorShapeProto']],
  'TypeProto.Sequence': [[1, 'elemType', 'TypeProto']],
  'TypeProto.Map': [[1, 'keyType', 'int32'], [2, 'valueType', 'TypeProto']],
  'TypeProto.Optional': [[1, 'elemType', 'TypeProto']],
  'TypeProto.SparseTensor': [[1, 'elemType', 'int32'], [2, 'shape', 'TensorShapeProto']],
  'TypeProto.Opaque': [[1, 'domain', 'string'], [2, 'name', 'string']],
} as const satisfies Record<string, readonly Row[]>;

export type MessageName = keyof typeof ROWS;

function spec(name: string, rows: readonly Row[]): MessageSpec {
  const fields = rows.map(([no, field, type, label, oneof]): FieldSpec => ({
    no, name: field, type: type as ScalarType | MessageName, ...(label ? { label } : {}), ...(oneof ? { oneof } : {}),
  }));
  return { name, fields, byNo: new Map(fields.map((f) => [f.no, f])) };
}

/** Every message of the schema by name. */
export const SCHEMA: Readonly<Record<MessageName, MessageSpec>> = Object.fromEntries(
  Object.entries(ROWS).map(([name, rows]) => [name, spec(name, rows)]),
) as Record<MessageName, MessageSpec>;

/** Whether a field's type names a message (rather than a scalar). */
export function isMessage(type: ScalarType | MessageName): type is MessageName {
  return type.charCodeAt(0) >= 65 && type.charCodeAt(0) <= 90;
}
