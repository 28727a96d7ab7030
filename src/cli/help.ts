import type { CommandName } from './args';

const USAGE = `Usage: layerstep <command> [options]

Step through a neural network's forward pass like a program.

Commands:
  run MODEL [--input FILE] [--output FILE]   one forward pass; print the outputs as tensor JSON
  trace MODEL [--input FILE] [--break NAME]  print the call stack as it unfolds (--dump DIR: every value as .npy)
  diff MODEL --against-input FILE | --against-model MODEL2 | --reference DIR
                                             compare two runs value by value; find where they first part
  train MODEL --data FILE --loss L --optimizer O --lr X --steps N
                                             gradient descent; print each step's loss (--save: trained weights)
  inspect MODEL                              modules, ops, parameter counts and weight statistics
  inspect MODEL --run [--input FILE] [--json]
                                             a summary of an actual run: shapes, FLOPs, time, memory, health
  bench [--quick] [--workload ID]            time the engine against ONNX Runtime and TensorFlow.js

Options:
  --threads N    run, trace, diff, train, bench, inspect --run: threads the engine splits big ops over (default: every core)
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
  run: `Usage: layerstep run MODEL [--input FILE | --shape NAME=SIZES...] [--output FILE] [--set EXPR]... [image options]

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
  --set EXPR     an assignment applied to this run (may be given more than once, applied in order):
                 value('NAME')[INDEX] = 0 or value('NAME') *= 2 changes a value the moment its node produces
                 it, before anything reads it; weight('NAME')[INDEX] = 0 or weight('NAME') *= 0.5 changes a
                 weight before the run. NAME is written as 'trace' and 'inspect' show it.
                 e.g. layerstep run model.json --set "weight('hidden.kernel') *= 0.5"
  --threads N    threads the engine splits big ops over (default: every core; 1: no worker threads)

${IMAGE_HELP}`,
  trace: `Usage: layerstep trace MODEL [--input FILE | --shape NAME=SIZES...] [--break NAME]... [--dump DIR] [image options]

Prints the call stack as it unfolds: one line per call and return of every module and op, with a
one-line summary of each tensor (shape, dtype, mean, std, range, zeros, NaN/Inf).

  --input FILE   the inputs, as for 'run' (a .png image takes the image options of 'run')
  --shape NAME=SIZES  a seeded random input of this shape, as for 'run'
  --threads N    threads the engine splits big ops over, as for 'run'
  --break NAME   mark a stop at the layer or op NAME (a name, id or glob such as 'block*'), or at every op or
                 layer of a type with 'type:TYPE' (type:conv matches Conv and Conv2D); at each hit a
                 '● breakpoint' line shows the call stack. May be given more than once.
  --dump DIR     also write every value the run produces to DIR/NAME.npy as it is produced (DIR is made if
                 missing); in NAME, each character other than A-Z a-z 0-9 . _ - becomes _, so the value
                 /encoder/attn/MatMul_output_0 is written to _encoder_attn_MatMul_output_0.npy. Model inputs
                 and weights are not written. Two values whose names become the same file are an error, and
                 then no file is left. 'layerstep diff --reference DIR' reads the folder back.`,
  diff: `Usage: layerstep diff MODEL [--input FILE | --shape NAME=SIZES...]
                      (--against-input FILE2 | --against-model MODEL2 | --reference DIR)
                      [--tolerance ATOL,RTOL] [--json] [image options]

Runs MODEL and compares every value it produces, in execution order, with the value of the same name in a
second run, and tells where the two first part: the first value beyond the tolerance, and the node (name and
op) that produced it. Model inputs and weights are not compared (they are not produced).

Give exactly one counterpart:
  --against-input FILE2   the same model on another input (read as --input is, image options included)
  --against-model MODEL2  another model file of the same structure (other weights) on the same input
  --reference DIR         .npy files named as 'layerstep trace --dump' writes them (or written by a script of yours)
A value the counterpart does not have (no such value, or no file in DIR) is skipped; when none of them
has one, diff fails.

  --input FILE   MODEL's input, as for 'run'; --shape, --threads and the image options as for 'run' too
  --tolerance ATOL,RTOL
                 an element of MODEL's run a agrees with the counterpart's b when |a - b| <= ATOL + RTOL*|b|
                 (default 1e-4,1e-3). NaN agrees only with NaN, an infinity only with the same infinity.
                 Values of different shapes diverge.
  --json         print one JSON document instead of text:
                 { "firstDivergence": null | { "value", "node", "op", "maxAbs", "maxRel" },
                   "values": [ { "value", "maxAbs", "maxRel", "cosine" }, ... ] }
                 NaN and infinite numbers (a NaN against a number, an infinity, values of different
                 shapes) are written as null.

The text starts with 'first divergence: VALUE (node NODE, OP)' or 'no divergence', then a row per compared
value: its layer (the module around the node), op, max abs = max |a - b|, max rel = max |a - b|/|b| over
the elements whose b is not 0, cosine = a.b/(|a||b|) (1 when both are all zeros, 0 when only one is), and
a mark on the values beyond the tolerance. Computed in float64. The exit code is 0 whether the runs part
or not; 1 when a file cannot be read or a run fails.`,
  train: `Usage: layerstep train MODEL --data FILE --loss mse|bce|cce|bce-logits|cce-logits
                       --optimizer sgd|momentum|adam --lr X --steps N [--batch N]
                       [--save WEIGHTS.safetensors] [--json]

Trains MODEL by gradient descent: each step runs the forward pass on a batch, measures the loss against
the targets, runs the backward pass and updates every weight that reaches the loss. It is the same step
the debugger's Train steps through. Prints 'step K loss VALUE' as each step ends (K from 1; the loss is
the one measured in that step's forward pass, before its update).

  --data FILE     { "inputs": { INPUT: tensor }, "targets": { OUTPUT: tensor } } in tensor JSON, one row
                  per example along the first axis; left out: the model's examples that carry targets
  --loss L        mse: mean of (output - target)^2 over every element;
                  bce, cce: binary / categorical cross-entropy from probabilities (after sigmoid, softmax);
                  bce-logits, cce-logits: the same from logits; cross-entropies are averaged over the batch.
                  A cce target may be class indices (one rank less than the output).
  --optimizer O   sgd: w <- w - lr*g; momentum: v <- 0.9*v + g, w <- w - lr*v;
                  adam: beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected
  --lr X          the learning rate
  --steps N       steps to take
  --batch N       examples per step, in order, the last batch of a pass possibly smaller, then from the
                  start again (default: the whole data in every step)
  --save FILE     write every weight, as trained, to FILE (.safetensors), under its name as 'inspect' shows it
  --json          print { "losses": [ ... ] } at the end instead of a line per step

--loss, --optimizer, --lr and --steps may be left out when the model file's "training" hints give them
(else: the loss the last op suggests, sgd, 0.01, 1 step). The model file is never changed. The exit code is 1
when an op between a weight and the loss has no gradient, naming it.`,
  inspect: `Usage: layerstep inspect MODEL
       layerstep inspect MODEL --run [--input FILE | --shape NAME=SIZES...] [--json | --markdown | --csv]
                                     [--threads N] [image options]

Without --run: prints the model's inputs and outputs, its module tree with ops and parameter counts, and a
summary of every weight.

With --run: runs the model once and prints a row per module and op as the run made it: its output shape,
parameters, FLOPs (a multiply-add is 2), the time its ops took (ms), the bytes of the values it produced, and
its health (NaN/Inf counts, dead units of relu outputs, saturated units of sigmoid and tanh outputs, ⚠ when
notable), then the totals.

  --input FILE   the inputs, as for 'run' (a .png image takes the image options of 'run'); default: the
                 model's first example, else a seeded random input
  --shape NAME=SIZES  a seeded random input of this shape, as for 'run'
  --json         one JSON document: { "model", "input", "rows": [ { "name", "path", "depth", "kind", "type",
                 "shape", "params", "flops", "timeMs", "bytes", "weightBytes", "health" } ], "totals",
                 "failed"? } (docs/summary-and-health.md)
  --markdown     a Markdown table
  --csv          CSV, one line per row and a total line
  --threads N    threads the engine splits big ops over, as for 'run'

When an op fails, the rows up to it are printed with the failing one marked, the error follows on stderr,
and the exit code is 1.`,
  bench: `Usage: layerstep bench [--quick] [--json FILE] [--threads N] [--workload ID]...

Times the engine against onnxruntime-node, onnxruntime-web (wasm), TensorFlow.js's wasm backend and its cpu
backend, every peer on one thread, on the same weights and inputs, after checking that they agree. The engine
is timed plain and with every value recorded, on one thread and on all threads. Prints median times, then each
as times slower than onnxruntime-node. Peers that are not installed are skipped.

  --quick        fewer repetitions
  --json FILE    also write the results as JSON to FILE
  --workload ID  only this workload (may be given more than once): mlp-b1, mlp-b32, cnn-b1, cnn-b32,
                 mobilenet, conv, matmul512, matmul1024, transformer, gpt2, train-mlp-b32, train-cnn-b32
  --threads N    the thread count of the engine's all-threads timings (default: every core)`,
};

/** The help text for a command, or the overview. */
export function helpText(topic?: CommandName): string {
  return (topic ? COMMAND_HELP[topic] : USAGE) + '\n';
}
