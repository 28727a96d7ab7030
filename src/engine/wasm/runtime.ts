import { RELAXED_SIMD_WASM, SIMD_WASM } from './kernels.generated';

/**
 * The engine's WebAssembly kernels at run time: one instance of the module (wasm/, AssemblyScript) on a shared
 * memory that this class manages. Tensors stay ordinary typed arrays; a kernel call copies the operands it reads
 * into the memory (weights once: see `constant`), runs, and copies its result out. Worker threads, when the
 * embedding program provides them (src/node/kernelPool.ts), instantiate the same module on the same memory and
 * run the other parts of a split call.
 */

/** Runs parts 1 … parts−1 of a kernel call on other threads while the caller runs part 0 (`own`). */
export interface KernelThreads {
  /** Threads that can work at once, the caller's included. */
  readonly count: number;
  /** Calls `kernel(...args, part, parts)` for every part but 0 elsewhere, `own()` here, and returns when all are done. */
  run(kernel: string, args: readonly number[], parts: number, own: () => void): void;
  dispose(): void;
}

/** Which build runs: `relaxed` uses relaxed-SIMD fused multiply-add, `simd` plain 128-bit SIMD. */
export type WasmFlavour = 'simd' | 'relaxed';

type KernelFn = (...args: number[]) => number | undefined;

const PAGE = 65536;
/** wasm32's limit: 65,536 pages of 64 KiB. */
const MAX_PAGES = 65536;
/** Multiply-adds per output element below which a call stays on one thread (see partsFor). */
const MIN_DEPTH = 64;
/** Allocations are aligned to a cache line. */
const ALIGN = 64;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The module bytes of each build. */
export function wasmBytes(flavour: WasmFlavour): Uint8Array<ArrayBuffer> {
  return decode(flavour === 'relaxed' ? RELAXED_SIMD_WASM : SIMD_WASM);
}

/** The best build this runtime can compile, or null when it has no WebAssembly SIMD or no shared memory. */
export function bestFlavour(): WasmFlavour | null {
  if (typeof WebAssembly !== 'object') return null;
  try {
    if (WebAssembly.validate(wasmBytes('relaxed'))) return 'relaxed';
    if (WebAssembly.validate(wasmBytes('simd'))) return 'simd';
  } catch {
    return null;
  }
  return null;
}

/**
 * First-fit allocator over the memory above address 64 (0 stays an invalid address). Free blocks are kept sorted
 * and merged with their neighbours. The memory grows when nothing fits; `alloc` returns 0 when it cannot.
 */
class Heap {
  private readonly free: { start: number; size: number }[] = [];
  private readonly used = new Map<number, number>();
  private end: number;
  inUse = 0;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.end = memory.buffer.byteLength;
    this.free.push({ start: ALIGN, size: this.end - ALIGN });
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i];
      if (f.size < size) continue;
      const ptr = f.start;
      f.start += size;
      f.size -= size;
      if (f.size === 0) this.free.splice(i, 1);
      this.used.set(ptr, size);
      this.inUse += size;
      return ptr;
    }
    return this.grow(size) ? this.alloc(bytes) : 0;
  }

  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) return;
    this.used.delete(ptr);
    this.inUse -= size;
    this.insert(ptr, size);
  }

  private insert(start: number, size: number): void {
    let i = 0;
    while (i < this.free.length && this.free[i].start < start) i++;
    this.free.splice(i, 0, { start, size });
    const next = this.free[i + 1];
    if (next && start + size === next.start) {
      this.free[i].size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === start) {
      prev.size += this.free[i].size;
      this.free.splice(i, 1);
    }
  }

  private grow(size: number): boolean {
    const pages = this.end / PAGE;
    const last = this.free[this.free.length - 1];
    const tail = last && last.start + last.size === this.end ? last.size : 0;
    const need = Math.ceil((size - tail) / PAGE);
    // Grow by half again at least, so that a run of allocations grows the memory a few times only.
    const want = Math.min(MAX_PAGES - pages, Math.max(need, Math.ceil(pages / 2)));
    if (want < need) return false;
    try {
      this.memory.grow(want);
    } catch {
      return false;
    }
    const start = this.end;
    this.end = this.memory.buffer.byteLength;
    this.insert(start, this.end - start);
    return true;
  }
}

export class WasmKernels {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  private readonly fns: Record<string, KernelFn>;
  private readonly heap: Heap;
  private view: Float32Array;
  private threads: KernelThreads | null = null;
  private readonly constants = new WeakMap<object, number>();
  private readonly released = new FinalizationRegistry<number>((ptr) => this.heap.release(ptr));
  private scratchPtr = 0;
  private scratchBytes = 0;

  constructor(readonly flavour: WasmFlavour) {
    this.module = new WebAssembly.Module(wasmBytes(flavour));
    this.memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
    const instance = new WebAssembly.Instance(this.module, { env: { memory: this.memory } });
    this.fns = instance.exports as unknown as Record<string, KernelFn>;
    this.heap = new Heap(this.memory);
    this.view = new Float32Array(this.memory.buffer);
  }

  /** The names of the module's functions, for worker threads. */
  get exportNames(): string[] {
    return WebAssembly.Module.exports(this.module).filter((e) => e.kind === 'function').map((e) => e.name);
  }

  /** Threads a split call may use, the caller's included. */
  get threadCount(): number {
    return this.threads?.count ?? 1;
  }

  /** Hands the runtime the worker threads to split calls over (null: one thread); the previous ones are disposed. */
  setThreads(threads: KernelThreads | null): void {
    if (this.threads && this.threads !== threads) this.threads.dispose();
    this.threads = threads;
  }

  /** The memory as float32, valid until the next allocation (the memory may grow). */
  f32(): Float32Array {
    if (this.view.buffer.byteLength !== this.memory.buffer.byteLength) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** Bytes of the memory in use (weights kept and a call's operands). */
  get bytesInUse(): number {
    return this.heap.inUse;
  }

  /** A block of `bytes`, or 0 when the memory cannot hold it. */
  alloc(bytes: number): number {
    return this.heap.alloc(bytes);
  }

  release(ptr: number): void {
    if (ptr) this.heap.release(ptr);
  }

  /** Scratch for one call: at least `bytes`, kept between calls and reused. 0 when it cannot be had. */
  scratch(bytes: number): number {
    if (bytes <= this.scratchBytes) return this.scratchPtr;
    this.release(this.scratchPtr);
    this.scratchPtr = this.alloc(bytes);
    this.scratchBytes = this.scratchPtr ? bytes : 0;
    return this.scratchPtr;
  }

  /**
   * The address of a copy of `data` in the memory, made once and kept while `data` lives: for weights, which
   * every run reads again. Tensors are immutable, so the copy never goes stale. 0 when the memory is full.
   */
  constant(data: Float32Array): number {
    const known = this.constants.get(data);
    if (known !== undefined) return known;
    const ptr = this.alloc(data.byteLength);
    if (!ptr) return 0;
    this.f32().set(data, ptr / 4);
    this.constants.set(data, ptr);
    this.released.register(data, ptr);
    return ptr;
  }

  /**
   * A copy of `data` (or `length` zeros) in the memory, as an array that the memory holds, for a model's weight:
   * kernels read it where it is, and the block is given back when the array is collected. Null when the memory is
   * full.
   */
  adopt(data: Float32Array | null, length = data?.length ?? 0): Float32Array | null {
    const ptr = this.alloc(length * 4);
    if (!ptr) return null;
    const view = new Float32Array(this.memory.buffer, ptr, length);
    if (data) view.set(data);
    else view.fill(0);
    this.constants.set(view, ptr);
    this.released.register(view, ptr);
    return view;
  }

  /** Copies `length` floats of `data` from `offset` into a new block; 0 when the memory is full. */
  copyIn(data: Float32Array, offset: number, length: number): number {
    const ptr = this.alloc(length * 4);
    if (ptr) this.f32().set(offset === 0 && length === data.length ? data : data.subarray(offset, offset + length), ptr / 4);
    return ptr;
  }

  /** Copies `length` floats at `ptr` into `out` from `offset`. */
  copyOut(ptr: number, out: Float32Array, offset: number, length: number): void {
    out.set(this.f32().subarray(ptr / 4, (ptr / 4) + length), offset);
  }

  /** Calls a function of the module once, on this thread. */
  call(kernel: string, ...args: number[]): number {
    return this.fns[kernel](...args) ?? 0;
  }

  /**
   * How many parts to split a call of about `work` multiply-adds into: one per thread, once each has enough.
   * `depth` is the multiply-adds per element written (a matrix product's k): below MIN_DEPTH a call is bound by
   * memory, and a second thread only shares the bandwidth and adds its wake-up (measured on this 2-core machine:
   * MobileNet's 1×1 convolutions with k = 32 and its depthwise 3×3 ones ran slower on two threads than on one).
   */
  partsFor(work: number, minPerPart = 1 << 20, depth = Infinity): number {
    const t = this.threadCount;
    if (t <= 1 || depth < MIN_DEPTH) return 1;
    return Math.max(1, Math.min(t, Math.floor(work / minPerPart)));
  }

  /** Runs `kernel(...args, part, parts)` for every part, split over the threads when `parts` > 1. */
  split(kernel: string, args: readonly number[], parts: number): void {
    const fn = this.fns[kernel];
    if (parts <= 1 || !this.threads) {
      fn(...args, 0, 1);
      return;
    }
    this.threads.run(kernel, args, parts, () => fn(...args, 0, parts));
  }
}
