import type { AttrValue, Attrs } from '../../engine/registry';
import type { Tensor } from '../../engine/tensor';
import type { TfAttr, TfNode } from './graphDef';
import { engineDType } from './graphDef';

/**
 * The contract between the graph model loader and its op table (./opTable.ts): a TF node's operands and
 * results as value names, its attributes, and a way to emit engine nodes. A TF op becomes one engine node,
 * or several (a channels-last convolution: to_nchw, conv, to_nhwc, activation) that the module tree groups
 * under the TF node's name.
 */

export interface EmittedNode {
  /** The engine node's name within its TF node (`conv`, `to_nhwc`); the TF node's own name for a one-node lowering. */
  readonly role: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
}

/** Thrown by a lowering that knows the op but not this use of it: the node opens and its run fails with `reason`. */
export class UnsupportedUse extends Error {
  override readonly name = 'UnsupportedUse';
}

export interface GraphContext {
  /**
   * A weight made from the Const value `name` by `convert` (a conv filter to the engine's layout), read with
   * the other weights; undefined when `name` is not a Const.
   */
  convertedWeight(name: string, tag: string, convert: (t: Tensor) => Tensor, shape: (s: readonly number[]) => number[]): string | undefined;
  /** The shape of the Const value `name` as the weights manifest declares it. */
  constShape(name: string): readonly number[] | undefined;
}

export class Lowering {
  readonly emitted: EmittedNode[] = [];
  private temp = 0;

  constructor(
    readonly node: TfNode,
    /** Value names of the node's data inputs. */
    readonly inputs: readonly string[],
    /** Value names of the node's results that something reads (at least the first). */
    readonly outputs: readonly string[],
    readonly ctx: GraphContext,
  ) {}

  input(k: number): string {
    if (k >= this.inputs.length) throw new UnsupportedUse(`it has ${this.inputs.length} inputs but ${this.node.op} needs at least ${k + 1}`);
    return this.inputs[k];
  }

  attr(key: string): TfAttr {
    return this.node.attrs[key];
  }

  str(key: string, fallback: string): string {
    const v = this.attr(key);
    return typeof v === 'string' ? v : fallback;
  }

  num(key: string, fallback: number): number {
    const v = this.attr(key);
    return typeof v === 'number' ? v : fallback;
  }

  bool(key: string): boolean {
    return this.attr(key) === true;
  }

  ints(key: string, fallback: readonly number[]): number[] {
    const v = this.attr(key);
    return Array.isArray(v) && v.every((x) => typeof x === 'number') ? [...(v as number[])] : [...fallback];
  }

  strings(key: string): string[] {
    const v = this.attr(key);
    return Array.isArray(v) ? v.map(String) : [];
  }

  /** The engine dtype of type attribute `key`; a string or other unknown type is an unsupported use. */
  dtype(key: string, fallback = 'DT_FLOAT'): string {
    const v = this.attr(key);
    const tf = v && typeof v === 'object' && 'dtype' in v ? v.dtype : fallback;
    const d = engineDType(tf);
    if (!d) throw new UnsupportedUse(tf === 'DT_STRING' ? 'string tensors are not supported' : `dtype ${tf} is not supported`);
    return d;
  }

  /** Emits an engine node; its outputs are fresh names unless given. Returns the output names. */
  emit(op: string, inputs: readonly string[], attrs: Record<string, AttrValue | undefined>, role: string, outputs?: readonly string[]): string[] {
    const outs = outputs ? [...outputs] : [`${this.node.name}/${role}${this.temp++ ? `_${this.temp}` : ''}`];
    this.emitted.push({ role, op, inputs, outputs: outs, attrs });
    return outs;
  }

  /** Makes the last emitted node, which gave `y`, give the TF node's results instead (no identity node needed). */
  seal(y: string): void {
    const last = this.emitted[this.emitted.length - 1];
    if (last && last.outputs.length === 1 && last.outputs[0] === y) this.emitted[this.emitted.length - 1] = { ...last, outputs: this.outputs };
    else this.finish('identity', [y], {}, 'result');
  }

  /** Emits the node that gives the TF node's results. */
  finish(op: string, inputs: readonly string[], attrs: Record<string, AttrValue | undefined> = {}, role = op): void {
    this.emit(op, inputs, attrs, role, this.outputs);
  }
}

export type Lower = (l: Lowering) => void;
