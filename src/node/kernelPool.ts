import { Worker } from 'node:worker_threads';
import type { KernelThreads } from '../engine/wasm/runtime';

/**
 * Worker threads that run parts of the engine's WebAssembly kernels (src/engine/wasm/runtime.ts). Each worker
 * instantiates the same module on the same shared memory and waits on a shared control block; a split call writes
 * every worker's part, wakes it, runs part 0 on the calling thread and waits (Atomics.wait: the caller is the CLI's
 * main thread or an engine worker, never the extension host's thread) until every part is done. Workers are
 * unreferenced, so they never keep a process alive.
 */

/** Int32 slots per worker in the control block: sequence, function index, argument count, part, parts. */
const SLOTS = 8;
/** Float64 argument slots per worker. */
const MAX_ARGS = 32;
/** Control slot 0 counts finished parts; slot 1 is set when a part failed. */
const DONE = 0;
const FAILED = 1;
const EXIT = -1;

/**
 * The worker's whole program, run with `eval`: self-contained (no imports, no closure), it gets everything it
 * needs in workerData.
 */
function workerMain(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { workerData } = require('node:worker_threads') as { workerData: unknown };
  const { module, memory, control, args, names, index } = workerData as {
    module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer; args: SharedArrayBuffer;
    names: string[]; index: number;
  };
  const ctrl = new Int32Array(control);
  const argv = new Float64Array(args);
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...a: number[]) => void>;
  const fns = names.map((n) => exports[n]);
  const base = 8 * index;
  const argBase = 32 * (index - 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, base, seen);
    const seq = Atomics.load(ctrl, base);
    if (seq === seen) continue;
    seen = seq;
    const fn = ctrl[base + 1];
    if (fn < 0) return;
    const n = ctrl[base + 2];
    const call: number[] = [];
    for (let i = 0; i < n; i++) call.push(argv[argBase + i]);
    call.push(ctrl[base + 3], ctrl[base + 4]);
    try {
      fns[fn](...call);
    } catch {
      Atomics.store(ctrl, 1, 1);
    }
    Atomics.add(ctrl, 0, 1);
    Atomics.notify(ctrl, 0);
  }
}

export class KernelPool implements KernelThreads {
  private readonly workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly argv: Float64Array;
  private readonly index: Map<string, number>;
  private disposed = false;

  /** `count` threads in all: the caller and count − 1 workers. */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[], readonly count: number) {
    const control = new SharedArrayBuffer(4 * SLOTS * (count + 1));
    const args = new SharedArrayBuffer(8 * MAX_ARGS * count);
    this.ctrl = new Int32Array(control);
    this.argv = new Float64Array(args);
    this.index = new Map(names.map((n, i) => [n, i]));
    for (let w = 1; w < count; w++) {
      const worker = new Worker(`(${workerMain.toString()})()`, {
        eval: true,
        workerData: { module, memory, control, args, names: [...names], index: w },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  run(kernel: string, args: readonly number[], parts: number, own: () => void): void {
    const fn = this.index.get(kernel);
    if (fn === undefined) throw new Error(`no kernel '${kernel}'`);
    if (args.length > MAX_ARGS) throw new Error(`kernel '${kernel}' has more than ${MAX_ARGS} arguments`);
    if (parts > this.count) throw new Error(`kernel '${kernel}' split into ${parts} parts for ${this.count} threads`);
    const helpers = parts - 1;
    Atomics.store(this.ctrl, DONE, 0);
    for (let w = 1; w <= helpers; w++) {
      const base = SLOTS * w;
      const argBase = MAX_ARGS * (w - 1);
      for (let i = 0; i < args.length; i++) this.argv[argBase + i] = args[i];
      this.ctrl[base + 1] = fn;
      this.ctrl[base + 2] = args.length;
      this.ctrl[base + 3] = w;
      this.ctrl[base + 4] = parts;
      Atomics.add(this.ctrl, base, 1);
      Atomics.notify(this.ctrl, base);
    }
    try {
      own();
    } finally {
      for (let done = Atomics.load(this.ctrl, DONE); done < helpers; done = Atomics.load(this.ctrl, DONE)) {
        Atomics.wait(this.ctrl, DONE, done);
      }
    }
    if (Atomics.exchange(this.ctrl, FAILED, 0)) throw new Error(`a kernel thread failed in '${kernel}'`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (let w = 1; w < this.count; w++) {
      const base = SLOTS * w;
      this.ctrl[base + 1] = EXIT;
      Atomics.add(this.ctrl, base, 1);
      Atomics.notify(this.ctrl, base);
    }
    for (const worker of this.workers) void worker.terminate();
  }
}
