import { buildWasm } from '../../scripts/build-wasm.mjs';

/** The engine imports the generated WebAssembly module: build it when a source is newer (as `npm run build` does). */
export async function setup(): Promise<void> {
  await buildWasm();
}
