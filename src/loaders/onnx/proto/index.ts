/**
 * Our own reader and writer of onnx.proto on protobufjs (docs/onnx.md): `onnx` is the namespace of messages and
 * codecs the loader and the tests use; `decodeMessage` also reports the fields a newer onnx.proto added.
 */
export * as onnx from './onnx';
export { DEFAULT_LIMITS, ProtoError, decodeMessage, encodeMessage } from './wire';
export type { DecodeLimits, Decoded } from './wire';
