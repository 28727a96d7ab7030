import { ProtoError, decodeMessage } from './proto';
import type { Decoded, onnx } from './proto';
import { ModelError } from '../../model/errors';

/**
 * Reading the protobuf: ModelProto and TensorProto through our own onnx.proto schema (./proto, on protobufjs),
 * with every decoding failure turned into one sentence about the file, and the fields of a newer onnx.proto
 * than ours reported rather than dropped.
 */

/** An int64 as a message may hold it: ./proto gives numbers; a Long-like object or a string (from JSON) is accepted too. */
export type Int64 = number | string | { toNumber(): number } | null | undefined;

/**
 * An int64 as a JS number. Values past 2^53 lose their low bits, which is harmless for what ONNX stores in
 * int64 (dims, axes, indices, and INT64_MAX as an "until the end" marker in Slice).
 */
export function int(v: Int64, fallback = 0): number {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  return v.toNumber();
}

/** The lowest IR version read: IR 3 (ONNX 1.0, opset imports per domain) and later. */
export const MIN_IR_VERSION = 3;

/** A decoded model file and the fields in it that our onnx.proto does not know (`NodeProto.11`). */
export interface DecodedModel {
  readonly proto: onnx.ModelProto;
  readonly unknownFields: readonly string[];
}

/** The sentence for a protobuf that could not be read: what the file is not, and why. */
function refusal(file: string, what: string, e: unknown): ModelError {
  if (e instanceof ProtoError && e.kind === 'depth') return new ModelError(`${file} is not ${what} Layerstep reads: ${e.message}.`, file);
  if (e instanceof ProtoError && e.kind === 'size') return new ModelError(`${file} is too large to read: ${e.message}.`, file);
  return new ModelError(`${file} is not ${what}: its protobuf data is truncated or corrupt (${reason(e)}).`, file);
}

/**
 * The memory the decoded messages may take is LoadOptions.maxBytes, but never less than this: a small tensor
 * budget (a test's) should not refuse the graph's structure, which any model needs.
 */
const MIN_MESSAGE_BYTES = 64 * 1024 ** 2;

/**
 * Decodes a model file. Refuses bytes that are not a protobuf (truncated or corrupt, nested too deep, messages
 * that would take more memory than `maxBytes` allows), and a protobuf that is not an ONNX model (no graph, no
 * IR version).
 */
export function decodeModel(bytes: Uint8Array, file: string, maxBytes?: number): DecodedModel {
  let decoded: Decoded<onnx.ModelProto>;
  try {
    decoded = decodeMessage<onnx.ModelProto>('ModelProto', bytes, maxBytes === undefined ? {} : { maxBytes: Math.max(maxBytes, MIN_MESSAGE_BYTES) });
  } catch (e) {
    throw refusal(file, 'a valid ONNX model', e);
  }
  const model = decoded.message;
  const ir = int(model.irVersion);
  if (!model.graph || ir === 0) {
    throw new ModelError(`${file} is a protobuf but not an ONNX model: it has no ${model.graph ? 'IR version' : 'graph'}.`, file);
  }
  if (ir < MIN_IR_VERSION) {
    throw new ModelError(`${file} uses ONNX IR version ${ir}; Layerstep reads IR version ${MIN_IR_VERSION} and later (re-export it with a newer exporter).`, file);
  }
  return { proto: model, unknownFields: decoded.unknownFields };
}

/** Decodes one serialized TensorProto (a test's input_0.pb, for example). */
export function decodeTensorProto(bytes: Uint8Array, file: string): onnx.TensorProto {
  try {
    return decodeMessage<onnx.TensorProto>('TensorProto', bytes).message;
  } catch (e) {
    throw refusal(file, 'a valid ONNX TensorProto', e);
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Cheap check of a file's first bytes for a serialized ModelProto: field 1 (ir_version, a small varint) first,
 * then one of the ModelProto fields an exporter writes next. Exporters write ir_version first; a file that
 * does not is still opened when its name ends in `.onnx`.
 */
export function looksLikeModelProto(head: Uint8Array): boolean {
  if (head.length < 3 || head[0] !== 0x08) return false;
  // IR versions before 3 are refused anyway, and a TensorFlow SavedModel (field 1 = 1) starts the same way.
  const ir = head[1];
  if (ir < MIN_IR_VERSION || ir > 0x7f) return false;
  // Keys of fields 2 to 8 and 14, 20 and 25 as length-delimited or varint, as ModelProto declares them.
  const next = [0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72, 0xa2, 0xca];
  return next.includes(head[2]);
}
