import { describe, expect, it } from 'vitest';
import { describeTimings, RenderClock } from '../../../src/host/renderTimings';

const phases = { timeline: 1, scopes: 2, tensors: 10, draw: 5 };
const rendered = (index: number, sessionId = 's') => ({ type: 'rendered' as const, sessionId, index, webviewMs: 18, phases });

function clockAt(times: number[]) {
  let i = 0;
  return new RenderClock(() => times[i++]);
}

describe('RenderClock', () => {
  it('times a stop from reaching the host to the webview drawing it, and the first stop to the first drawing', () => {
    const c = clockAt([100, 160, 200, 230]);
    c.sessionStarted('s', true);
    c.stopped('s', 0);
    const first = c.rendered(rendered(0));
    expect(first).toMatchObject({ index: 0, stopToRenderMs: 60, firstStopToFirstRenderMs: 60, renders: 1, webviewMs: 18 });
    c.stopped('s', 1);
    expect(c.rendered(rendered(1))).toMatchObject({ index: 1, stopToRenderMs: 30, firstStopToFirstRenderMs: 60, renders: 2 });
  });

  it('does not claim a first-stop time when the panel opened after the first stop', () => {
    const c = clockAt([10, 50, 90]);
    c.sessionStarted('s', false);
    c.stopped('s', 3);
    expect(c.rendered(rendered(3))?.firstStopToFirstRenderMs).toBeUndefined();
  });

  it('ignores renders of another or an ended session', () => {
    const c = clockAt([1, 2, 3]);
    c.sessionStarted('s', true);
    expect(c.rendered(rendered(0, 'other'))).toBeUndefined();
    c.ended();
    expect(c.rendered(rendered(0))).toBeUndefined();
  });

  it('times a stop drawn by a reloaded view from the reload, not from the stop', () => {
    const c = clockAt([100, 5000, 5100]);
    c.sessionStarted('s', true);
    c.stopped('s', 2);
    c.viewReady();
    expect(c.rendered(rendered(2))?.stopToRenderMs).toBe(100);
  });

  it('leaves the host time out for a stop it never saw (a rebuilt view drawing the snapshot)', () => {
    const c = clockAt([5, 9]);
    c.sessionStarted('s', true);
    expect(c.rendered(rendered(7))?.stopToRenderMs).toBeUndefined();
  });
});

describe('describeTimings', () => {
  it('reads as one line with the phases', () => {
    expect(describeTimings({ sessionId: 's', index: 4, stopToRenderMs: 40.4, webviewMs: 18, phases, firstStopToFirstRenderMs: 300, renders: 1 }))
      .toBe('Panel drew event 5: 40 ms after the stop reached the host; webview 18 ms (timeline 1 ms, scopes 2 ms, tensors 10 ms, draw 5 ms). First stop of the session to first drawn frame: 300 ms.');
  });
});
