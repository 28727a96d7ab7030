import * as vscode from 'vscode';
import { ENGINE_REQUEST, OPENED_EVENT, STOPPED_EVENT } from '../debug/session';
import type { EngineMethod, EngineRequests, ModelOutline, StepKind, StopInfo } from '../protocol/engine';
import { DEBUG_TYPE } from './ids';
import type { InlineSessions } from './inlineSessions';

/** Requests that only read the engine: answered by the engine client directly when the adapter is inline. */
const READS: ReadonlySet<EngineMethod> = new Set(['timeline', 'scopes', 'tensor', 'evaluate']);

/** What the panel and the sidebar know of the active Layerstep debug session. */
export interface SessionState {
  readonly session: vscode.DebugSession;
  readonly outline?: ModelOutline;
  readonly modelPath?: string;
  readonly stop?: StopInfo;
  /** Set while the debuggee runs (between a step request and its stop). */
  readonly running: boolean;
}

/**
 * Follows Layerstep debug sessions through the adapter's custom events, and lets the panel and the sidebar
 * read the engine and drive the session through the same adapter (so CALL STACK and the panel never disagree).
 */
export class SessionTracker implements vscode.Disposable {
  private state?: SessionState;
  private readonly changed = new vscode.EventEmitter<SessionState | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly inline: InlineSessions) {
    this.subscriptions = [
      this.changed,
      // Stops arrive through VS Code, after it has handled the adapter's `stopped` event, so the panel
      // never runs ahead of CALL STACK.
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session.type === DEBUG_TYPE) this.receive(e.session, e.event, e.body);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (this.state?.session.id === s.id) this.set(undefined);
      }),
    ];
  }

  get current(): SessionState | undefined {
    return this.state;
  }

  /** Reads the engine of the active session. */
  async request<M extends EngineMethod>(method: M, params: EngineRequests[M]['params']): Promise<EngineRequests[M]['result']> {
    const s = this.state?.session;
    if (!s) throw new Error('No Layerstep session is running.');
    const direct = READS.has(method) ? this.inline.get(s.id) : undefined;
    if (direct) return direct.client.request(method, params);
    return s.customRequest(ENGINE_REQUEST, { method, params });
  }

  /** Steps the active session; the stop arrives as a change. */
  async step(kind: StepKind): Promise<void> {
    const s = this.state?.session;
    if (!s) return;
    if (this.state) this.set({ ...this.state, running: true });
    await s.customRequest(ENGINE_REQUEST, { method: 'step', params: { kind } });
  }

  /** Moves the active session to a recorded timeline event (the panel's click on a frame). */
  async goto(index: number): Promise<void> {
    await this.state?.session.customRequest(ENGINE_REQUEST, { method: 'goto', params: { index } });
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  private receive(session: vscode.DebugSession, event: string, body: unknown): void {
    if (event === OPENED_EVENT) {
      const b = body as { outline: ModelOutline; path: string };
      this.set({ session, outline: b.outline, modelPath: b.path, running: true });
    } else if (event === STOPPED_EVENT) {
      this.set({ ...this.base(session), stop: body as StopInfo, running: false });
    }
  }

  private base(session: vscode.DebugSession): SessionState {
    return this.state?.session.id === session.id ? this.state : { session, running: false };
  }

  private set(state: SessionState | undefined): void {
    this.state = state;
    this.changed.fire(state);
  }
}
