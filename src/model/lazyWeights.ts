import type { DType, Shape, Tensor } from '../engine/tensor';
import { keepWeight } from '../engine/wasm/index';
import type { Model, PendingWeight } from './ir';

/**
 * Lazy weights: a loader may leave a weight's data in its file and register it in `Model.pendingWeights`
 * (declared dtype and shape, checked at open). `loadPendingWeights` reads them and moves each into
 * `Model.weights`. The maps are readonly for every reader; this file alone writes them, so loaders must
 * build both as plain `Map`s. Loading is cheap when nothing is pending, and concurrent callers share one
 * read per weight.
 */

const inFlight = new WeakMap<Model, Map<string, Promise<void>>>();
/**
 * One read per pending weight, whichever model holds it: layouts of one model for other input sizes share their
 * pending weights (src/model/specialize.ts), and a weight read for one is the same tensor for all.
 */
const reads = new WeakMap<PendingWeight, Promise<Tensor>>();

function readOnce(p: PendingWeight): Promise<Tensor> {
  let r = reads.get(p);
  if (!r) {
    r = p.load();
    reads.set(p, r);
    r.catch(() => reads.delete(p));
  }
  return r;
}

/** Is `name` a weight of the model, loaded or not? */
export function isWeight(model: Model, name: string): boolean {
  return model.weights.has(name) || (model.pendingWeights?.has(name) ?? false);
}

/** The names of every weight, loaded or not. */
export function weightNames(model: Model): string[] {
  return [...model.weights.keys(), ...(model.pendingWeights?.keys() ?? [])];
}

/** Dtype and shape of a weight, loaded or not (undefined when `name` is no weight). */
export function weightInfo(model: Model, name: string): { dtype: DType; shape: Shape } | undefined {
  return model.weights.get(name) ?? model.pendingWeights?.get(name);
}

/** Does the model still hold weights whose data has not been read? */
export function hasPendingWeights(model: Model): boolean {
  return (model.pendingWeights?.size ?? 0) > 0;
}

/** Reads the pending weights (all, or those named) into `model.weights`. A failed read rejects and stays pending. */
export async function loadPendingWeights(model: Model, names?: Iterable<string>): Promise<void> {
  const pending = model.pendingWeights as Map<string, PendingWeight> | undefined;
  if (!pending || pending.size === 0) return;
  let running = inFlight.get(model);
  if (!running) inFlight.set(model, (running = new Map()));
  const jobs: Promise<void>[] = [];
  for (const name of names ? [...names] : [...pending.keys()]) {
    const p = pending.get(name);
    let job = running.get(name);
    if (!job && p) {
      const active = running;
      job = readOnce(p).then(
        (t) => {
          (model.weights as Map<string, Tensor>).set(name, t);
          keepWeight(t);
          pending.delete(name);
          active.delete(name);
        },
        (e: unknown) => {
          active.delete(name);
          throw e;
        },
      );
      running.set(name, job);
    }
    if (job) jobs.push(job);
  }
  // One at a time would be gentler on memory, but the loads share file reads; wait for all, report the first failure.
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
