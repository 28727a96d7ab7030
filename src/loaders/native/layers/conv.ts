import { fmt, samePads } from '../../../model/shapes';
import type { Value } from '../builder';
import type { Padding, ParamTable } from '../params';
import { activate } from './activation';
import type { LayerContext, LayerType } from './types';

const common: ParamTable = {
  kernelSize: { kind: 'spatial', doc: 'Window size: one integer for every spatial axis, or one per axis.', min: 1, required: true },
  strides: { kind: 'spatial', doc: 'Step of the window along each spatial axis.', min: 1, default: 1 },
  dilations: { kind: 'spatial', doc: 'Spacing between window taps along each spatial axis.', min: 1, default: 1 },
  padding: { kind: 'padding', doc: "'valid' (none), 'same' (output = ceil(input / stride), extra pad at the end), or explicit pads [begin..., end...] e.g. [top, left, bottom, right].", default: 'valid' },
  activation: { kind: 'activation', doc: 'Activation applied to the output.', default: 'linear' },
  useBias: { kind: 'boolean', doc: 'Whether the layer adds a bias per output channel.', default: true },
};

/** Checks the input is [N, C, ...n spatial axes]. */
export function requireSpatial({ fail }: LayerContext, x: Value, n: number): void {
  if (x.shape.length !== n + 2) {
    const want = n === 1 ? '[N, C, L]' : n === 2 ? '[N, C, H, W]' : `[N, C, ${n} spatial axes]`;
    throw fail(`expects an input of shape ${want} (rank ${n + 2}, channels first) but ${x.from} gives ${fmt(x.shape)}.`);
  }
}

/** Explicit pads [begin..., end...] for a padding setting. */
export function padsFor(padding: Padding, x: Value, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const n = kernel.length;
  if (padding === 'valid') return new Array<number>(2 * n).fill(0);
  if (padding !== 'same') return [...padding];
  const pairs = kernel.map((k, i) => samePads(x.shape[2 + i], k, strides[i], dilations[i]));
  return [...pairs.map((p) => p[0]), ...pairs.map((p) => p[1])];
}

/** Checks that a kernel the file declares agrees with the input's channels. */
function checkChannels(ctx: LayerContext, x: Value, groups: number): void {
  const declared = ctx.m.declaredShape('kernel');
  if (declared && declared.length === x.shape.length && declared[1] * groups !== x.shape[1]) {
    throw ctx.fail(`expects an input with ${declared[1] * groups} channels (its kernel is ${fmt(declared)}) but ${x.from} gives ${fmt(x.shape)}.`);
  }
  if (x.shape[1] % groups !== 0) throw ctx.fail(`has groups ${groups}, which does not divide the ${x.shape[1]} channels of ${fmt(x.shape)} from ${x.from}.`);
}

function conv(type: string, n: number): LayerType {
  return {
    type,
    doc: `${n}-D convolution over channels-first input ${n === 1 ? '[N, C, L]' : '[N, C, H, W]'}: activation(conv(x, kernel) + bias).`,
    params: {
      filters: { kind: 'integer', doc: 'Number of output channels.', min: 1, required: true },
      ...common,
      groups: { kind: 'integer', doc: 'Number of channel groups (filters and input channels must both divide by it).', min: 1, default: 1 },
    },
    weights: { kernel: `[filters, in / groups, ${n === 1 ? 'k' : 'kH, kW'}]`, bias: '[filters]' },
    build(ctx, x) {
      const { p, m, fail } = ctx;
      requireSpatial(ctx, x, n);
      const filters = p.integer('filters');
      const k = p.spatial('kernelSize', n);
      const strides = p.spatial('strides', n);
      const dilations = p.spatial('dilations', n);
      const pads = padsFor(p.padding('padding', n), x, k, strides, dilations);
      const groups = p.integer('groups');
      const act = p.activation();
      const useBias = p.boolean('useBias');
      if (filters % groups !== 0) throw fail(`has groups ${groups}, which does not divide its ${filters} filters.`);
      checkChannels(ctx, x, groups);
      const w = m.weight('kernel', [filters, x.shape[1] / groups, ...k]);
      const b = useBias ? m.weight('bias', [filters]) : undefined;
      const y = m.op('conv', b ? [x, w, b] : [x, w], { kernelShape: k, strides, dilations, pads, group: groups });
      return activate(m, y, act);
    },
  };
}

const depthwiseConv2d: LayerType = {
  type: 'depthwiseConv2d',
  doc: 'Depthwise 2-D convolution: each input channel convolved with its own depthMultiplier filters (conv with group = channels).',
  params: { depthMultiplier: { kind: 'integer', doc: 'Output channels per input channel.', min: 1, default: 1 }, ...common },
  weights: { kernel: '[in · depthMultiplier, 1, kH, kW]', bias: '[in · depthMultiplier]' },
  build(ctx, x) {
    const { p, m } = ctx;
    requireSpatial(ctx, x, 2);
    const dm = p.integer('depthMultiplier');
    const k = p.spatial('kernelSize', 2);
    const strides = p.spatial('strides', 2);
    const dilations = p.spatial('dilations', 2);
    const pads = padsFor(p.padding('padding', 2), x, k, strides, dilations);
    const act = p.activation();
    const useBias = p.boolean('useBias');
    const c = x.shape[1];
    const declared = m.declaredShape('kernel');
    if (declared?.length === 4 && declared[0] !== c * dm) {
      throw ctx.fail(`expects an input with ${declared[0] / dm} channels (its kernel is ${fmt(declared)}, depthMultiplier ${dm}) but ${x.from} gives ${fmt(x.shape)}.`);
    }
    const w = m.weight('kernel', [c * dm, 1, ...k]);
    const b = useBias ? m.weight('bias', [c * dm]) : undefined;
    const y = m.op('conv', b ? [x, w, b] : [x, w], { kernelShape: k, strides, dilations, pads, group: c });
    return activate(m, y, act);
  },
};

const conv2dTranspose: LayerType = {
  type: 'conv2dTranspose',
  doc: 'Transposed 2-D convolution (upsampling convolution) over [N, C, H, W].',
  params: {
    filters: { kind: 'integer', doc: 'Number of output channels.', min: 1, required: true },
    ...common,
    outputPadding: { kind: 'spatial', doc: 'Extra rows/columns added at the end of each output axis.', min: 0, default: 0 },
    groups: { kind: 'integer', doc: 'Number of channel groups.', min: 1, default: 1 },
  },
  weights: { kernel: '[in, filters / groups, kH, kW]', bias: '[filters]' },
  build(ctx, x) {
    const { p, m, fail } = ctx;
    requireSpatial(ctx, x, 2);
    const filters = p.integer('filters');
    const k = p.spatial('kernelSize', 2);
    const strides = p.spatial('strides', 2);
    const dilations = p.spatial('dilations', 2);
    const padding = p.padding('padding', 2);
    const outputPadding = p.spatial('outputPadding', 2);
    const groups = p.integer('groups');
    const act = p.activation();
    const useBias = p.boolean('useBias');
    if (filters % groups !== 0) throw fail(`has groups ${groups}, which does not divide its ${filters} filters.`);
    let pads: number[];
    if (padding === 'valid') pads = [0, 0, 0, 0];
    else if (padding === 'same') {
      // Output = input · stride; ONNX ConvTranspose's SAME_UPPER split of the total padding.
      const totals = k.map((kk, i) => (kk - 1) * dilations[i] + 1 + outputPadding[i] - strides[i]);
      if (totals.some((t) => t < 0)) throw fail(`uses padding 'same' with a kernelSize smaller than its strides; use 'valid' or explicit pads.`);
      pads = [...totals.map((t) => Math.floor(t / 2)), ...totals.map((t) => t - Math.floor(t / 2))];
    } else pads = [...padding];
    const declared = m.declaredShape('kernel');
    if (declared?.length === 4 && declared[0] !== x.shape[1]) {
      throw fail(`expects an input with ${declared[0]} channels (its kernel is ${fmt(declared)}) but ${x.from} gives ${fmt(x.shape)}.`);
    }
    const w = m.weight('kernel', [x.shape[1], filters / groups, ...k]);
    const b = useBias ? m.weight('bias', [filters]) : undefined;
    const y = m.op('convTranspose', b ? [x, w, b] : [x, w], { kernelShape: k, strides, dilations, pads, outputPadding, group: groups });
    return activate(m, y, act);
  },
};

export const convLayers: readonly LayerType[] = [conv('conv1d', 1), conv('conv2d', 2), depthwiseConv2d, conv2dTranspose];
