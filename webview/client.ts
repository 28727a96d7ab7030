import type { WireError } from '../src/protocol/engine';
import type {
  HostEvent, HostToWebview, ParamsOf, ResultOf, WebviewMethod, WebviewNotification, WebviewToHost,
} from '../src/protocol/webview';
import { REQUEST_TIMEOUT_MS } from '../src/protocol/webview';

/** A failed or timed-out request, with the host's message for the user. */
export class RequestError extends Error {
  constructor(readonly method: WebviewMethod, readonly kind: WireError['kind'] | 'timeout', message: string) {
    super(message);
    this.name = 'RequestError';
  }
}

interface Pending {
  readonly method: WebviewMethod;
  resolve(v: unknown): void;
  reject(e: RequestError): void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The webview's side of the protocol: requests with ids that always settle (an answer, an error, or a
 * timeout), unanswered notifications, and host events. The transport is a port, so tests pass a function.
 */
export class HostClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(e: HostEvent) => void>();

  constructor(private readonly post: (m: WebviewToHost) => void, private readonly timeoutMs = REQUEST_TIMEOUT_MS) {}

  request<M extends WebviewMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError(method, 'timeout', `The extension did not answer '${method}' within ${Math.round(this.timeoutMs / 1000)} s.`));
      }, this.timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        this.post({ kind: 'request', id, method, params } as WebviewToHost);
      } catch (e) {
        this.settle(id)?.reject(new RequestError(method, 'internal', `Could not send '${method}': ${String(e)}`));
      }
    });
  }

  notify(notification: WebviewNotification): void {
    try {
      this.post({ kind: 'notification', notification });
    } catch {
      // Notifications are best effort: nothing waits for them.
    }
  }

  onEvent(listener: (e: HostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes one message from the host; anything that is not a protocol message is ignored. */
  receive(m: HostToWebview): void {
    if (typeof m !== 'object' || m === null) return;
    switch (m.kind) {
      case 'response':
        this.settle(m.id)?.resolve(m.result);
        break;
      case 'error': {
        const p = this.settle(m.id);
        p?.reject(new RequestError(p.method, m.error.kind, m.error.message));
        break;
      }
      case 'event':
        for (const l of this.listeners) l(m.event);
        break;
    }
  }

  /** Fails every request still waiting (the view is going away). */
  dispose(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new RequestError(p.method, 'internal', 'The panel was closed.'));
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(id);
    return p;
  }
}
