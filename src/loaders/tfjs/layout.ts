import { transpose } from '../../engine/ops/shape';
import type { Tensor } from '../../engine/tensor';
import type { ModuleBuilder, Value } from '../native/builder';
import type { LayerConfig } from './config';

/**
 * Keras data is channels-last (NHWC, NWC); the engine's conv and pool ops are channels-first (NCHW, NCW,
 * docs/ops.md). A channels-last layer moves its input to channels-first, calls the op, and moves the result
 * back, so every layer's output keeps the model's own layout. Kernels are converted once, at load.
 */

/** Whether a layer's `data_format` is channels-last (the Keras default). */
export function isChannelsLast(cfg: LayerConfig): boolean {
  return cfg.oneOf('data_format', ['channels_last', 'channels_first'], 'channels_last') === 'channels_last';
}

const SPATIAL_NAMES: Readonly<Record<number, [string, string]>> = { 3: ['ncw', 'nwc'], 4: ['nchw', 'nhwc'], 5: ['ncdhw', 'ndhwc'] };

/** [N, ...spatial, C] → [N, C, ...spatial] (node `to_nchw`); nothing when the layer is channels-first. */
export function toChannelsFirst(m: ModuleBuilder, x: Value, channelsLast: boolean): Value {
  if (!channelsLast) return x;
  const r = x.shape.length;
  const perm = [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];
  return m.op('transpose', [x], { perm }, `to_${SPATIAL_NAMES[r]?.[0] ?? 'channels_first'}`);
}

/** [N, C, ...spatial] → [N, ...spatial, C] (node `to_nhwc`); nothing when the layer is channels-first. */
export function toChannelsLast(m: ModuleBuilder, x: Value, channelsLast: boolean): Value {
  if (!channelsLast) return x;
  const r = x.shape.length;
  const perm = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
  return m.op('transpose', [x], { perm }, `to_${SPATIAL_NAMES[r]?.[1] ?? 'channels_last'}`);
}

/**
 * Keras conv kernel [...k, in, out] → engine [out, in, ...k]. The same move turns a transposed convolution's
 * [...k, out, in] into the engine ConvTranspose's [in, out, ...k].
 */
export function convKernel(t: Tensor): Tensor {
  const r = t.rank;
  return transpose(t, [r - 1, r - 2, ...Array.from({ length: r - 2 }, (_, i) => i)]);
}

/** The shape {@link convKernel} gives a kernel of shape `s` (known before the kernel is read). */
export function convKernelShape(s: readonly number[]): number[] {
  const r = s.length;
  return [s[r - 1], s[r - 2], ...s.slice(0, r - 2)];
}

/** The shape {@link depthwiseKernel} gives a kernel of shape `s`. */
export function depthwiseKernelShape(s: readonly number[]): number[] {
  const r = s.length;
  return [s[r - 2] * s[r - 1], 1, ...s.slice(0, r - 2)];
}

/** Keras depthwise kernel [...k, in, multiplier] → engine [in · multiplier, 1, ...k] (output channel c·multiplier + j). */
export function depthwiseKernel(t: Tensor): Tensor {
  const r = t.rank;
  const moved = transpose(t, [r - 2, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i)]);
  return moved.reshape([t.shape[r - 2] * t.shape[r - 1], 1, ...t.shape.slice(0, r - 2)]);
}

/** The axis of a rank-`rank` value that a Keras `axis` setting names (negative counts from the end). */
export function kerasAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 1 && a < rank ? a : undefined;
}
