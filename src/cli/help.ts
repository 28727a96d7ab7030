import type { CommandName } from './args';

const USAGE = `Usage: layerstep <command> [options]

Step through a neural network's forward pass like a program.

Commands:
  run MODEL [--input FILE] [--output FILE]   one forward pass; print the outputs as tensor JSON
  trace MODEL [--input FILE] [--break NAME]  print the call stack as it unfolds
  inspect MODEL                              modules, ops, parameter counts and weight statistics
  bench [--quick] [--workload ID]            time the engine against ONNX Runtime and TensorFlow.js

Options:
  --threads N    run, trace, bench: threads the engine splits big ops over (default: every core)
  --verbose      show stack traces with errors
  -h, --help     show help (also: layerstep help COMMAND)
  -V, --version  show the version

MODEL is a model file: layerstep model.json, ONNX (.onnx), TensorFlow.js model.json (layers or graph model)
or Keras (.h5, .keras).
Tensor files (--input, --output) are tensor JSON or NumPy .npy; --input may also be a .png image
(see 'layerstep help run' for its options).`;

const IMAGE_HELP = `Image input (--input FILE.png; 8-bit grayscale, RGB, RGBA or palette, not interlaced): the image
becomes the model's one input. What is not given is read from the input's declared shape
([1,C,H,W] or [1,H,W,C]), else from the image itself.
  --size H,W             resize to H×W pixels (bilinear, half-pixel centres)
  --channels 1|3         1: grayscale (luma of RGB), 3: RGB; alpha is dropped
  --scale S              multiply the 0–255 pixel values by S first (default 1/255; fractions allowed)
  --mean M[,M2,M3]       then subtract the mean (one value, or one per channel; default 0)
  --std S[,S2,S3]        then divide by the standard deviation (default 1)
  --layout NCHW|NHWC     channels first or last (default: from the input's shape, else NCHW)
  e.g. layerstep run model.onnx --input digit.png --size 28,28 --channels 1 --scale 1/255`;

const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  run: `Usage: layerstep run MODEL [--input FILE | --shape NAME=SIZES...] [--output FILE] [image options]

Runs one forward pass and writes the outputs as tensor JSON keyed by the model's output names:
  { "<name>": { "shape": [..], "dtype": "float32", "data": [flat, row-major] } }

  --input FILE   the inputs: tensor JSON keyed by input name, one unnamed { "shape", "data" } for a
                 single-input model, a .npy file, or a .png image. Default: the model's first example,
                 else a seeded random input.
  --shape NAME=SIZES
                 run on a seeded random input of this shape (e.g. --shape x=1,3,48,192; NAME may be left
                 out for a model with one input). An input whose sizes are open ([?, 3, ?, ?]) needs it
                 or --input. May be given once per input.
  --output FILE  write the outputs to FILE instead of stdout: .json, or .npy for a model with one output.
                 Nothing is written if the run fails.
  --threads N    threads the engine splits big ops over (default: every core; 1: no worker threads)

${IMAGE_HELP}`,
  trace: `Usage: layerstep trace MODEL [--input FILE | --shape NAME=SIZES...] [--break NAME]... [image options]

Prints the call stack as it unfolds: one line per call and return of every module and op, with a
one-line summary of each tensor (shape, dtype, mean, std, range, zeros, NaN/Inf).

  --input FILE   the inputs, as for 'run' (a .png image takes the image options of 'run')
  --shape NAME=SIZES  a seeded random input of this shape, as for 'run'
  --threads N    threads the engine splits big ops over, as for 'run'
  --break NAME   mark a stop at the layer or op NAME (a name, id or glob such as 'block*'); at each hit a
                 '● breakpoint' line shows the call stack. May be given more than once.`,
  inspect: `Usage: layerstep inspect MODEL

Prints the model's inputs and outputs, its module tree with ops and parameter counts, and a summary of
every weight.`,
  bench: `Usage: layerstep bench [--quick] [--json FILE] [--threads N] [--workload ID]...

Times the engine against onnxruntime-node, onnxruntime-web (wasm), TensorFlow.js's wasm backend and its cpu
backend, every peer on one thread, on the same weights and inputs, after checking that they agree. The engine
is timed plain and with every value recorded, on one thread and on all threads. Prints median times, then each
as times slower than onnxruntime-node. Peers that are not installed are skipped.

  --quick        fewer repetitions
  --json FILE    also write the results as JSON to FILE
  --workload ID  only this workload (may be given more than once): mlp-b1, mlp-b32, cnn-b1, cnn-b32,
                 mobilenet, conv, matmul512, matmul1024, transformer, gpt2
  --threads N    the thread count of the engine's all-threads timings (default: every core)`,
};

/** The help text for a command, or the overview. */
export function helpText(topic?: CommandName): string {
  return (topic ? COMMAND_HELP[topic] : USAGE) + '\n';
}
