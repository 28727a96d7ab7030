// The Layerstep panel follows the session: every stop is drawn, and how long that takes. The panel records
// the timings of its last drawn stop on globalThis under a registered symbol (src/host/panel.ts), which this
// bundle reads because the extension host runs the suite in the extension's own process.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { RenderTimings } from '../../../src/host/renderTimings';
import type { StopInfo } from '../../../src/protocol/engine';
import type { DebugRun } from './helpers';
import { api, exampleUri, median, SessionRecorder, waitFor } from './helpers';

const TIMINGS_KEY = Symbol.for('layerstep.panel.lastRenderTimings');
const lastTimings = () => (globalThis as { [TIMINGS_KEY]?: RenderTimings })[TIMINGS_KEY];

/** Waits until the panel reports having drawn `stop` of `run`; resolves to its timings. */
function drawn(run: DebugRun, stop: StopInfo, rendersBefore: number): Promise<RenderTimings> {
  return waitFor(`the panel to draw event ${stop.index}`, () => {
    const t = lastTimings();
    return t && t.sessionId === run.session.id && t.index === stop.index && t.renders > rendersBefore ? t : undefined;
  });
}

const ms = (v: number) => `${Math.round(v)} ms`;

suite('panel', () => {
  const mnist = exampleUri('mnist-mlp/model.json');
  let recorder: SessionRecorder;

  suiteSetup(async () => {
    await api();
    recorder = new SessionRecorder();
    assert.equal(vscode.workspace.getConfiguration('layerstep').get('openPanelOnStart'), true);
  });

  teardown(() => recorder.stopAll());
  suiteTeardown(() => recorder?.dispose());

  test('draws the first stop of Run and of Debug, then every step (timings on mnist-mlp)', async () => {
    // As a user does: the model is open, so the panel opens beside it and stays visible while stops show
    // model.json (a hidden panel is not drawn). Closing every editor first closes a panel left by other tests.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(mnist);
    const firstDraw: Record<string, string> = {};
    for (const [command, name] of [['layerstep.runModel', 'Run'], ['layerstep.debugModel', 'Debug']] as const) {
      const t0 = performance.now();
      const run = await recorder.startWith(`${name} mnist-mlp/model.json`, () => vscode.commands.executeCommand(command, mnist));
      const stop = await run.nextStop();
      const stopped = performance.now() - t0;
      await drawn(run, stop, 0);
      firstDraw[name] = `${ms(performance.now() - t0)} (its stop after ${ms(stopped)})`;
      if (name === 'Run') await recorder.stopAll();
      else {
        // Step through the first layers and their ops, waiting for each drawn frame.
        const stepMs: number[] = [];
        const hostMs: number[] = [];
        const webviewMs: number[] = [];
        const phases: Record<string, number[]> = { timeline: [], scopes: [], tensors: [], draw: [] };
        let renders = lastTimings()?.renders ?? 0;
        for (const command of ['stepIn', 'stepIn', 'next', 'next', 'stepIn', 'next', 'next', 'stepOut', 'stepBack', 'stepBack', 'next', 'next'] as const) {
          const t1 = performance.now();
          const s = await run.step(command);
          const t = await drawn(run, s, renders);
          stepMs.push(performance.now() - t1);
          if (t.stopToRenderMs !== undefined) hostMs.push(t.stopToRenderMs);
          webviewMs.push(t.webviewMs);
          for (const [k, v] of Object.entries(t.phases)) phases[k].push(v);
          renders = t.renders;
        }
        console.log(`      panel timings (mnist-mlp, ${stepMs.length} steps): step request → drawn frame median ${ms(median(stepMs))}`
          + ` (all: ${stepMs.map(Math.round).join(', ')}); stop at the host → drawn median ${ms(median(hostMs))}; inside the webview median ${ms(median(webviewMs))}`
          + ` (${Object.entries(phases).map(([k, v]) => `${k} ${ms(median(v))}`).join(', ')})`);
        console.log(`      per step: webview ${webviewMs.map(Math.round).join(', ')}; tensors ${phases.tensors.map(Math.round).join(', ')}; timeline ${phases.timeline.map(Math.round).join(', ')}`);
      }
    }
    console.log(`      panel timings (mnist-mlp): command → first drawn frame: Run ${firstDraw.Run}, Debug ${firstDraw.Debug}`
      + ' (Run opens the panel; Debug reuses it)');
  });
});
