import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostEvent, WebviewToHost } from '../../../src/protocol/webview';
import { HostClient, RequestError } from '../../../webview/client';

describe('HostClient', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends requests with fresh ids and resolves them with their answer', async () => {
    const sent: WebviewToHost[] = [];
    const c = new HostClient((m) => sent.push(m));
    const a = c.request('timeline', { sessionId: 's', from: 0 });
    const b = c.request('closeWeight', {});
    expect(sent.map((m) => m.kind === 'request' && [m.id, m.method])).toEqual([[1, 'timeline'], [2, 'closeWeight']]);
    c.receive({ kind: 'response', id: 2, result: undefined });
    c.receive({ kind: 'response', id: 1, result: { from: 0, events: [], frames: [] } });
    await expect(a).resolves.toEqual({ from: 0, events: [], frames: [] });
    await expect(b).resolves.toBeUndefined();
  });

  it('rejects with the host error, naming its kind', async () => {
    const c = new HostClient(() => undefined);
    const p = c.request('scopes', { sessionId: 's', frameId: 3 });
    c.receive({ kind: 'error', id: 1, error: { kind: 'engine', message: 'there is no frame 3' } });
    await expect(p).rejects.toMatchObject({ name: 'RequestError', kind: 'engine', method: 'scopes', message: 'there is no frame 3' });
  });

  it('times out a request the host never answers, and ignores a late answer', async () => {
    const c = new HostClient(() => undefined, 1000);
    const p = c.request('grid', {} as never);
    vi.advanceTimersByTime(1000);
    await expect(p).rejects.toBeInstanceOf(RequestError);
    await expect(p).rejects.toMatchObject({ kind: 'timeout' });
    expect(() => c.receive({ kind: 'response', id: 1, result: 1 })).not.toThrow();
  });

  it('fails a request whose message cannot be posted', async () => {
    const c = new HostClient(() => {
      throw new Error('detached');
    });
    await expect(c.request('closeWeight', {})).rejects.toMatchObject({ kind: 'internal' });
  });

  it('delivers events to listeners until they unsubscribe, and ignores non-protocol messages', () => {
    const c = new HostClient(() => undefined);
    const seen: HostEvent[] = [];
    const off = c.onEvent((e) => seen.push(e));
    c.receive({ kind: 'event', event: { type: 'continued', sessionId: 's' } });
    c.receive(null as never);
    c.receive({ something: 'else' } as never);
    off();
    c.receive({ kind: 'event', event: { type: 'sessionEnded', sessionId: 's' } });
    expect(seen).toEqual([{ type: 'continued', sessionId: 's' }]);
  });

  it('fails everything pending on dispose', async () => {
    const c = new HostClient(() => undefined);
    const p = c.request('closeWeight', {});
    c.dispose();
    await expect(p).rejects.toThrow(/closed/);
  });
});
