import { Reader, Writer } from 'protobufjs/minimal';
import { SCHEMA, isMessage } from './schema';
import type { FieldSpec, MessageName, MessageSpec, ScalarType } from './schema';

/**
 * The protobuf wire format over the schema tables (./schema), on protobufjs's Reader and Writer.
 *
 * Reading is defensive, since model files come from strangers: every length is checked against the end of the
 * message that holds it before anything is read or allocated; nesting is bounded (a GraphProto in an
 * AttributeProto in a NodeProto in a GraphProto... or TypeProtos in TypeProtos); the objects made are charged
 * against a memory estimate, so a file of many tiny repeated entries cannot exhaust memory; and a field the
 * schema does not know (a newer onnx.proto) is skipped and reported as `Message.number`, never dropped silently.
 */

/** Why a protobuf could not be read: `corrupt` (truncated, a bad tag or length), `depth` or `size` (a limit passed). */
export class ProtoError extends Error {
  constructor(readonly kind: 'corrupt' | 'depth' | 'size', message: string) {
    super(message);
    this.name = 'ProtoError';
  }
}

export interface DecodeLimits {
  /** Deepest nesting of messages (the outermost message is level 1). */
  readonly maxDepth: number;
  /** Bytes the decoded objects may take, estimated: {@link MESSAGE_COST} per message, {@link VALUE_COST} per repeated value. */
  readonly maxBytes: number;
}

/** Nesting allows some 20 levels of subgraphs (each costs three: GraphProto, NodeProto, AttributeProto). */
export const DEFAULT_LIMITS: DecodeLimits = { maxDepth: 64, maxBytes: 2 * 1024 ** 3 };
export const MESSAGE_COST = 64;
export const VALUE_COST = 8;

export interface Decoded<T> {
  readonly message: T;
  /** `Message.field-number` of every field the schema does not know, once each, in the order first met. */
  readonly unknownFields: readonly string[];
}

const WIRE: Readonly<Record<ScalarType, number>> = { int32: 0, int64: 0, uint64: 0, float: 5, double: 1, string: 2, bytes: 2 };

/** An int64 as the Reader gives it (a Long when the `long` package is present) as a number. */
function toNumber(v: number | { low: number; high: number }, unsigned: boolean): number {
  if (typeof v === 'number') return v;
  return (unsigned ? v.high >>> 0 : v.high) * 2 ** 32 + (v.low >>> 0);
}

class Decoder {
  private readonly r: Reader;
  private cost = 0;
  readonly unknown = new Set<string>();

  constructor(bytes: Uint8Array, private readonly limits: DecodeLimits) {
    this.r = new Reader(bytes);
  }

  private charge(bytes: number): void {
    this.cost += bytes;
    if (this.cost > this.limits.maxBytes) {
      throw new ProtoError('size', `its messages would take more than the ${this.limits.maxBytes} bytes allowed (maxBytes)`);
    }
  }

  /** The length of a length-delimited field, checked against the end of the message holding it. */
  private length(at: number, what: string): number {
    const n = this.r.uint32();
    if (n > this.r.len - this.r.pos) {
      throw new ProtoError('corrupt', `${what} at byte ${at} claims ${n} bytes, past the end of the message holding it (byte ${this.r.len})`);
    }
    return n;
  }

  /**
   * Reads the fields of `spec` up to the reader's current limit into `out` (a message met twice merges, as
   * protobuf says: scalars replaced, lists appended). `path` names the enclosing messages.
   */
  message(spec: MessageSpec, path: readonly string[], out: Record<string, unknown> = {}): Record<string, unknown> {
    if (path.length >= this.limits.maxDepth) {
      throw new ProtoError('depth', `its messages nest more than ${this.limits.maxDepth} levels deep (${spec.name} in ${path.slice(-3).reverse().join(' in ')} ...)`);
    }
    this.charge(MESSAGE_COST);
    const r = this.r;
    while (r.pos < r.len) {
      const at = r.pos;
      const tag = r.uint32();
      const no = tag >>> 3;
      const wire = tag & 7;
      if (no === 0) throw new ProtoError('corrupt', `${spec.name} has a field numbered 0 at byte ${at}`);
      const field = spec.byNo.get(no);
      if (field) this.field(spec, field, wire, out, path, at);
      else this.skip(`${spec.name}.${no}`, wire, at);
    }
    return out;
  }

  private skip(name: string, wire: number, at: number): void {
    this.unknown.add(name);
    switch (wire) {
      case 0: this.r.skip(); return;
      case 1: this.r.skip(8); return;
      case 2: this.r.skip(this.length(at, `unknown field ${name}`)); return;
      case 5: this.r.skip(4); return;
      default: throw new ProtoError('corrupt', `unknown field ${name} at byte ${at} has wire type ${wire}, which onnx.proto never uses`);
    }
  }

  private field(spec: MessageSpec, f: FieldSpec, wire: number, out: Record<string, unknown>, path: readonly string[], at: number): void {
    const label = `${spec.name}.${f.name}`;
    const expected = isMessage(f.type) ? 2 : WIRE[f.type];
    let value: unknown;
    if (f.label && wire === 2 && expected !== 2) {
      this.packed(f.type as ScalarType, this.length(at, label), (out[f.name] ??= []) as number[]);
      return;
    }
    if (wire !== expected) throw new ProtoError('corrupt', `${label} at byte ${at} has wire type ${wire} where ${expected} was expected`);
    if (isMessage(f.type)) {
      const n = this.length(at, label);
      const len = this.r.len;
      this.r.len = this.r.pos + n;
      const into = f.label ? {} : (out[f.name] as Record<string, unknown> | undefined) ?? {};
      value = this.message(SCHEMA[f.type], [...path, spec.name], into);
      this.r.len = len;
    } else {
      value = this.scalar(f.type, at, label);
    }
    if (f.label) {
      this.charge(VALUE_COST);
      ((out[f.name] ??= []) as unknown[]).push(value);
      return;
    }
    if (f.oneof) for (const other of spec.fields) if (other.oneof === f.oneof) delete out[other.name];
    out[f.name] = value;
  }

  private scalar(type: ScalarType, at: number, label: string): unknown {
    const r = this.r;
    switch (type) {
      case 'int32': return r.int32();
      case 'int64': return toNumber(r.int64(), false);
      case 'uint64': return toNumber(r.uint64(), true);
      case 'float': return r.float();
      case 'double': return r.double();
      case 'string': { const n = this.length(at, label); const s = r.pos; r.skip(n); return UTF8.decode(r.buf.subarray(s, s + n)); }
      // A plain Uint8Array view into the file's bytes (a Buffer's subarray would be a Buffer).
      case 'bytes': { const n = this.length(at, label); const s = r.pos; r.skip(n); return new Uint8Array(r.buf.buffer, r.buf.byteOffset + s, n); }
    }
  }

  /** A packed run of numbers, `n` bytes long (already checked against the message's end). */
  private packed(type: ScalarType, n: number, into: number[]): void {
    const r = this.r;
    const end = r.pos + n;
    const width = type === 'float' ? 4 : type === 'double' ? 8 : 0;
    if (width) {
      if (n % width !== 0) throw new ProtoError('corrupt', `a packed run of ${type} values at byte ${r.pos} is ${n} bytes, not a multiple of ${width}`);
      this.charge((n / width) * VALUE_COST);
    }
    const len = r.len;
    r.len = end;
    while (r.pos < end) {
      if (!width) this.charge(VALUE_COST);
      into.push(this.scalar(type, r.pos, type) as number);
    }
    r.len = len;
  }
}

const UTF8 = new TextDecoder();

/** Decodes `bytes` as message `name`; throws ProtoError (naming the problem, not the file) when it cannot. */
export function decodeMessage<T>(name: MessageName, bytes: Uint8Array, limits: Partial<DecodeLimits> = {}): Decoded<T> {
  const d = new Decoder(bytes, { ...DEFAULT_LIMITS, ...limits });
  try {
    const message = d.message(SCHEMA[name], []) as T;
    return { message, unknownFields: [...d.unknown] };
  } catch (e) {
    if (e instanceof ProtoError) throw e;
    // The Reader's own bounds checks: a varint or a fixed-width value cut off by the end of its message.
    throw new ProtoError('corrupt', `the data ends in the middle of a value (${e instanceof Error ? e.message : String(e)})`);
  }
}

function writeScalar(w: Writer, type: ScalarType, v: unknown): void {
  switch (type) {
    case 'int32': w.int32(v as number); return;
    case 'int64': w.int64(v as number); return;
    case 'uint64': w.uint64(v as number); return;
    case 'float': w.float(v as number); return;
    case 'double': w.double(v as number); return;
    case 'string': w.string(v as string); return;
    case 'bytes': w.bytes(v as Uint8Array); return;
  }
}

function writeOne(w: Writer, f: FieldSpec, v: unknown): void {
  if (isMessage(f.type)) {
    w.uint32((f.no << 3) | 2).fork();
    encodeInto(w, f.type, v as Record<string, unknown>);
    w.ldelim();
    return;
  }
  w.uint32((f.no << 3) | WIRE[f.type]);
  writeScalar(w, f.type, v);
}

function encodeInto(w: Writer, name: MessageName, value: Readonly<Record<string, unknown>>): void {
  for (const f of SCHEMA[name].fields) {
    const v = value[f.name];
    if (v === undefined || v === null) continue;
    if (!f.label) {
      writeOne(w, f, v);
    } else if (f.label === 'packed' && !isMessage(f.type) && WIRE[f.type] !== 2) {
      const list = v as readonly unknown[];
      if (list.length === 0) continue;
      w.uint32((f.no << 3) | 2).fork();
      for (const x of list) writeScalar(w, f.type, x);
      w.ldelim();
    } else {
      for (const x of v as readonly unknown[]) writeOne(w, f, x);
    }
  }
}

/** Encodes a message (a plain object shaped as ./types declares) in the wire format. */
export function encodeMessage(name: MessageName, value: object): Uint8Array {
  // The array writer, not Writer.create(): that one makes Node Buffers, and the result should be the same everywhere.
  const w = new Writer();
  encodeInto(w, name, value as Record<string, unknown>);
  return w.finish();
}
