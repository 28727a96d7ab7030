import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileModelSource } from '../../../src/node/fileSource';
import { GraphTree } from '../../../src/protocol/graphTree';
import { buildView, defaultExpansion } from '../../../src/protocol/graphView';
import { EngineService, InProcessEngineClient } from '../../../src/service/engineService';
import { boxClasses, frameOf, nonFiniteBoxes, runState } from '../../../webview/graph/graphStatus';
import { Timeline } from '../../../webview/timeline';
import { REPO } from '../debug/dapDriver';

/** mnist-mlp run to `name`'s call, with the panel's view of it: the graph, the timeline, the stop. */
async function at(name: string) {
  const client = new InProcessEngineClient(new EngineService({ openSource: (p) => new FileModelSource(p, p), readFile: async (p) => new Uint8Array(await readFile(p)) }));
  await client.request('open', { path: join(REPO, 'examples/mnist-mlp/model.json'), input: { kind: 'example' } });
  const tree = GraphTree.from(await client.request('graph', {}));
  const stop = await client.request('runTo', { name });
  const timeline = new Timeline('s');
  timeline.add({ from: 0, ...(await client.request('timeline', { from: 0 })) });
  return { client, tree, stop, timeline };
}

describe('the graph coloured by where the run stands', () => {
  it('marks the current op, its layer on the stack, ops that ran, and pending ones', async () => {
    const { tree, stop, timeline } = await at('hidden2/add');
    const state = runState(tree, timeline, stop, stop.stack[0].id);
    expect(state.current).toBe('hidden2/add');
    expect([...state.executed].sort()).toEqual(['hidden1', 'hidden1/add', 'hidden1/matmul', 'hidden1/relu', 'hidden2/matmul']);
    const open = defaultExpansion(tree);
    const classes = boxClasses(tree, open, buildView(tree, open), state, new Set(), []);
    expect(classes.get('hidden2/add')).toEqual(['current']);
    expect(classes.get('hidden2')).toEqual(['active']);
    expect(classes.get('hidden1/relu')).toEqual(['executed']);
    expect(classes.get('out/softmax')).toEqual(['pending']);
    expect(classes.get('input:x')).toEqual([]);
    // With hidden2 closed, its box stands for the current op.
    open.delete('hidden2');
    expect(boxClasses(tree, open, buildView(tree, open), state, new Set(), ['hidden2/relu']).get('hidden2')).toEqual(['current', 'match']);
  });

  it('follows a frame picked in CALL STACK, and finds the frame a click on an op goes to', async () => {
    const { tree, stop, timeline } = await at('hidden2/add');
    const layer = stop.stack.find((f) => f.itemId === 'hidden2')!;
    expect(runState(tree, timeline, stop, layer.id).current).toBe('hidden2');
    const state = runState(tree, timeline, stop, undefined);
    const frame = frameOf(state, timeline, 'hidden1/relu', stop.index);
    expect(frame).toBeDefined();
    expect(timeline.span(frame!)?.frame.itemId).toBe('hidden1/relu');
    expect(timeline.target(frame!)).toBe(timeline.span(frame!)?.ret);
    expect(frameOf(state, timeline, 'out/softmax', stop.index)).toBeUndefined();
  });

  it('marks the op that made a NaN or an infinity and every box around it', async () => {
    const { tree } = await at('hidden1/add');
    const boxes = nonFiniteBoxes(tree, [
      { name: 'hidden1/add:0', nan: 0, inf: 0, zeros: 0 },
      { name: 'hidden2/relu:0', nan: 3, inf: 0, zeros: 0 },
    ]);
    expect([...boxes].sort()).toEqual(['hidden2', 'hidden2/relu']);
  });
});
