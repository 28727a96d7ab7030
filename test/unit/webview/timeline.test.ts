import { describe, expect, it } from 'vitest';
import type { FrameInfo } from '../../../src/protocol/engine';
import { layoutStack } from '../../../webview/stackLayout';
import { Timeline } from '../../../webview/timeline';

const frame = (id: number, name: string, depth: number, parentId?: number): FrameInfo =>
  ({ id, itemId: name, name, kind: depth < 2 ? 'module' : 'node', type: depth < 2 ? 'dense' : 'matmul', depth, parentId });

/** model(1) > [a(2) > [a/mm(3), a/add(4)], b(5)]: the events of a full pass, in order. */
const FRAMES = [frame(1, 'model', 0), frame(2, 'a', 1, 1), frame(3, 'mm', 2, 2), frame(4, 'add', 2, 2), frame(5, 'b', 1, 1)];
const EVENTS = [
  { point: 'call', frameId: 1 }, { point: 'call', frameId: 2 }, { point: 'call', frameId: 3 }, { point: 'return', frameId: 3 },
  { point: 'call', frameId: 4 }, { point: 'return', frameId: 4 }, { point: 'return', frameId: 2 }, { point: 'call', frameId: 5 },
  { point: 'return', frameId: 5 }, { point: 'return', frameId: 1 },
] as const;

function slice(from: number, to: number) {
  const events = EVENTS.slice(from, to);
  const ids = new Set<number>(events.map((e) => e.frameId));
  return { from, events: [...events], frames: FRAMES.filter((f) => ids.has(f.id)) };
}

describe('Timeline', () => {
  it('builds frame spans and children from slices, skipping what it already has', () => {
    const t = new Timeline('s');
    t.add(slice(0, 4));
    t.add(slice(2, 7));
    t.add(slice(7, 10));
    expect(t.length).toBe(10);
    expect(t.order).toEqual([1, 2, 3, 4, 5]);
    expect(t.span(2)).toMatchObject({ call: 1, ret: 6, children: [3, 4] });
    expect(t.span(1)?.children).toEqual([2, 5]);
  });

  it('leaves a frame open until its return is recorded, and targets its call meanwhile', () => {
    const t = new Timeline('s');
    t.add(slice(0, 3));
    expect(t.span(2)?.ret).toBeUndefined();
    expect(t.target(2)).toBe(1);
    t.add(slice(3, 7));
    expect(t.target(2)).toBe(6);
  });

  it('refuses a slice that leaves a gap', () => {
    const t = new Timeline('s');
    expect(() => t.add(slice(3, 5))).toThrow(/gap/);
  });

  it('moves between siblings, parents and children with the arrow keys', () => {
    const t = new Timeline('s');
    t.add(slice(0, 10));
    expect(t.neighbour(3, 'right')).toBe(4);
    expect(t.neighbour(4, 'right')).toBe(5);
    expect(t.neighbour(4, 'left')).toBe(3);
    expect(t.neighbour(3, 'left')).toBe(2);
    expect(t.neighbour(3, 'up')).toBe(2);
    expect(t.neighbour(2, 'down')).toBe(3);
    expect(t.neighbour(1, 'right')).toBe(2);
    expect(t.neighbour(5, 'right')).toBeUndefined();
    expect(t.neighbour(1, 'up')).toBeUndefined();
    expect(t.neighbour(4, 'home')).toBe(1);
    expect(t.neighbour(1, 'end')).toBe(5);
  });
});

describe('layoutStack', () => {
  it('places each frame from its call to its return at its depth', () => {
    const t = new Timeline('s');
    t.add(slice(0, 10));
    const l = layoutStack(t, { totalEvents: 10, width: 100, rowHeight: 20, minEventWidth: 2, position: { index: 3, stack: [3, 2, 1] } });
    expect(l.eventWidth).toBe(10);
    expect(l.height).toBe(60);
    const a = l.bars.find((b) => b.id === 2);
    expect(a).toMatchObject({ x: 10, width: 60, y: 20, target: 6 });
    expect(l.cursorX).toBe(35);
  });

  it('marks the current frame, its callers, and frames not run yet at the position', () => {
    const t = new Timeline('s');
    t.add(slice(0, 10));
    const l = layoutStack(t, { totalEvents: 10, width: 100, rowHeight: 20, minEventWidth: 2, position: { index: 3, stack: [3, 2, 1] } });
    const state = Object.fromEntries(l.bars.map((b) => [b.name, b.state]));
    expect(state).toEqual({ model: 'stack', a: 'stack', mm: 'current', add: 'future', b: 'future' });
  });

  it('leaves room for the events not recorded yet and stretches open frames to the last event', () => {
    const t = new Timeline('s');
    t.add(slice(0, 3));
    const l = layoutStack(t, { totalEvents: 10, width: 100, rowHeight: 20, minEventWidth: 2, position: { index: 2, stack: [3, 2, 1] } });
    expect(l.recordedX).toBe(30);
    expect(l.bars.find((b) => b.id === 1)).toMatchObject({ x: 0, width: 30, ret: undefined, target: 0 });
  });

  it('scrolls instead of squeezing events below the minimum width', () => {
    const t = new Timeline('s');
    t.add(slice(0, 10));
    const l = layoutStack(t, { totalEvents: 1000, width: 300, rowHeight: 20, minEventWidth: 4, position: undefined });
    expect(l.width).toBe(4000);
    expect(l.cursorX).toBeUndefined();
  });
});

describe('edit marks and divergences on the strip', () => {
  it('takes a frame as its return describes it, so a divergence known only then reaches the bar', () => {
    const t = new Timeline('s');
    t.add(slice(0, 3));
    expect(t.span(3)?.frame.divergence).toBeUndefined();
    const divergence = { maxAbs: 0.5, maxRel: 0.1, cosine: 0.98, diverged: true };
    const later = slice(3, 4);
    t.add({ ...later, frames: later.frames.map((f) => (f.id === 3 ? { ...f, divergence, edited: true } : f)) });
    expect(t.span(3)?.frame.divergence).toEqual(divergence);
    const l = layoutStack(t, { totalEvents: 10, width: 100, rowHeight: 20, minEventWidth: 2, position: { index: 3, stack: [3, 2, 1] } });
    expect(l.bars.find((b) => b.id === 3)).toMatchObject({ edited: true, divergence });
    expect(l.bars.find((b) => b.id === 2)).toMatchObject({ edited: false });
    expect(l.bars.find((b) => b.id === 2)?.divergence).toBeUndefined();
  });
});
