import { onnx } from 'onnx-proto';
import { ModelError } from '../../model/errors';

/**
 * Reading the protobuf: ModelProto and TensorProto through `onnx-proto` (the official onnx.proto compiled
 * with protobufjs), with every decoding failure turned into one sentence about the file.
 */

/** An int64 as protobufjs gives it: a Long object when the `long` package is present, else a number (or a string from JSON). */
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

/**
 * Decodes a model file. Refuses bytes that are not a protobuf (truncated or corrupt), and a protobuf that is
 * not an ONNX model (no graph, no IR version).
 */
export function decodeModel(bytes: Uint8Array, file: string): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`${file} is not a valid ONNX model: its protobuf data is truncated or corrupt (${reason(e)}).`, file);
  }
  const ir = int(model.irVersion);
  if (!model.graph || ir === 0) {
    throw new ModelError(`${file} is a protobuf but not an ONNX model: it has no ${model.graph ? 'IR version' : 'graph'}.`, file);
  }
  if (ir < MIN_IR_VERSION) {
    throw new ModelError(`${file} uses ONNX IR version ${ir}; Layerstep reads IR version ${MIN_IR_VERSION} and later (re-export it with a newer exporter).`, file);
  }
  return model;
}

/** Decodes one serialized TensorProto (a test's input_0.pb, for example). */
export function decodeTensorProto(bytes: Uint8Array, file: string): onnx.TensorProto {
  try {
    return onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`${file} is not a valid ONNX TensorProto: its protobuf data is truncated or corrupt (${reason(e)}).`, file);
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
