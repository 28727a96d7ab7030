import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FileModelSource } from '../../../src/node/fileSource';
import { EngineService, InProcessEngineClient } from '../../../src/service/engineService';
import type { LaunchArgs } from '../../../src/debug/launchArgs';
import { LayerstepDebugSession } from '../../../src/debug/session';

type Message = DebugProtocol.ProtocolMessage;
type Response = DebugProtocol.Response;
type Event = DebugProtocol.Event;

/** What a test configures between the `initialized` event and `configurationDone`, as VS Code does. */
export interface Configuration {
  /** Line breakpoints by source path. */
  readonly breakpoints?: Readonly<Record<string, readonly DebugProtocol.SourceBreakpoint[]>>;
  readonly functionBreakpoints?: readonly DebugProtocol.FunctionBreakpoint[];
  /** Exception filters; both on (their defaults) when left out. */
  readonly exceptionFilters?: readonly string[];
}

/** The responses to the configuration requests, for tests that check how breakpoints were verified. */
export interface Configured {
  readonly launch: Response;
  readonly breakpoints: Readonly<Record<string, DebugProtocol.SetBreakpointsResponse>>;
  readonly functionBreakpoints?: DebugProtocol.SetFunctionBreakpointsResponse;
}

/**
 * Drives a {@link LayerstepDebugSession} the way VS Code does with an inline adapter: requests go in through
 * `handleMessage`, and everything the session sends comes back through `onDidSendMessage`. Events are kept in
 * arrival order; {@link waitForEvent} hands each one out once, so a test can ask for an event that already came.
 */
export class DapDriver {
  readonly session: LayerstepDebugSession;
  /** Every message the session sent, in order. */
  readonly sent: Message[] = [];
  private seq = 1;
  private readonly pending = new Map<number, (r: Response) => void>();
  private readonly taken = new Set<Message>();
  private waiters: { name: string; resolve: (e: Event) => void }[] = [];

  constructor(session?: LayerstepDebugSession) {
    this.session = session ?? createSession();
    this.session.onDidSendMessage((m) => this.receive(m as Message));
  }

  /** Sends a request and resolves with its response (failed responses too: tests look at `success`). */
  request<R extends Response = Response>(command: string, args?: unknown): Promise<R> {
    const seq = this.seq++;
    const answer = new Promise<R>((res) => this.pending.set(seq, res as (r: Response) => void));
    this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    return answer;
  }

  /** The next event by that name not handed out before, waiting for it if it has not come yet. */
  waitForEvent<E extends Event = Event>(name: string): Promise<E> {
    const ready = this.sent.find((m): m is Event => m.type === 'event' && (m as Event).event === name && !this.taken.has(m));
    if (ready) {
      this.taken.add(ready);
      return Promise.resolve(ready as E);
    }
    return new Promise<E>((res) => this.waiters.push({ name, resolve: res as (e: Event) => void }));
  }

  /** Events by that name sent so far (handed out or not). */
  events<E extends Event = Event>(name: string): E[] {
    return this.sent.filter((m): m is E => m.type === 'event' && (m as Event).event === name);
  }

  /** Events not yet handed out by {@link waitForEvent}, by name; marks them handed out. */
  drain(name: string): Event[] {
    const out = this.events(name).filter((e) => !this.taken.has(e));
    for (const e of out) this.taken.add(e);
    return out;
  }

  /** `initialize` with what VS Code sends (1-based lines, native paths, progress reporting). */
  initialize(): Promise<DebugProtocol.InitializeResponse> {
    return this.request('initialize', {
      clientID: 'vscode', adapterID: 'layerstep', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true,
      supportsProgressReporting: true, supportsVariableType: true, supportsVariablePaging: true,
    });
  }

  /**
   * The whole launch sequence: initialize, launch, then on `initialized` the breakpoints and exception filters,
   * configurationDone, and the launch response. A launch that fails answers before `initialized`, and this
   * returns at once with the failed response.
   */
  async launch(args: Partial<LaunchArgs>, config: Configuration = {}): Promise<Configured> {
    await this.initialize();
    const launched = this.request('launch', args);
    const first = await Promise.race([launched, this.waitForEvent('initialized')]);
    if (first.type === 'response') return { launch: first as Response, breakpoints: {} };
    const breakpoints: Record<string, DebugProtocol.SetBreakpointsResponse> = {};
    for (const [path, bps] of Object.entries(config.breakpoints ?? {})) {
      breakpoints[path] = await this.request('setBreakpoints', { source: { path }, breakpoints: bps, lines: bps.map((b) => b.line) });
    }
    const functionBreakpoints = config.functionBreakpoints
      ? await this.request<DebugProtocol.SetFunctionBreakpointsResponse>('setFunctionBreakpoints', { breakpoints: config.functionBreakpoints })
      : undefined;
    await this.request('setExceptionBreakpoints', { filters: config.exceptionFilters ?? ['nanOrInf', 'engineError'] });
    await this.request('configurationDone');
    return { launch: await launched, breakpoints, functionBreakpoints };
  }

  /**
   * A move (`stepIn`, `next`, `continue`, `restartFrame`…): its response, then the `stopped` or `terminated`
   * event that follows it.
   */
  async move(command: string, args: Record<string, unknown> = {}): Promise<{ response: Response; event: Event }> {
    const response = await this.request(command, { threadId: 1, ...args });
    const event = await this.nextStop();
    return { response, event };
  }

  /** The next `stopped` or `terminated` event. */
  nextStop(): Promise<Event> {
    return new Promise<Event>((res) => {
      let done = false;
      const finish = (e: Event) => {
        if (done) return;
        done = true;
        // The other waiter stays registered; drop it so it does not swallow a later event.
        this.waiters = this.waiters.filter((w) => w.resolve !== finish);
        this.taken.add(e);
        res(e);
      };
      const ready = this.sent.find((m): m is Event => m.type === 'event' && !this.taken.has(m)
        && ((m as Event).event === 'stopped' || (m as Event).event === 'terminated'));
      if (ready) return finish(ready);
      this.waiters.push({ name: 'stopped', resolve: finish }, { name: 'terminated', resolve: finish });
    });
  }

  /** Frames of the stopped thread, innermost first. */
  async stackTrace(): Promise<DebugProtocol.StackFrame[]> {
    const r = await this.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1 });
    return r.body.stackFrames;
  }

  async scopes(frameId: number): Promise<DebugProtocol.Scope[]> {
    const r = await this.request<DebugProtocol.ScopesResponse>('scopes', { frameId });
    return r.body.scopes;
  }

  async variables(variablesReference: number, start?: number, count?: number): Promise<DebugProtocol.Variable[]> {
    const r = await this.request<DebugProtocol.VariablesResponse>('variables', { variablesReference, start, count });
    if (!r.success) throw new Error(`variables failed: ${r.message}`);
    return r.body.variables;
  }

  /** A scope's variables by the scope's name (`Inputs`, `Outputs`, `Weights`, `Attributes`). */
  async scope(frameId: number, name: string): Promise<DebugProtocol.Variable[]> {
    const s = (await this.scopes(frameId)).find((x) => x.name === name);
    if (!s) throw new Error(`no scope '${name}'`);
    return this.variables(s.variablesReference);
  }

  evaluate(expression: string, context: 'watch' | 'hover' | 'repl', frameId?: number): Promise<DebugProtocol.EvaluateResponse> {
    return this.request('evaluate', { expression, context, frameId });
  }

  /** The custom `layerstep` request the panel uses: `{ method, params }`. */
  engine<T = unknown>(method: string, params: unknown): Promise<Omit<Response, 'body'> & { body: T }> {
    return this.request('layerstep', { method, params }) as Promise<Omit<Response, 'body'> & { body: T }>;
  }

  async disconnect(): Promise<void> {
    await this.request('disconnect', {});
  }

  private receive(m: Message): void {
    this.sent.push(m);
    if (m.type === 'response') {
      const r = m as Response;
      const answer = this.pending.get(r.request_seq);
      this.pending.delete(r.request_seq);
      answer?.(r);
      return;
    }
    if (m.type !== 'event') return;
    const e = m as Event;
    const w = this.waiters.find((x) => x.name === e.event);
    if (!w) return;
    this.waiters.splice(this.waiters.indexOf(w), 1);
    this.taken.add(e);
    w.resolve(e);
  }
}

/** A session over an in-process engine service that reads files with node:fs, paths resolved against the repo. */
export function createSession(): LayerstepDebugSession {
  const service = new EngineService({
    openSource: (path) => new FileModelSource(path, path),
    readFile: async (path) => new Uint8Array(await readFile(path)),
    listDir: (path) => readdir(path),
  });
  return new LayerstepDebugSession(new InProcessEngineClient(service), (p) => resolve(REPO, p));
}

/** The repository root. */
export const REPO = resolve(__dirname, '..', '..', '..');
