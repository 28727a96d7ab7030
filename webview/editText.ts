import type { TensorLayout } from '../src/protocol/tensorLayout';
import { unravel } from './format';

/**
 * The text of the panel's what-if edits (`output[:, 5] = 0`, `outputs['y'][:, :, :, 5] *= 0.5`), in the
 * debugger's expression language. Pure: the menu in editMenu.ts only shows what these functions decide.
 */

/** Where a 4-D activation keeps its channels: axis 1 (NCHW) or the last axis (NHWC). */
export type ChannelOrder = 'first' | 'last';

/** The part of a tensor one menu entry edits: a channel of a feature map, or a neuron of a vector. */
export interface EditUnit {
  readonly noun: 'channel' | 'neuron';
  /** The axis the unit's index runs along. */
  readonly axis: number;
  /** How many there are (the size of that axis). */
  readonly count: number;
}

export type EditAction = { readonly kind: 'zero' } | { readonly kind: 'scale'; readonly factor: number };

/** Formats whose layers hand activations on channels-last (Keras' default, and TensorFlow's graphs). */
const CHANNELS_LAST_FORMATS: ReadonlySet<string> = new Set(['keras', 'tfjs-layers', 'tfjs-graph']);

/**
 * Ops that run channels-first even inside a channels-last model: such a model moves a layer's input to NCHW
 * (a `to_nchw` transpose), calls one of these, and moves the result back (`to_nhwc`).
 */
const CHANNELS_FIRST_OPS: ReadonlySet<string> = new Set([
  'conv', 'convTranspose', 'maxPool', 'averagePool', 'globalAveragePool', 'globalMaxPool', 'lpPool',
]);

/**
 * Where a frame's 4-D tensors keep their channels. Its `data_format` attribute says so when it has one;
 * otherwise a channels-last model's layers are channels-last, except the ops between its `to_nchw` and
 * `to_nhwc` transposes, and every other model is channels-first.
 */
export function channelOrder(format: string, frame: { readonly kind: 'module' | 'node'; readonly name: string; readonly type: string },
  attrs: Readonly<Record<string, string>> = {}): ChannelOrder {
  const declared = (attrs.data_format ?? attrs.dataFormat ?? '').toLowerCase();
  if (/last|^n\w*c$/.test(declared)) return 'last';
  if (/first|^nc\w*$/.test(declared)) return 'first';
  if (!CHANNELS_LAST_FORMATS.has(format)) return 'first';
  if (frame.kind === 'node' && (CHANNELS_FIRST_OPS.has(frame.type) || /^to_(nc\w*|channels_first)$/.test(frame.name))) return 'first';
  return 'last';
}

/**
 * What a tensor drawn with `layout` offers to edit: a vector (`bars`) its neurons, along its one axis longer
 * than 1; a 4-D activation its channels, on the axis `order` says. Other tensors offer nothing.
 */
export function editUnit(shape: readonly number[], layout: TensorLayout, order: ChannelOrder): EditUnit | undefined {
  if (layout.kind === 'bars') {
    const axis = shape.findIndex((d) => d !== 1);
    return axis < 0 ? undefined : { noun: 'neuron', axis, count: shape[axis] };
  }
  if (shape.length === 4 && (layout.kind === 'maps' || layout.kind === 'heatmap')) {
    const axis = order === 'first' ? 1 : 3;
    return { noun: 'channel', axis, count: shape[axis] };
  }
  return undefined;
}

/** The unit (channel or neuron) that flat element `flat` of a row-major tensor of `shape` belongs to. */
export function unitAt(unit: EditUnit, flat: number, shape: readonly number[]): number {
  return unravel(flat, shape)[unit.axis];
}

/** A string literal of the expression language: single quotes, with `\` and `'` escaped. */
export function quote(name: string): string {
  return `'${name.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * How an assignment names a frame's tensor: `output` / `input` for the first of its scope (the names the
 * expression language gives them), `outputs['NAME']` / `inputs['NAME']` for the others.
 */
export function tensorRef(scope: 'outputs' | 'inputs', position: number, name: string): string {
  if (position === 0) return scope === 'outputs' ? 'output' : 'input';
  return `${scope}[${quote(name)}]`;
}

/**
 * The assignment that zeroes or scales unit `index` of the tensor `ref` names, which has `rank` axes. The
 * language has no `...`, so every axis before the unit's is written out as `:` (NHWC channel 5 of a rank-4
 * tensor: `[:, :, :, 5]`); axes after it are left out, which takes all of them.
 */
export function assignmentText(ref: string, rank: number, unit: EditUnit, index: number, action: EditAction): string {
  if (!Number.isInteger(index) || index < 0 || index >= unit.count) throw new RangeError(`${unit.noun} ${index} is not one of 0 to ${unit.count - 1}`);
  if (unit.axis >= rank) throw new RangeError(`axis ${unit.axis} is not an axis of a rank-${rank} tensor`);
  const at = [...Array<string>(unit.axis).fill(':'), String(index)].join(', ');
  const rhs = action.kind === 'zero' ? '= 0' : `*= ${numberText(action.factor)}`;
  return `${ref}[${at}] ${rhs}`;
}

/**
 * Reads a scale factor typed in the menu (`0.5`, `2`, `-1`, `1e-3`); undefined when it is not a finite number.
 */
export function parseFactor(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** A finite number as the expression language reads it (a leading `-` is its unary minus). */
function numberText(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`the factor must be a finite number, not ${v}`);
  return String(v);
}
