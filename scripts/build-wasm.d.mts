/** Builds src/engine/wasm/kernels.generated.ts from wasm/*.ts; false when it was up to date. */
export function buildWasm(options?: { force?: boolean }): Promise<boolean>;
