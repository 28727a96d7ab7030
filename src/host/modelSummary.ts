import type { ModelOutline, OutlineNode } from '../protocol/engine';
import type { ModelSummary, SummaryModule, UnsupportedOp } from '../protocol/summary';

/** The op name prefix the ONNX loader gives nodes the engine cannot run (docs/onnx.md). */
export const UNSUPPORTED_PREFIX = 'unsupported:';

/**
 * What the summary editor shows of a model, from its outline: modules only (op calls are counted, not
 * listed one by one, so a model of thousands of nodes stays a short tree), and every unsupported op. Whether
 * the tree is the file's or inferred travels in `metadata.moduleTree`.
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
  return {
    fileName: path.split(/[\\/]/).pop() ?? path,
    path,
    modelName: outline.name,
    format: outline.format,
    inputs: outline.inputs,
    outputs: outline.outputs,
    // Counted once per weight, whichever modules and ops share it, as `layerstep inspect` counts (src/model/weightUse.ts).
    params: outline.params,
    ops: root.ops,
    metadata: outline.metadata,
    root,
    unsupported,
  };
}
