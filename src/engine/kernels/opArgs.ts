import { EngineError } from '../errors';
import type { AttrValue, Attrs } from '../registry';
import { Tensor } from '../tensor';

/**
 * Readers for op arguments. ONNX passes many constants (shapes, axes, pads, scales) as tensor inputs while
 * older opsets and hand-written graphs pass them as attributes; each reader takes the input when the node
 * has it and the attribute of the same name otherwise (docs/ops.md).
 */

/** Numbers of a constant argument: the input if present, else the attribute; `undefined` when neither is. */
export function numberList(op: string, name: string, input: Tensor | undefined, attr: AttrValue | undefined): number[] | undefined {
  if (input !== undefined) return Array.from(input.data as ArrayLike<number>);
  if (attr === undefined || attr === null) return undefined;
  if (attr instanceof Tensor) return Array.from(attr.data as ArrayLike<number>);
  if (typeof attr === 'number') return [attr];
  if (Array.isArray(attr) && attr.every((v) => typeof v === 'number')) return [...(attr as readonly number[])];
  throw new EngineError(`'${name}' must be a number or a list of numbers, got ${JSON.stringify(attr)}`, op);
}

/** Like {@link numberList}, but every value must be an integer (shapes, axes, indices, pads). */
export function intList(op: string, name: string, input: Tensor | undefined, attr: AttrValue | undefined): number[] | undefined {
  const values = numberList(op, name, input, attr);
  if (values === undefined) return undefined;
  for (const v of values) {
    if (!Number.isInteger(v)) throw new EngineError(`'${name}' must hold integers, got ${v} in [${values.join(', ')}]`, op);
  }
  return values;
}

/** An integer attribute, or `fallback` when absent. Booleans count as 0/1 (ONNX flags are ints). */
export function intAttr(op: string, attrs: Attrs, name: string, fallback: number): number {
  const v = attrs[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = v instanceof Tensor && v.size === 1 ? v.data[0] : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new EngineError(`attribute '${name}' must be an integer, got ${JSON.stringify(v)}`, op);
  }
  return n;
}

/** A float attribute, or `fallback` when absent. */
export function floatAttr(op: string, attrs: Attrs, name: string, fallback: number): number {
  const v = attrs[name];
  if (v === undefined || v === null) return fallback;
  const n = v instanceof Tensor && v.size === 1 ? v.data[0] : v;
  if (typeof n !== 'number') throw new EngineError(`attribute '${name}' must be a number, got ${JSON.stringify(v)}`, op);
  return n;
}

/** A string attribute restricted to `allowed`, or `fallback` when absent. */
export function enumAttr<S extends string>(op: string, attrs: Attrs, name: string, allowed: readonly S[], fallback: S): S {
  const v = attrs[name];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new EngineError(`attribute '${name}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(v)}`, op);
  }
  return v as S;
}

/** An axis in [-rank, rank) turned into [0, rank). */
export function normalizeAxis(op: string, axis: number, rank: number, name = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new EngineError(`${name} ${axis} is out of range for rank ${rank} (allowed ${-rank} to ${rank - 1})`, op);
  }
  return axis < 0 ? axis + rank : axis;
}

/** A list of distinct axes, each normalized against `rank`. */
export function normalizeAxes(op: string, axes: readonly number[], rank: number, name = 'axes'): number[] {
  const out = axes.map((a) => normalizeAxis(op, a, rank, name === 'axes' ? 'axis' : name));
  if (new Set(out).size !== out.length) throw new EngineError(`'${name}' repeats an axis: [${axes.join(', ')}]`, op);
  return out;
}

/** `[2, 3]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Product of `shape[from..to)`. */
export function prod(shape: readonly number[], from = 0, to = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i];
  return n;
}

/** Input `i`, which the op requires; an error names it when the node leaves it out. */
export function required(op: string, inputs: readonly (Tensor | undefined)[], i: number, name: string): Tensor {
  const t = inputs[i];
  if (t === undefined) throw new EngineError(`input ${i} '${name}' is required`, op);
  return t;
}
