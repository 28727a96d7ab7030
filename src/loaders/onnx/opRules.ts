import type { AttrValue } from '../../engine/registry';
import { camelAttrs } from './attributes';
import { engineDType, onnxTypeName } from './dtypes';
import { UnsupportedUse } from './lowering';
import type { Lower, OnnxNode } from './lowering';

/**
 * Lowerings for the ONNX ops whose inputs, attributes or meaning changed across opsets, or that map to
 * different engine ops depending on how a node uses them. Each cites the versions it tells apart.
 */

/** The node's attributes without `drop`, camelCased. */
export function attrsWithout(n: OnnxNode, drop: readonly string[] = []): Record<string, AttrValue> {
  const kept: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(n.attrs)) if (!drop.includes(k)) kept[k] = v;
  return camelAttrs(kept);
}

/** An op whose engine form is `op` with the node's attributes (minus `drop`) camelCased. */
export const same = (op: string, drop: readonly string[] = []): Lower => (n) => ({ op, attrs: attrsWithout(n, drop) });

/** Softmax, LogSoftmax: before opset 13 they normalise over all dims from `axis` on (default 1). */
export const softmaxLike = (op: 'softmax' | 'logSoftmax'): Lower => (n) =>
  n.opset < 13 ? { op: `${op}Coerced`, attrs: attrsWithout(n) } : { op, attrs: attrsWithout(n) };

/** Max, Min: two inputs are the engine's binary op, any other count the variadic one. */
export const variadicMinMax = (op: 'max' | 'min'): Lower => (n) =>
  ({ op: n.inputs.filter((i) => i !== '').length === 2 ? op : `${op}N`, attrs: {}, inputs: n.inputs.filter((i) => i !== '') });

/** Cast, and the value attribute of ConstantOfShape: ONNX type codes become engine dtype names. */
export const cast: Lower = (n) => {
  const code = Number(n.attrs.to);
  const to = engineDType(code);
  if (!to) throw new UnsupportedUse(`it casts to ${onnxTypeName(code)}, which Layerstep cannot hold`);
  return { op: 'cast', attrs: { ...attrsWithout(n, ['saturate', 'round_mode']), to } };
};

/** Split: without sizes (no `split` attribute or input, no `num_outputs`), as many equal parts as the node has outputs. */
export const split: Lower = (n) => {
  const attrs = attrsWithout(n);
  const hasSizes = attrs.split !== undefined || (n.inputs[1] ?? '') !== '';
  if (!hasSizes && attrs.numOutputs === undefined) attrs.numOutputs = n.outputs.length;
  return { op: 'split', attrs };
};

/**
 * Resize-10 and Upsample-7/9 had no coordinate_transformation_mode: they map output index i to input
 * coordinate i / scale ('asymmetric') and pick the nearest pixel by flooring. Upsample's `bilinear` is linear.
 */
export const legacyResize: Lower = (n) => {
  const mode = String(n.attrs.mode ?? 'nearest').toLowerCase();
  return {
    op: 'resize',
    attrs: { ...attrsWithout(n, ['mode', 'height_scale', 'width_scale']), mode: mode === 'bilinear' ? 'linear' : mode,
      coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' },
  };
};

export const resize: Lower = (n) => (n.opset < 11 ? legacyResize(n, { constant: () => undefined }) : { op: 'resize', attrs: attrsWithout(n) });

/** Dropout: inference passes data through (opset < 12 attributes ratio and is_test are read by the op or dropped). */
export const dropout: Lower = (n) => ({ op: 'dropout', attrs: attrsWithout(n, ['is_test', 'seed']) });

/**
 * BatchNormalization: inference unless training_mode = 1 (opset 14+), which normalises with the batch's
 * statistics and returns the running mean and variance too. Opset < 9 `spatial` = 0 (statistics per
 * activation, not per channel) has no engine form.
 */
export const batchNormalization: Lower = (n) => {
  if (n.attrs.spatial !== undefined && Number(n.attrs.spatial) === 0) {
    throw new UnsupportedUse(`spatial = 0 (per-activation statistics, opset < 9) is not supported`);
  }
  const attrs = attrsWithout(n, ['spatial', 'is_test', 'consumed_inputs', 'training_mode']);
  if (Number(n.attrs.training_mode ?? 0) !== 0) return { op: 'batchNormalizationTraining', attrs };
  const { momentum: _momentum, ...inference } = attrs;
  return { op: 'batchNormalization', attrs: inference };
};

/** MaxPool: the engine's fast pooling for output Y; a node that asks for Indices too takes the slower op that tracks them. */
export const maxPool: Lower = (n) => {
  if ((n.outputs[1] ?? '') !== '') return { op: 'maxPoolWithIndices', attrs: attrsWithout(n) };
  return { op: 'maxPool', attrs: attrsWithout(n, ['storage_order']), outputs: n.outputs.slice(0, 1) };
};

/** Elementwise ops of opsets < 7 carried `broadcast` / `axis` / `consumed_inputs`; NumPy broadcasting covers what exporters wrote. */
export const elementwise = (op: string): Lower => same(op, ['broadcast', 'axis', 'consumed_inputs']);
