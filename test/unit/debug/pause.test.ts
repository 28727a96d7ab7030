import type { DebugProtocol } from '@vscode/debugprotocol';
import { describe, expect, it } from 'vitest';
import { DapDriver } from './dapDriver';

/** Eight 128×512 by 512×512 products: long enough that a continue yields to the event loop before it ends. */
const SLOW = 'test/fixtures/dap/slow.json';
type Stopped = DebugProtocol.StoppedEvent['body'];

/** A session at entry on the slow model; `continue` sent, and its progress started (so the runner is busy). */
async function running(): Promise<{ d: DapDriver; progressId: string }> {
  const d = new DapDriver();
  await d.launch({ model: SLOW, input: 'random', stopOnEntry: true });
  await d.nextStop();
  await d.request('continue', { threadId: 1 });
  const start = await d.waitForEvent<DebugProtocol.ProgressStartEvent>('progressStart');
  return { d, progressId: start.body.progressId };
}

describe('a long run', () => {
  it('stops where it is on pause, and continues from there', async () => {
    const { d } = await running();
    expect((await d.request('pause', { threadId: 1 })).success).toBe(true);
    const stop = await d.nextStop();
    expect((stop.body as Stopped).reason).toBe('pause');
    expect(d.events('progressEnd')).toHaveLength(1);
    const top = (await d.stackTrace())[0];
    expect(top.name).not.toBe('slow (model) ↩ return');
    const end = await d.move('continue');
    expect((end.event.body as Stopped).description).toBe('Forward pass finished');
  });

  it('pauses when VS Code cancels its progress notification', async () => {
    const { d, progressId } = await running();
    expect((await d.request('cancel', { progressId })).success).toBe(true);
    expect(((await d.nextStop()).body as Stopped).reason).toBe('pause');
  });
});
