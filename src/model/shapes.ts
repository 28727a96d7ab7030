import { defaultOps } from '../engine/ops';
import type { Attrs } from '../engine/registry';
import type { Shape } from '../engine/tensor';

/**
 * Static shape inference for loaders, to check a model before any run. Each op's rule lives with the op
 * (`OpDef.shape` in src/engine/ops/); the shape arithmetic they share is src/engine/shapeRules.ts, re-exported
 * here for the loaders' layers.
 */
export { ShapeError, broadcastShapes, fmt, matmulShape, normAxis, samePads } from '../engine/shapeRules';

/**
 * Output shapes of one op call from its input shapes (undefined = optional input left out) and attributes,
 * by the default registry's rule; undefined for an op without one. Unfit shapes throw `ShapeError`.
 */
export function inferOpShapes(op: string, inputs: readonly (Shape | undefined)[], attrs: Attrs): number[][] | undefined {
  return defaultOps.shapes(op, inputs, attrs)?.map((s) => [...s]);
}
