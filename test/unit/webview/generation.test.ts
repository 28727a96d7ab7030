import { describe, expect, it } from 'vitest';
import type { FrameInfo, TimelineEvent } from '../../../src/protocol/engine';
import type { TimelineSlice } from '../../../src/protocol/webview';
import { sameTimeline } from '../../../src/protocol/webview';
import { layoutStack } from '../../../webview/stackLayout';
import { Timeline, timelineFor } from '../../../webview/timeline';

/**
 * After an edit the runner makes the timeline again (a new `StopInfo.generation`): the events after the position
 * are dropped and the frames get new ids. The host (src/host/panel.ts, with `sameTimeline`) and the webview (with
 * `timelineFor`) must both start over from event 0, or the strip keeps the dropped events.
 */

const frame = (id: number, name: string, depth: number, parentId?: number): FrameInfo =>
  ({ id, itemId: name, name, kind: 'module', type: 'dense', depth, parentId });

/** A run's recording: model > [a, b], as `runner.timeline()` would list it. */
function pass(ids: { model: number; a: number; b: number }): { events: TimelineEvent[]; frames: FrameInfo[] } {
  return {
    events: [
      { point: 'call', frameId: ids.model }, { point: 'call', frameId: ids.a }, { point: 'return', frameId: ids.a },
      { point: 'call', frameId: ids.b }, { point: 'return', frameId: ids.b }, { point: 'return', frameId: ids.model },
    ],
    frames: [frame(ids.model, 'model', 0), frame(ids.a, 'a', 1, ids.model), frame(ids.b, 'b', 1, ids.model)],
  };
}

/** The engine's `timeline` request on a recording of which the first `recorded` events exist. */
function request(rec: ReturnType<typeof pass>, recorded: number, from: number): TimelineSlice {
  const events = rec.events.slice(from, recorded);
  const ids = new Set(events.map((e) => e.frameId));
  return { from, events, frames: rec.frames.filter((f) => ids.has(f.id)) };
}

/** The host's bookkeeping of what it sent, with the same rule panel.ts applies in postStop. */
class Host {
  sent: { sessionId?: string; generation?: number; timeline: number } = { timeline: 0 };

  stop(sessionId: string, generation: number, rec: ReturnType<typeof pass>, recorded: number): TimelineSlice | undefined {
    const from = sameTimeline(this.sent, sessionId, generation) ? this.sent.timeline : 0;
    const slice = recorded > from ? request(rec, recorded, from) : undefined;
    if (!sameTimeline(this.sent, sessionId, generation)) this.sent = { sessionId, generation, timeline: 0 };
    if (slice) this.sent.timeline = slice.from + slice.events.length;
    return slice;
  }
}

/** The webview's side of a stop, as app.ts handles it: the timeline for the stop's generation, then the slice. */
function receive(held: Timeline | undefined, sessionId: string, generation: number, slice: TimelineSlice | undefined): Timeline {
  const t = timelineFor(held, sessionId, generation);
  if (slice && slice.from <= t.length) t.add(slice);
  return t;
}

describe('a new timeline generation', () => {
  it('is told apart from the same one, and from another session', () => {
    expect(sameTimeline({ sessionId: 's', generation: 2 }, 's', 2)).toBe(true);
    expect(sameTimeline({ sessionId: 's' }, 's', undefined)).toBe(true);
    expect(sameTimeline({ sessionId: 's' }, 's', 0)).toBe(true);
    expect(sameTimeline({ sessionId: 's', generation: 2 }, 's', 3)).toBe(false);
    expect(sameTimeline({ sessionId: 's', generation: 2 }, 't', 2)).toBe(false);
    expect(sameTimeline({}, 's', 0)).toBe(false);
  });

  it('keeps the timeline the webview holds while nothing was edited', () => {
    const t = new Timeline('s', 1);
    expect(timelineFor(t, 's', 1)).toBe(t);
    const fresh = timelineFor(t, 's', 2);
    expect(fresh).not.toBe(t);
    expect(fresh).toMatchObject({ sessionId: 's', generation: 2, length: 0 });
    expect(timelineFor(undefined, 's', undefined)).toMatchObject({ generation: 0, length: 0 });
  });

  it('makes host and webview read the timeline again from 0, so the strip shows only the new pass', () => {
    const host = new Host();
    const first = pass({ model: 1, a: 2, b: 3 });
    // The first pass runs to its end: 6 events, sent in two stops.
    let t = receive(undefined, 's', 0, host.stop('s', 0, first, 3));
    t = receive(t, 's', 0, host.stop('s', 0, first, 6));
    expect(t.length).toBe(6);
    expect(t.order).toEqual([1, 2, 3]);

    // Back at a's return (event 2), an edit: the pass is made again up to there with new frames; 3 events.
    const second = pass({ model: 11, a: 12, b: 13 });
    const slice = host.stop('s', 1, second, 3);
    expect(slice?.from).toBe(0);
    t = receive(t, 's', 1, slice);
    expect(t.length).toBe(3);
    expect(t.order).toEqual([11, 12]);
    const l = layoutStack(t, { totalEvents: 6, width: 60, rowHeight: 20, minEventWidth: 2, position: { index: 2, stack: [12, 11] } });
    expect(l.bars.map((b) => b.id)).toEqual([11, 12]);
    expect(l.recordedX).toBe(30);

    // Stepping on in the new pass goes on from where the new timeline is.
    const next = host.stop('s', 1, second, 5);
    expect(next?.from).toBe(3);
    t = receive(t, 's', 1, next);
    expect(t.order).toEqual([11, 12, 13]);
    expect(t.span(13)).toMatchObject({ call: 3, ret: 4 });
  });

  it('would keep the dropped events without the reset (what the rule prevents)', () => {
    const first = pass({ model: 1, a: 2, b: 3 });
    const second = pass({ model: 11, a: 12, b: 13 });
    const stale = new Timeline('s');
    stale.add(request(first, 6, 0));
    // Counting on from the 6 events it holds, the webview asks from 6: the new pass has only 3, nothing comes.
    expect(request(second, 3, stale.length).events).toHaveLength(0);
    expect(stale.order).toEqual([1, 2, 3]);
  });
});
