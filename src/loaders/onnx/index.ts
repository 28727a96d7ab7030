import type { onnx } from './proto';
import type { AttrValue } from '../../engine/registry';
import type { Tensor } from '../../engine/tensor';
import { ModelError } from '../../model/errors';
import type { Model, PendingWeight } from '../../model/ir';
import { validateModel } from '../../model/validate';
import type { Loader, LoadOptions, ModelSource } from '../types';
import { ByteBudget } from './budget';
import { decodeModel, int, looksLikeModelProto } from './decode';
import { BYTES_PER_ELEMENT } from '../../engine/tensor';
import { tensorDType } from './dtypes';
import { ExternalData, isExternal } from './externalData';
import type { ExternalSpan } from './externalData';
import { DEFAULT_OPSET, readGraph } from './graphReader';
import type { ReadContext } from './graphReader';
import type { FlatNode } from './flatNode';
import { isWeightConstant } from './constants';
import { buildModuleTree } from './moduleTree';
import { inferShapes } from './shapes';
import { decodeTensor, protoDims } from './tensors';
import { valueInfo } from './valueInfo';

export const ONNX_FORMAT = 'onnx';

/**
 * External initializers of at least this many bytes are read lazily, at the first run. Smaller ones are read at
 * open: they may be operands the loader folds (a Reshape's shape), and exporters embed tensors this small anyway
 * (torch.onnx's external-data size threshold is the same 1 KiB).
 */
const LAZY_MIN_BYTES = 1024;

/** The model file's name without folders and `.onnx`, for the root module. */
function baseName(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return file.slice(cut + 1).replace(/\.onnx$/i, '');
}

/** Every TensorProto of a graph that keeps its bytes elsewhere, with its name for messages, subgraphs included. */
function externalTensors(g: onnx.IGraphProto, out: [onnx.ITensorProto, string][] = []): [onnx.ITensorProto, string][] {
  for (const t of g.initializer ?? []) if (isExternal(t)) out.push([t, `initializer '${t.name ?? ''}'`]);
  (g.node ?? []).forEach((n, i) => {
    for (const a of n.attribute ?? []) {
      const label = `attribute '${a.name ?? ''}' of node '${n.name || `#${i}`}' (${n.opType})`;
      for (const t of [...(a.t ? [a.t] : []), ...(a.tensors ?? [])]) if (isExternal(t)) out.push([t, label]);
      for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) externalTensors(sub, out);
    }
  });
  return out;
}

function opsetsOf(model: onnx.ModelProto): Map<string, number> {
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) {
    const domain = o.domain === 'ai.onnx' ? '' : o.domain ?? '';
    opsets.set(domain, int(o.version));
  }
  return opsets;
}

/**
 * Nodes that call a model-local function (ModelProto.functions): Layerstep does not inline functions, so they
 * stay unsupported nodes, and the reason names the function.
 */
function markFunctionCalls(nodes: FlatNode[], model: onnx.ModelProto): FlatNode[] {
  const local = new Set((model.functions ?? []).map((f) => `${f.domain === 'ai.onnx' ? '' : f.domain ?? ''}:${f.name ?? ''}`));
  if (local.size === 0) return nodes;
  return nodes.map((n) => {
    const u = n.unsupported;
    if (!u || !local.has(`${u.domain}:${u.opType}`)) return n;
    const name = u.domain ? `${u.domain}.${u.opType}` : u.opType;
    return { ...n, unsupported: { ...u, reason: `it calls the model-local function '${name}', which Layerstep does not inline` } };
  });
}

/**
 * The loader of ONNX models (`.onnx`, docs/onnx.md): ModelProto decoded with the official schema, weights
 * from initializers, Constant nodes and external data files, ops mapped to the engine's, and a module tree
 * from the exporter's name scopes.
 */
export const onnxLoader: Loader = {
  id: ONNX_FORMAT,

  match(name: string, head: Uint8Array): boolean {
    return /\.onnx$/i.test(name) || looksLikeModelProto(head);
  },

  async open(source: ModelSource, options: LoadOptions): Promise<Model> {
    const file = source.name;
    const bytes = await source.read();
    const { proto, unknownFields } = decodeModel(bytes, file, options.maxBytes);
    const graph = proto.graph!;
    const budget = new ByteBudget(options.maxBytes, file);
    const external = new ExternalData(source, budget);
    const fetched = new Map<onnx.ITensorProto, Uint8Array>();
    const deferred = new Map<onnx.ITensorProto, ExternalSpan>();
    const mainInitializers = new Set(graph.initializer ?? []);
    // Every span is located before any is read, so tensors sharing a file share one read of it.
    const spans: [onnx.ITensorProto, ExternalSpan][] = [];
    for (const [t, what] of externalTensors(graph)) spans.push([t, await external.locate(t, what)]);
    for (const [t, span] of spans) {
      if (mainInitializers.has(t) && span.length >= LAZY_MIN_BYTES) deferred.set(t, span);
      else fetched.set(t, await external.read(span));
    }
    // Files read for small tensors are not kept for the large ones read later, at the first run.
    external.release();
    const pending = new Map<string, PendingWeight>();
    // A deferred initializer is charged against maxBytes now; its load decodes under a budget already paid.
    const defer = (p: onnx.ITensorProto, what: string): PendingWeight | undefined => {
      const span = deferred.get(p);
      if (!span) return undefined;
      const dtype = tensorDType(p.dataType ?? 0)!;
      const shape = protoDims(p);
      const bytes = shape.reduce((a, d) => a * d, 1) * BYTES_PER_ELEMENT[dtype];
      budget.take(bytes, what);
      const load = async () => decodeTensor(p, what, { file, budget: new ByteBudget(Infinity, file), external: await external.read(span) });
      return { dtype, shape, bytes, load };
    };

    const opsets = opsetsOf(proto);
    const ctx: ReadContext = {
      file,
      opsets,
      weights: new Map<string, Tensor>(),
      initializers: new Set<string>(),
      tensor: (p, what) => decodeTensor(p, what, { file, budget, external: isExternal(p) ? fetched.get(p) : undefined }),
      defer,
      pending,
    };
    const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
    const inputs = (graph.input ?? []).filter((v) => !initializerNames.has(v.name ?? '')).map((v) => valueInfo(v, 'input', file));
    const outputs = (graph.output ?? []).map((v) => valueInfo(v, 'output', file));
    if (outputs.length === 0) throw new ModelError(`${file}: the graph declares no outputs, so there is nothing to compute.`, file);
    const nodes = markFunctionCalls(readGraph(graph, ctx, new Set(), [], false), proto);
    // The tensors are made: the closures below outlive open(), and must not keep the files' bytes alive.
    fetched.clear();

    const producer = [proto.producerName, proto.producerVersion].filter((s) => s).join(' ');
    const rootAttrs: Record<string, AttrValue> = { irVersion: int(proto.irVersion), opset: opsets.get('') ?? DEFAULT_OPSET };
    if (producer) rootAttrs.producer = producer;
    const { root, tree } = buildModuleTree(nodes, {
      rootName: graph.name || baseName(file), rootAttrs, weights: { has: (n: string) => ctx.weights.has(n) || pending.has(n) },
      initializers: { has: (n: string) => ctx.initializers.has(n) || isWeightConstant(ctx.weights.get(n)) },
      graphOutputs: outputs.map((o) => o.name),
    });
    const model: Model = {
      format: ONNX_FORMAT, name: graph.name || baseName(file), file, inputs, outputs, weights: ctx.weights, root, examples: [],
      pendingWeights: pending.size ? pending : undefined,
      shapes: inferShapes(nodes, inputs, ctx.weights, graph, pending),
      // The sizes a run may give open inputs: checked with the shape rules, node by node (Run's size prompt).
      checkShapes: (given) => {
        const fixed = inputs.map((v) => ({ ...v, shape: given.get(v.name) ?? v.shape }));
        inferShapes(nodes, fixed, ctx.weights, {}, pending, true);
        return true;
      },
      metadata: { producer: producer || undefined, irVersion: int(proto.irVersion), opsets: Object.fromEntries(opsets), moduleTree: tree,
        ...(unknownFields.length ? { unknownFields } : {}) },
    };
    validateModel(model);
    return model;
  },
};
