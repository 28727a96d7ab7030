// Shared by the suite's files: where the examples and fixtures are, and a recorder that follows Layerstep debug
// sessions the way the extension does (its custom events) and the way VS Code does (the DAP messages the
// adapter sends, seen through a debug adapter tracker). Every wait polls for a condition; none sleeps a fixed time.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LayerstepApi } from '../../../src/extension';
import type { StopInfo } from '../../../src/protocol/engine';

export const extensionId = 'layerstep.layerstep';
export const DEBUG_TYPE = 'layerstep';
export const STOPPED_EVENT = 'layerstep.stopped';
export const OPENED_EVENT = 'layerstep.opened';

/** How long a wait for the extension may take before a test fails with what it was waiting for. */
const WAIT_MS = 20_000;

export function extensionRoot(): string {
  const ext = vscode.extensions.getExtension(extensionId);
  assert.ok(ext, `extension '${extensionId}' is not loaded`);
  return ext.extensionPath;
}

/** A file of the examples folder (the workspace), as a URI. */
export function exampleUri(relative: string): vscode.Uri {
  return vscode.Uri.file(path.join(extensionRoot(), 'examples', relative));
}

/** A model of test/fixtures/e2e, as a URI. */
export function fixtureUri(name: string): vscode.Uri {
  return vscode.Uri.file(path.join(extensionRoot(), 'test', 'fixtures', 'e2e', name));
}

/** Activates the extension and returns what `activate` returned. */
export async function api(): Promise<LayerstepApi> {
  const ext = vscode.extensions.getExtension<LayerstepApi>(extensionId);
  assert.ok(ext, `extension '${extensionId}' is not loaded`);
  const exports = await ext.activate();
  assert.ok(exports?.modelTree, 'activate() returned no modelTree');
  return exports;
}

/** Resolves when `check` returns something other than undefined/false; fails naming `what` after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every debug session that has ended since the suite's files were loaded (a listener for the whole test run). */
const ended = new Set<string>();
vscode.debug.onDidTerminateDebugSession((s) => ended.add(s.id));

/** A DAP `stopped` event's body as VS Code received it. */
export interface DapStopped {
  readonly reason: string;
  readonly description?: string;
  readonly text?: string;
  readonly hitBreakpointIds?: number[];
}

interface SessionLog {
  readonly stops: StopInfo[];
  readonly dapStops: DapStopped[];
  readonly errors: string[];
  opened?: unknown;
  terminated: boolean;
}

/**
 * Records, per session id, every `layerstep.stopped` custom event, every DAP `stopped` event and error response,
 * and the end of the session. Create one per suite (in suiteSetup) and dispose it in suiteTeardown.
 */
export class SessionRecorder implements vscode.Disposable {
  private readonly logs = new Map<string, SessionLog>();
  private readonly subscriptions: vscode.Disposable[];
  /** The Layerstep sessions started while this recorder listened, by id. */
  private readonly started = new Map<string, vscode.DebugSession>();

  constructor() {
    this.subscriptions = [
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session.type !== DEBUG_TYPE) return;
        if (e.event === STOPPED_EVENT) this.log(e.session.id).stops.push(e.body as StopInfo);
        else if (e.event === OPENED_EVENT) this.log(e.session.id).opened = e.body;
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.type === DEBUG_TYPE) this.log(s.id).terminated = true;
      }),
      vscode.debug.onDidStartDebugSession((s) => {
        if (s.type === DEBUG_TYPE) this.started.set(s.id, s);
      }),
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (m: { type: string; event?: string; body?: unknown; success?: boolean; message?: string; command?: string }) => {
            if (m.type === 'event' && m.event === 'stopped') this.log(session.id).dapStops.push(m.body as DapStopped);
            if (m.type === 'response' && m.success === false) this.log(session.id).errors.push(`${m.command}: ${m.message}`);
          },
        }),
      }),
    ];
  }

  /** Starts a session of `config` and resolves to it once VS Code reports it started. */
  async start(config: vscode.DebugConfiguration): Promise<DebugRun> {
    return this.startWith(config.name, () => vscode.debug.startDebugging(undefined, config));
  }

  /**
   * Runs `launch` (startDebugging or one of the extension's commands) and resolves to the session it starts,
   * recognised by its configuration's name.
   */
  async startWith(name: string, launch: () => Thenable<unknown>): Promise<DebugRun> {
    let started: vscode.DebugSession | undefined;
    const listener = vscode.debug.onDidStartDebugSession((s) => {
      if (s.type === DEBUG_TYPE && s.name === name) started ??= s;
    });
    try {
      const ok = await launch();
      assert.notEqual(ok, false, `starting '${name}' returned false`);
      const session = await waitFor(`session '${name}' to start`, () => started);
      return new DebugRun(session, this.log(session.id));
    } finally {
      listener.dispose();
    }
  }

  /**
   * Stops every Layerstep session still running, and waits until VS Code has let them go. A session that has ended
   * may still be the extension host's active one, and VS Code forgets it as soon as another of the same name starts:
   * stopping it then fails with "debug session not found", although it is gone, as wanted.
   */
  async stopAll(): Promise<void> {
    for (const s of this.started.values()) {
      if (ended.has(s.id)) continue;
      try {
        await vscode.debug.stopDebugging(s);
      } catch (e) {
        if (!/not found/.test(String(e))) throw e;
      }
    }
    await vscode.debug.stopDebugging();
    await waitFor('every Layerstep session to end', () => [...this.started.values()].every((s) => ended.has(s.id)));
    await waitFor('no live debug session', () => {
      const active = vscode.debug.activeDebugSession;
      return active === undefined || ended.has(active.id);
    });
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  private log(id: string): SessionLog {
    let log = this.logs.get(id);
    if (!log) {
      log = { stops: [], dapStops: [], errors: [], terminated: false };
      this.logs.set(id, log);
    }
    return log;
  }
}

/** One running session: its stops in order, and requests sent the way VS Code's UI sends them. */
export class DebugRun {
  private seen = 0;

  constructor(readonly session: vscode.DebugSession, private readonly log: SessionLog) {}

  get stops(): readonly StopInfo[] {
    return this.log.stops;
  }

  get dapStops(): readonly DapStopped[] {
    return this.log.dapStops;
  }

  get terminated(): boolean {
    return this.log.terminated;
  }

  /** The next stop not yet returned by this method (waits for it). */
  async nextStop(): Promise<StopInfo> {
    const i = this.seen;
    const stop = await waitFor(`stop #${i + 1} of ${this.session.name}`, () => {
      if (this.log.terminated && !this.log.stops[i]) throw new Error(`${this.session.name} ended before stop #${i + 1}; errors: ${this.log.errors.join('; ') || 'none'}`);
      return this.log.stops[i];
    });
    this.seen = i + 1;
    return stop;
  }

  /** The DAP `stopped` event that went with the last stop returned by {@link nextStop}. */
  async lastDapStop(): Promise<DapStopped> {
    return waitFor('the DAP stopped event', () => this.log.dapStops[this.seen - 1]);
  }

  /** Sends a stepping request (`next`, `stepIn`, `stepOut`, `stepBack`, `continue`) and waits for the stop. */
  async step(command: 'next' | 'stepIn' | 'stepOut' | 'stepBack' | 'continue' | 'reverseContinue'): Promise<StopInfo> {
    await this.session.customRequest(command, { threadId: 1 });
    return this.nextStop();
  }

  async stackTrace(): Promise<StackFrameBody[]> {
    const r = await this.session.customRequest('stackTrace', { threadId: 1 }) as { stackFrames: StackFrameBody[] };
    return r.stackFrames;
  }

  /** The scopes of the top frame, by name, with their variables. */
  async variables(frameId?: number): Promise<Record<string, VariableBody[]>> {
    const id = frameId ?? (await this.stackTrace())[0].id;
    const { scopes } = await this.session.customRequest('scopes', { frameId: id }) as { scopes: { name: string; variablesReference: number }[] };
    const out: Record<string, VariableBody[]> = {};
    for (const s of scopes) {
      out[s.name] = (await this.session.customRequest('variables', { variablesReference: s.variablesReference }) as { variables: VariableBody[] }).variables;
    }
    return out;
  }

  async evaluate(expression: string, context = 'repl'): Promise<{ result: string; variablesReference: number }> {
    const frameId = (await this.stackTrace())[0]?.id;
    return this.session.customRequest('evaluate', { expression, frameId, context }) as Promise<{ result: string; variablesReference: number }>;
  }
}

export interface StackFrameBody {
  readonly id: number;
  readonly name: string;
  readonly line: number;
  readonly source?: { readonly path?: string; readonly name?: string };
}

export interface VariableBody {
  readonly name: string;
  readonly value: string;
  readonly type?: string;
  readonly variablesReference: number;
  readonly indexedVariables?: number;
}

/** The launch configuration the extension's Run/Debug commands build, with a name tests can recognise. */
export function launchConfig(model: vscode.Uri, name: string, extra: Partial<vscode.DebugConfiguration> = {}): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name, model: model.fsPath, stopOnEntry: true, ...extra };
}

/** The 1-based line of the first line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `'${needle}' is not in the text`);
  return i + 1;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
