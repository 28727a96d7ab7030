import type { ModelOutline, OutlineNode } from '../protocol/engine';
import type { ModelSummary, SummaryModule, UnsupportedOp } from '../protocol/summary';

/** The op name prefix the ONNX loader gives nodes the engine cannot run (docs/onnx.md). */
export const UNSUPPORTED_PREFIX = 'unsupported:';

/**
 * What the summary editor shows of a model, from its outline: modules only (op calls are counted, not
 * listed one by one, so a model of thousands of nodes stays a short tree), and every unsupported op.
 * Pure (no `vscode`), so a unit test calls it.
 */
export function summarizeModel(outline: ModelOutline, path: string): ModelSummary {
  const unsupported: UnsupportedOp[] = [];
  const visit = (m: OutlineNode): SummaryModule => {
    const own = new Map<string, number>();
    const children: SummaryModule[] = [];
    let ops = 0;
    for (const c of m.children) {
      if (c.kind === 'node') {
        ops++;
        own.set(c.type, (own.get(c.type) ?? 0) + 1);
        if (c.type.startsWith(UNSUPPORTED_PREFIX)) unsupported.push({ id: c.id, op: c.type.slice(UNSUPPORTED_PREFIX.length) });
      } else {
        const child = visit(c);
        ops += child.ops;
        children.push(child);
      }
    }
    return { id: m.id, name: m.name, type: m.type, ops, params: m.params, ownOps: [...own], children };
  };
  const root = visit(outline.root);
  // Modules add up their weights; a weight two modules share (a constant both layers read) counts once here.
  const unique = new Map<string, number>();
  const collect = (m: OutlineNode): void => {
    for (const w of m.weights) unique.set(w.name, w.shape.reduce((a, b) => a * b, 1));
    m.children.forEach(collect);
  };
  collect(outline.root);
  return {
    fileName: path.split(/[\\/]/).pop() ?? path,
    path,
    modelName: outline.name,
    format: outline.format,
    inputs: outline.inputs,
    outputs: outline.outputs,
    params: [...unique.values()].reduce((a, b) => a + b, 0),
    ops: root.ops,
    metadata: outline.metadata,
    root,
    unsupported,
  };
}
