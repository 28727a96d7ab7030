import type { TensorRole } from '../src/protocol/tensorLayout';

/**
 * The colour range shared across frames (setting `layerstep.sharedColorScale`, the panel's Shared scale
 * toggle): for activations (inputs and outputs, which are each other's across frames) the smallest and the
 * largest finite value of every activation shown since the session started; weights have a range of their
 * own. A tensor counts when its view is made, from its exact statistics (or, without them, from the values
 * fetched), so every view of one frame draws on the same range. Cleared when a new session starts.
 */
export class SharedScales {
  private readonly ranges = new Map<'activation' | 'weight', { min: number; max: number }>();

  static kind(role: TensorRole): 'activation' | 'weight' {
    return role === 'weight' ? 'weight' : 'activation';
  }

  /** Widens the range of `role` to take in [min, max] (non-finite ends are left out). */
  extend(role: TensorRole, min: number, max: number): void {
    const k = SharedScales.kind(role);
    const r = this.ranges.get(k) ?? { min: Infinity, max: -Infinity };
    if (Number.isFinite(min)) r.min = Math.min(r.min, min);
    if (Number.isFinite(max)) r.max = Math.max(r.max, max);
    if (r.min <= r.max) this.ranges.set(k, r);
  }

  /** The shared range of `role`, or nothing before anything was counted. */
  range(role: TensorRole): { readonly min: number; readonly max: number } | undefined {
    const r = this.ranges.get(SharedScales.kind(role));
    return r ? { ...r } : undefined;
  }

  clear(): void {
    this.ranges.clear();
  }
}
