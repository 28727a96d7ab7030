import type * as vscode from 'vscode';
import type { LayerstepDebugSession } from '../debug/session';
import type { EngineClient } from '../protocol/engine';

/** A debug session whose adapter runs inline in this extension host, with the engine client it drives. */
export interface InlineSession {
  readonly session: vscode.DebugSession;
  readonly adapter: LayerstepDebugSession;
  readonly client: EngineClient;
}

/**
 * The inline adapters by debug session id. The panel reads the engine through them directly: going through
 * `customRequest` would cross to the workbench and back (a browser round trip in code-server, a process hop
 * in desktop VS Code) for every read.
 */
export class InlineSessions {
  private readonly byId = new Map<string, InlineSession>();

  add(entry: InlineSession): void {
    this.byId.set(entry.session.id, entry);
  }

  get(sessionId: string): InlineSession | undefined {
    return this.byId.get(sessionId);
  }

  delete(sessionId: string): void {
    this.byId.delete(sessionId);
  }
}
