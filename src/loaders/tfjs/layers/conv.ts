import { fmt, samePads } from '../../../model/shapes';
import type { Value } from '../../native/builder';
import { applyActivation } from '../activations';
import type { LayerConfig } from '../config';
import { convKernel, depthwiseKernel, isChannelsLast, toChannelsFirst, toChannelsLast } from '../layout';
import type { KerasLayer, LayerCall } from './types';

/**
 * Convolutions. Each call moves a channels-last input to channels-first (`to_nchw`), runs the engine's conv
 * (bias included), moves the result back (`to_nhwc`) and applies the activation. Kernels are converted at
 * load from Keras' [...k, in, out] to the engine's [out, in, ...k].
 */

/** The input as channels-first [N, C, ...n spatial axes], after checking its rank. */
function channelsFirstInput(call: LayerCall, x: Value, n: number): { xc: Value; last: boolean } {
  if (x.shape.length !== n + 2) {
    throw call.fail(`expects an input of rank ${n + 2} (batch, ${n === 1 ? 'steps' : `${n} spatial axes`} and channels) but ${x.from} gives ${fmt(x.shape)}.`);
  }
  const last = isChannelsLast(call.cfg);
  return { xc: toChannelsFirst(call.m, x, last), last };
}

/** Explicit pads [begin..., end...] for Keras `padding` over channels-first spatial sizes. */
export function kerasPads(cfg: LayerConfig, spatial: readonly number[], k: readonly number[], strides: readonly number[], dilations: readonly number[], causal = false): number[] {
  const padding = cfg.oneOf('padding', causal ? ['valid', 'same', 'causal'] : ['valid', 'same'], 'valid');
  let pads: number[];
  if (padding === 'valid') pads = new Array<number>(2 * k.length).fill(0);
  else if (padding === 'causal') pads = [(k[0] - 1) * dilations[0], 0];
  else {
    const pairs = k.map((kk, i) => samePads(spatial[i], kk, strides[i], dilations[i]));
    pads = [...pairs.map((p) => p[0]), ...pairs.map((p) => p[1])];
  }
  cfg.note('pads', pads);
  return pads;
}

/** `depth_multiplier`; tfjs-layers leaves it out of a SeparableConv2D's config, so the depthwise kernel's last axis tells. */
function depthMultiplier({ cfg, weights }: LayerCall): number {
  if (cfg.has('depth_multiplier')) return cfg.integer('depth_multiplier', 1, 1);
  const shape = weights.shapeOf('depthwise_kernel');
  const dm = shape?.length === 4 ? shape[3] : 1;
  cfg.note('depth_multiplier', dm);
  return dm;
}

/** A convolution's window settings: kernel size, strides and dilation rate along its `n` spatial axes. */
function windowOf(cfg: LayerConfig, n: number): { k: number[]; strides: number[]; dilations: number[] } {
  return { k: cfg.tuple('kernel_size', n), strides: cfg.tuple('strides', n, 1), dilations: cfg.tuple('dilation_rate', n, 1) };
}

function conv(className: string, n: number): KerasLayer {
  return {
    className,
    doc: `${n}-D convolution: activation(conv(x, kernel) + bias)${n === 1 ? '; padding valid, same or causal' : ''}; groups supported.`,
    inputs: 'one',
    build(call, [x]) {
      const { m, cfg, weights, flavor } = call;
      const filters = cfg.integer('filters', undefined, 1);
      const { k, strides, dilations } = windowOf(cfg, n);
      const groups = cfg.integer('groups', 1, 1);
      const act = cfg.activation();
      const useBias = cfg.boolean('use_bias', true);
      const { xc, last } = channelsFirstInput(call, x, n);
      const cin = xc.shape[1];
      if (cin % groups !== 0 || filters % groups !== 0) throw call.fail(`has groups ${groups}, which must divide both its ${filters} filters and the ${cin} input channels.`);
      const pads = kerasPads(cfg, xc.shape.slice(2), k, strides, dilations, n === 1);
      const w = weights.use(m, 'kernel', [...k, cin / groups, filters], convKernel);
      const b = useBias ? weights.use(m, 'bias', [filters]) : undefined;
      const y = m.op('conv', b ? [xc, w, b] : [xc, w], { kernelShape: k, strides, dilations, pads, group: groups });
      return applyActivation(m, toChannelsLast(m, y, last), act, flavor);
    },
  };
}

const depthwiseConv2d: KerasLayer = {
  className: 'DepthwiseConv2D',
  doc: 'Each input channel convolved with its own `depth_multiplier` filters (conv with group = channels).',
  inputs: 'one',
  build(call, [x]) {
    const { m, cfg, weights, flavor } = call;
    const { k, strides, dilations } = windowOf(cfg, 2);
    const dm = depthMultiplier(call);
    const act = cfg.activation();
    const useBias = cfg.boolean('use_bias', true);
    const { xc, last } = channelsFirstInput(call, x, 2);
    const c = xc.shape[1];
    const pads = kerasPads(cfg, xc.shape.slice(2), k, strides, dilations);
    const w = weights.use(m, 'depthwise_kernel', [...k, c, dm], depthwiseKernel);
    const b = useBias ? weights.use(m, 'bias', [c * dm]) : undefined;
    const y = m.op('conv', b ? [xc, w, b] : [xc, w], { kernelShape: k, strides, dilations, pads, group: c }, 'depthwise');
    return applyActivation(m, toChannelsLast(m, y, last), act, flavor);
  },
};

const separableConv2d: KerasLayer = {
  className: 'SeparableConv2D',
  doc: 'A depthwise convolution then a 1×1 pointwise convolution with bias.',
  inputs: 'one',
  build(call, [x]) {
    const { m, cfg, weights, flavor } = call;
    const filters = cfg.integer('filters', undefined, 1);
    const { k, strides, dilations } = windowOf(cfg, 2);
    const dm = depthMultiplier(call);
    const act = cfg.activation();
    const useBias = cfg.boolean('use_bias', true);
    const { xc, last } = channelsFirstInput(call, x, 2);
    const c = xc.shape[1];
    const pads = kerasPads(cfg, xc.shape.slice(2), k, strides, dilations);
    const dw = weights.use(m, 'depthwise_kernel', [...k, c, dm], depthwiseKernel);
    const pw = weights.use(m, 'pointwise_kernel', [1, 1, c * dm, filters], convKernel);
    const b = useBias ? weights.use(m, 'bias', [filters]) : undefined;
    const d = m.op('conv', [xc, dw], { kernelShape: k, strides, dilations, pads, group: c }, 'depthwise');
    const y = m.op('conv', b ? [d, pw, b] : [d, pw], { kernelShape: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], group: 1 }, 'pointwise');
    return applyActivation(m, toChannelsLast(m, y, last), act, flavor);
  },
};

function convTranspose(className: string, n: number): KerasLayer {
  return {
    className,
    doc: `Transposed ${n}-D convolution; output size in·stride (same) or in·stride + max(k - stride, 0) (valid), or Keras' output_padding.`,
    inputs: 'one',
    build(call, [x]) {
      const { m, cfg, weights, flavor } = call;
      const filters = cfg.integer('filters', undefined, 1);
      const { k, strides, dilations } = windowOf(cfg, n);
      const padding = cfg.oneOf('padding', ['valid', 'same'], 'valid');
      const outputPadding = cfg.has('output_padding') ? cfg.tuple('output_padding', n, 0, 0) : undefined;
      const act = cfg.activation();
      const useBias = cfg.boolean('use_bias', true);
      if (dilations.some((d) => d !== 1)) throw call.fail(`has dilation_rate ${fmt(dilations)}; Layerstep supports transposed convolutions with dilation 1 only.`);
      const { xc, last } = channelsFirstInput(call, x, n);
      // The output length Keras gives each axis, then the crop (pads) or extra end rows (outputPadding) that
      // turn the full transposed convolution, (in - 1)·s + k long, into it.
      const pads = new Array<number>(2 * n).fill(0);
      const extra = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) {
        const [len, s, kk] = [xc.shape[2 + i], strides[i], k[i]];
        const out = outputPadding
          ? (len - 1) * s + kk - 2 * (padding === 'same' ? Math.floor(kk / 2) : 0) + outputPadding[i]
          : padding === 'same' ? len * s : len * s + Math.max(kk - s, 0);
        const total = (len - 1) * s + kk - out;
        if (total >= 0) [pads[i], pads[n + i]] = [Math.floor(total / 2), total - Math.floor(total / 2)];
        else extra[i] = -total;
      }
      cfg.note('pads', pads);
      const w = weights.use(m, 'kernel', [...k, filters, xc.shape[1]], convKernel);
      const b = useBias ? weights.use(m, 'bias', [filters]) : undefined;
      const y = m.op('convTranspose', b ? [xc, w, b] : [xc, w], { kernelShape: k, strides, dilations, pads, outputPadding: extra, group: 1 });
      return applyActivation(m, toChannelsLast(m, y, last), act, flavor);
    },
  };
}

export const convLayers: readonly KerasLayer[] = [
  conv('Conv1D', 1), conv('Conv2D', 2), conv('Conv3D', 3), depthwiseConv2d, separableConv2d,
  convTranspose('Conv2DTranspose', 2), convTranspose('Conv3DTranspose', 3),
];
