import { describe, expect, it } from 'vitest';
import type { FrameInfo, TimelineEvent } from '../../../src/protocol/engine';
import { layoutStack } from '../../../webview/stackLayout';
import { Timeline } from '../../../webview/timeline';

type F = [id: number, itemId: string, name: string, kind: 'module' | 'node', type: string, parent?: number];

/** A training step as the runner records it: step > [model > [dense > matmul], loss, ∂loss, Σ, ∂model > [∂dense > ∂matmul], update > [update w]]. */
const TREE: F[] = [
  [1, 'step', 'step 2', 'module', 'training step'],
  [2, 'model', 'model', 'module', 'model', 1],
  [3, 'dense', 'dense', 'module', 'dense', 2],
  [4, 'dense/mm', 'matmul', 'node', 'matmul', 3],
  [5, 'loss', 'loss', 'node', 'loss', 1],
  [6, '∂/loss', '∂loss', 'node', '∂loss', 1],
  [7, '∂/sum/x', 'Σ ∂x', 'node', 'sum', 1],
  [8, '∂/model', '∂model', 'module', 'model', 1],
  [9, '∂/dense', '∂dense', 'module', 'dense', 8],
  [10, '∂/dense/mm', '∂matmul', 'node', '∂matmul', 9],
  [11, 'update', 'update', 'module', 'sgd', 1],
  [12, 'update/w', 'update w', 'node', 'update', 11],
];

function recorded(tree: F[]): Timeline {
  const frames: FrameInfo[] = [];
  const depth = new Map<number, number>();
  for (const [id, itemId, name, kind, type, parentId] of tree) {
    const d = parentId === undefined ? 0 : depth.get(parentId)! + 1;
    depth.set(id, d);
    frames.push({ id, itemId, name, kind, type, depth: d, ...(parentId !== undefined ? { parentId } : {}) });
  }
  const events: TimelineEvent[] = [];
  const visit = (id: number) => {
    events.push({ point: 'call', frameId: id });
    for (const f of frames) if (f.parentId === id) visit(f.id);
    events.push({ point: 'return', frameId: id });
  };
  visit(1);
  const t = new Timeline('s');
  t.add({ from: 0, events, frames });
  return t;
}

describe('phases of a training step in the strip', () => {
  it('colours each frame by the part of the step it is in, and lists the parts for the legend', () => {
    const layout = layoutStack(recorded(TREE), { totalEvents: 24, width: 600, rowHeight: 22, minEventWidth: 6 });
    const phase = Object.fromEntries(layout.bars.map((b) => [b.name, b.phase]));
    expect(phase).toEqual({
      'step 2': undefined, model: 'forward', dense: 'forward', matmul: 'forward', loss: 'loss', '∂loss': 'backward',
      'Σ ∂x': 'backward', '∂model': 'backward', '∂dense': 'backward', '∂matmul': 'backward', update: 'update', 'update w': 'update',
    });
    expect(layout.phases).toEqual(['forward', 'loss', 'backward', 'update']);
  });

  it('has none outside a training step, even for a layer called update or loss', () => {
    const plain: F[] = [[1, 'model', 'model', 'module', 'model'], [2, 'update', 'update', 'module', 'dense', 1], [3, 'loss', 'loss', 'module', 'dense', 1]];
    const layout = layoutStack(recorded(plain), { totalEvents: 6, width: 600, rowHeight: 22, minEventWidth: 6 });
    expect(layout.bars.every((b) => b.phase === undefined)).toBe(true);
    expect(layout.phases).toEqual([]);
  });

  it('keeps a model layer called loss or update in the forward pass', () => {
    const tree: F[] = [[1, 'step', 'step 1', 'module', 'training step'], [2, 'model', 'model', 'module', 'model', 1], [3, 'update', 'update', 'module', 'dense', 2]];
    const layout = layoutStack(recorded(tree), { totalEvents: 6, width: 600, rowHeight: 22, minEventWidth: 6 });
    expect(layout.bars.find((b) => b.id === 3)?.phase).toBe('forward');
  });
});

describe('trainingNote', () => {
  it('says what a backward frame and an update show, and nothing for the forward pass', async () => {
    const { trainingNote } = await import('../../../webview/training');
    expect(trainingNote({ itemId: '∂/dense', name: '∂dense', kind: 'module', type: 'dense' })).toMatch(/^Backward pass: in, the gradient .* output/);
    expect(trainingNote({ itemId: '∂/dense/mm', name: '∂matmul', kind: 'node', type: '∂matmul' })).toMatch(/^Backward pass/);
    expect(trainingNote({ itemId: 'update/w', name: 'update w', kind: 'node', type: 'update' })).toMatch(/before .* after \(new …\) .* change \(Δ…\)/);
    expect(trainingNote({ itemId: 'dense', name: 'dense', kind: 'module', type: 'dense' })).toBeUndefined();
  });
});
