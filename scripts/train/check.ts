import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPECTED_FILE } from './write';

interface TensorJson {
  shape: number[];
  dtype?: string;
  data: number[];
}

interface ExampleJson {
  name: string;
  inputs: Record<string, TensorJson>;
}

/** The result of running one example through the engine. */
export interface CheckResult {
  readonly example: string;
  readonly maxAbsDiff: number;
  /**
   * For outputs that are all positive (probabilities): the largest |ln(engine) − ln(tfjs)|, which for a softmax is
   * how far the logits differ. It sees a mismatch that saturated probabilities hide from the absolute difference.
   */
  readonly maxLogDiff?: number;
  /** Length of the output: 1 for a regression, the class count for a classifier. */
  readonly classes: number;
  readonly engineTop: number;
  readonly expectedTop: number;
  readonly error?: string;
}

const argmax = (a: readonly number[]): number => a.reduce((best, v, i) => (v > a[best] ? i : best), 0);

/**
 * Runs every example of examples/<folder>/model.json through the engine with the built CLI
 * (`layerstep run MODEL --input FILE`, the contract of DESIGN.md §4) and compares the output with expected.json.
 */
export function checkExample(cli: string, dir: string): CheckResult[] {
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    inputs: { name: string; dtype?: string }[];
    output?: string;
    examples: ExampleJson[];
  };
  // An example in model.json takes its dtype from the declared input; a tensor file must say it.
  const dtypes = new Map(model.inputs.map((i) => [i.name, i.dtype ?? 'float32']));
  const expected = JSON.parse(readFileSync(join(dir, EXPECTED_FILE), 'utf8')) as Record<string, Record<string, TensorJson>>;
  const output = model.output ?? 'output';
  const tmp = mkdtempSync(join(tmpdir(), 'layerstep-check-'));
  try {
    return model.examples.map((ex, i): CheckResult => {
      const want = expected[ex.name][output].data;
      const inputFile = join(tmp, `input-${i}.json`);
      const inputs = Object.fromEntries(Object.entries(ex.inputs).map(([k, t]) => [k, { ...t, dtype: dtypes.get(k) }]));
      writeFileSync(inputFile, JSON.stringify(inputs));
      let got: number[];
      try {
        const stdout = execFileSync('node', [cli, 'run', join(dir, 'model.json'), '--input', inputFile], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const result = JSON.parse(stdout) as Record<string, TensorJson>;
        const tensor = result[output] ?? Object.values(result)[0];
        got = tensor.data;
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        return { example: ex.name, maxAbsDiff: NaN, classes: want.length, engineTop: -1, expectedTop: argmax(want), error: (err.stderr || err.message).trim() };
      }
      const diff = got.length === want.length ? Math.max(...want.map((w, k) => Math.abs(w - got[k]))) : NaN;
      const positive = want.length > 1 && want.every((w) => w > 0);
      const logDiff = positive && got.length === want.length ? Math.max(...want.map((w, k) => Math.abs(Math.log(w) - Math.log(got[k])))) : undefined;
      return { example: ex.name, maxAbsDiff: diff, maxLogDiff: logDiff, classes: want.length, engineTop: argmax(got), expectedTop: argmax(want) };
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function cliAvailable(cli: string): boolean {
  return existsSync(cli);
}
