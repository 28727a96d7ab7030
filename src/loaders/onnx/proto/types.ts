/**
 * The messages of onnx.proto (ONNX 1.23, IR version 14) as plain objects: one interface per message, fields in
 * camelCase, a field the file does not set left undefined (never a default on a prototype). int64 and uint64
 * values are numbers (exact to 2^53, which covers what ONNX keeps in them: dims, axes, versions); `bytes` are
 * Uint8Array views into the file. `null` is accepted wherever a value may be left out, as protobufjs accepts it.
 * The field numbers and wire types are in ./schema.
 */

export interface IStringStringEntryProto { key?: string | null; value?: string | null }

export interface IOperatorSetIdProto { domain?: string | null; version?: number | null }

export interface ITensorProtoSegment { begin?: number | null; end?: number | null }

export interface ITensorProto {
  dims?: number[] | null;
  dataType?: number | null;
  segment?: ITensorProtoSegment | null;
  floatData?: number[] | null;
  int32Data?: number[] | null;
  stringData?: Uint8Array[] | null;
  int64Data?: number[] | null;
  name?: string | null;
  docString?: string | null;
  rawData?: Uint8Array | null;
  externalData?: IStringStringEntryProto[] | null;
  dataLocation?: number | null;
  doubleData?: number[] | null;
  uint64Data?: number[] | null;
  metadataProps?: IStringStringEntryProto[] | null;
}

export interface ISparseTensorProto { values?: ITensorProto | null; indices?: ITensorProto | null; dims?: number[] | null }

export interface ITensorShapeProtoDimension { dimValue?: number | null; dimParam?: string | null; denotation?: string | null }

export interface ITensorShapeProto { dim?: ITensorShapeProtoDimension[] | null }

export interface ITypeProtoTensor { elemType?: number | null; shape?: ITensorShapeProto | null }
export interface ITypeProtoSequence { elemType?: ITypeProto | null }
export interface ITypeProtoMap { keyType?: number | null; valueType?: ITypeProto | null }
export interface ITypeProtoOptional { elemType?: ITypeProto | null }
export interface ITypeProtoSparseTensor { elemType?: number | null; shape?: ITensorShapeProto | null }
export interface ITypeProtoOpaque { domain?: string | null; name?: string | null }

export interface ITypeProto {
  tensorType?: ITypeProtoTensor | null;
  sequenceType?: ITypeProtoSequence | null;
  mapType?: ITypeProtoMap | null;
  optionalType?: ITypeProtoOptional | null;
  sparseTensorType?: ITypeProtoSparseTensor | null;
  opaqueType?: ITypeProtoOpaque | null;
  denotation?: string | null;
}

export interface IValueInfoProto {
  name?: string | null;
  type?: ITypeProto | null;
  docString?: string | null;
  metadataProps?: IStringStringEntryProto[] | null;
}

export interface IAttributeProto {
  name?: string | null;
  refAttrName?: string | null;
  docString?: string | null;
  type?: number | null;
  f?: number | null;
  i?: number | null;
  s?: Uint8Array | null;
  t?: ITensorProto | null;
  g?: IGraphProto | null;
  sparseTensor?: ISparseTensorProto | null;
  tp?: ITypeProto | null;
  floats?: number[] | null;
  ints?: number[] | null;
  strings?: Uint8Array[] | null;
  tensors?: ITensorProto[] | null;
  graphs?: IGraphProto[] | null;
  sparseTensors?: ISparseTensorProto[] | null;
  typeProtos?: ITypeProto[] | null;
}

export interface IIntIntListEntryProto { key?: number | null; value?: number[] | null }

export interface ISimpleShardedDimProto { dimValue?: number | null; dimParam?: string | null; numShards?: number | null }

export interface IShardedDimProto { axis?: number | null; simpleSharding?: ISimpleShardedDimProto[] | null }

export interface IShardingSpecProto {
  tensorName?: string | null;
  device?: number[] | null;
  indexToDeviceGroupMap?: IIntIntListEntryProto[] | null;
  shardedDim?: IShardedDimProto[] | null;
}

export interface INodeDeviceConfigurationProto {
  configurationId?: string | null;
  shardingSpec?: IShardingSpecProto[] | null;
  pipelineStage?: number | null;
}

export interface INodeProto {
  input?: string[] | null;
  output?: string[] | null;
  name?: string | null;
  opType?: string | null;
  domain?: string | null;
  overload?: string | null;
  attribute?: IAttributeProto[] | null;
  docString?: string | null;
  metadataProps?: IStringStringEntryProto[] | null;
  deviceConfigurations?: INodeDeviceConfigurationProto[] | null;
}

export interface ITensorAnnotation { tensorName?: string | null; quantParameterTensorNames?: IStringStringEntryProto[] | null }

export interface IGraphProto {
  node?: INodeProto[] | null;
  name?: string | null;
  initializer?: ITensorProto[] | null;
  sparseInitializer?: ISparseTensorProto[] | null;
  docString?: string | null;
  input?: IValueInfoProto[] | null;
  output?: IValueInfoProto[] | null;
  valueInfo?: IValueInfoProto[] | null;
  quantizationAnnotation?: ITensorAnnotation[] | null;
  metadataProps?: IStringStringEntryProto[] | null;
}

export interface ITrainingInfoProto {
  initialization?: IGraphProto | null;
  algorithm?: IGraphProto | null;
  initializationBinding?: IStringStringEntryProto[] | null;
  updateBinding?: IStringStringEntryProto[] | null;
}

export interface IFunctionProto {
  name?: string | null;
  input?: string[] | null;
  output?: string[] | null;
  attribute?: string[] | null;
  attributeProto?: IAttributeProto[] | null;
  node?: INodeProto[] | null;
  docString?: string | null;
  opsetImport?: IOperatorSetIdProto[] | null;
  domain?: string | null;
  overload?: string | null;
  valueInfo?: IValueInfoProto[] | null;
  metadataProps?: IStringStringEntryProto[] | null;
}

export interface IDeviceConfigurationProto { name?: string | null; numDevices?: number | null; device?: string[] | null }

export interface IModelProto {
  irVersion?: number | null;
  opsetImport?: IOperatorSetIdProto[] | null;
  producerName?: string | null;
  producerVersion?: string | null;
  domain?: string | null;
  modelVersion?: number | null;
  docString?: string | null;
  graph?: IGraphProto | null;
  metadataProps?: IStringStringEntryProto[] | null;
  trainingInfo?: ITrainingInfoProto[] | null;
  functions?: IFunctionProto[] | null;
  configuration?: IDeviceConfigurationProto[] | null;
}
