import type { ModelMetadata, ValueInfo } from '../model/ir';

/**
 * The messages between the extension host and the `.onnx` summary editor (a read-only custom editor). The
 * editor shows one model file: it sends `ready` when it loads and the host answers with the current state,
 * so a reloaded or hidden-then-shown editor rebuilds itself. Buttons are plain notifications: Run and Debug
 * start a session through the extension's commands, and their outcome shows in VS Code, not here.
 */

/** A module of the model with what it holds: op calls (its own and below) and parameters. */
export interface SummaryModule {
  readonly id: string;
  readonly name: string;
  /** Layer or scope type (`scope`, `model`, `If`). */
  readonly type: string;
  /** Op calls inside it, at any depth. */
  readonly ops: number;
  /** Parameters of the weights it and its modules hold. */
  readonly params: number;
  /** Its own op calls (not those of its modules) by op, in first-seen order: `[['matmul', 2], ['add', 1]]`. */
  readonly ownOps: readonly (readonly [op: string, count: number])[];
  readonly children: readonly SummaryModule[];
}

/** An op the engine cannot run: the model opens, but a run fails when it reaches this node. */
export interface UnsupportedOp {
  /** The node's id in the module tree (`encoder/layer.0/attn/Einsum`). */
  readonly id: string;
  /** The op as the file names it, with its domain (`Einsum`, `com.microsoft.FusedGemm`). */
  readonly op: string;
}

export interface ModelSummary {
  /** The file's name, and its path for tooltips. */
  readonly fileName: string;
  readonly path: string;
  readonly modelName: string;
  readonly format: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly params: number;
  readonly ops: number;
  readonly metadata?: ModelMetadata;
  readonly root: SummaryModule;
  readonly unsupported: readonly UnsupportedOp[];
}

/** Host → editor: the state of the file's summary, each message replacing the last; `debugging` aside. */
export type SummaryHostMessage =
  | { readonly type: 'loading'; readonly fileName: string }
  | { readonly type: 'loaded'; readonly summary: ModelSummary }
  | { readonly type: 'failed'; readonly fileName: string; readonly message: string }
  /** Whether a debug session runs: Run and Debug are offered only when none does, as in the editor title. */
  | { readonly type: 'debugging'; readonly active: boolean };

/** Editor → host. */
export type SummaryViewMessage =
  /** The editor has loaded: send the current state. */
  | { readonly type: 'ready' }
  /** The Run or Debug button: start a Layerstep session on this file. */
  | { readonly type: 'run' }
  | { readonly type: 'debug' }
  /** Load the file again (after a failure). */
  | { readonly type: 'reload' };
