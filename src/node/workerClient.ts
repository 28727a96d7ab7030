import { Worker } from 'node:worker_threads';
import type { EngineClient, EngineEvent, EngineMethod, EngineRequests, WireError } from '../protocol/engine';
import { DEFAULT_RUN } from '../protocol/engine';
import type { FromWorker, ToWorker } from './workerProtocol';

/** Requests that only read recorded state answer fast; anything slower than this is a fault, not a long run. */
const READ_TIMEOUT_MS = 30_000;
const MOVES: ReadonlySet<EngineMethod> = new Set(['load', 'open', 'step', 'restartFrame', 'runTo', 'goto']);

type Listener = (e: EngineEvent, run: string) => void;

/**
 * One engine service in a worker thread (dist/engineWorker.js): one model, shared by whoever asks about it.
 * Moves may take as long as the forward pass (they are paused or cancelled instead); reads time out. A crashed
 * worker fails every pending request with one clear message.
 */
export class EngineWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: WireError) => void; timer?: NodeJS.Timeout }>();
  private readonly listeners = new Set<Listener>();
  private dead?: WireError;

  /** `threads`: the engine's thread count in the worker (undefined: every core), sent before any request. */
  constructor(workerPath: string, threads?: number) {
    this.worker = new Worker(workerPath);
    this.configure(threads);
    this.worker.on('message', (m: FromWorker) => this.receive(m));
    this.worker.on('error', (e) => this.fail({ kind: 'internal', message: `The Layerstep engine stopped: ${e.message}`, stack: e.stack }));
    this.worker.on('exit', (code) => this.fail({ kind: 'internal', message: `The Layerstep engine exited (code ${code}).` }));
  }

  /** Whether the worker has stopped (crashed or disposed): a new one is needed. */
  get stopped(): boolean {
    return this.dead !== undefined;
  }

  request<M extends EngineMethod>(method: M, params: EngineRequests[M]['params'], run: string = DEFAULT_RUN): Promise<EngineRequests[M]['result']> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = MOVES.has(method) ? undefined : setTimeout(() => {
        this.pending.delete(id);
        reject({ kind: 'internal', message: `The Layerstep engine did not answer '${method}' within ${READ_TIMEOUT_MS / 1000} s.` });
      }, READ_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      const msg: ToWorker = { kind: 'request', id, run, method, params };
      this.worker.postMessage(msg);
    });
  }

  /** Sets the worker engine's thread count (undefined: every core); ops from then on use it. */
  configure(threads: number | undefined): void {
    if (this.dead) return;
    const msg: ToWorker = { kind: 'configure', threads };
    this.worker.postMessage(msg);
  }

  onEvent(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** A client for one run (a debug session) of this worker's model; disposing it ends that run only. */
  forRun(run: string): EngineClient {
    let ended = false;
    const subscriptions = new Set<{ dispose(): void }>();
    return {
      request: (method, params) => (ended ? Promise.reject(ENDED) : this.request(method, params, run)),
      onEvent: (listener) => {
        const sub = this.onEvent((e, r) => {
          if (r === run && !ended) listener(e);
        });
        subscriptions.add(sub);
        return sub;
      },
      dispose: () => {
        if (ended) return;
        ended = true;
        for (const s of subscriptions) s.dispose();
        void this.request('close', {}, run).catch(() => undefined);
      },
    };
  }

  dispose(): void {
    this.fail({ kind: 'internal', message: 'The Layerstep engine was closed.' });
    void this.worker.terminate();
  }

  private receive(m: FromWorker): void {
    if (m.kind === 'event') {
      for (const l of this.listeners) l(m.event, m.run);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.kind === 'result') p.resolve(m.result);
    else p.reject(m.error);
  }

  private fail(error: WireError): void {
    this.dead ??= error;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this.pending.delete(id);
    }
  }
}

const ENDED: WireError = { kind: 'internal', message: 'The Layerstep session has ended.' };
