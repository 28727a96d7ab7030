import { EngineError } from '../engine/errors';
import type { Model, ModuleDef, NodeDef } from '../model/ir';
import { baseName, RunnerError } from './errors';
import type { Plan } from './plan';

/**
 * Wraps what a node's op threw as a {@link RunnerError} that names the file, the layer's line, the layer
 * and the node: `model.json line 12: layer 'hidden', op matmul (hidden/matmul): a has 784 columns but b has 10 rows`.
 * The layer is the node's enclosing module unless that is the model itself.
 */
export function nodeError(model: Model, plan: Plan, node: NodeDef, cause: unknown): RunnerError {
  const parent = plan.parent(node);
  const layer = parent && parent !== model.root ? parent : undefined;
  let source = node.source;
  for (let m: ModuleDef | undefined = parent; !source && m && m !== model.root; m = plan.parent(m)) source = m.source;
  let reason = cause instanceof Error ? cause.message : String(cause);
  // An EngineError already starts with its op's name, which the prefix below names too.
  if (cause instanceof EngineError && cause.op && reason.startsWith(`${cause.op}: `)) reason = reason.slice(cause.op.length + 2);
  const where = `${baseName(model.file)}${source ? ` line ${source.startLine}` : ''}`;
  // A loader marks a node whose op the engine lacks with the sentence to show (`Unsupported op 'Einsum' in node 'attn/3' (opset 17)`).
  const unsupported = node.attrs.__unsupported;
  const message = typeof unsupported === 'string' ? `${where}: ${unsupported}`
    : `${where}: ${layer ? `layer '${layer.name}', ` : ''}op ${node.op} (${node.id}): ${reason}`;
  return new RunnerError(message, { file: model.file, source, moduleId: parent?.id, nodeId: node.id, op: node.op, cause });
}
