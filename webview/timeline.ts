import type { FrameInfo, StopInfo, TimelineEvent } from '../src/protocol/engine';
import type { TimelineSlice } from '../src/protocol/webview';
import { sameTimeline } from '../src/protocol/webview';

/**
 * One frame of the recorded timeline: its call event and, once it has returned, its return event. `frame` is
 * as the slice with its return described it (its divergence is known only then).
 */
export interface FrameSpan {
  frame: FrameInfo;
  readonly call: number;
  ret?: number;
  readonly children: number[];
}

/**
 * The recorded timeline of a session, grown slice by slice (the `timeline` request with `from`), with each
 * frame's span and its children in call order. It holds one generation of the timeline (see
 * {@link StopInfo.generation}): after an edit made the timeline again, {@link timelineFor} gives a new one. Pure.
 */
export class Timeline {
  private readonly events: TimelineEvent[] = [];
  private readonly spans = new Map<number, FrameSpan>();
  /** Frame ids in call order. */
  readonly order: number[] = [];

  constructor(readonly sessionId: string, readonly generation = 0) {}

  /** Events recorded so far. */
  get length(): number {
    return this.events.length;
  }

  /** Adds a slice; the part of it already known is skipped. Throws when the slice leaves a gap. */
  add(slice: TimelineSlice): void {
    if (slice.from > this.events.length) throw new Error(`timeline: slice from ${slice.from} leaves a gap after ${this.events.length} events`);
    const frames = new Map(slice.frames.map((f) => [f.id, f]));
    for (let k = this.events.length - slice.from; k < slice.events.length; k++) {
      const e = slice.events[k];
      const index = this.events.length;
      this.events.push(e);
      if (e.point === 'call') {
        const frame = frames.get(e.frameId) ?? this.spans.get(e.frameId)?.frame;
        if (!frame) throw new Error(`timeline: event ${index} calls frame ${e.frameId}, which the slice does not describe`);
        this.spans.set(frame.id, { frame, call: index, children: [] });
        this.order.push(frame.id);
        if (frame.parentId !== undefined) this.spans.get(frame.parentId)?.children.push(frame.id);
      } else {
        const span = this.spans.get(e.frameId);
        if (span) {
          span.ret = index;
          const frame = frames.get(e.frameId);
          if (frame) span.frame = frame;
        }
      }
    }
  }

  span(id: number): FrameSpan | undefined {
    return this.spans.get(id);
  }

  event(index: number): TimelineEvent | undefined {
    return this.events[index];
  }

  /** The event a click on a frame goes to: its return when recorded (inputs and outputs both shown), else its call. */
  target(id: number): number | undefined {
    const s = this.spans.get(id);
    return s && (s.ret ?? s.call);
  }

  /**
   * The frame next to `id` for the arrow keys: the previous sibling (else the parent) on the left, the next
   * sibling (else the next frame after this subtree, else the next frame called) on the right, the parent up,
   * the first child down.
   */
  neighbour(id: number, key: 'left' | 'right' | 'up' | 'down' | 'home' | 'end'): number | undefined {
    const s = this.spans.get(id);
    if (key === 'home') return this.order[0];
    if (key === 'end') return this.order[this.order.length - 1];
    if (!s) return undefined;
    const parentId = s.frame.parentId;
    const siblings = parentId === undefined ? [id] : this.spans.get(parentId)?.children ?? [id];
    const at = siblings.indexOf(id);
    switch (key) {
      case 'up': return parentId;
      case 'down': return s.children[0];
      case 'left': return at > 0 ? siblings[at - 1] : parentId;
      case 'right': {
        if (at >= 0 && at < siblings.length - 1) return siblings[at + 1];
        // The last child: go on to the next frame after this subtree, at the nearest level that has one.
        let p = parentId === undefined ? undefined : this.spans.get(parentId);
        while (p) {
          const pp = p.frame.parentId === undefined ? undefined : this.spans.get(p.frame.parentId);
          const sib = pp?.children ?? [];
          const i = sib.indexOf(p.frame.id);
          if (i >= 0 && i < sib.length - 1) return sib[i + 1];
          p = pp;
        }
        // Nothing after it at any level (the model itself, or the last frame): the next frame called, if any.
        const next = this.order.indexOf(id) + 1;
        return next > 0 && next < this.order.length ? this.order[next] : undefined;
      }
    }
  }
}

/**
 * The timeline to grow at a stop of `sessionId` whose generation is `generation`: `held` while it is the same
 * session and generation, else a new, empty one to read again from event 0 (an edit dropped the events after the
 * position, so slices counted from the old length would skip the new events).
 */
export function timelineFor(held: Timeline | undefined, sessionId: string, generation: StopInfo['generation']): Timeline {
  return held && sameTimeline(held, sessionId, generation) ? held : new Timeline(sessionId, generation ?? 0);
}
