import type { Workload } from './workloads';

/** One implementation that the bench times on a workload: the engine (two ways), TensorFlow.js, ONNX Runtime. */
export interface Peer {
  /** Column label, e.g. `tfjs`. */
  readonly name: string;
  /** Builds what a run needs (models, sessions, converted weights), outside any timing. */
  prepare(w: Workload): Promise<PreparedRun>;
}

export interface PreparedRun {
  /** One forward pass on the workload's input, to completion (the output's data is computed). */
  run(): unknown;
  /** One forward pass whose output is returned in the engine's layout (NCHW), for the agreement check. */
  result(): Promise<Float32Array>;
  dispose(): void;
}

/** A peer that could not be loaded (not installed, or failed to start), with the reason to print. */
export interface SkippedPeer {
  readonly name: string;
  readonly reason: string;
}
