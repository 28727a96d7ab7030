import { getNodeValue } from 'jsonc-parser';
import type { AttrValue } from '../../engine/registry';
import type { ModelError } from '../../model/errors';
import type { JsonDocument, JsonNode } from '../native/json';
import { describe, items, prop } from '../native/json';
import { activationName } from './activations';

/**
 * Reads one Keras layer's `config` object. Every getter checks the JSON value and raises a {@link ModelError}
 * that names the file, line, layer and setting; an absent or `null` setting takes the given default (Keras
 * writes `null` for "use the default"). Every setting read is kept in {@link values}: the layer module's
 * attributes, shown in the Attributes scope.
 */
export class LayerConfig {
  readonly values: Record<string, AttrValue> = {};

  constructor(
    private readonly doc: JsonDocument,
    /** The `config` object node (or the layer node when the layer has no config). */
    readonly node: JsonNode,
    /** `layer 'conv2d_1'`, for messages. */
    readonly label: string,
  ) {}

  /** A reader for another config object of the same file (a wrapped layer's), labelled `label`. */
  child(node: JsonNode, label: string): LayerConfig {
    return new LayerConfig(this.doc, node, label);
  }

  /** Whether a setting is written as an explicit `null` (which some settings give a meaning of its own). */
  isNull(key: string): boolean {
    return prop(this.node, key)?.type === 'null';
  }

  /** The value node of a setting; undefined when it is absent or null. */
  raw(key: string): JsonNode | undefined {
    const n = prop(this.node, key);
    return n && n.type !== 'null' ? n : undefined;
  }

  /** A setting as plain JSON (undefined when absent or null). */
  value(key: string): unknown {
    const n = this.raw(key);
    return n ? getNodeValue(n) : undefined;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  /** An error at the setting (or at the layer): `model.json line N: layer 'x' <message>`. */
  fail(message: string, at?: JsonNode): ModelError {
    return this.doc.error(at ?? this.node, `${this.label} ${message}`);
  }

  private bad(key: string, n: JsonNode, expected: string): ModelError {
    return this.fail(`has "${key}" set to ${describe(n)}; expected ${expected}.`, n);
  }

  number(key: string, fallback?: number): number {
    const n = this.raw(key);
    if (!n) return this.need(key, fallback);
    if (n.type !== 'number') throw this.bad(key, n, 'a number');
    return (this.values[key] = n.value as number);
  }

  integer(key: string, fallback?: number, min = -Infinity): number {
    const n = this.raw(key);
    if (!n) return this.need(key, fallback);
    if (n.type !== 'number' || !Number.isInteger(n.value) || n.value < min) {
      throw this.bad(key, n, min === -Infinity ? 'an integer' : `an integer of at least ${min}`);
    }
    return (this.values[key] = n.value as number);
  }

  boolean(key: string, fallback: boolean): boolean {
    const n = this.raw(key);
    if (!n) return (this.values[key] = fallback);
    if (n.type !== 'boolean') throw this.bad(key, n, 'true or false');
    return (this.values[key] = n.value as boolean);
  }

  string(key: string, fallback?: string): string {
    const n = this.raw(key);
    if (!n) return this.need(key, fallback);
    if (n.type !== 'string') throw this.bad(key, n, 'a string');
    return (this.values[key] = n.value as string);
  }

  /** A string setting that must be one of `allowed`. */
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.string(key, fallback);
    if (!(allowed as readonly string[]).includes(v)) {
      throw this.fail(`has "${key}" set to '${v}', which Layerstep does not support; it takes ${allowed.map((a) => `'${a}'`).join(', ')}.`, this.raw(key));
    }
    return v as T;
  }

  /** Keras' `kernel_size: 3` or `[3, 3]`: one integer for every axis, or `n` of them. */
  tuple(key: string, n: number, fallback?: number, min = 1): number[] {
    const node = this.raw(key);
    if (!node) {
      const v = this.need(key, fallback);
      this.values[key] = new Array<number>(n).fill(v);
      return new Array<number>(n).fill(v);
    }
    const ok = (x: JsonNode): boolean => x.type === 'number' && Number.isInteger(x.value) && x.value >= min;
    let out: number[];
    if (node.type === 'number' && ok(node)) out = new Array<number>(n).fill(node.value as number);
    else if (node.type === 'array' && items(node).length === n && items(node).every(ok)) out = items(node).map((x) => x.value as number);
    else throw this.bad(key, node, `an integer of at least ${min}, or ${n} of them`);
    this.values[key] = out;
    return out;
  }

  /** An integer array setting of any length (`null` entries become `nullAs`). */
  integers(key: string, nullAs?: number): number[] {
    const node = this.raw(key);
    if (!node) throw this.fail(`needs "${key}" in its config.`);
    const ok = (x: JsonNode): boolean => (x.type === 'number' && Number.isInteger(x.value)) || (x.type === 'null' && nullAs !== undefined);
    if (node.type !== 'array' || !items(node).every(ok)) throw this.bad(key, node, `an array of integers${nullAs !== undefined ? ' (or null)' : ''}`);
    const out = items(node).map((x) => (x.type === 'null' ? nullAs! : (x.value as number)));
    this.values[key] = out;
    return out;
  }

  /** The activation named by `key` (Keras' snake_case, TF.js's camelCase, or a Keras 3 serialised function). */
  activation(key = 'activation', fallback = 'linear'): string {
    const n = this.raw(key);
    if (!n) return (this.values[key] = fallback);
    const name = activationName(n);
    if (!name) throw this.fail(`has "${key}" set to ${describe(n)}, an activation Layerstep does not know.`, n);
    return (this.values[key] = name);
  }

  /** Records a setting derived by the layer (e.g. resolved pads) among the attributes. */
  note(key: string, value: AttrValue): void {
    this.values[key] = value;
  }

  private need<T>(key: string, fallback: T | undefined): T {
    if (fallback === undefined) throw this.fail(`needs "${key}" in its config.`);
    this.values[key] = fallback as AttrValue;
    return fallback;
  }
}
