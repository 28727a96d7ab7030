import type { RenderPhases, WebviewNotification } from '../protocol/webview';

/** How fast the panel follows the session, as the e2e test and the output channel see it. */
export interface RenderTimings {
  readonly sessionId: string;
  /** Timeline index of the stop that was drawn. */
  readonly index: number;
  /**
   * Host clock: from this stop reaching the extension host (or, if later, the webview asking for its snapshot
   * after a reload) to the webview's `rendered` message.
   */
  readonly stopToRenderMs?: number;
  /** Webview clock: from the stop (or the snapshot) reaching the webview to its drawn frame. */
  readonly webviewMs: number;
  readonly phases: RenderPhases;
  /** Host clock: from the session's first stop to the panel's first drawn frame of that session. */
  readonly firstStopToFirstRenderMs?: number;
  /** Drawn stops of this session so far. */
  readonly renders: number;
}

type Rendered = Extract<WebviewNotification, { type: 'rendered' }>;

/** Stops remembered for matching `rendered` messages; older ones are forgotten. */
const KEEP_STOPS = 64;

/**
 * Matches the stops the host forwards with the webview's `rendered` messages. Pure: the clock is a port.
 * A first-stop time is only known when the panel saw the session's first stop arrive.
 */
export class RenderClock {
  private session?: { id: string; firstStopAt?: number; firstRenderMs?: number; renders: number; stops: Map<number, number> };
  /** When the webview last asked for its snapshot (it was loaded or reloaded). */
  private readyAt = -Infinity;

  constructor(private readonly now: () => number) {}

  /** `beforeFirstStop`: the session has not stopped yet, so its first stop can be timed. */
  sessionStarted(id: string, beforeFirstStop: boolean): void {
    this.session = { id, renders: 0, stops: new Map(), firstStopAt: beforeFirstStop ? undefined : NaN };
  }

  stopped(id: string, index: number): void {
    const s = this.session;
    if (!s || s.id !== id) return;
    const t = this.now();
    if (s.firstStopAt === undefined) s.firstStopAt = t;
    s.stops.delete(index);
    s.stops.set(index, t);
    if (s.stops.size > KEEP_STOPS) s.stops.delete(s.stops.keys().next().value as number);
  }

  /** The webview asked for its snapshot: stops before this are drawn from it, timed from now. */
  viewReady(): void {
    this.readyAt = this.now();
  }

  ended(): void {
    this.session = undefined;
  }

  rendered(r: Rendered): RenderTimings | undefined {
    const s = this.session;
    if (!s || s.id !== r.sessionId) return undefined;
    const t = this.now();
    const at = s.stops.get(r.index);
    s.renders++;
    if (s.firstRenderMs === undefined && s.firstStopAt !== undefined && !Number.isNaN(s.firstStopAt)) s.firstRenderMs = t - s.firstStopAt;
    return {
      sessionId: s.id,
      index: r.index,
      stopToRenderMs: at === undefined ? undefined : t - Math.max(at, this.readyAt),
      webviewMs: r.webviewMs,
      phases: r.phases,
      firstStopToFirstRenderMs: s.firstRenderMs,
      renders: s.renders,
    };
  }
}

/** One line for the output channel. */
export function describeTimings(t: RenderTimings): string {
  const ms = (v: number) => `${Math.round(v)} ms`;
  const p = t.phases;
  const host = t.stopToRenderMs === undefined ? '' : `${ms(t.stopToRenderMs)} after the stop reached the host; `;
  const first = t.renders === 1 && t.firstStopToFirstRenderMs !== undefined
    ? ` First stop of the session to first drawn frame: ${ms(t.firstStopToFirstRenderMs)}.` : '';
  return `Panel drew event ${t.index + 1}: ${host}webview ${ms(t.webviewMs)} (timeline ${ms(p.timeline)}, scopes ${ms(p.scopes)}, `
    + `tensors ${ms(p.tensors)}, draw ${ms(p.draw)}).${first}`;
}
