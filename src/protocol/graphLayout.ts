import dagre from '@dagrejs/dagre';
import type { EdgeLabel, GraphLabel, NodeLabel } from '@dagrejs/dagre';
import type { GraphView, ViewEdge, ViewNode } from './graphView';

/**
 * Places a {@link GraphView} with dagre (a layered layout, top to bottom): boxes, clusters around open modules,
 * edges as polylines with their shape labels placed beside them. The panel runs it in a Web Worker
 * (webview/graph/worker.ts); tests call it directly. Pure.
 *
 * Each open cluster is laid out on its own, inside out: its children (inner clusters as boxes of their laid-out
 * size) in a flat graph, then it becomes one box of its parent's graph. dagre's own compound layout multiplies the
 * ranks by the nesting depth and takes seconds on a long chain inside three clusters; this takes milliseconds,
 * and a cluster can never overlap a box it does not hold. An edge between clusters is routed at the level of
 * the innermost cluster holding both ends, then drawn on from its inner node to the cluster's border.
 */

export interface Box {
  readonly id: string;
  /** Top-left corner and size. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface LaidEdge {
  readonly id: string;
  readonly points: readonly Point[];
  /** Centre of the label, when the edge has one. */
  readonly label?: Point;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** Every node of the view (clusters first, outer before inner, so inner ones draw on top). */
  readonly nodes: readonly Box[];
  readonly edges: readonly LaidEdge[];
}

/** Room a cluster keeps around its children, and above them for its title. */
const PAD = 10;
const TITLE = 18;
const MARGIN = 12;

interface Laid {
  readonly width: number;
  readonly height: number;
  /** Boxes relative to this level's origin, clusters included. */
  readonly boxes: Box[];
  readonly edges: LaidEdge[];
}

export function layoutGraph(view: GraphView): Layout {
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  const children = new Map<string, ViewNode[]>();
  for (const n of view.nodes) {
    const key = n.parent !== undefined && byId.has(n.parent) ? n.parent : '';
    const list = children.get(key);
    if (list) list.push(n);
    else children.set(key, [n]);
  }
  const chain = (id: string): string[] => {
    const out = [id];
    for (let p = byId.get(id)?.parent; p !== undefined && byId.has(p); p = byId.get(p)?.parent) out.push(p);
    return out.reverse();
  };
  // Each edge belongs to the innermost cluster holding both ends, between that cluster's children.
  const edgesAt = new Map<string, { edge: ViewEdge; from: string; to: string }[]>();
  for (const e of view.edges) {
    const a = chain(e.from);
    const b = chain(e.to);
    let i = 0;
    while (i < a.length - 1 && i < b.length - 1 && a[i] === b[i]) i++;
    const level = i === 0 ? '' : a[i - 1];
    const entry = { edge: e, from: a[i], to: b[i] };
    const list = edgesAt.get(level);
    if (list) list.push(entry);
    else edgesAt.set(level, [entry]);
  }
  const laid = layLevel('', children, edgesAt);
  const boxes = new Map(laid.boxes.map((b) => [b.id, b]));
  // An edge that starts or ends inside a cluster goes on from the cluster's border to its own box.
  const edges = laid.edges.map((e): LaidEdge => {
    const v = view.edges.find((x) => x.id === e.id);
    const src = v && boxes.get(v.from);
    const dst = v && boxes.get(v.to);
    const points = [...e.points];
    if (src && points.length && !near(points[0], src)) points.unshift({ x: src.x + src.width / 2, y: src.y + src.height });
    if (dst && points.length && !near(points[points.length - 1], dst)) points.push({ x: dst.x + dst.width / 2, y: dst.y });
    return { ...e, points };
  });
  const depth = (id: string) => chain(id).length;
  const nodes = laid.boxes
    .map((b) => ({ b, cluster: byId.get(b.id)?.cluster ?? false, d: depth(b.id) }))
    .sort((p, q) => Number(q.cluster) - Number(p.cluster) || p.d - q.d)
    .map((p) => p.b);
  return { width: laid.width, height: laid.height, nodes, edges };
}

/** Lays out the children of cluster `id` (`''`: the top level), inner clusters first. */
function layLevel(id: string, children: ReadonlyMap<string, ViewNode[]>, edgesAt: ReadonlyMap<string, { edge: ViewEdge; from: string; to: string }[]>): Laid {
  const inner = new Map<string, Laid>();
  for (const c of children.get(id) ?? []) if (c.cluster) inner.set(c.id, layLevel(c.id, children, edgesAt));
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 22, edgesep: 10, marginx: id ? 0 : MARGIN, marginy: id ? 0 : MARGIN });
  for (const c of children.get(id) ?? []) {
    const sub = inner.get(c.id);
    g.setNode(c.id, sub ? { width: Math.max(sub.width + 2 * PAD, c.width), height: sub.height + PAD + TITLE } : { width: c.width, height: c.height });
  }
  const mine = edgesAt.get(id) ?? [];
  for (const { edge, from, to } of mine) {
    if (from === to) continue;
    g.setEdge(from, to, edge.labelWidth ? { width: edge.labelWidth, height: 14, labelpos: 'c' } : {}, edge.id);
  }
  dagre.layout(g);
  const boxes: Box[] = [];
  const edgesOut: LaidEdge[] = [];
  for (const c of children.get(id) ?? []) {
    const l = g.node(c.id);
    const box: Box = { id: c.id, x: (l.x ?? 0) - l.width / 2, y: (l.y ?? 0) - l.height / 2, width: l.width, height: l.height };
    boxes.push(box);
    const sub = inner.get(c.id);
    if (!sub) continue;
    const dx = box.x + (box.width - sub.width) / 2;
    const dy = box.y + TITLE;
    for (const b of sub.boxes) boxes.push({ ...b, x: b.x + dx, y: b.y + dy });
    const shift = (p: Point): Point => ({ x: p.x + dx, y: p.y + dy });
    for (const e of sub.edges) edgesOut.push({ id: e.id, points: e.points.map(shift), ...(e.label ? { label: shift(e.label) } : {}) });
  }
  for (const { edge, from, to } of mine) {
    if (from === to) continue;
    const l = g.edge(from, to, edge.id);
    if (!l) continue;
    edgesOut.push({
      id: edge.id, points: (l.points ?? []).map((p) => ({ x: p.x, y: p.y })),
      ...(edge.labelWidth && l.x !== undefined && l.y !== undefined ? { label: { x: l.x, y: l.y } } : {}),
    });
  }
  const gl = g.graph();
  return { width: gl.width ?? 0, height: gl.height ?? 0, boxes, edges: edgesOut };
}

/** Whether a point lies on (or next to) a box's border. */
function near(p: Point, b: Box): boolean {
  const slack = 2;
  return p.x >= b.x - slack && p.x <= b.x + b.width + slack && p.y >= b.y - slack && p.y <= b.y + b.height + slack;
}
