import type { Tensor } from '../../src/engine/tensor';

/** What the model predicted for one of its example inputs when tfjs ran it. */
export interface ExpectedOutput {
  /** The example's name in model.json. */
  readonly example: string;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** One trained example model, ready to be written to examples/<folder>/. */
export interface TrainedExample {
  /** Folder name under examples/, also the model's name. */
  readonly folder: string;
  /** The model.json content. */
  readonly model: Record<string, unknown>;
  /** Tensors for weights.safetensors beside model.json; absent when every weight is inline. */
  readonly weights?: Readonly<Record<string, Tensor>>;
  /** tfjs's output for every example, in the order of model.json's `examples`. */
  readonly expected: readonly ExpectedOutput[];
  /** One line each: how well it trained (loss, accuracy on held-out data). */
  readonly metrics: readonly string[];
  /** The folder's README.md text. */
  readonly readme: string;
}
