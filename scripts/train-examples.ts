/**
 * Trains the example models with @tensorflow/tfjs (CPU backend, seeded) and writes examples/<name>/:
 * model.json in the native format (docs/model-format.md), weights.safetensors for the larger weights,
 * expected.json with what tfjs predicted for each example, and a README.md. Then runs every example through
 * the engine with the built CLI and compares.
 *
 *   npm run train-examples                       train all, write, check
 *   node dist/train-examples.js xor rnn          train only these
 *   node dist/train-examples.js --check          only check the committed files against the engine
 */
import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { checkExample, cliAvailable } from './train/check';
import { trainLinearRegression } from './train/linearRegression';
import { trainMnistMlp } from './train/mnistMlp';
import { trainResidualBlock } from './train/residualBlock';
import { trainRnn } from './train/rnn';
import { trainSmallCnn } from './train/smallCnn';
import { trainTinyTransformer } from './train/tinyTransformer';
import type { TrainedExample } from './train/types';
import { writeExample } from './train/write';
import { trainXor } from './train/xor';
import { writeIndex } from './train/indexReadme';

const TRAINERS: Record<string, () => Promise<TrainedExample>> = {
  'linear-regression': trainLinearRegression,
  xor: trainXor,
  'mnist-mlp': trainMnistMlp,
  'small-cnn': trainSmallCnn,
  'residual-block': trainResidualBlock,
  'tiny-transformer': trainTinyTransformer,
  rnn: trainRnn,
};

const ROOT = resolve(__dirname, '..');
const EXAMPLES = join(ROOT, 'examples');
const CLI = join(ROOT, 'dist', 'cli.js');

function check(names: readonly string[]): boolean {
  if (!cliAvailable(CLI)) {
    console.log(`\nengine check skipped: ${CLI} is not built`);
    return true;
  }
  let ok = true;
  console.log('\nengine check (layerstep run vs tfjs):');
  for (const name of names) {
    for (const r of checkExample(CLI, join(EXAMPLES, name))) {
      const pass = !r.error && r.maxAbsDiff <= 1e-4 && (r.maxLogDiff ?? 0) <= 1e-3 && r.engineTop === r.expectedTop;
      ok &&= pass;
      const log = r.maxLogDiff === undefined ? '' : `, max |Δ ln p| ${r.maxLogDiff.toExponential(2)}`;
      const detail = r.error ? `error: ${r.error.split('\n')[0]}` : `max |diff| ${r.maxAbsDiff.toExponential(2)}${log}${r.classes > 1 ? `, class ${r.engineTop} vs ${r.expectedTop}` : ''}`;
      console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${name} / ${r.example}: ${detail}`);
    }
  }
  return ok;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const checkOnly = args.includes('--check');
  const names = args.filter((a) => !a.startsWith('--'));
  for (const n of names) if (!(n in TRAINERS)) throw new Error(`unknown example '${n}'; known: ${Object.keys(TRAINERS).join(', ')}`);
  const chosen = names.length ? names : Object.keys(TRAINERS);

  if (!checkOnly) {
    await tf.setBackend('cpu');
    for (const name of chosen) {
      const started = Date.now();
      const ex = await TRAINERS[name]();
      const files = writeExample(EXAMPLES, ex);
      console.log(`${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      for (const m of ex.metrics) console.log(`  ${m}`);
      for (const f of files) console.log(`  wrote ${f}`);
      tf.disposeVariables();
    }
    writeIndex(EXAMPLES);
  }
  if (!check(chosen)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 1;
});
