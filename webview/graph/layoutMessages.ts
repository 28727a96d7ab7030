import type { Layout } from '../../src/protocol/graphLayout';
import type { GraphView } from '../../src/protocol/graphView';

/** Panel → layout worker: lay out this view. */
export interface LayoutRequest {
  readonly id: number;
  readonly view: GraphView;
}

/** Layout worker → panel: the layout of request `id`, or why there is none. */
export type LayoutReply =
  | { readonly id: number; readonly layout: Layout; readonly ms: number }
  | { readonly id: number; readonly error: string };
