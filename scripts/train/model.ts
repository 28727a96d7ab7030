/** Builds the top level of a `layerstep/1` model.json (docs/model-format.md) for one-input models. */

export interface ExampleInput {
  readonly name: string;
  readonly description?: string;
  /** Flat values, row-major, for the model's single input (batch of one). */
  readonly data: readonly number[];
}

export interface NativeModelSpec {
  readonly name: string;
  readonly description: string;
  readonly input: { readonly name: string; readonly shape: readonly number[]; readonly dtype?: 'float32' | 'int32' };
  readonly output: string;
  /** True when some weights live in weights.safetensors beside model.json. */
  readonly weightsFile: boolean;
  readonly layers: readonly Record<string, unknown>[];
  readonly labels?: readonly string[];
  readonly examples: readonly ExampleInput[];
  /** How well it trained, one line, kept in model.json's free `metadata`. */
  readonly result: string;
}

export const WEIGHTS_FILE = 'weights.safetensors';

export function nativeModel(spec: NativeModelSpec): Record<string, unknown> {
  const dtype = spec.input.dtype && spec.input.dtype !== 'float32' ? spec.input.dtype : undefined;
  return {
    format: 'layerstep/1',
    name: spec.name,
    description: spec.description,
    metadata: { trainedBy: 'npm run train-examples (scripts/train-examples.ts, @tensorflow/tfjs on the CPU)', result: spec.result },
    inputs: [{ name: spec.input.name, shape: spec.input.shape, dtype }],
    output: spec.output,
    weightsFile: spec.weightsFile ? WEIGHTS_FILE : undefined,
    layers: spec.layers,
    labels: spec.labels,
    examples: spec.examples.map((e) => ({
      name: e.name,
      description: e.description,
      // An example tensor takes its dtype from the declared input.
      inputs: { [spec.input.name]: { shape: spec.input.shape, data: e.data } },
    })),
  };
}
