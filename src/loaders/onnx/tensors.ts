import { weightArray } from '../../engine/wasm/index';
import type { onnx } from './proto';
import { BYTES_PER_ELEMENT, Tensor, allocate } from '../../engine/tensor';
import type { DType } from '../../engine/tensor';
import { ModelError } from '../../model/errors';
import type { ByteBudget } from './budget';
import { int } from './decode';
import { RAW_BITS, onnxTypeName, rawByteLength, smallFloatTable, smallInt, tensorDType } from './dtypes';

/**
 * TensorProto → engine tensor: the shape from `dims`, the values from `raw_data` (little-endian, row-major)
 * or from the typed field the type uses (float_data, int32_data, int64_data, uint64_data, double_data).
 * float16, bfloat16, double and the 8- and 4-bit floats become float32; int8, uint8, int16, uint16 and the
 * packed 4- and 2-bit integers become int32; uint32 and uint64 become int64. Counts are checked against the
 * shape, and the bytes against the budget, before allocating.
 */

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** One IEEE half-precision bit pattern as a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bf16 = new Float32Array(1);
const bf16Bits = new Uint32Array(bf16.buffer);
/** One bfloat16 bit pattern (the top half of a float32) as a number. */
export function bfloat16ToFloat(h: number): number {
  bf16Bits[0] = (h & 0xffff) << 16;
  return bf16[0];
}

/** Element count of `dims`, refusing negative or non-integer dimensions. */
function elementCount(dims: readonly number[], what: string, file: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ModelError(`${file}: ${what} has an invalid dimension ${d} in [${dims.join(', ')}].`, file);
    n *= d;
  }
  return n;
}

/** Where a tensor comes from and what it may take. */
export interface TensorContext {
  readonly file: string;
  readonly budget: ByteBudget;
  /** The tensor's bytes when they live in an external file (already read and checked). */
  readonly external?: Uint8Array;
}

/** The shape of a TensorProto as numbers. */
export function protoDims(p: onnx.ITensorProto): number[] {
  return (p.dims ?? []).map((d) => int(d));
}

/** Decodes a TensorProto; `what` names it in messages (`initializer 'fc.weight'`). */
export function decodeTensor(p: onnx.ITensorProto, what: string, ctx: TensorContext): Tensor {
  const { file } = ctx;
  const code = p.dataType ?? 0;
  const dtype = tensorDType(code);
  if (!dtype) throw new ModelError(`${file}: ${what} has element type ${onnxTypeName(code)}, which Layerstep cannot hold.`, file);
  if (p.segment) {
    throw new ModelError(`${file}: ${what} is a segment (elements ${int(p.segment.begin)} to ${int(p.segment.end)}) of a larger tensor, and Layerstep does not join segments.`, file);
  }
  const dims = protoDims(p);
  const count = elementCount(dims, what, file);
  const raw = ctx.external ?? (p.rawData && p.rawData.length > 0 ? p.rawData : undefined);
  // Units are raw bytes, or entries of the typed field (an int32_data entry holds 2 int4 or 4 int2 values).
  const perUnit = raw ? 8 / RAW_BITS[code] : typedPerUnit(code);
  const units = raw ? raw.length : typedLength(p, code);
  if (units !== (raw ? rawByteLength(code, count) : Math.ceil(count / perUnit))) {
    const unit = raw ? ` (${raw.length} bytes of ${onnxTypeName(code)})` : '';
    throw new ModelError(`${file}: ${what} holds ${units * perUnit} values${unit} but its shape [${dims.join(', ')}] needs ${count}.`, file);
  }
  ctx.budget.take(count * BYTES_PER_ELEMENT[dtype], what);
  // float32 raw data on a little-endian machine: one copy (aligned, owned) viewed as floats.
  if (raw && code === 1 && LITTLE_ENDIAN) {
    // float32 raw data on a little-endian machine: one copy, straight into the kernels' memory where it is read.
    const floats = weightArray(count);
    new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength).set(raw);
    return new Tensor(dtype, dims, floats);
  }
  const out = allocate(dtype, count);
  if (RAW_BITS[code] < 8 || smallFloatTable(code)) fromSmall(raw ?? p.int32Data ?? [], code, out);
  else if (raw) fromRaw(raw, code, out);
  else fromTyped(p, code, out);
  return new Tensor(dtype, dims, out);
}

/** Elements per int32_data entry: 4-bit types keep two, 2-bit types four (onnx.proto, TensorProto.int32_data). */
function typedPerUnit(code: number): number {
  return RAW_BITS[code] === 4 ? 2 : RAW_BITS[code] === 2 ? 4 : 1;
}

/**
 * The 8-, 4- and 2-bit float and integer types, from raw bytes or int32_data (one byte's worth of bits per
 * entry): packed values are taken from the low bits up; floats go through their table of values.
 */
function fromSmall(units: ArrayLike<number>, code: number, out: ReturnType<typeof allocate<DType>>): void {
  const bits = RAW_BITS[code];
  const mask = (1 << bits) - 1;
  const floats = smallFloatTable(code);
  for (let i = 0; i < out.length; i++) {
    const at = i * bits;
    const b = (units[at >> 3] >> (at & 7)) & mask;
    out[i] = floats ? floats[b] : smallInt(code, b);
  }
}

function typedLength(p: onnx.ITensorProto, code: number): number {
  switch (code) {
    case 1: return p.floatData?.length ?? 0;
    case 7: return p.int64Data?.length ?? 0;
    case 11: return p.doubleData?.length ?? 0;
    case 12: case 13: return p.uint64Data?.length ?? 0;
    default: return p.int32Data?.length ?? 0;
  }
}

function fromTyped(p: onnx.ITensorProto, code: number, out: ReturnType<typeof allocate<DType>>): void {
  const n = out.length;
  switch (code) {
    case 1: { const src = p.floatData ?? []; for (let i = 0; i < n; i++) out[i] = src[i]; return; }
    case 11: { const src = p.doubleData ?? []; for (let i = 0; i < n; i++) out[i] = src[i]; return; }
    case 7: { const src = p.int64Data ?? []; for (let i = 0; i < n; i++) out[i] = int(src[i]); return; }
    case 12: case 13: { const src = p.uint64Data ?? []; for (let i = 0; i < n; i++) out[i] = int(src[i]); return; }
    case 10: { const src = p.int32Data ?? []; for (let i = 0; i < n; i++) out[i] = halfToFloat(src[i]); return; }
    case 16: { const src = p.int32Data ?? []; for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat(src[i]); return; }
    case 9: { const src = p.int32Data ?? []; for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0; return; }
    default: { const src = p.int32Data ?? []; for (let i = 0; i < n; i++) out[i] = src[i]; return; }
  }
}

function fromRaw(raw: Uint8Array, code: number, out: ReturnType<typeof allocate<DType>>): void {
  const n = out.length;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (code) {
    case 1: for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true); return;
    case 2: for (let i = 0; i < n; i++) out[i] = v.getUint8(i); return;
    case 3: for (let i = 0; i < n; i++) out[i] = v.getInt8(i); return;
    case 4: for (let i = 0; i < n; i++) out[i] = v.getUint16(2 * i, true); return;
    case 5: for (let i = 0; i < n; i++) out[i] = v.getInt16(2 * i, true); return;
    case 6: for (let i = 0; i < n; i++) out[i] = v.getInt32(4 * i, true); return;
    case 7: for (let i = 0; i < n; i++) out[i] = Number(v.getBigInt64(8 * i, true)); return;
    case 9: for (let i = 0; i < n; i++) out[i] = v.getUint8(i) !== 0 ? 1 : 0; return;
    case 10: for (let i = 0; i < n; i++) out[i] = halfToFloat(v.getUint16(2 * i, true)); return;
    case 11: for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, true); return;
    case 12: for (let i = 0; i < n; i++) out[i] = v.getUint32(4 * i, true); return;
    case 13: for (let i = 0; i < n; i++) out[i] = Number(v.getBigUint64(8 * i, true)); return;
    case 16: for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat(v.getUint16(2 * i, true)); return;
    default: throw new Error(`tensors: raw element type ${code} has no reader`);
  }
}
