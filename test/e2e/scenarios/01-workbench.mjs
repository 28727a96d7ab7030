// The extension loads in a development window on examples/, and a file opens from the explorer.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  activeEditorLines, devHostTitle, examplesDir, openFromExplorer, openWorkbench, screenshot, waitForTitle,
} from '../lib/index.mjs';

/**
 * The file to open: the first example's model.json (which exercises expanding a folder in the explorer),
 * else the first file at the top of examples/.
 */
function fileToOpen() {
  const entries = readdirSync(examplesDir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const model = entries.find((e) => e.isDirectory() && existsSync(join(examplesDir, e.name, 'model.json')));
  if (model) return `${model.name}/model.json`;
  const file = entries.find((e) => e.isFile());
  if (file) return file.name;
  throw new Error(`${examplesDir} has no file to open`);
}

export const scenario = {
  name: 'workbench opens examples/ as an Extension Development Host and opens a file from the explorer',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    await screenshot(page, 'workbench');
    const title = await waitForTitle(page, devHostTitle);
    if (!title.includes('examples')) throw new Error(`window title does not name the folder: '${title}'`);

    const file = fileToOpen();
    await openFromExplorer(page, file);
    await activeEditorLines(page).waitFor();
    await screenshot(page, `opened-${file}`);
  },
};
