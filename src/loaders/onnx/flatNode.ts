import type { Attrs } from '../../engine/registry';
import type { ControlFlow, NodeOrigin } from '../../model/ir';

/**
 * The graph reader's output and the module tree builder's input: every engine node of the model in
 * execution order, each with the chain of modules it sits in. Consecutive nodes with the same leading scope
 * segments share those modules.
 */

/** One level of the module path: a name scope of the exporter (`encoder`, `layer.0`) or an expanded If. */
export interface ScopeSegment {
  readonly name: string;
  /** `scope` for a name scope, `If` for an expanded If node. */
  readonly type: string;
  readonly attrs?: Attrs;
}

/** Why a node cannot run, to be phrased once its id is known. */
export interface UnsupportedInfo {
  readonly opType: string;
  readonly domain: string;
  readonly opset: number;
  readonly reason?: string;
}

export interface FlatNode {
  readonly scope: readonly ScopeSegment[];
  /** The node's name within its module before it is made unique (`MatMul`). */
  readonly name: string;
  /** The node's name (`/encoder/layer.0/attn/MatMul`, when it has one) and op type as the file writes them. */
  readonly origin?: NodeOrigin;
  readonly op: string;
  /** Mutable so an expanded If can rename its branch's results to the If node's outputs. */
  inputs: string[];
  outputs: string[];
  readonly attrs: Attrs;
  readonly unsupported?: UnsupportedInfo;
  /** An If, Loop or Scan decided at run time (./control): the tree makes it a module, `op` its type. */
  readonly control?: ControlFlow;
}

/** `/encoder/layer.0/attn/MatMul` → scope [encoder, layer.0, attn] and name `MatMul`; an empty name → the op type. */
export function splitNodeName(name: string, opType: string): { scope: string[]; name: string } {
  const parts = name.split('/').filter((s) => s !== '');
  if (parts.length === 0) return { scope: [], name: opType || 'node' };
  return { scope: parts.slice(0, -1), name: parts[parts.length - 1] };
}
