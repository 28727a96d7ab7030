// Playwright scenarios against code-server's workbench with this extension in development mode. One
// code-server serves every scenario; each scenario gets a fresh browser context (fresh window state).
// A scenario is a module in ./scenarios exporting `scenario = { name, run(ctx) }`; they run in file-name order.
//   node test/e2e/ui.mjs            (after `npm run build` and `npm run e2e:setup`)
//   E2E_GREP=<regexp>  only scenarios whose name matches;  E2E_SCENARIO_TIMEOUT_MS  per scenario (default 120 s; a
//   scenario may ask for more with `timeoutMs`);  E2E_RUN_NAME  a suffix for the run folder (two runs side by side)
// Screenshots: .vscode-test/run-ui/screenshots; code-server's log: .vscode-test/run-ui/code-server.log.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tally, launchBrowser, newPage, repoRoot, screenshot, startCodeServer, withTimeout } from './lib/index.mjs';

const suiteName = 'ui';
const tally = new Tally(suiteName);
const scenarioDir = join(repoRoot, 'test/e2e/scenarios');
const grep = process.env.E2E_GREP ? new RegExp(process.env.E2E_GREP) : undefined;
const timeoutMs = Number(process.env.E2E_SCENARIO_TIMEOUT_MS ?? 120_000);

let server;
let browser;
try {
  const scenarios = [];
  for (const file of readdirSync(scenarioDir).filter((f) => f.endsWith('.mjs')).sort()) {
    const { scenario } = await import(pathToFileURL(join(scenarioDir, file)).href);
    if (!scenario?.name || typeof scenario.run !== 'function') throw new Error(`${file}: export \`scenario = { name, run }\``);
    if (!grep || grep.test(scenario.name)) scenarios.push(scenario);
  }
  if (scenarios.length === 0) throw new Error(`no scenario in ${scenarioDir} matches ${grep ?? 'anything'}`);

  server = await startCodeServer(suiteName);
  console.log(`code-server ready on ${server.origin} in ${server.startedMs} ms (log: ${server.log})`);
  browser = await launchBrowser();
  for (const [i, scenario] of scenarios.entries()) {
    const page = await newPage(browser, server.dir, { prefix: `s${i + 1}-` });
    const t0 = performance.now();
    try {
      await withTimeout(scenario.run({ page, server }), Math.max(timeoutMs, scenario.timeoutMs ?? 0), `scenario '${scenario.name}'`);
      tally.pass(scenario.name, performance.now() - t0);
    } catch (error) {
      const shot = await screenshot(page, 'FAILED').catch(() => undefined);
      tally.fail(scenario.name, shot ? `${error?.stack ?? error}\n(screenshot: ${shot})` : error, performance.now() - t0);
    } finally {
      await page.context().close();
    }
  }
} catch (error) {
  tally.fail(suiteName, error);
} finally {
  await browser?.close();
  await server?.stop();
}
process.exitCode = tally.finish();
