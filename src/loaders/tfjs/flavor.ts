/**
 * Which Keras wrote the model. A few formulas differ between the runtimes that write TF.js layers models, and
 * the loader follows the one that made the file, read from `modelTopology.keras_version` (`tfjs-layers 4.22.0`,
 * `2.15.0`, `3.3.3`) or else the file's `generatedBy` (`keras v2.15.0`, `TensorFlow.js tfjs-layers v4.22.0`).
 */
export interface Flavor {
  /** Keras 3: `hard_sigmoid` is relu6(x + 3) / 6 instead of clip(0.2·x + 0.5, 0, 1). */
  readonly keras3: boolean;
  /**
   * Written by tfjs-layers (or by nothing that says): bilinear UpSampling2D samples from the corners
   * (TF.js resizeBilinear) instead of pixel centres, and recurrent defaults are TF.js's.
   */
  readonly tfjs: boolean;
}

export function flavorOf(kerasVersion: unknown, generatedBy: unknown): Flavor {
  const kv = typeof kerasVersion === 'string' ? kerasVersion.trim() : '';
  const gen = typeof generatedBy === 'string' ? generatedBy.trim() : '';
  const python = kv ? /^\d/.test(kv) : /^keras\b/i.test(gen);
  const major = kv ? kv.split('.')[0] : /^keras v?(\d+)/i.exec(gen)?.[1];
  return { keras3: python && major === '3', tfjs: !python };
}
