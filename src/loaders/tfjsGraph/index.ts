import type { Tensor } from '../../engine/tensor';
import { ModelError } from '../../model/errors';
import type { Dim, Item, Model, PendingWeight, SourceRange, ValueInfo } from '../../model/ir';
import { validateModel } from '../../model/validate';
import type { JsonDocument, JsonNode } from '../native/json';
import { describe, entries, JsonDocument as Doc, prop } from '../native/json';
import type { FlatNode, ScopeSegment } from '../onnx/flatNode';
import { buildModuleTree } from '../onnx/moduleTree';
import { decodeEntry } from '../tfjs/decode';
import type { ManifestEntry } from '../tfjs/manifest';
import { decodedBytes, readManifest } from '../tfjs/manifest';
import { checkGroups, readGroup } from '../tfjs/shards';
import type { Loader, LoadOptions, ModelSource } from '../types';
import type { TfInput } from './graphDef';
import { engineDType, readNodes } from './graphDef';
import type { GraphContext } from './lowering';
import { Lowering, UnsupportedUse } from './lowering';
import { loweringOf } from './opTable';
import { orderNodes } from './order';

export const TFJS_GRAPH_FORMAT = 'tfjs-graph';

/** Bytes of a model.json we decode as text at most; its weights live in shards beside it. */
const MAX_JSON_BYTES = 512 * 1024 * 1024;
const GRAPH_HEAD = /"format"\s*:\s*"graph-model"|"modelTopology"\s*:\s*\{\s*"node"\s*:/;

/** Does the first bytes of a model.json say it is a graph model? (Shared with the layers loader's `match`.) */
export function looksLikeGraphModel(head: string): boolean {
  return GRAPH_HEAD.test(head);
}

const valueName = (i: TfInput): string => (i.index === 0 ? i.node : `${i.node}:${i.index}`);

function baseName(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return file.slice(cut + 1).replace(/\.json$/i, '');
}

/** The signature's inputs or outputs as { key, node output, dtype, shape }, in file order. */
function signatureEntries(doc: JsonDocument, sig: JsonNode | undefined, key: 'inputs' | 'outputs'): { key: string; at: TfInput; dtype?: string; shape?: Dim[]; json: JsonNode }[] {
  const node = sig ? prop(sig, key) : undefined;
  if (!node || node.type !== 'object') return [];
  return entries(node).map(([k, , v]) => {
    const name = prop(v, 'name');
    const text = name?.type === 'string' ? (name.value as string) : k;
    const m = /^(.*):(\d+)$/.exec(text);
    const dims = prop(prop(v, 'tensorShape') ?? v, 'dim');
    const shape = dims?.type === 'array' ? (dims.children ?? []).map((d) => {
      const n = Number(prop(d, 'size')?.value ?? -1);
      return Number.isInteger(n) && n >= 0 ? n : null;
    }) : undefined;
    const dt = prop(v, 'dtype');
    return { key: k, at: m ? { node: m[1], index: Number(m[2]) } : { node: text, index: 0 }, dtype: dt?.type === 'string' ? (dt.value as string) : undefined, shape, json: v };
  });
}

/**
 * The loader of TensorFlow.js graph models (docs/tfjs-graph.md): model.json with `"format": "graph-model"`, a
 * TensorFlow GraphDef as `modelTopology` and a weights manifest whose shards lie beside it. Const nodes are
 * weights (read and dequantized at the first run), Placeholders the inputs, the signature (or the nodes
 * nothing reads) the outputs; each TF op becomes engine nodes, grouped into modules by the name scopes.
 */
export const tfjsGraphLoader: Loader = {
  id: TFJS_GRAPH_FORMAT,

  match(name: string, head: Uint8Array): boolean {
    return /\.json$/i.test(name) && looksLikeGraphModel(new TextDecoder().decode(head));
  },

  async open(source: ModelSource, options: LoadOptions): Promise<Model> {
    const file = source.name;
    const bytes = await source.read();
    if (bytes.length > Math.min(options.maxBytes, MAX_JSON_BYTES)) throw new ModelError(`${file} is ${bytes.length} bytes, too large for a TF.js model.json.`, file);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ModelError(`${file} is not UTF-8 text, so it is not a TF.js model.json.`, file);
    }
    const doc = new Doc(text.replace(/^\uFEFF/, ' '), file);
    const root = doc.root;
    if (root.type !== 'object') throw doc.error(root, `${doc.shortName} holds ${describe(root)}; a TF.js graph model is an object with "modelTopology" and "weightsManifest".`);
    const topology = prop(root, 'modelTopology');
    if (!topology || topology.type !== 'object') throw doc.error(topology ?? root, `${doc.shortName} has no "modelTopology" object; a TF.js graph model holds its TensorFlow graph there.`);
    const nodes = readNodes(doc, topology);
    const byName = new Map(nodes.map((n) => [n.name, n]));
    for (const n of nodes) {
      for (const i of n.inputs) {
        if (!byName.has(i.node)) throw doc.error(n.json, `node '${n.name}' (${n.op}) reads '${i.node}', which no node of the graph defines.`);
      }
    }

    // Outputs: the signature's, else the nodes nothing reads.
    const sig = prop(root, 'signature') ?? (prop(root, 'userDefinedMetadata') ? prop(prop(root, 'userDefinedMetadata')!, 'signature') : undefined);
    const sigOutputs = signatureEntries(doc, sig, 'outputs');
    const sigInputs = signatureEntries(doc, sig, 'inputs');
    for (const s of [...sigOutputs, ...sigInputs]) {
      if (!byName.has(s.at.node)) throw doc.error(s.json, `the signature names '${s.key}' as tensor '${valueName(s.at)}', but the graph has no node '${s.at.node}'.`);
    }
    let outputs: TfInput[] = sigOutputs.map((s) => s.at);
    if (outputs.length === 0) {
      const read = new Set(nodes.flatMap((n) => n.inputs.map((i) => i.node)));
      outputs = nodes.filter((n) => !read.has(n.name) && !['Const', 'NoOp', 'Placeholder'].includes(n.op)).map((n) => ({ node: n.name, index: 0 }));
    }
    if (outputs.length === 0) throw doc.error(topology, `the graph has no output: no signature names one and ${nodes.length ? 'every node is read by another' : 'it has no nodes'}.`);

    // Weights: the manifest's, checked against the shards now and read at the first run.
    const groups = readManifest(doc, prop(root, 'weightsManifest'));
    const sizes = await checkGroups(doc, source, groups, options);
    const reads = groups.map((g, k) => {
      let data: Promise<Uint8Array> | undefined;
      return (): Promise<Uint8Array> => {
        data ??= readGroup(doc, source, g, sizes[k]);
        data.catch(() => { data = undefined; });
        return data;
      };
    });
    const manifest = new Map<string, { entry: ManifestEntry; load: () => Promise<Tensor> }>();
    groups.forEach((g, k) => g.entries.forEach((entry) => manifest.set(entry.name, { entry, load: async () => decodeEntry(entry, await reads[k]()) })));

    const order = orderNodes(doc, nodes, byName, outputs);
    const used = new Map<string, number>();
    for (const n of order) for (const i of n.inputs) used.set(i.node, Math.max(used.get(i.node) ?? 0, i.index + 1));
    for (const o of outputs) used.set(o.node, Math.max(used.get(o.node) ?? 0, o.index + 1));

    const pending = new Map<string, PendingWeight>();
    const ctx: GraphContext = {
      constShape: (name) => (pending.has(name) ? pending.get(name)!.shape : undefined),
      convertedWeight: (name, tag, convert, shapeOf) => {
        const base = pending.get(name);
        if (!base || base.dtype !== 'float32') return undefined;
        const id = `${name}/${tag}`;
        if (!pending.has(id)) {
          const shape = shapeOf(base.shape);
          pending.set(id, { dtype: 'float32', shape, bytes: base.bytes, load: async () => convert(await base.load()) });
        }
        return id;
      },
    };

    const inputs: ValueInfo[] = [];
    const flat: FlatNode[] = [];
    const sources: SourceRange[] = [];
    for (const n of order) {
      if (n.op === 'Const') {
        const w = manifest.get(n.name);
        if (!w) throw doc.error(n.json, `Const node '${n.name}' has no weight of that name in the weights manifest, so its value is missing.`);
        pending.set(n.name, { dtype: w.entry.dtype, shape: w.entry.shape, bytes: decodedBytes(w.entry), load: w.load });
        continue;
      }
      if (n.op === 'Placeholder') {
        const dt = n.attrs.dtype;
        const tf = dt && typeof dt === 'object' && 'dtype' in dt ? dt.dtype : 'DT_FLOAT';
        const dtype = engineDType(tf);
        if (!dtype) throw doc.error(n.json, `input '${n.name}' has dtype ${tf}; Layerstep runs float, integer and bool inputs${tf === 'DT_STRING' ? ', not string tensors' : ''}.`);
        const s = sigInputs.find((e) => e.at.node === n.name);
        const attrShape = Array.isArray(n.attrs.shape) ? (n.attrs.shape as number[]).map((d) => (d >= 0 ? d : null)) : undefined;
        inputs.push({ name: n.name, dtype, shape: attrShape ?? s?.shape ?? [] });
        continue;
      }
      if (n.op === 'NoOp') continue;
      const count = Math.max(1, used.get(n.name) ?? 1);
      const outs = Array.from({ length: count }, (_, k) => valueName({ node: n.name, index: k }));
      const ins = n.inputs.map(valueName);
      const parts = n.name.split('/').filter((p) => p !== '');
      const scope: ScopeSegment[] = parts.slice(0, -1).map((name) => ({ name, type: 'scope' }));
      const leaf = parts[parts.length - 1] ?? n.op;
      const range = doc.range(n.json);
      const rule = n.op === 'PlaceholderWithDefault' ? loweringOf('Identity') : loweringOf(n.op);
      let reason = typeof rule === 'string' ? rule : undefined;
      const l = new Lowering(n, ins, outs, ctx);
      if (typeof rule !== 'string') {
        try {
          rule(l);
        } catch (e) {
          if (!(e instanceof UnsupportedUse)) throw e;
          reason = e.message;
        }
      }
      if (reason !== undefined) {
        // A TF1 loop's Merge reads its NextIteration, which comes later: the back edge is left out (the node never runs).
        const fwd = n.inputs.filter((i) => !(n.op === 'Merge' && byName.get(i.node)!.op === 'NextIteration')).map(valueName);
        flat.push({ scope, name: leaf, op: `unsupported:${n.op}`, inputs: fwd, outputs: outs, attrs: { __unsupported: `Unsupported op '${n.op}' in node '${n.name}': ${reason}.` } });
        sources.push(range);
        continue;
      }
      if (l.emitted.length === 1) {
        const e = l.emitted[0];
        flat.push({ scope, name: leaf, op: e.op, inputs: [...e.inputs], outputs: [...e.outputs], attrs: e.attrs });
        sources.push(range);
        continue;
      }
      const inner = [...scope, { name: leaf, type: n.op }];
      for (const e of l.emitted) {
        flat.push({ scope: inner, name: e.role, op: e.op, inputs: [...e.inputs], outputs: [...e.outputs], attrs: e.attrs });
        sources.push(range);
      }
    }
    // A Const read only through its converted form is not kept twice.
    const read = new Set(flat.flatMap((f) => f.inputs));
    for (const o of outputs) read.add(valueName(o));
    for (const name of [...pending.keys()]) if (!read.has(name)) pending.delete(name);

    const modelOutputs: ValueInfo[] = outputs.map((o, k) => {
      const n = byName.get(o.node)!;
      const s = sigOutputs[k];
      const t = n.attrs.T ?? n.attrs.dtype ?? n.attrs.DstT;
      const tf = s?.dtype ?? (t && typeof t === 'object' && 'dtype' in t ? t.dtype : 'DT_FLOAT');
      const w = pending.get(valueName(o));
      return { name: valueName(o), dtype: w?.dtype ?? engineDType(tf) ?? 'float32', shape: w ? w.shape : s?.shape ?? [] };
    });
    const rootName = baseName(file);
    const format = prop(root, 'format')?.value;
    const rootAttrs: Record<string, string | number> = { format: typeof format === 'string' ? format : 'graph-model' };
    const producer = [prop(root, 'generatedBy')?.value, prop(root, 'convertedBy')?.value].filter((v) => typeof v === 'string' && v !== '').join(', ');
    if (producer) rootAttrs.producer = producer;
    const { root: tree } = buildModuleTree(flat, {
      rootName, rootAttrs, weights: pending, initializers: new Set([...pending].filter(([, w]) => w.dtype === 'float32').map(([k]) => k)),
      graphOutputs: modelOutputs.map((o) => o.name),
    });
    attachSources(tree.body, sources, { at: 0 });
    const model: Model = {
      format: TFJS_GRAPH_FORMAT, name: rootName, file, inputs, outputs: modelOutputs, weights: new Map(), root: tree, examples: [],
      pendingWeights: pending.size ? pending : undefined, metadata: producer ? { producer } : undefined,
    };
    validateModel(model);
    return model;
  },
};

/** Gives each node (in execution order, which is the tree's order) its TF node's range, and each TF-op module the range of its first node. */
function attachSources(body: readonly Item[], sources: readonly SourceRange[], cursor: { at: number }): SourceRange | undefined {
  let first: SourceRange | undefined;
  for (const item of body) {
    const r = item.kind === 'node' ? sources[cursor.at++] : attachSources(item.body, sources, cursor);
    if (item.kind === 'node' || item.type !== 'scope') (item as { source?: SourceRange }).source = r;
    first ??= r;
  }
  return first;
}
