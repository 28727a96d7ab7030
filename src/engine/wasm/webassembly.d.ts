// The part of the WebAssembly JavaScript API that the engine uses. The project compiles against ES2022 without the
// DOM library, which is where TypeScript declares WebAssembly; Node and browsers both provide it at run time.
declare namespace WebAssembly {
  interface ModuleExportDescriptor { readonly kind: 'function' | 'global' | 'memory' | 'table' | 'tag'; readonly name: string }
  class Module {
    constructor(bytes: Uint8Array);
    static exports(module: Module): ModuleExportDescriptor[];
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(pages: number): number;
  }
  function validate(bytes: Uint8Array): boolean;
}
