import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileModelSource } from '../../../src/cli/fileSource';
import { EngineService, InProcessEngineClient } from '../../../src/debug/engineService';
import { toWireError } from '../../../src/debug/wireError';
import { EngineError } from '../../../src/engine/errors';
import { ModelError } from '../../../src/model/errors';
import type { EngineEvent, WireError } from '../../../src/protocol/engine';
import { RunnerError } from '../../../src/runner/errors';
import { REPO } from './dapDriver';

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
    expect(toWireError(new ModelError('m.json: bad', 'm.json'))).toEqual({ message: 'm.json: bad', kind: 'model' });
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
