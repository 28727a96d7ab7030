import type { Dim } from '../model/ir';

/**
 * The model's dataflow graph as the panel draws it: the module tree with each item's value names, sent once
 * per session (the `graph` request), and what the run has measured of its values so far (`graphValues`).
 * Plain JSON. The panel turns it into boxes and edges with src/protocol/graphView.ts.
 */

/** An op call: a leaf of the graph. */
export interface GraphOp {
  readonly kind: 'node';
  /** Unique within the model: the id CALL STACK's frames carry as `itemId`. */
  readonly id: string;
  readonly name: string;
  readonly op: string;
  /** Value names it reads (weights included; an empty string is an optional input left out). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** A module (a block, a layer; control flow's templates as children): a box that expands into its body. */
export interface GraphModule {
  readonly kind: 'module';
  readonly id: string;
  readonly name: string;
  /** Layer or block type as the file says it (`dense`, `scope`, `residual`). */
  readonly type: string;
  /** The values it reads from outside and the values it hands back. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly body: readonly GraphItem[];
}

export type GraphItem = GraphModule | GraphOp;

export interface GraphDesc {
  readonly name: string;
  /** The model itself: its body is the graph's top level. */
  readonly root: GraphModule;
  /** The model's inputs and outputs (value names), drawn as terminals. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Weight and constant names: read by ops, but drawn as no edge. */
  readonly weights: readonly string[];
  /** Shapes known before running, by value name (a name or null for a size the file leaves open). */
  readonly shapes: Readonly<Record<string, readonly Dim[]>>;
}

/** What the run measured of one produced value. */
export interface GraphValue {
  readonly name: string;
  /** Its shape as produced; absent when the recorder no longer holds its data. */
  readonly shape?: readonly number[];
  readonly nan: number;
  /** +Inf and -Inf together. */
  readonly inf: number;
  /** Share of exact zeros, 0..1. */
  readonly zeros: number;
  /**
   * Share of dead units (never active across the batch), 0..1, where the run measures tensor health; absent
   * otherwise (search's `dead>N` then reads nothing for this value).
   */
  readonly dead?: number;
}

/** Values recorded from position `from` of the run's recording order on (so a panel asks only for what is new). */
export interface GraphValues {
  readonly from: number;
  readonly values: readonly GraphValue[];
}

/** A shape for an edge label: `1×128`, `?×3×224×224`, `scalar`. */
export function formatShape(shape: readonly Dim[]): string {
  if (shape.length === 0) return 'scalar';
  return shape.map((d) => (typeof d === 'number' ? String(d) : d === null || d === '' ? '?' : d)).join('×');
}
