import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileModelSource } from '../../../src/node/fileSource';
import type { GraphDesc, GraphItem } from '../../../src/protocol/graph';
import { formatShape } from '../../../src/protocol/graph';
import { layoutGraph } from '../../../src/protocol/graphLayout';
import type { Box, Layout } from '../../../src/protocol/graphLayout';
import { GraphTree } from '../../../src/protocol/graphTree';
import { buildView, defaultExpansion, openPath, representative } from '../../../src/protocol/graphView';
import { EngineService, InProcessEngineClient } from '../../../src/service/engineService';
import { syntheticGraph } from '../../fixtures/graph/synthetic';
import { REPO } from '../debug/dapDriver';

function service(): EngineService {
  return new EngineService({ openSource: (p) => new FileModelSource(p, p), readFile: async (p) => new Uint8Array(await readFile(p)) });
}

/** The graph the engine service describes of a model file, loaded outside a session. */
async function graphOf(file: string): Promise<GraphDesc> {
  const s = service();
  await s.handle('load', { path: join(REPO, file) });
  return s.handle('graph', {});
}

const centreY = (b: Box) => b.y + b.height / 2;
const place = (l: Layout, id: string): Box => {
  const b = l.nodes.find((n) => n.id === id);
  if (!b) throw new Error(`no box ${id} in the layout`);
  return b;
};
const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;

/** A module of `n` ops (a chain), as a loader would describe it. */
function block(id: string, type: string, ops: readonly string[], input: string): GraphItem {
  let last = input;
  const body = ops.map((op, i): GraphItem => {
    const out = `${id}/${i}:0`;
    const node: GraphItem = { kind: 'node', id: `${id}/${i}`, name: `${op}_${i}`, op, inputs: [last], outputs: [out] };
    last = out;
    return node;
  });
  return { kind: 'module', id, name: id, type, inputs: [input], outputs: [last], body };
}

function desc(body: GraphItem[], shapes: GraphDesc['shapes'] = {}): GraphDesc {
  const last = body[body.length - 1];
  return { name: 'm', root: { kind: 'module', id: 'm', name: 'm', type: 'model', inputs: ['x'], outputs: last.outputs, body }, inputs: ['x'], outputs: [...last.outputs], weights: [], shapes };
}

describe('the graph of a model', () => {
  it('describes a native model: modules, ops, terminals, weights left out of edges, static shapes', async () => {
    const tree = GraphTree.from(await graphOf('examples/mnist-mlp/model.json'));
    expect(tree.top).toEqual(['input:x', 'hidden1', 'hidden2', 'out', 'output:probs']);
    expect(tree.get('hidden1')).toMatchObject({ kind: 'module', type: 'dense', children: ['hidden1/matmul', 'hidden1/add', 'hidden1/relu'], ops: 3 });
    expect(tree.get('hidden1/matmul')?.inputs).toEqual(['x']);
    expect(tree.staticShape('x')).toBe('1×784');
    const view = buildView(tree, defaultExpansion(tree));
    expect(view.edges.map((e) => `${e.from}→${e.to} ${e.label}`)).toEqual([
      'input:x→hidden1/matmul 1×784', 'hidden1/matmul→hidden1/add 1×128', 'hidden1/add→hidden1/relu 1×128',
      'hidden1/relu→hidden2/matmul 1×128', 'hidden2/matmul→hidden2/add 1×64', 'hidden2/add→hidden2/relu 1×64',
      'hidden2/relu→out/matmul 1×64', 'out/matmul→out/add 1×10', 'out/add→out/softmax 1×10', 'out/softmax→output:probs 1×10',
    ]);
  });

  it('gathers the ONNX example\'s two encoder layers into one box "layer ×2" that opens into both', async () => {
    const tree = GraphTree.from(await graphOf('examples/onnx-encoder/model.onnx'));
    expect(tree.get('encoder')?.children).toEqual(['repeat:encoder/layer.0']);
    expect(tree.get('repeat:encoder/layer.0')).toMatchObject({ kind: 'repeat', name: 'layer ×2', count: 2, children: ['encoder/layer.0', 'encoder/layer.1'] });
    const open = defaultExpansion(tree);
    expect([...open]).toEqual(['encoder', 'head']);
    const closed = buildView(tree, open);
    expect(closed.nodes.map((n) => n.id)).toEqual(['input:input', 'encoder', 'repeat:encoder/layer.0', 'head', 'head/MatMul', 'head/Add', 'output:logits']);
    expect(closed.edges.map((e) => `${e.from}→${e.to}`)).toEqual([
      'input:input→repeat:encoder/layer.0', 'repeat:encoder/layer.0→head/MatMul', 'head/MatMul→head/Add', 'head/Add→output:logits',
    ]);
    open.add('repeat:encoder/layer.0');
    const opened = buildView(tree, open);
    expect(opened.nodes.filter((n) => n.parent === 'repeat:encoder/layer.0').map((n) => n.id)).toEqual(['encoder/layer.0', 'encoder/layer.1']);
    expect(opened.edges.map((e) => `${e.from}→${e.to}`)).toContain('encoder/layer.0→encoder/layer.1');
  });

  it('gathers numbered or thrice-repeated blocks of one structure, and never blocks that differ', () => {
    const twelve = Array.from({ length: 12 }, (_, i) => block(`h.${i}`, 'block', ['matmul', 'add', 'relu'], i ? `h.${i - 1}/2:0` : 'x'));
    let tree = GraphTree.from(desc(twelve));
    expect(tree.top).toEqual(['input:x', 'repeat:h.0', 'output:h.11/2:0']);
    expect(tree.get('repeat:h.0')).toMatchObject({ name: 'h ×12', count: 12, ops: 36, inputs: ['x'] });
    // Unnumbered: three alike make a run named by type; two alike do not.
    const three = ['a', 'b', 'c'].map((n, i) => block(n, 'dense', ['matmul', 'add'], i ? `${'abc'[i - 1]}/1:0` : 'x'));
    expect(GraphTree.from(desc(three)).top).toEqual(['input:x', 'repeat:a', 'output:c/1:0']);
    expect(GraphTree.from(desc(three.slice(0, 2))).top).toEqual(['input:x', 'a', 'b', 'output:b/1:0']);
    // Same type, other ops or other static shapes: not a repeat.
    const ops = [block('l1', 'dense', ['matmul', 'add'], 'x'), block('l2', 'dense', ['matmul', 'add', 'relu'], 'l1/1:0')];
    expect(GraphTree.from(desc(ops)).top).toEqual(['input:x', 'l1', 'l2', 'output:l2/2:0']);
    const sized = [block('d1', 'dense', ['matmul'], 'x'), block('d2', 'dense', ['matmul'], 'd1/0:0')];
    tree = GraphTree.from(desc(sized, { 'd1/0:0': [1, 128], 'd2/0:0': [1, 64] }));
    expect(tree.top).toEqual(['input:x', 'd1', 'd2', 'output:d2/0:0']);
  });

  it('opens the boxes around a node and finds the box that stands for a hidden one', async () => {
    const tree = GraphTree.from(await graphOf('examples/onnx-encoder/model.onnx'));
    const open = defaultExpansion(tree);
    const id = 'encoder/layer.1/attn/q_proj/MatMul';
    expect(representative(tree, open, id)).toBe('repeat:encoder/layer.0');
    expect(openPath(tree, open, id)).toBe(true);
    expect(representative(tree, open, id)).toBe(id);
    expect(buildView(tree, open).nodes.some((n) => n.id === id)).toBe(true);
    expect(openPath(tree, open, id)).toBe(false);
  });

  it('labels edges with the measured shape once there is one', async () => {
    const tree = GraphTree.from(await graphOf('examples/onnx-encoder/model.onnx'));
    const edges = buildView(tree, defaultExpansion(tree), (v) => (v === 'input' ? '2×6×16' : undefined)).edges;
    expect(edges[0]).toMatchObject({ from: 'input:input', label: '2×6×16', measured: true });
    expect(edges[1]).toMatchObject({ label: '1×6×16', measured: false });
    expect(formatShape(['batch', null, 3])).toBe('batch×?×3');
    expect(formatShape([])).toBe('scalar');
  });
});

describe('the graph layout (dagre)', () => {
  it('lays a chain out top to bottom, clusters around their ops, labels on edges', async () => {
    const tree = GraphTree.from(await graphOf('examples/mnist-mlp/model.json'));
    const view = buildView(tree, defaultExpansion(tree));
    const l = layoutGraph(view);
    const chain = ['input:x', 'hidden1/matmul', 'hidden1/add', 'hidden1/relu', 'hidden2/matmul', 'out/softmax', 'output:probs'];
    const ys = chain.map((id) => centreY(place(l, id)));
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    for (const m of ['hidden1', 'hidden2', 'out']) {
      for (const c of tree.get(m)!.children) expect(inside(place(l, c), place(l, m))).toBe(true);
    }
    // Clusters come first, so boxes draw over them.
    expect(l.nodes.slice(0, 3).map((n) => n.id).sort()).toEqual(['hidden1', 'hidden2', 'out']);
    expect(l.edges).toHaveLength(view.edges.length);
    for (const e of l.edges) {
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      expect(e.label).toBeDefined();
    }
  });

  it('puts parallel branches side by side (attention\'s q and k), each below what it reads', async () => {
    const tree = GraphTree.from(await graphOf('examples/tiny-transformer/model.json'));
    const view = buildView(tree, defaultExpansion(tree));
    const l = layoutGraph(view);
    const [q, k, v] = ['attention/attn/q', 'attention/attn/k', 'attention/attn/v'].map((id) => place(l, id));
    expect(centreY(q)).toBe(centreY(k));
    expect(q.x).not.toBe(k.x);
    expect(centreY(v)).toBeGreaterThanOrEqual(centreY(q));
    // Every edge goes down the page, and no box of one cluster lies in another that does not hold it.
    for (const e of view.edges) expect(centreY(place(l, e.to))).toBeGreaterThan(centreY(place(l, e.from)));
    const clusters = view.nodes.filter((n) => n.cluster);
    for (const c of clusters) {
      for (const n of view.nodes) {
        if (n.id === c.id || tree.ancestors(n.id).includes(c.id) || tree.ancestors(c.id).includes(n.id)) continue;
        const a = place(l, c.id);
        const b = place(l, n.id);
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `${n.id} overlaps ${c.id}`).toBe(false);
      }
    }
  });

  it('builds and lays out only open boxes on a 5,000-op model (times printed)', () => {
    const t0 = performance.now();
    const graph = syntheticGraph(24, 210);
    const tree = GraphTree.from(graph);
    const t1 = performance.now();
    const ops = [...tree.boxes.values()].filter((b) => b.kind === 'node').length;
    expect(ops).toBe(24 * 210 + 1);
    const open = defaultExpansion(tree);
    const collapsed = buildView(tree, open);
    const t2 = performance.now();
    const laidCollapsed = layoutGraph(collapsed);
    const t3 = performance.now();
    // The 24 blocks are alike: one box "layer ×24".
    expect(collapsed.nodes.map((n) => n.id)).toEqual(['input:x', 'encoder', 'repeat:encoder/layer.0', 'head', 'output:head:0']);
    open.add('repeat:encoder/layer.0');
    open.add('encoder/layer.3');
    open.add('encoder/layer.3/attn');
    const one = buildView(tree, open);
    const t4 = performance.now();
    const laidOne = layoutGraph(one);
    const t5 = performance.now();
    expect(one.nodes.length).toBeLessThan(24 + 110 + 10);
    expect(laidOne.nodes).toHaveLength(one.nodes.length);
    expect(laidCollapsed.nodes).toHaveLength(collapsed.nodes.length);
    const ms = (a: number, b: number) => Math.round(b - a);
    console.log(`graph of ${ops} ops: tree ${ms(t0, t1)} ms; collapsed ${collapsed.nodes.length} boxes: build ${ms(t1, t2)} ms + layout ${ms(t2, t3)} ms; `
      + `one block and its attention open, ${one.nodes.length} boxes: build ${ms(t3, t4)} ms + layout ${ms(t4, t5)} ms`);
    // No time limits here (a loaded machine): what keeps it quick is that the closed ops are never built or laid out.
  });
});

describe('the graph request', () => {
  it('answers the run\'s model, and the shapes and statistics of its values as they are recorded', async () => {
    const client = new InProcessEngineClient(service());
    await client.request('open', { path: join(REPO, 'examples/mnist-mlp/model.json'), input: { kind: 'example' } });
    const g = await client.request('graph', {});
    expect(g.root.body.map((i) => i.id)).toEqual(['hidden1', 'hidden2', 'out']);
    expect(g.weights).toContain('hidden1.kernel');
    const before = await client.request('graphValues', { from: 0 });
    expect(before.values).toEqual([]);
    await client.request('runTo', { name: 'hidden2/matmul' });
    await client.request('step', { kind: 'over' });
    const some = await client.request('graphValues', { from: 0 });
    expect(some.values.map((v) => v.name)).toEqual(['hidden1/matmul:0', 'hidden1/add:0', 'hidden1/relu:0', 'hidden2/matmul:0']);
    expect(some.values[2]).toMatchObject({ shape: [1, 128], nan: 0, inf: 0 });
    expect(some.values[2].zeros).toBeGreaterThan(0);
    // Tensor health measures dead units of relu outputs only.
    expect(some.values[2].dead).toBeGreaterThanOrEqual(0);
    expect(some.values[2].dead).toBeLessThanOrEqual(some.values[2].zeros);
    expect(some.values[0].dead).toBeUndefined();
    const rest = await client.request('graphValues', { from: some.values.length });
    expect(rest).toEqual({ from: 4, values: [] });
  });
});
