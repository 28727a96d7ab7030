import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LayerstepDebugSession } from '../debug/session';
import type { EngineClient, EngineMethod, EngineRequests, ModelOutline, StepKind, StopInfo } from '../protocol/engine';

/** A Layerstep debug session: its adapter runs inline in this extension host, on the engine client it drives. */
export interface TrackedSession {
  readonly session: vscode.DebugSession;
  readonly adapter: LayerstepDebugSession;
  readonly client: EngineClient;
}

/** What the panel and the sidebar know of the session they follow; read from its adapter, never copied. */
export interface SessionState {
  readonly session: vscode.DebugSession;
  readonly outline?: ModelOutline;
  readonly modelPath?: string;
  readonly stop?: StopInfo;
  /** Set while the debuggee runs (between a step request and its stop). */
  readonly running: boolean;
}

/**
 * The Layerstep debug sessions of this window, and the one the panel and the sidebar follow: the one that last
 * opened or stopped, or the one the user selected in CALL STACK. Each session's stop lives in its adapter
 * alone; the panel and the sidebar read it from there and hear of changes straight from the adapter, with no
 * round trip through the workbench. Their reads go straight to the session's engine client.
 */
export class SessionTracker implements vscode.Disposable {
  private readonly byId = new Map<string, TrackedSession & { observer: { dispose(): void } }>();
  private currentId?: string;
  private readonly changed = new vscode.EventEmitter<SessionState | undefined>();
  /** Fires when the followed session changes or its state does. */
  readonly onDidChange = this.changed.event;
  private readonly stoppedEmitter = new vscode.EventEmitter<TrackedSession>();
  /** Fires when any session stops. */
  readonly onDidStop = this.stoppedEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      this.changed,
      this.stoppedEmitter,
      vscode.debug.onDidTerminateDebugSession((s) => this.remove(s.id)),
      // The user selected another Layerstep session in CALL STACK: follow it.
      vscode.debug.onDidChangeActiveDebugSession((s) => {
        if (s && this.byId.has(s.id) && s.id !== this.currentId) this.follow(s.id);
      }),
    ];
  }

  /** Starts following a new session's adapter. */
  add(entry: TrackedSession): void {
    const id = entry.session.id;
    const observer = entry.adapter.observe({
      opened: () => this.follow(id),
      continued: () => {
        if (id === this.currentId) this.fire();
      },
      stopped: () => {
        this.stoppedEmitter.fire(entry);
        this.follow(id);
      },
    });
    this.byId.set(id, { ...entry, observer });
  }

  get(sessionId: string): TrackedSession | undefined {
    return this.byId.get(sessionId);
  }

  /** The sessions on the model file at `fsPath`. */
  sessionsOn(fsPath: string): TrackedSession[] {
    const key = path.normalize(fsPath);
    return [...this.byId.values()].filter((t) => {
      const p = t.adapter.model?.path;
      return p !== undefined && path.normalize(p) === key;
    });
  }

  /** The followed session's entry: the one the toolbar, the panel and the what-if commands act on. */
  get followed(): TrackedSession | undefined {
    return this.currentId === undefined ? undefined : this.byId.get(this.currentId);
  }

  /**
   * The session a command about the model at `fsPath` acts on (a weight edit from the sidebar): the followed
   * session when it runs that model, else the newest session on it.
   */
  sessionFor(fsPath: string): TrackedSession | undefined {
    const on = this.sessionsOn(fsPath);
    return on.find((t) => t.session.id === this.currentId) ?? on.at(-1);
  }

  /** The followed session, as it stands now. */
  get current(): SessionState | undefined {
    const t = this.followed;
    if (!t) return undefined;
    const model = t.adapter.model;
    return { session: t.session, outline: model?.outline, modelPath: model?.path, stop: t.adapter.currentStop, running: t.adapter.running };
  }

  /** Reads the engine of the followed session. */
  async request<M extends EngineMethod>(method: M, params: EngineRequests[M]['params']): Promise<EngineRequests[M]['result']> {
    const t = this.followed;
    if (!t) throw new Error('No Layerstep session is running.');
    return t.client.request(method, params);
  }

  /** Steps the followed session as VS Code's toolbar would; the stop arrives as a change. */
  async step(kind: StepKind): Promise<void> {
    await this.followed?.adapter.requestMove(kind);
  }

  /** Moves the followed session to a recorded timeline event (the panel's click on a frame). */
  async goto(index: number): Promise<void> {
    await this.followed?.adapter.requestGoto(index);
  }

  dispose(): void {
    for (const t of this.byId.values()) t.observer.dispose();
    for (const d of this.subscriptions) d.dispose();
  }

  private follow(id: string): void {
    this.currentId = id;
    this.fire();
  }

  private remove(id: string): void {
    const t = this.byId.get(id);
    if (!t) return;
    t.observer.dispose();
    this.byId.delete(id);
    if (this.currentId !== id) return;
    // Follow another session that is still there, the newest first; else none.
    const next = [...this.byId.keys()].pop();
    this.currentId = next;
    this.fire();
  }

  private fire(): void {
    this.changed.fire(this.current);
  }
}
