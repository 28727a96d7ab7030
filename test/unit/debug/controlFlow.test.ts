import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { describe, expect, it } from 'vitest';
import { accumulatingLoop } from '../loaders/onnxHelpers';
import { DapDriver, REPO } from './dapDriver';

/**
 * Models from elsewhere through the debug adapter, as VS Code drives it: a Loop whose trip count is computed shows
 * its iterations as frames in CALL STACK, and a model with open sizes runs on the launch's `shapes`.
 */

/** The accumulating Loop model (its trip count computed from x) in a folder, with an input x.json beside it. */
function loopModel(): string {
  const bytes = accumulatingLoop();
  const dir = mkdtempSync(join(tmpdir(), 'layerstep-dap-'));
  const file = join(dir, 'loop.onnx');
  writeFileSync(file, bytes);
  // x sums to 2.4: three iterations.
  writeFileSync(join(dir, 'x.json'), JSON.stringify({ x: { shape: [3], dtype: 'float32', data: [0.5, 0.8, 1.1] } }));
  return file;
}

const names = (frames: DebugProtocol.StackFrame[]): string[] => frames.map((f) => f.name.split(' ')[0]);

describe('control flow decided at run time, through the debug adapter', () => {
  it('stops in each iteration of a Loop whose trip count is computed, with the iteration on the call stack', async () => {
    const model = loopModel();
    const d = new DapDriver();
    await d.launch({ model, input: join(model, '..', 'x.json') }, { functionBreakpoints: [{ name: 'feed' }] });
    const stacks: string[][] = [];
    let stop = await d.nextStop();
    while (stop.event === 'stopped' && (stop.body as DebugProtocol.StoppedEvent['body']).reason === 'function breakpoint') {
      stacks.push(names(await d.stackTrace()));
      stop = (await d.move('continue')).event;
    }
    expect(stacks).toEqual(Array.from({ length: 3 }, () => ['feed', 'iter', 'Loop', 'acc', 'looping']));
    expect((await d.stackTrace()).length).toBeGreaterThan(0);
  });
});

describe('open sizes through the debug adapter', () => {
  it('runs a model with open sizes on the launch\'s shapes and refuses a launch without them', async () => {
    const model = join(REPO, 'test/fixtures/e2e/open-sizes/model.onnx');
    const ok = new DapDriver();
    const c = await ok.launch({ model, input: 'random', shapes: { image: [2, 3, 24, 20] } });
    expect(c.launch.success).toBe(true);
    const bad = new DapDriver();
    const refused = await bad.launch({ model, input: 'random' });
    expect(refused.launch.success).toBe(false);
    expect(refused.launch.message).toContain("input 'image' has open sizes [batch, 3, height, width]");
  });
});
