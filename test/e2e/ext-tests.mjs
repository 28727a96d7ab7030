// Runs the mocha suite (test/e2e/suite, bundled to dist/test/suite.js) inside the real extension host of
// code-server's VS Code: the equivalent of @vscode/test-electron's runTests({ extensionDevelopmentPath,
// extensionTestsPath }). Prints mocha's output and `N passed, N failed`; exits non-zero on any failure.
//   node test/e2e/ext-tests.mjs            (after `npm run build` and `npm run e2e:setup`)
//   E2E_GREP=<regexp>  only tests whose full title matches;  E2E_TIMEOUT_MS  whole-run limit (default 180 s)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import {
  Tally, examplesDir, launchBrowser, newPage, runDir, screenshot, startCodeServer, suiteBundle, testsUrl, withTimeout,
} from './lib/index.mjs';

// Markers logged by test/e2e/suite/index.ts around mocha's output (kept in sync by hand: that file is bundled).
const outputStart = 'layerstep-e2e: mocha output starts';
const outputEnd = 'layerstep-e2e: mocha output ends';

const suiteName = 'ext-tests';
const tally = new Tally(suiteName);
const useColor = Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env);
let server;
let browser;
try {
  if (!existsSync(suiteBundle)) throw new Error(`${suiteBundle} is missing: run \`npm run build\` first`);
  const resultsFile = join(runDir(suiteName), 'results.json');
  server = await startCodeServer(suiteName, {
    // Variables given to code-server reach the extension host, and so the suite.
    env: {
      LAYERSTEP_E2E_RESULTS: resultsFile,
      // Colours only on a terminal. mocha's symbols are coloured by chalk, which looks at CI and NO_COLOR.
      ...(useColor ? { LAYERSTEP_E2E_COLOR: '1', FORCE_COLOR: '1' } : { NO_COLOR: '1' }),
      ...(process.env.E2E_GREP ? { LAYERSTEP_E2E_GREP: process.env.E2E_GREP } : {}),
    },
  });
  console.log(`code-server ready on ${server.origin} in ${server.startedMs} ms (log: ${server.log})`);
  browser = await launchBrowser();
  const page = await newPage(browser, server.dir);
  const consoleLog = [];
  page.on('console', echoExtensionHostOutput(consoleLog));

  // The web workbench calls window.codeAutomationExit(code, logs) when the extension host exits after
  // run() settles. It must be exposed before the page loads.
  const exited = new Promise((resolve) => {
    page.exposeFunction('codeAutomationExit', (code, logs) => resolve({ code, logs }));
  });
  await page.goto(testsUrl(server, examplesDir));
  const { code, logs } = await withTimeout(exited, Number(process.env.E2E_TIMEOUT_MS ?? 180_000), 'extension test run');
  await screenshot(page, 'after-tests').catch(() => undefined);
  saveLogs(server.dir, logs, consoleLog);

  const results = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : undefined;
  if (results) tally.add(results.passes, results.failures);
  if (code !== 0 && (!results || results.failures === 0)) {
    if (!results) console.log(`last console lines of the workbench:\n${consoleLog.slice(-40).join('\n')}`);
    tally.fail('extension test run', new Error(`the extension host exited with code ${code}` +
      (results ? '' : ` before the suite reported results; logs: ${join(server.dir, 'logs')}`)));
  }
} catch (error) {
  tally.fail(suiteName, error);
} finally {
  await browser?.close();
  await server?.stop();
}
process.exitCode = tally.finish();

/**
 * The extension host's console reaches the page console as log-service lines
 * `console.log('%c INFO', 'color: #33f', fmt, ...args)`, exactly like the workbench's own lines. Keep every
 * line for the run folder, re-formatted, in order; print those between the suite's start and end markers.
 */
function echoExtensionHostOutput(kept) {
  let chain = Promise.resolve();
  let echoing = false;
  return (msg) => {
    chain = chain.then(async () => {
      const args = await Promise.all(msg.args().map((h) => h.jsonValue().catch(() => '<unserializable>')));
      const logService = typeof args[0] === 'string' && args[0].startsWith('%c') && args.length > 2;
      const text = logService ? format(...args.slice(2)) : format(...args);
      kept.push(`[${msg.type()}] ${text}`);
      if (text === outputEnd) echoing = false;
      if (echoing) console.log(text);
      if (text === outputStart) echoing = true;
    });
  };
}

function saveLogs(dir, logs, consoleLog) {
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  writeFileSync(join(logDir, 'browser-console.log'), consoleLog.join('\n'));
  for (const { relativePath, contents } of logs ?? []) {
    const file = join(logDir, relativePath.replace(/\.\.+/g, '_'));
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, contents);
  }
}
