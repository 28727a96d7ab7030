import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileModelSource } from '../../../src/node/fileSource';
import { EngineService, InProcessEngineClient } from '../../../src/service/engineService';
import type { EngineEvent, StopInfo } from '../../../src/protocol/engine';

/** Training runs in the engine service: steps chained by forward moves, breakpoints in every step, loss events. */

let tmp: string;
let model: string;
let data: string;

const doc = {
  format: 'layerstep/1', name: 'line', inputs: [{ name: 'x', shape: [null, 1] }], output: 'y',
  layers: [{ name: 'line', type: 'dense', units: 1, weights: { kernel: { shape: [1, 1], data: [0.2] }, bias: [-0.5] } }],
};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'layerstep-training-'));
  model = join(tmp, 'line.json');
  writeFileSync(model, JSON.stringify(doc, null, 2));
  data = join(tmp, 'data.json');
  const xs = [-1, 0, 1, 2, 3];
  writeFileSync(data, JSON.stringify({ inputs: { x: { shape: [5, 1], data: xs } }, targets: { y: { shape: [5, 1], data: xs.map((x) => 2 * x + 1) } } }));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function client(): { client: InProcessEngineClient; events: EngineEvent[] } {
  const service = new EngineService({
    openSource: (path) => new FileModelSource(path, path),
    readFile: async (path) => new Uint8Array(await readFile(path)),
  });
  const c = new InProcessEngineClient(service);
  const events: EngineEvent[] = [];
  c.onEvent((e) => events.push(e));
  return { client: c, events };
}

describe('a training run in the engine service', () => {
  it('runs its steps on Continue, sends each loss, and the loss falls as the line is found', async () => {
    const { client: c, events } = client();
    await c.request('open', { path: model, input: { kind: 'example' }, train: { data, loss: 'mse', optimizer: 'sgd', learningRate: 0.1, steps: 40 } });
    const entry = await c.request('position', {});
    expect(entry.training).toMatchObject({ step: 1, steps: 40, losses: [], loss: 'mse', optimizer: 'sgd', learningRate: 0.1, batch: 5, rows: 5, data: 'data.json' });
    expect(entry.training!.trainable).toEqual(['line.kernel', 'line.bias']);
    const end = await c.request('step', { kind: 'continue' });
    expect(end).toMatchObject({ reason: 'end', finished: true });
    expect(end.training!.step).toBe(40);
    const losses = events.filter((e): e is Extract<EngineEvent, { type: 'loss' }> => e.type === 'loss');
    expect(losses.map((e) => e.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(end.training!.losses).toEqual(losses.map((e) => e.loss));
    expect(losses[39].loss).toBeLessThan(losses[0].loss / 100);
    const weights = new Map((await c.request('weights', {})).map((w) => [w.name, Array.from(w.values as Float32Array)]));
    expect(weights.get('line.kernel')![0]).toBeCloseTo(2, 1);
    expect(weights.get('line.bias')![0]).toBeCloseTo(1, 1);
  });

  it('stops at a layer\'s breakpoint in every step, forward and backward, under the id it was given', async () => {
    const { client: c } = client();
    await c.request('open', { path: model, input: { kind: 'example' }, train: { data, steps: 2 } });
    const line = JSON.stringify(doc, null, 2).split('\n').findIndex((l) => l.includes('"type": "dense"')) + 1;
    const [bp] = await c.request('setLineBreakpoints', { breakpoints: [{ line }] });
    const stops: StopInfo[] = [];
    for (let s = await c.request('step', { kind: 'continue' }); s.reason !== 'end'; s = await c.request('step', { kind: 'continue' })) stops.push(s);
    expect(stops.map((s) => `${s.training!.step} ${s.stack[0].name}`)).toEqual(['1 line', '1 ∂line', '2 line', '2 ∂line']);
    for (const s of stops) expect(s.breakpointIds).toEqual([bp.id]);
    // A new step is a new timeline for views that keep one.
    expect(new Set(stops.map((s) => s.generation)).size).toBe(2);
  });

  it('a step at the end of a step goes to the next step\'s start; stepping back stays in the step', async () => {
    const { client: c } = client();
    const outline = await c.request('open', { path: model, input: { kind: 'example' }, train: { data, steps: 2 } });
    let s = await c.request('step', { kind: 'over' });
    expect(s).toMatchObject({ reason: 'end', finished: true });
    // The outline counts a whole step's events, as views size the timeline by it.
    expect(s.recorded).toBe(outline.totalEvents);
    expect(s.training!.losses).toHaveLength(1);
    s = await c.request('step', { kind: 'in' });
    expect(s).toMatchObject({ reason: 'step', index: 0, finished: false });
    expect(s.stack[0].name).toBe('step 2');
    s = await c.request('step', { kind: 'back' });
    expect(s).toMatchObject({ reason: 'entry', index: 0 });
    expect(s.training!.step).toBe(2);
  });

  it('refuses a model without targets in a sentence', async () => {
    const { client: c } = client();
    await expect(c.request('open', { path: model, input: { kind: 'example' }, train: {} })).rejects.toMatchObject({
      message: expect.stringContaining('line.json has no examples with targets'),
    });
  });
});
