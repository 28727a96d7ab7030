/*
 * zlib decompression for PNG image data: the zlib wrapper (RFC 1950: a 2-byte header, deflate data, an
 * Adler-32 of the result) around a deflate stream (RFC 1951: stored, fixed-Huffman and dynamic-Huffman
 * blocks). The caller knows how many bytes the data must inflate to (a PNG's rows), so the output is
 * allocated once at that size and a stream that would write more, or fewer, is refused: a small file can
 * never make us allocate more than the image's declared size.
 */

/** A zlib stream that is corrupt, truncated or of the wrong size; the message starts with what it was. */
export class InflateError extends Error {
  override readonly name = 'InflateError';
}

/** The longest Huffman code deflate uses (RFC 1951 §3.2.7). */
const MAX_BITS = 15;

/** Base lengths and extra bits of length codes 257–285, and of distance codes 0–29 (RFC 1951 §3.2.5). */
const LENGTH_BASE = new Uint16Array(29);
const LENGTH_EXTRA = new Uint8Array(29);
const DIST_BASE = new Uint32Array(30);
const DIST_EXTRA = new Uint8Array(30);
for (let i = 0, base = 3; i < 29; i++) {
  LENGTH_EXTRA[i] = i < 8 ? 0 : (i - 4) >> 2;
  LENGTH_BASE[i] = base;
  base += 1 << LENGTH_EXTRA[i];
}
LENGTH_BASE[28] = 258; // code 285 is 258 with no extra bits, not the 259 the pattern would give
LENGTH_EXTRA[28] = 0;
for (let i = 0, base = 1; i < 30; i++) {
  DIST_EXTRA[i] = i < 4 ? 0 : (i >> 1) - 1;
  DIST_BASE[i] = base;
  base += 1 << DIST_EXTRA[i];
}

/** The order in which a dynamic block lists the code lengths of the code-length alphabet. */
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A canonical Huffman code as a lookup table indexed by the next `bits` input bits (LSB first):
 * each entry is `symbol << 4 | codeLength`, 0 where no code starts with those bits.
 */
interface HuffmanTable {
  readonly bits: number;
  readonly table: Uint16Array;
}

/** Reads deflate's bit stream: LSB-first within bytes, at most 16 bits at a time. */
class BitReader {
  pos = 0;
  private buf = 0;
  private cnt = 0;

  constructor(private readonly data: Uint8Array, private readonly what: string) {}

  /** Makes sure `n` (≤ 16) bits are buffered; past the end it feeds zeros, which {@link checkEnd} catches. */
  private fill(n: number): void {
    while (this.cnt < n) {
      if (this.pos >= this.data.length + 4) throw new InflateError(`${this.what}: the compressed data ends too early.`);
      const byte = this.pos < this.data.length ? this.data[this.pos] : 0;
      this.pos++;
      this.buf |= byte << this.cnt;
      this.cnt += 8;
    }
  }

  bits(n: number): number {
    if (n === 0) return 0;
    this.fill(n);
    const v = this.buf & ((1 << n) - 1);
    this.buf >>>= n;
    this.cnt -= n;
    return v;
  }

  decode(h: HuffmanTable): number {
    this.fill(h.bits);
    const entry = h.table[this.buf & ((1 << h.bits) - 1)];
    const len = entry & 15;
    if (len === 0) throw new InflateError(`${this.what}: the compressed data holds an invalid Huffman code.`);
    this.buf >>>= len;
    this.cnt -= len;
    return entry >> 4;
  }

  /** Drops the bits up to the next byte boundary (stored blocks and the Adler-32 start on one). */
  alignToByte(): void {
    this.bits(this.cnt & 7);
  }

  /** The next `n` whole bytes, from the bit buffer first, then straight from the data. */
  bytes(out: Uint8Array, at: number, n: number): void {
    let i = 0;
    while (i < n && this.cnt >= 8) out[at + i++] = this.bits(8);
    const start = this.pos;
    if (start + (n - i) > this.data.length) throw new InflateError(`${this.what}: the compressed data ends inside a stored block.`);
    out.set(this.data.subarray(start, start + (n - i)), at + i);
    this.pos += n - i;
  }

  /** Throws if a code was read from the zero padding past the end of the data. */
  checkEnd(): void {
    if (this.pos * 8 - this.cnt > this.data.length * 8) throw new InflateError(`${this.what}: the compressed data ends too early.`);
  }
}

/** The lookup table of a canonical code given each symbol's code length (0: unused); refuses over-full codes. */
function buildTable(lengths: ArrayLike<number>, what: string): HuffmanTable {
  const count = new Uint16Array(MAX_BITS + 1);
  let bits = 0;
  for (let s = 0; s < lengths.length; s++) {
    count[lengths[s]]++;
    if (lengths[s] > bits) bits = lengths[s];
  }
  count[0] = 0;
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left = (left << 1) - count[len];
    if (left < 0) throw new InflateError(`${what}: the compressed data holds an over-subscribed Huffman code.`);
  }
  // First code of each length (RFC 1951 §3.2.2), then every symbol's code, bit-reversed for LSB-first lookup.
  const next = new Uint16Array(MAX_BITS + 2);
  for (let len = 1, code = 0; len <= MAX_BITS; len++) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  bits = Math.max(bits, 1);
  const table = new Uint16Array(1 << bits);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s];
    if (len === 0) continue;
    const code = next[len]++;
    let rev = 0;
    for (let i = 0; i < len; i++) rev |= ((code >> i) & 1) << (len - 1 - i);
    for (let i = rev; i < table.length; i += 1 << len) table[i] = (s << 4) | len;
  }
  return { bits, table };
}

let fixed: { lit: HuffmanTable; dist: HuffmanTable } | undefined;

/** The fixed codes of block type 1 (RFC 1951 §3.2.6). */
function fixedTables(): { lit: HuffmanTable; dist: HuffmanTable } {
  if (!fixed) {
    const lit = new Uint8Array(288);
    lit.fill(8, 0, 144);
    lit.fill(9, 144, 256);
    lit.fill(7, 256, 280);
    lit.fill(8, 280, 288);
    fixed = { lit: buildTable(lit, 'fixed code'), dist: buildTable(new Uint8Array(30).fill(5), 'fixed code') };
  }
  return fixed;
}

/** The literal/length and distance codes of a dynamic block (RFC 1951 §3.2.7). */
function dynamicTables(r: BitReader, what: string): { lit: HuffmanTable; dist: HuffmanTable } {
  const hlit = r.bits(5) + 257;
  const hdist = r.bits(5) + 1;
  const hclen = r.bits(4) + 4;
  if (hlit > 286 || hdist > 30) throw new InflateError(`${what}: the compressed data declares too many codes.`);
  const clen = new Uint8Array(19);
  for (let i = 0; i < hclen; i++) clen[CLEN_ORDER[i]] = r.bits(3);
  const clenTable = buildTable(clen, what);
  const lengths = new Uint8Array(hlit + hdist);
  for (let i = 0; i < lengths.length;) {
    const sym = r.decode(clenTable);
    if (sym < 16) {
      lengths[i++] = sym;
      continue;
    }
    let repeat: number;
    let value = 0;
    if (sym === 16) {
      if (i === 0) throw new InflateError(`${what}: the compressed data repeats a code length before the first.`);
      value = lengths[i - 1];
      repeat = 3 + r.bits(2);
    } else {
      repeat = sym === 17 ? 3 + r.bits(3) : 11 + r.bits(7);
    }
    if (i + repeat > lengths.length) throw new InflateError(`${what}: the compressed data has too many code lengths.`);
    lengths.fill(value, i, i + repeat);
    i += repeat;
  }
  if (lengths[256] === 0) throw new InflateError(`${what}: the compressed data has no end-of-block code.`);
  return { lit: buildTable(lengths.subarray(0, hlit), what), dist: buildTable(lengths.subarray(hlit), what) };
}

/** Inflates a raw deflate stream into all of `out`; `what` names the data in messages (`digit.png: image data`). */
function inflateRaw(r: BitReader, out: Uint8Array, what: string): void {
  let op = 0;
  let last = 0;
  while (!last) {
    last = r.bits(1);
    const type = r.bits(2);
    if (type === 0) {
      r.alignToByte();
      const len = r.bits(16);
      const nlen = r.bits(16);
      if ((len ^ 0xffff) !== nlen) throw new InflateError(`${what}: a stored block's length check fails.`);
      if (op + len > out.length) throw tooLong(what, out.length);
      r.bytes(out, op, len);
      op += len;
      continue;
    }
    if (type === 3) throw new InflateError(`${what}: the compressed data has a block of the reserved type 3.`);
    const { lit, dist } = type === 1 ? fixedTables() : dynamicTables(r, what);
    for (;;) {
      const sym = r.decode(lit);
      if (sym < 256) {
        if (op >= out.length) throw tooLong(what, out.length);
        out[op++] = sym;
        continue;
      }
      if (sym === 256) break;
      const li = sym - 257;
      if (li >= 29) throw new InflateError(`${what}: the compressed data holds an invalid length code ${sym}.`);
      const length = LENGTH_BASE[li] + r.bits(LENGTH_EXTRA[li]);
      const di = r.decode(dist);
      if (di >= 30) throw new InflateError(`${what}: the compressed data holds an invalid distance code ${di}.`);
      const distance = DIST_BASE[di] + r.bits(DIST_EXTRA[di]);
      if (distance > op) throw new InflateError(`${what}: the compressed data refers back before its start.`);
      if (op + length > out.length) throw tooLong(what, out.length);
      // Byte by byte: a copy may overlap the bytes it is writing (a run).
      for (let k = 0; k < length; k++, op++) out[op] = out[op - distance];
    }
    r.checkEnd();
  }
  if (op !== out.length) throw new InflateError(`${what}: the compressed data gives ${op} bytes, ${out.length} expected.`);
}

function tooLong(what: string, size: number): InflateError {
  return new InflateError(`${what}: the compressed data gives more than the ${size} bytes expected.`);
}

/** Adler-32 (RFC 1950 §8.2) of `data`. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  const MOD = 65521;
  for (let i = 0; i < data.length;) {
    // Reducing at least every 5552 bytes keeps both sums below 2^32 (the bound RFC 1950's sample code uses).
    const end = Math.min(i + 5552, data.length);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * Inflates a zlib stream (RFC 1950) that must decompress to exactly `size` bytes, and checks its Adler-32.
 * Throws {@link InflateError} naming `what` when the stream is corrupt, truncated, or of another size.
 */
export function zlibInflate(data: Uint8Array, size: number, what: string): Uint8Array {
  if (data.length < 6) throw new InflateError(`${what}: the compressed data is too short (${data.length} bytes).`);
  const cmf = data[0];
  const flg = data[1];
  if ((cmf & 15) !== 8 || cmf >> 4 > 7) throw new InflateError(`${what}: the compressed data is not deflate (zlib header ${cmf}).`);
  if ((cmf * 256 + flg) % 31 !== 0) throw new InflateError(`${what}: the zlib header check fails.`);
  if (flg & 0x20) throw new InflateError(`${what}: the compressed data needs a preset dictionary, which PNG does not allow.`);
  const out = new Uint8Array(size);
  const r = new BitReader(data.subarray(2), what);
  inflateRaw(r, out, what);
  r.alignToByte();
  const stored = ((r.bits(8) << 24) | (r.bits(8) << 16) | (r.bits(8) << 8) | r.bits(8)) >>> 0;
  r.checkEnd();
  if (stored !== adler32(out)) throw new InflateError(`${what}: the decompressed data fails its Adler-32 check.`);
  return out;
}
