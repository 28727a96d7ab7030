import type { AttrValue } from '../../engine/registry';
import { ACTIVATION_NAMES } from './activations';
import type { JsonDocument, JsonNode } from './json';
import { describe, entries, items } from './json';

/**
 * Declarative descriptions of a layer type's settings. One table per layer type drives three things: reading
 * the settings with positioned errors, refusing unknown properties (typos), and the JSON Schema
 * (docs/model.schema.json) that gives editors completion.
 */
export type ParamSpec =
  | { kind: 'integer'; doc: string; min?: number; default?: number; required?: boolean }
  | { kind: 'number'; doc: string; min?: number; default?: number; required?: boolean }
  | { kind: 'boolean'; doc: string; default?: boolean }
  | { kind: 'enum'; doc: string; values: readonly string[]; default?: string }
  /** An integer array; `minItems` / `maxItems` bound its length. */
  | { kind: 'integers'; doc: string; min?: number; default?: readonly number[]; required?: boolean; minItems?: number }
  | { kind: 'numbers'; doc: string; required?: boolean }
  /** One integer for every spatial axis, or one per axis. */
  | { kind: 'spatial'; doc: string; min?: number; default?: number; required?: boolean }
  /** One number for every axis, or one per axis. */
  | { kind: 'numberOrNumbers'; doc: string; default?: number; required?: boolean }
  /** `valid`, `same`, or explicit pads `[begin..., end...]`. */
  | { kind: 'padding'; doc: string; default: 'valid' | 'same' }
  | { kind: 'activation'; doc: string; default: string }
  /** An array of layers. */
  | { kind: 'layers'; doc: string; required?: boolean }
  /** An array of arrays of layers. */
  | { kind: 'branches'; doc: string; required?: boolean };

export type ParamTable = Readonly<Record<string, ParamSpec>>;

/** Properties every layer takes besides its own. */
export const COMMON_LAYER_KEYS: readonly string[] = ['name', 'type', 'description', 'weights'];

export type Padding = 'valid' | 'same' | readonly number[];

/**
 * Reads one layer's settings against its table. Every getter checks the JSON value and raises a
 * {@link ModelError} that names the file, line, layer and setting; absent settings take the table's default.
 */
export class LayerParams {
  /** Every setting read so far, defaults included: the layer module's attributes. */
  readonly values: Record<string, AttrValue> = {};

  constructor(
    private readonly doc: JsonDocument,
    /** The layer object node. */
    readonly node: JsonNode,
    /** `layer 'dense_2'`, for messages. */
    readonly label: string,
    private readonly table: ParamTable,
    readonly type: string,
  ) {
    const allowed = new Set([...COMMON_LAYER_KEYS, ...Object.keys(table)]);
    const seen = new Set<string>();
    for (const [key, keyNode] of entries(node)) {
      if (seen.has(key)) throw doc.error(keyNode, `${label} sets '${key}' twice.`);
      seen.add(key);
      if (!allowed.has(key)) {
        throw doc.error(keyNode, `${label} has an unknown property '${key}'; a ${type} layer takes ${[...allowed].join(', ')}.`);
      }
    }
  }

  private keep<T extends AttrValue>(name: string, value: T): T {
    this.values[name] = value;
    return value;
  }

  private spec(name: string): ParamSpec {
    const s = this.table[name];
    if (!s) throw new Error(`layer type '${this.type}' reads undeclared setting '${name}'`);
    return s;
  }

  private value(name: string): JsonNode | undefined {
    for (const [key, , v] of entries(this.node)) if (key === name) return v;
    return undefined;
  }

  /** The node of a setting, for messages about it. */
  at(name: string): JsonNode {
    return this.value(name) ?? this.node;
  }

  private missing(name: string, what: string): never {
    throw this.doc.error(this.node, `${this.label} needs '${name}' (${what}).`);
  }

  private bad(v: JsonNode, name: string, what: string): never {
    throw this.doc.error(v, `${this.label} has '${name}' set to ${describe(v)}; expected ${what}.`);
  }

  has(name: string): boolean {
    this.spec(name);
    return this.value(name) !== undefined;
  }

  integer(name: string): number {
    const s = this.spec(name) as Extract<ParamSpec, { kind: 'integer' }>;
    const v = this.value(name);
    const what = s.min !== undefined ? `an integer of at least ${s.min}` : 'an integer';
    if (!v) return this.keep(name, s.default ?? this.missing(name, what));
    if (v.type !== 'number' || !Number.isInteger(v.value) || (s.min !== undefined && v.value < s.min)) this.bad(v, name, what);
    return this.keep(name, v.value as number);
  }

  number(name: string): number {
    const s = this.spec(name) as Extract<ParamSpec, { kind: 'number' }>;
    const v = this.value(name);
    const what = s.min !== undefined ? `a number of at least ${s.min}` : 'a number';
    if (!v) return this.keep(name, s.default ?? this.missing(name, what));
    if (v.type !== 'number' || (s.min !== undefined && v.value < s.min)) this.bad(v, name, what);
    return this.keep(name, v.value as number);
  }

  optionalNumber(name: string): number | undefined {
    this.spec(name);
    return this.value(name) === undefined ? undefined : this.number(name);
  }

  boolean(name: string): boolean {
    const s = this.spec(name) as Extract<ParamSpec, { kind: 'boolean' }>;
    const v = this.value(name);
    if (!v) return this.keep(name, s.default ?? this.missing(name, 'true or false'));
    if (v.type !== 'boolean') this.bad(v, name, 'true or false');
    return this.keep(name, v.value as boolean);
  }

  enum<T extends string>(name: string): T {
    const s = this.spec(name);
    const values = s.kind === 'activation' ? ACTIVATION_NAMES : (s as Extract<ParamSpec, { kind: 'enum' }>).values;
    const v = this.value(name);
    const what = `one of ${values.map((x) => `'${x}'`).join(', ')}`;
    if (!v) return this.keep(name, ((s as { default?: string }).default as T | undefined) ?? this.missing(name, what));
    if (v.type !== 'string' || !values.includes(v.value)) this.bad(v, name, what);
    return this.keep(name, v.value as T);
  }

  activation(name = 'activation'): string {
    return this.enum(name);
  }

  integers(name: string): readonly number[] {
    const s = this.spec(name) as Extract<ParamSpec, { kind: 'integers' }>;
    const v = this.value(name);
    const what = `an array of integers${s.min !== undefined ? ` of at least ${s.min}` : ''}`;
    if (!v) return this.keep(name, s.default ?? this.missing(name, what));
    const out = this.numberArray(v, name, what, true, s.min);
    if (s.minItems !== undefined && out.length < s.minItems) this.bad(v, name, `${what} with at least ${s.minItems} entries`);
    return this.keep(name, out);
  }

  numbers(name: string): readonly number[] {
    const v = this.value(name);
    if (!v) return this.missing(name, 'an array of numbers');
    return this.keep(name, this.numberArray(v, name, 'an array of numbers', false));
  }

  /** A per-axis setting for `n` spatial axes: a single integer applies to every axis. */
  spatial(name: string, n: number): readonly number[] {
    const s = this.spec(name) as Extract<ParamSpec, { kind: 'spatial' }>;
    const v = this.value(name);
    const what = `an integer${s.min !== undefined ? ` of at least ${s.min}` : ''} or an array of ${n}`;
    if (!v) {
      if (s.default === undefined) this.missing(name, what);
      return this.keep(name, new Array<number>(n).fill(s.default));
    }
    if (v.type === 'number') {
      if (!Number.isInteger(v.value) || (s.min !== undefined && v.value < s.min)) this.bad(v, name, what);
      return this.keep(name, new Array<number>(n).fill(v.value));
    }
    const out = this.numberArray(v, name, what, true, s.min);
    if (out.length !== n) this.bad(v, name, what);
    return this.keep(name, out);
  }

  /** A per-axis number for `n` axes: a single number applies to every axis. */
  numberOrNumbers(name: string, n: number): readonly number[] {
    const s = this.spec(name) as Extract<ParamSpec, { kind: 'numberOrNumbers' }>;
    const v = this.value(name);
    const what = `a number or an array of ${n} numbers`;
    if (!v) {
      if (s.default === undefined) this.missing(name, what);
      return this.keep(name, new Array<number>(n).fill(s.default));
    }
    if (v.type === 'number') return this.keep(name, new Array<number>(n).fill(v.value));
    const out = this.numberArray(v, name, what, false);
    if (out.length !== n) this.bad(v, name, what);
    return this.keep(name, out);
  }

  /** `valid`, `same`, or explicit pads `[begin..., end...]` for `n` spatial axes. */
  padding(name: string, n: number): Padding {
    const s = this.spec(name) as Extract<ParamSpec, { kind: 'padding' }>;
    const v = this.value(name);
    const what = `'valid', 'same' or ${2 * n} pads [begin..., end...]`;
    if (!v) return this.keep(name, s.default);
    if (v.type === 'string' && (v.value === 'valid' || v.value === 'same')) return this.keep(name, v.value as 'valid' | 'same');
    if (v.type !== 'array') this.bad(v, name, what);
    const out = this.numberArray(v, name, what, true, 0);
    if (out.length !== 2 * n) this.bad(v, name, what);
    return this.keep(name, out);
  }

  /** The array node of a `layers` setting (an empty array if absent and optional). */
  layers(name: string): JsonNode[] | undefined {
    const s = this.spec(name) as Extract<ParamSpec, { kind: 'layers' }>;
    const v = this.value(name);
    if (!v) return s.required ? this.missing(name, 'an array of layers') : undefined;
    if (v.type !== 'array') this.bad(v, name, 'an array of layers');
    return items(v);
  }

  /** The raw JSON node of a setting (`branches`), checked by the caller. */
  raw(name: string): JsonNode | undefined {
    this.spec(name);
    return this.value(name);
  }

  private numberArray(v: JsonNode, name: string, what: string, integers: boolean, min?: number): number[] {
    if (v.type !== 'array') this.bad(v, name, what);
    const out: number[] = [];
    for (const item of items(v)) {
      const ok = item.type === 'number' && (!integers || Number.isInteger(item.value)) && (min === undefined || item.value >= min);
      if (!ok) this.bad(v, name, what);
      out.push(item.value as number);
    }
    return out;
  }
}
