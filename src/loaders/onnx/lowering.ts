import type { AttrValue, Attrs } from '../../engine/registry';
import type { Tensor } from '../../engine/tensor';

/**
 * The contract between the graph reader and the op table: an ONNX node as the table sees it, and the engine
 * node it becomes.
 */

/** One ONNX node, attributes converted but still under their ONNX (snake_case) names. */
export interface OnnxNode {
  readonly opType: string;
  /** The operator set domain; '' for the default domain (also written `ai.onnx`). */
  readonly domain: string;
  /** The node's name in the file; may be empty. */
  readonly name: string;
  /** Value names; an empty string is an optional input or output left out. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** The version of the node's domain that the model imports. */
  readonly opset: number;
}

/** What an ONNX node becomes: an engine op with camelCase attributes, and its inputs and outputs when they change. */
export interface Lowered {
  readonly op: string;
  readonly attrs: Attrs;
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
}

export interface LowerContext {
  /** A value known when loading (an initializer or a Constant node's output), if `name` is one. */
  constant(name: string): Tensor | undefined;
}

export type Lower = (node: OnnxNode, ctx: LowerContext) => Lowered;

/**
 * Thrown by a lowering that knows the op but cannot express this use of it; the loader turns it into an
 * `unsupported:<Type>` node whose run fails with `reason`.
 */
export class UnsupportedUse extends Error {
  override readonly name = 'UnsupportedUse';
}
