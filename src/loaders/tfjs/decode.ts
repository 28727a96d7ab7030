import { Tensor } from '../../engine/tensor';
import type { ManifestEntry } from './manifest';

/**
 * Decodes one manifest weight from its group's bytes, as tfjs-core's `io.decodeWeights` does: stored float32,
 * int32 and bool as they are; uint8 / uint16 dequantized to stored · scale + min (rounded for int32 weights);
 * float16 widened to float32. Shards are little-endian, as TF.js writes them on every platform it runs on.
 */
export function decodeEntry(e: ManifestEntry, group: Uint8Array): Tensor {
  // A copy: its buffer is aligned for any typed array and independent of the shard bytes.
  const raw = group.slice(e.offset, e.offset + e.byteLength);
  const n = e.shape.reduce((a, d) => a * d, 1);
  switch (e.storage) {
    case 'float32': return new Tensor('float32', e.shape, new Float32Array(raw.buffer, 0, n));
    case 'int32': return new Tensor('int32', e.shape, new Int32Array(raw.buffer, 0, n));
    case 'bool': return new Tensor('bool', e.shape, raw);
    case 'float16': {
      const half = new Uint16Array(raw.buffer, 0, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(half[i]);
      return new Tensor('float32', e.shape, out);
    }
    case 'uint8':
    case 'uint16': {
      const q = e.storage === 'uint8' ? raw : new Uint16Array(raw.buffer, 0, n);
      if (e.dtype === 'int32') {
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = Math.round(q[i] * e.scale + e.min);
        return new Tensor('int32', e.shape, out);
      }
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = q[i] * e.scale + e.min;
      return new Tensor('float32', e.shape, out);
    }
  }
}

/** IEEE 754 binary16 → number: sign, 5-bit exponent (bias 15), 10-bit fraction; subnormals, ±Inf and NaN included. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
