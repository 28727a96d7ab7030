import type { Tensor } from '../../engine/tensor';
import { ModelError } from '../../model/errors';
import type { Dim, Item, Model, ModuleDef, PendingWeight, SourceRange, Template, ValueInfo } from '../../model/ir';
import { validateModel } from '../../model/validate';
import type { JsonDocument, JsonNode } from '../native/json';
import { describe, entries, JsonDocument as Doc, prop } from '../native/json';
import type { FlatNode, ScopeSegment } from '../onnx/flatNode';
import { buildModuleTree } from '../onnx/moduleTree';
import { decodeEntry } from '../tfjs/decode';
import type { ManifestEntry } from '../tfjs/manifest';
import { decodedBytes, readManifest } from '../tfjs/manifest';
import { lazyGroups } from '../tfjs/shards';
import type { Loader, LoadOptions, ModelSource } from '../types';
import type { Frame } from './frames';
import { findFrames } from './frames';
import { callFunction, readFunctions } from './functions';
import type { TfInput, TfNode } from './graphDef';
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
    const functions = readFunctions(doc, topology);
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
    const reads = await lazyGroups(doc, source, groups, options);
    const manifest = new Map<string, { entry: ManifestEntry; load: () => Promise<Tensor> }>();
    groups.forEach((g, k) => g.entries.forEach((entry) => manifest.set(entry.name, { entry, load: async () => decodeEntry(entry, await reads[k]()) })));

    // TF1 loop frames become one node each for ordering (./frames.ts); loop-invariant Enters read their outer value.
    const framed = findFrames(doc, nodes, byName);
    const order = orderNodes(doc, framed.nodes, new Map(framed.nodes.map((n) => [n.name, n])), outputs);
    const valueOf = (i: TfInput): string => valueName(framed.alias.get(i.node) ?? i);
    const used = new Map<string, number>();
    for (const n of nodes) for (const i of n.inputs) used.set(i.node, Math.max(used.get(i.node) ?? 0, i.index + 1));
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

    /** One TF node as engine nodes in `flat` (and its source range per engine node in `sources`), under name scopes `parts`. */
    const lower = (n: TfNode, parts: readonly string[], flat: FlatNode[], sources: SourceRange[]): void => {
      if (FUNCTION_CONTROL.includes(n.op)) {
        flat.push(functionControl(n, parts));
        return;
      }
      const count = Math.max(1, used.get(n.name) ?? 1);
      const outs = Array.from({ length: count }, (_, k) => valueName({ node: n.name, index: k }));
      const ins = n.inputs.map(valueOf);
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
        flat.push({ scope, name: leaf, op: `unsupported:${n.op}`, inputs: ins, outputs: outs, attrs: { __unsupported: `Unsupported op '${n.op}' in node '${n.name}': ${reason}.` } });
        sources.push(range);
        return;
      }
      if (l.emitted.length === 1) {
        const e = l.emitted[0];
        flat.push({ scope, name: leaf, op: e.op, inputs: [...e.inputs], outputs: [...e.outputs], attrs: e.attrs });
        sources.push(range);
        return;
      }
      const inner = [...scope, { name: leaf, type: n.op }];
      for (const e of l.emitted) {
        flat.push({ scope: inner, name: e.role, op: e.op, inputs: [...e.inputs], outputs: [...e.outputs], attrs: e.attrs });
        sources.push(range);
      }
    };
    const partsOf = (name: string): string[] => name.split('/').filter((p) => p !== '');
    const initializers = (): Set<string> => new Set([...pending].filter(([, w]) => w.dtype === 'float32').map(([k]) => k));
    const templateReads: string[] = [];
    const controlSources = new Map<string, SourceRange>();
    /** A loop's condition or body: its nodes as a module tree, ids relative (`body/...`) until the tree places the loop. */
    const template = (role: string, members: readonly TfNode[], within: string, params: string[], results: string[], lead: FlatNode[] = [], callPrefix = ''): Template => {
      const flat: FlatNode[] = [...lead];
      const sources: SourceRange[] = lead.map(() => doc.range(members[0]?.json ?? topology));
      for (const m of members) {
        if (callPrefix) {
          if (m.op === 'NoOp') continue;
          if (m.op === 'Const') {
            const local = m.name.slice(callPrefix.length);
            const w = manifest.get(m.name) ?? manifest.get(local);
            if (!w) throw doc.error(m.json, `Const node '${local}' of a function has no weight of that name in the weights manifest, so its value is missing.`);
            pending.set(m.name, { dtype: w.entry.dtype, shape: w.entry.shape, bytes: decodedBytes(w.entry), load: w.load });
            continue;
          }
          lower(m, partsOf(m.name.slice(callPrefix.length)), flat, sources);
          continue;
        }
        // Scopes inside the loop: the node's name past the frame's and past tf.function's `body/_12/`.
        let rest = partsOf(m.name.startsWith(`${within}/`) ? m.name.slice(within.length + 1).replace(/^(body|cond)\/_\d+\//, '') : m.name);
        // tf.function repeats the loop's own scope inside (`map/while/` in `.../map/while/body/_410/map/while/add`).
        const frame = partsOf(within);
        for (let k = Math.min(frame.length, rest.length - 1); k > 0; k--) {
          if (frame.slice(-k).every((p, j) => p === rest[j])) {
            rest = rest.slice(k);
            break;
          }
        }
        lower(m, rest, flat, sources);
      }
      for (const f of flat) templateReads.push(...f.inputs);
      const { root: tree } = buildModuleTree(flat, { rootName: role, rootAttrs: {}, weights: pending, initializers: initializers(), graphOutputs: results });
      attachSources(tree.body, sources, { at: 0 }, new Map());
      return { params, module: { ...(relocate(tree, role) as ModuleDef), name: role, type: role === 'then' || role === 'else' ? 'branch' : role, outputs: results } };
    };
    /** A call of a library function as a template: its nodes in order, names under `<node>/<role>/`. */
    const called = (n: TfNode, key: string, role: string, args: number, results: number, bind?: readonly string[]): Template => {
      const attr = n.attrs[key];
      const fname = typeof attr === 'string' && attr.startsWith('function ') ? attr.slice('function '.length) : '';
      const f = functions.get(fname);
      if (!f) throw doc.error(n.json, `node '${n.name}' (${n.op}) calls ${fname ? `function '${fname}'` : 'no function'} as its ${key}, which the graph's library does not define.`);
      if (f.args.length !== args || f.results.length !== results) {
        throw doc.error(n.json, `node '${n.name}' (${n.op}) calls function '${fname}' as its ${key} with ${args} values for ${results} results, but it takes ${f.args.length} and returns ${f.results.length}.`);
      }
      const prefix = `${n.name}/${role}/`;
      const call = callFunction(f, prefix);
      for (const c of call.nodes) for (const i of c.inputs) used.set(i.node, Math.max(used.get(i.node) ?? 0, i.index + 1));
      for (const r of call.results) used.set(r.node, Math.max(used.get(r.node) ?? 0, r.index + 1));
      const lead: FlatNode[] = (bind ?? []).map((a, k) => ({ scope: [], name: f.args[k], op: 'identity', inputs: [a], outputs: [call.params[k]], attrs: {} }));
      return template(role, topological(call.nodes), '', bind ? [] : call.params, call.results.map(valueName), lead, prefix);
    };
    /** StatelessWhile / While / StatelessIf / If: a module whose body the run makes (src/runner/control.ts). */
    const functionControl = (n: TfNode, parts: readonly string[]): FlatNode => {
      const ins = n.inputs.map(valueOf);
      const scope: ScopeSegment[] = parts.slice(0, -1).map((name) => ({ name, type: 'scope' }));
      const name = parts[parts.length - 1] ?? n.op;
      const isWhile = n.op === 'While' || n.op === 'StatelessWhile';
      const count = isWhile ? ins.length : Math.max(1, used.get(n.name) ?? 1);
      const outs = Array.from({ length: count }, (_, k) => valueName({ node: n.name, index: k }));
      const reads = [...new Set(ins)].filter((v) => !pending.has(v));
      templateReads.push(...ins);
      if (isWhile) {
        const cond = called(n, 'cond', 'cond', ins.length, 1);
        const body = called(n, 'body', 'body', ins.length, ins.length);
        controlSources.set(outs[0], doc.range(n.json));
        return { scope, name, op: n.op, inputs: reads, outputs: outs, attrs: { variables: ins.length }, control: { kind: 'while', initial: ins, cond, body } };
      }
      if (ins.length < 1) throw doc.error(n.json, `node '${n.name}' (${n.op}) has no condition input.`);
      const args = ins.slice(1);
      const branch = (key: string, role: string): Template => {
        const f = functions.get(String(n.attrs[key] ?? '').replace(/^function /, ''));
        return called(n, key, role, args.length, f ? f.results.length : count, args);
      };
      const thenT = branch('then_branch', 'then');
      const elseT = branch('else_branch', 'else');
      const results = Math.max(thenT.module.outputs.length, elseT.module.outputs.length);
      const all = Array.from({ length: Math.max(results, count) }, (_, k) => valueName({ node: n.name, index: k })).slice(0, results);
      controlSources.set(all[0], doc.range(n.json));
      return { scope, name, op: n.op, inputs: reads, outputs: all, attrs: {}, control: { kind: 'if', cond: ins[0], then: thenT, else: elseT } };
    };
    const whileNode = (f: Frame): FlatNode => {
      const cond = template('cond', f.cond, f.name, f.vars.map((v) => v.merge.name), [valueOf(f.loopCond.inputs[0])]);
      const body = template('body', f.body, f.name, f.vars.map((v) => (v.switch ? `${v.switch.name}:1` : `${v.merge.name}:unread`)), f.vars.map((v) => valueOf(v.next.inputs[0])));
      const parts = partsOf(f.name);
      const outs = f.vars.map((v, k) => (v.exit ? v.exit.name : `${f.node.name}:${k}`));
      controlSources.set(outs[0], doc.range(f.loopCond.json));
      const reads = [...new Set(f.node.inputs.map(valueOf))].filter((v) => !pending.has(v));
      const initial = f.vars.map((v) => valueOf(v.enter.inputs[0]));
      templateReads.push(...initial);
      return {
        scope: parts.slice(0, -1).map((name) => ({ name, type: 'scope' })), name: parts[parts.length - 1] ?? 'while', op: 'While',
        inputs: reads, outputs: outs, attrs: { frame: f.name, variables: f.vars.length },
        control: { kind: 'while', initial, cond, body },
      };
    };
    const frameOf = new Map(framed.frames.map((f) => [f.node, f]));

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
      const frame = frameOf.get(n);
      if (frame) {
        flat.push(whileNode(frame));
        continue;
      }
      // An Exit's value is its loop's output.
      if (framed.exits.has(n.name)) continue;
      lower(n, partsOf(n.name), flat, sources);
    }
    // A Const read only through its converted form is not kept twice.
    const read = new Set([...flat.flatMap((f) => f.inputs), ...templateReads]);
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
      rootName, rootAttrs, weights: pending, initializers: initializers(),
      graphOutputs: modelOutputs.map((o) => o.name),
    });
    attachSources(tree.body, sources, { at: 0 }, controlSources);
    const model: Model = {
      format: TFJS_GRAPH_FORMAT, name: rootName, file, inputs, outputs: modelOutputs, weights: new Map(), root: tree, examples: [],
      pendingWeights: pending.size ? pending : undefined, metadata: producer ? { producer } : undefined,
    };
    validateModel(model);
    return model;
  },
};

/**
 * Gives each node (in execution order, which is the tree's order) its TF node's range, each TF-op module the range
 * of its first node, and each loop module the range of its LoopCond (by its first output).
 */
function attachSources(body: readonly Item[], sources: readonly SourceRange[], cursor: { at: number }, control: ReadonlyMap<string, SourceRange>): SourceRange | undefined {
  let first: SourceRange | undefined;
  for (const item of body) {
    const r = item.kind === 'node' ? sources[cursor.at++] : item.control ? control.get(item.outputs[0]) : attachSources(item.body, sources, cursor, control);
    if (item.kind === 'node' || item.type !== 'scope') (item as { source?: SourceRange }).source = r;
    first ??= r;
  }
  return first;
}

/** Moves every id of a template's tree under `prefix` (the tree's root, id '', becomes `prefix`). */
function relocate(item: Item, prefix: string): Item {
  const id = item.id === '' ? prefix : `${prefix}/${item.id}`;
  if (item.kind === 'node') return { ...item, id };
  const c = item.control;
  const move = (t: Template): Template => ({ ...t, module: relocate(t.module, prefix) as ModuleDef });
  const control = !c ? undefined : c.kind === 'if' ? { ...c, then: move(c.then), else: move(c.else) } : c.kind === 'while' ? { ...c, cond: move(c.cond), body: move(c.body) } : { ...c, body: move(c.body) };
  return { ...item, id, body: item.body.map((b) => relocate(b, prefix)), ...(control ? { control } : {}) };
}

const FUNCTION_CONTROL = ['While', 'StatelessWhile', 'If', 'StatelessIf'];

/** A function's nodes in an order where each follows the nodes it reads (inputs from outside it are given). */
function topological(nodes: readonly TfNode[]): TfNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const done = new Set<TfNode>();
  const out: TfNode[] = [];
  for (const start of nodes) {
    const stack: { n: TfNode; k: number }[] = [{ n: start, k: 0 }];
    const open = new Set<TfNode>();
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (done.has(top.n)) {
        stack.pop();
        continue;
      }
      open.add(top.n);
      const next = top.n.inputs[top.k++];
      if (next) {
        const d = byName.get(next.node);
        if (d && !done.has(d) && !open.has(d)) stack.push({ n: d, k: 0 });
        continue;
      }
      done.add(top.n);
      out.push(top.n);
      stack.pop();
    }
  }
  return out;
}
