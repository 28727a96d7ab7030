import { configureEngine, releaseEngineThreads } from '../node/engineSetup';

/**
 * The engine's worker threads as the API's open models use them. Every model shares the one engine: a model opened
 * with `threads` sets the count for all of them. The worker threads stop when the last model is disposed (the
 * kernels stay, on the calling thread), and the next model to open starts them again, with the count last asked
 * for (the engine's default, every core, when none was).
 */
let openModels = 0;
let asked: number | undefined;
let held = false;

/** A model has opened: the engine gets its threads (`threads` sets the count for every open model). */
export function holdEngine(threads: number | undefined): void {
  if (threads !== undefined) asked = threads;
  if (threads !== undefined || !held) configureEngine(asked === undefined ? {} : { threads: asked });
  held = true;
  openModels++;
}

/** A model was disposed: the last one releases the engine's worker threads. */
export function releaseEngine(): void {
  openModels = Math.max(0, openModels - 1);
  if (openModels > 0 || !held) return;
  held = false;
  releaseEngineThreads();
}
