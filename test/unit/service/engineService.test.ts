import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileModelSource } from '../../../src/node/fileSource';
import { EngineService, InProcessEngineClient } from '../../../src/service/engineService';
import { toWireError } from '../../../src/service/wireError';
import { EngineError } from '../../../src/engine/errors';
import { ModelError } from '../../../src/model/errors';
import type { EngineEvent, WireError } from '../../../src/protocol/engine';
import { RunnerError } from '../../../src/runner/errors';
import { REPO } from '../debug/dapDriver';

const MLP = join(REPO, 'test/fixtures/dap/mlp.json');

function service(): EngineService {
  return new EngineService({
    openSource: (path) => new FileModelSource(path, path),
    readFile: async (path) => new Uint8Array(await readFile(path)),
  });
}

/** The WireError a request rejects with. */
async function rejection(p: Promise<unknown>): Promise<WireError> {
  try {
    await p;
  } catch (e) {
    return e as WireError;
  }
  throw new Error('the request did not fail');
}

describe('EngineService', () => {
  it('answers nothing but open before a model is open, with a plain error object', async () => {
    const s = service();
    const e = await rejection(s.handle('step', { kind: 'in' }));
    expect(e).toEqual({ message: 'No model is open.', kind: 'internal', stack: expect.any(String) });
    expect(e instanceof Error).toBe(false);
  });

  it('opens a model and moves through it, one stop per request', async () => {
    const client = new InProcessEngineClient(service());
    const outline = await client.request('open', { path: MLP, input: { kind: 'example', name: 'second' } });
    expect(outline.inputs.map((i) => i.name)).toEqual(['x']);
    expect(outline.outputs.map((o) => o.name)).toEqual(['probs']);
    const entry = await client.request('position', {});
    expect(entry).toMatchObject({ reason: 'entry', index: 0, point: 'call', finished: false, recorded: 1 });
    const end = await client.request('step', { kind: 'continue' });
    expect(end).toMatchObject({ reason: 'end', point: 'return', finished: true, recorded: 18 });
    const back = await client.request('step', { kind: 'reverseContinue' });
    expect(back).toMatchObject({ reason: 'entry', index: 0 });
  });

  it('reports logpoint output and progress as events', async () => {
    const s = service();
    const events: EngineEvent[] = [];
    const sub = s.onEvent((e) => events.push(e));
    await s.handle('open', { path: MLP, input: { kind: 'example' } });
    await s.handle('setLineBreakpoints', { breakpoints: [{ line: 20, logMessage: 'out: {output.shape}' }] });
    await s.handle('step', { kind: 'continue' });
    expect(events.filter((e) => e.type === 'output')).toEqual([
      { type: 'output', text: 'out: [1, 2]', source: { startLine: 18, startColumn: 5, endLine: 27, endColumn: 5 } },
    ]);
    expect(events.filter((e) => e.type === 'progress').at(-1)).toEqual({ type: 'progress', done: 6, total: 6 });
    sub.dispose();
    await s.handle('step', { kind: 'reverseContinue' });
    const before = events.length;
    await s.handle('step', { kind: 'continue' });
    expect(events).toHaveLength(before);
  });

  it('forgets the model on close', async () => {
    const s = service();
    await s.handle('open', { path: MLP, input: { kind: 'example' } });
    await s.handle('close', {});
    expect((await rejection(s.handle('scopes', { frameId: 1 }))).message).toBe('No model is open.');
  });

  it('rejects a model that does not load with a model error', async () => {
    const e = await rejection(service().handle('open', { path: join(REPO, 'test/fixtures/dap/broken.json'), input: { kind: 'example' } }));
    expect(e.kind).toBe('model');
    expect(e.message).toMatch(/^broken\.json line 7: layer 'second' /);
    expect(e.stack).toBeUndefined();
  });
});

describe('toWireError', () => {
  it('sorts errors by who can act on them and keeps the stack only of internal ones', () => {
    expect(toWireError(new ModelError('m.json: bad', 'm.json'))).toEqual({ message: 'm.json: bad', kind: 'model', file: 'm.json' });
    expect(toWireError(new EngineError('bad shape', 'matmul')).kind).toBe('engine');
    expect(toWireError(new RunnerError('no frame 9'))).toEqual({ message: 'no frame 9', kind: 'engine' });
    expect(toWireError(Object.assign(new Error('x.json: no'), { name: 'InputError' })).kind).toBe('input');
    const internal = toWireError(new TypeError('oops'));
    expect(internal.kind).toBe('internal');
    expect(internal.stack).toContain('TypeError: oops');
    expect(toWireError('plain')).toEqual({ message: 'plain', kind: 'internal' });
    const wire: WireError = { message: 'already', kind: 'input' };
    expect(toWireError(wire)).toBe(wire);
  });
});

describe('one service, one model, many runs', () => {
  /** A service over the real disk that counts how often each model file is parsed. */
  function counting() {
    const reads: string[] = [];
    let stamp = 1;
    const s = new EngineService({
      openSource: (path) => {
        const source = new FileModelSource(path, path);
        return { name: source.name, read: () => (reads.push(path), source.read()), readSibling: (p) => source.readSibling(p), statSibling: (p) => source.statSibling(p) };
      },
      readFile: async (path) => new Uint8Array(await readFile(path)),
      fingerprint: async () => String(stamp),
    });
    return { s, reads, touch: () => stamp++ };
  }

  it('parses a model once for its outline and every run on it, and again only when its file changes or a load is forced', async () => {
    const { s, reads, touch } = counting();
    const outline = await s.handle('load', { path: MLP });
    await s.handle('open', { path: MLP, input: { kind: 'example' } }, 'a');
    await s.handle('open', { path: MLP, input: { kind: 'example', name: 'second' } }, 'b');
    expect(await s.handle('load', { path: MLP })).toEqual(outline);
    expect(reads).toHaveLength(1);
    touch();
    await s.handle('load', { path: MLP });
    expect(reads).toHaveLength(2);
    await s.handle('load', { path: MLP, force: true });
    expect(reads).toHaveLength(3);
  });

  it('keeps runs apart: each has its own position, inputs and events, and closing one leaves the other', async () => {
    const { s } = counting();
    const events: [string, string][] = [];
    s.onEvent((e, run) => events.push([run, e.type]));
    const a = new InProcessEngineClient(s, 'a');
    const b = new InProcessEngineClient(s, 'b');
    const heard: string[] = [];
    a.onEvent((e) => heard.push(e.type));
    await a.request('open', { path: MLP, input: { kind: 'example', name: 'first' } });
    await b.request('open', { path: MLP, input: { kind: 'example', name: 'second' } });
    await a.request('step', { kind: 'in' });
    expect((await b.request('position', {})).index).toBe(0);
    await b.request('setLineBreakpoints', { breakpoints: [{ line: 20, logMessage: 'b says {output.shape}' }] });
    await b.request('step', { kind: 'continue' });
    expect(events.filter(([, type]) => type === 'output').map(([run]) => run)).toEqual(['b']);
    expect(heard).not.toContain('output');
    const xa = await a.request('tensor', { name: 'x', start: 0, count: 4 });
    const xb = await b.request('tensor', { name: 'x', start: 0, count: 4 });
    expect([...xa.values]).not.toEqual([...xb.values]);
    await b.request('close', {});
    expect((await rejection(b.request('position', {}))).message).toBe('No model is open.');
    expect((await a.request('position', {})).index).toBe(1);
  });

  it('reads the held model\'s weights with no run, and names a weight it does not have', async () => {
    const { s } = counting();
    const outline = await s.handle('load', { path: MLP });
    const weight = outline.root.children.flatMap((c) => c.weights)[0];
    const t = await s.handle('tensor', { name: weight.name, start: 0, count: 3 });
    expect(t.shape).toEqual(weight.shape);
    expect(t.values).toHaveLength(3);
    const e = await rejection(s.handle('tensor', { name: 'nope', start: 0, count: 1 }));
    expect(e).toMatchObject({ kind: 'model' });
    expect(e.message).toContain("there is no weight named 'nope'");
  });

  it('samples grids where the tensor lives, with the histogram of all its values, and reads single elements exactly', async () => {
    const { s } = counting();
    const outline = await s.handle('load', { path: MLP });
    const weight = outline.root.children.flatMap((c) => c.weights).find((w) => w.shape.length === 2)!;
    const [rows, cols] = weight.shape;
    const all = await s.handle('tensor', { name: weight.name, start: 0, count: rows * cols });
    const g = await s.handle('grid', { name: weight.name, offset: 0, maps: 1, mapStride: 0, rows, cols, maxValues: 65536 });
    expect(g.exact).toBe(true);
    expect([...g.values]).toEqual([...all.values].map(Number));
    expect(g.histogram?.total).toBe(rows * cols);
    expect([...g.histogram!.counts].reduce((x, y) => x + y, 0)).toBe(rows * cols);
    const sampled = await s.handle('grid', { name: weight.name, offset: 0, maps: 1, mapStride: 0, rows, cols, maxValues: 4 });
    expect(sampled.values.length).toBeLessThanOrEqual(4);
    expect(sampled.exact).toBe(false);
    const part = await s.handle('grid', { name: weight.name, offset: cols, maps: 1, mapStride: 0, rows: 1, cols, maxValues: 65536 });
    expect(part.histogram).toBeUndefined();
    expect((await s.handle('element', { name: weight.name, index: 1 })).value).toBe(Number(all.values[1]));
    expect((await rejection(s.handle('element', { name: weight.name, index: rows * cols }))).kind).toBe('input');
  });

  it('refuses a request it does not know with a sentence, not a crash', async () => {
    const e = await rejection(service().handle('explode' as never, {} as never));
    expect(e.message).toBe("unknown engine request 'explode'");
  });
});
