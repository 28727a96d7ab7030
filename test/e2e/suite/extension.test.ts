// The extension as VS Code sees it: found under its manifest id, activates, and has the workspace the
// harness opened. These run inside the real extension host (see ./index.ts).
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';

const extensionId = 'layerstep.layerstep';

suite('extension', () => {
  test('is installed under its manifest id', () => {
    const ext = vscode.extensions.getExtension(extensionId);
    // VS Code skips an extension whose engines.vscode is newer than itself: that is the usual cause.
    assert.ok(ext, `extension '${extensionId}' is not loaded in VS Code ${vscode.version}`);
    assert.equal(ext.packageJSON.name, 'layerstep');
  });

  test('activates without throwing', async () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `extension '${extensionId}' is not loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('has the examples folder open as its workspace', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.deepEqual(folders.map((f) => f.name), ['examples']);
  });
});
