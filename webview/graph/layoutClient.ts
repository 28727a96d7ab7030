import { workerSource } from 'layerstep:graph-worker';
import type { Layout } from '../../src/protocol/graphLayout';
import type { GraphView } from '../../src/protocol/graphView';
import type { LayoutReply, LayoutRequest } from './layoutMessages';

/**
 * Lays graphs out in a Web Worker made from a Blob URL of its bundled source (the panel's Content Security Policy
 * allows `worker-src blob:`). Only the latest request matters: an older one still waiting is answered with
 * `undefined` once a newer one is asked.
 */
export class LayoutClient {
  private worker?: Worker;
  private nextId = 1;
  private waiting?: { id: number; resolve(l: { layout: Layout; ms: number } | undefined): void; reject(e: Error): void };

  layout(view: GraphView): Promise<{ layout: Layout; ms: number } | undefined> {
    const worker = this.start();
    this.waiting?.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting = { id, resolve, reject };
      worker.postMessage({ id, view } satisfies LayoutRequest);
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    const worker = new Worker(url);
    worker.onmessage = (e: MessageEvent<LayoutReply>) => {
      // The worker has loaded: its source URL is no longer needed.
      URL.revokeObjectURL(url);
      const w = this.waiting;
      if (!w || w.id !== e.data.id) return;
      this.waiting = undefined;
      if ('error' in e.data) w.reject(new Error(e.data.error));
      else w.resolve({ layout: e.data.layout, ms: e.data.ms });
    };
    worker.onerror = (e) => {
      e.preventDefault();
      const w = this.waiting;
      this.waiting = undefined;
      // A worker that failed to start or crashed is made again on the next request.
      URL.revokeObjectURL(url);
      this.worker?.terminate();
      this.worker = undefined;
      w?.reject(new Error(e.message || 'the layout worker failed'));
    };
    this.worker = worker;
    return worker;
  }
}
