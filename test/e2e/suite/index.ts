// The mocha entry point that VS Code's extension host loads as `extensionTestsPath`: in code-server through
// the workbench URL's payload (test/e2e/ext-tests.mjs), in desktop VS Code through .vscode/launch.json
// "Extension Tests" or @vscode/test-electron. esbuild bundles it and the test files below into
// dist/test/suite.js, leaving `vscode` and `mocha` external. The host exits when run() settles: with code 0
// if it resolves, 1 if it rejects.
import { renameSync, writeFileSync } from 'node:fs';
import type MochaType from 'mocha';
import * as mochaModule from 'mocha';

/**
 * The test files, loaded after mocha has set up its TDD functions (`suite`, `test`, `setup`...), which the
 * files import from 'mocha'. Add a line per new file.
 */
const testFiles: ReadonlyArray<() => Promise<unknown>> = [
  () => import('./extension.test'),
  () => import('./commands.test'),
  () => import('./tree.test'),
  () => import('./debug.test'),
  () => import('./sessions.test'),
  () => import('./panel.test'),
  () => import('./onnx.test'),
  () => import('./whatIf.test'),
];

/** Lines run() logs around mocha's output, so the harness can tell it from the workbench's own log lines. */
export const outputStart = 'layerstep-e2e: mocha output starts';
export const outputEnd = 'layerstep-e2e: mocha output ends';

/** What run() writes to $LAYERSTEP_E2E_RESULTS for the harness: mocha's counts. */
export interface SuiteResults {
  passes: number;
  failures: number;
  pending: number;
  tests: number;
  durationMs: number;
}

type MochaClass = typeof MochaType;

// mocha 12 is an ES module: require('mocha') gives its namespace, whose `Mocha` (or `default`) is the class.
function mochaClass(): MochaClass {
  const m = mochaModule as unknown as { Mocha?: MochaClass; default?: MochaClass };
  const cls = m.Mocha ?? m.default;
  if (typeof cls !== 'function') throw new Error("test suite: require('mocha') has no Mocha class");
  return cls;
}

export async function run(): Promise<void> {
  const Mocha = mochaClass();
  const mocha = new Mocha({
    ui: 'tdd',
    color: process.env.LAYERSTEP_E2E_COLOR === '1',
    timeout: Number(process.env.LAYERSTEP_E2E_TEST_TIMEOUT ?? 30_000),
    ...(process.env.LAYERSTEP_E2E_GREP ? { grep: process.env.LAYERSTEP_E2E_GREP } : {}),
  });
  // What mocha does before requiring each file; the files are bundled, so they are evaluated here instead.
  mocha.suite.emit('pre-require', globalThis, 'bundle', mocha);
  for (const load of testFiles) await load();

  console.log(outputStart);
  const results = await new Promise<SuiteResults>((resolve) => {
    const runner = mocha.run(() => {
      const s = runner.stats;
      resolve({
        passes: s?.passes ?? 0, failures: s?.failures ?? runner.failures, pending: s?.pending ?? 0,
        tests: s?.tests ?? 0, durationMs: s?.duration ?? 0,
      });
    });
  });
  console.log(outputEnd);
  writeResults(results);
  if (results.failures > 0) throw new Error(`${results.failures} of ${results.tests} extension tests failed`);
  if (results.tests === 0) throw new Error('no extension tests ran');
}

// Written to a temporary file and renamed, so the harness never reads half a file.
function writeResults(results: SuiteResults): void {
  const file = process.env.LAYERSTEP_E2E_RESULTS;
  if (!file) return;
  writeFileSync(`${file}.tmp`, JSON.stringify(results));
  renameSync(`${file}.tmp`, file);
}
