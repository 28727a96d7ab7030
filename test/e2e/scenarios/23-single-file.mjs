// A model file opened on its own: the window's folder holds no model, so nothing has activated the extension when
// the user opens examples/mnist-mlp/model.json by its path (Quick Open takes one). The editor title still offers
// Run Model, and Run runs the model to the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeEditorLines, examplesDir, openByPath, openWorkbench, screenshot } from '../lib/index.mjs';
import { callStackTop, editorTitleButton, sessionState } from '../lib/layerstep.mjs';

export const scenario = {
  name: 'a model file opened by its path from a folder without models: Run in the editor title runs it',
  async run({ page, server }) {
    const folder = join(server.dir, 'no-models');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'notes.txt'), 'No model here.\n');
    await openWorkbench(page, server, { folder });

    // Quick Open with an absolute path opens that file, inside the workspace or not.
    const file = join(examplesDir, 'mnist-mlp', 'model.json');
    await openByPath(page, file, (p) => p.locator('.quick-input-list .monaco-list-row', { hasText: 'model.json' }).filter({ hasText: 'mnist-mlp' }).first());
    await activeEditorLines(page).waitFor();

    const run = editorTitleButton(page, 'Run Model');
    await run.waitFor();
    await screenshot(page, 'single-file-run-button');
    await run.click();
    await callStackTop(page, 'mnist-mlp (model)').waitFor({ timeout: 60_000 });
    await sessionState(page, 'Forward pass finished').waitFor();
    await screenshot(page, 'single-file-finished');
    // Once active, the extension's own check of the file's content decides, and the button stays one.
    if ((await editorTitleButton(page, 'Run Model').count()) !== 1) throw new Error('the editor title shows Run Model more than once');
  },
};
