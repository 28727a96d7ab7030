import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The examples in the order a newcomer should open them, with what each one shows. */
const ORDER: readonly [folder: string, shows: string][] = [
  ['linear-regression', 'one `dense` unit; the smallest thing to step through'],
  ['xor', 'a hidden layer bending the plane; inline weights'],
  ['mnist-mlp', 'an MNIST-size MLP with class labels; weights in safetensors'],
  ['small-cnn', 'NCHW convolutions, pooling, flatten; feature maps'],
  ['residual-block', 'a `residual` module with batch norm; nested call stack'],
  ['tiny-transformer', 'embedding, layer norm, multi-head attention, gelu; integer token input'],
  ['rnn', 'an LSTM unrolled into one module per time step'],
];

/** Writes examples/README.md: a table of the examples from their model.json files. */
export function writeIndex(root: string): void {
  const rows = ORDER.filter(([f]) => existsSync(join(root, f, 'model.json'))).map(([folder, shows]) => {
    const model = JSON.parse(readFileSync(join(root, folder, 'model.json'), 'utf8')) as { description?: string; inputs: { shape: number[] }[] };
    return `| [${folder}](${folder}/model.json) | [${model.inputs[0].shape.join(', ')}] | ${model.description ?? ''} | ${shows} |`;
  });
  const text = [
    '# Examples',
    '',
    'Models to open at once: each folder holds a `model.json` in the native `layerstep/1` format',
    '(see [docs/model-format.md](../docs/model-format.md)), its larger weights in `weights.safetensors`, one or more',
    'example inputs inside model.json, and `expected.json`: what TensorFlow.js computed for each example, which',
    "Layerstep's own engine must reproduce. Open a model.json and press Run or Debug, or from a terminal:",
    '',
    '```sh',
    'node dist/cli.js run examples/mnist-mlp/model.json',
    'node dist/cli.js trace examples/residual-block/model.json',
    '```',
    '',
    '| example | input | what it is | what it shows |',
    '|---|---|---|---|',
    ...rows,
    '',
    'All of them were trained, not just initialised: `npm run train-examples` (scripts/train-examples.ts) trains each',
    'with @tensorflow/tfjs on the CPU from fixed seeds on synthetic data (drawn digits, drawn shapes, token',
    'sequences, sine waves), converts the weights to the native layout (convolution kernels to',
    '[filters, in, kH, kW], images NCHW), rewrites these folders, and checks every example against the engine.',
    '`node dist/train-examples.js --check` runs only the check. Each folder\'s README says how well its model learned.',
    '',
    'One more opens a format made elsewhere: [onnx-encoder](onnx-encoder/README.md) is an `.onnx` file shaped like a',
    'PyTorch export of a two-layer transformer encoder (seeded weights, made by scripts/make-onnx-example.ts), whose',
    'call stack nests by the exporter\'s name scopes: encoder › layer.0 › attn.',
    '',
  ].join('\n');
  writeFileSync(join(root, 'README.md'), text);
}
