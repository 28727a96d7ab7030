import * as path from 'node:path';
import * as vscode from 'vscode';
import { ENGINE_REQUEST } from '../debug/session';
import { encodeSafetensorsFile } from '../loaders/safetensorsWrite';
import type { EditInfo, StopInfo, WeightOutline } from '../protocol/engine';
import { toWireError } from '../service/wireError';
import { Commands, ContextKeys } from './ids';
import type { ModelItem, ModelTreeProvider } from './modelTree';
import type { SessionState, SessionTracker } from './sessions';
import { editedWeightsFileName, elementAssignment, parseElementEdit, parseFactor, scaleAssignment } from './whatIfText';
import type { Checked } from './whatIfText';

/**
 * What-if edits in VS Code, beyond what the debugger's own views offer (Set Value, WATCH, Debug Console
 * assignments): Revert Edits on the debug toolbar while edits are in force, Save Edited Weights…, and the
 * sidebar's Edit Weight Element… and Scale Weight…, whose weights then show `✎ edited`. An edit lives in its
 * session's run and never changes a file; Save Edited Weights… is the one way an edit reaches the disk.
 */
export function registerWhatIf(context: vscode.ExtensionContext, tracker: SessionTracker, tree: ModelTreeProvider): void {
  context.subscriptions.push(
    followEdits(tracker, tree),
    vscode.commands.registerCommand(Commands.revertEdits, () => revertEdits(tracker)),
    vscode.commands.registerCommand(Commands.saveEditedWeights, (target?: unknown) => saveEditedWeights(tracker, target instanceof vscode.Uri ? target : undefined)),
    vscode.commands.registerCommand(Commands.editWeightElement, (item?: ModelItem, text?: string) => editWeight(tracker, tree, item, 'element', text)),
    vscode.commands.registerCommand(Commands.scaleWeight, (item?: ModelItem, text?: string) => editWeight(tracker, tree, item, 'scale', text)),
  );
}

/**
 * Keeps the `layerstep.hasEdits` context key (the toolbar's Revert Edits) and the sidebar's `✎ edited` marks in
 * step with the followed session: on each of its stops, and an edit reports a stop too.
 */
function followEdits(tracker: SessionTracker, tree: ModelTreeProvider): vscode.Disposable {
  let hasEdits: boolean | undefined;
  let seen: StopInfo | undefined;
  let asked = 0;
  const update = async (state: SessionState | undefined) => {
    const edits = state?.stop?.edits ?? 0;
    if (hasEdits !== edits > 0) {
      hasEdits = edits > 0;
      void vscode.commands.executeCommand('setContext', ContextKeys.hasEdits, hasEdits);
    }
    // A session that only started moving keeps its stop: nothing to ask again.
    if (state?.stop && state.stop === seen) return;
    seen = state?.stop;
    const ask = ++asked;
    if (!state?.modelPath || edits === 0) return tree.setEditedWeights(state?.modelPath, new Set());
    let list;
    try {
      list = await tracker.request('edits', {});
    } catch {
      // The session ended meanwhile; its end is a change of its own, which clears the marks.
      return;
    }
    if (ask !== asked) return;
    tree.setEditedWeights(state.modelPath, new Set(list.filter((e) => e.kind === 'weight').map((e) => e.name)));
  };
  void update(tracker.current);
  return tracker.onDidChange((state) => void update(state));
}

/** `Layerstep: Revert Edits`: the followed session forgets every edit; what follows the position is computed anew. */
async function revertEdits(tracker: SessionTracker): Promise<boolean> {
  const t = tracker.followed;
  if (!t) {
    void vscode.window.showErrorMessage('Layerstep: no Layerstep debug session is running, so there is no edit to revert.');
    return false;
  }
  if (!t.adapter.currentStop?.edits) {
    void vscode.window.showInformationMessage(`Layerstep: the session '${t.session.name}' has no edit to revert.`);
    return false;
  }
  await t.adapter.requestRevertEdits();
  return true;
}

/**
 * `Layerstep: Save Edited Weights…`: every weight of the followed session's model as the run sees it (edited ones
 * as edited) into a new `.safetensors` file, keys = the model's weight names; the edits' text goes into the
 * file's metadata. This command is the only place Layerstep writes a weights file, and it never overwrites the
 * model's own file without the save dialog's confirmation. `target` (for scripts and tests) skips the dialog.
 * Resolves to the file written.
 */
async function saveEditedWeights(tracker: SessionTracker, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const t = tracker.followed;
  const model = t?.adapter.model;
  if (!t || !model) {
    void vscode.window.showErrorMessage('Layerstep: no Layerstep debug session is running; start one and edit a weight before saving edited weights.');
    return undefined;
  }
  let edits: readonly EditInfo[];
  try {
    edits = (await t.client.request('edits', {})).filter((e) => e.kind === 'weight');
  } catch (e) {
    void vscode.window.showErrorMessage(`Layerstep: could not read the edits of the session on ${path.basename(model.path)}: ${toWireError(e).message}`);
    return undefined;
  }
  if (edits.length === 0) {
    void vscode.window.showErrorMessage(`Layerstep: the session on ${path.basename(model.path)} has no edited weight to save; edit one first (Set Value on a weight in VARIABLES, or Edit Weight Element… in the Layerstep sidebar).`);
    return undefined;
  }
  const uri = target ?? await vscode.window.showSaveDialog({
    title: `Save the weights of ${model.outline.name}, edits included`,
    defaultUri: vscode.Uri.file(path.join(path.dirname(model.path), editedWeightsFileName(model.outline.name))),
    filters: { Safetensors: ['safetensors'] },
    saveLabel: 'Save Edited Weights',
  });
  if (!uri) return undefined;
  try {
    const count = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Layerstep: saving ${path.basename(uri.fsPath)}` }, async () => {
      const weights = await t.client.request('weights', {});
      const bytes = encodeSafetensorsFile(weights, {
        file: path.basename(uri.fsPath),
        metadata: { 'layerstep.model': path.basename(model.path), 'layerstep.edits': JSON.stringify(edits.map((e) => e.text)) },
      });
      await vscode.workspace.fs.writeFile(uri, bytes);
      return weights.length;
    });
    const names = new Set(edits.map((e) => e.name)).size;
    void vscode.window.showInformationMessage(`Layerstep: wrote ${count} weights (${names} edited) to ${path.basename(uri.fsPath)}.`);
    return uri;
  } catch (e) {
    void vscode.window.showErrorMessage(`Layerstep: could not save ${path.basename(uri.fsPath)}: ${toWireError(e).message}`);
    return undefined;
  }
}

/**
 * The sidebar's Edit Weight Element… and Scale Weight… on a weight: an assignment sent to the session on the
 * sidebar's model, as if typed in the Debug Console, so VS Code's views and the panel refresh as for Set Value.
 * `given` (for scripts and tests) is the input box's text.
 */
async function editWeight(tracker: SessionTracker, tree: ModelTreeProvider, item: ModelItem | undefined, kind: 'element' | 'scale', given?: string): Promise<boolean> {
  if (item?.kind !== 'weight') {
    void vscode.window.showErrorMessage('Layerstep: pick a weight in the Layerstep sidebar to edit.');
    return false;
  }
  const w = item.weight;
  const modelPath = tree.model?.uri.fsPath;
  const live = modelPath ? tracker.sessionFor(modelPath) : undefined;
  if (!live || !modelPath) {
    void vscode.window.showErrorMessage(`Layerstep: start a debug session on ${modelPath ? path.basename(modelPath) : 'the model'} (Debug Model) to edit ${w.name}; an edit lives in a session's run and changes no file.`);
    return false;
  }
  const expression = kind === 'element' ? await askElement(w, given) : await askFactor(w, given);
  if (!expression) return false;
  try {
    await live.session.customRequest(ENGINE_REQUEST, { method: 'assign', params: { expression } });
    return true;
  } catch (e) {
    void vscode.window.showErrorMessage(`Layerstep: ${toWireError(e).message}`);
    return false;
  }
}

async function askElement(w: WeightOutline, given?: string): Promise<string | undefined> {
  const example = `${w.shape.map(() => '0').join(', ') || '0'} = 0.5`;
  const edit = await ask(given, (text) => parseElementEdit(text, w), {
    title: `Edit ${w.name} (${w.dtype}[${w.shape.join(', ')}])`,
    prompt: 'INDEX = VALUE: indices count from 0 (negative from the end); a slice such as : sets a whole row or column.',
    placeHolder: example,
  });
  return edit && elementAssignment(w.name, edit.index, edit.value);
}

async function askFactor(w: WeightOutline, given?: string): Promise<string | undefined> {
  const factor = await ask(given, parseFactor, { title: `Scale ${w.name} (${w.dtype}[${w.shape.join(', ')}])`, prompt: 'Multiply every element by:', placeHolder: '0.5' });
  return factor && scaleAssignment(w.name, factor);
}

/** An input box checked while typing; with `given`, that text is checked instead and an error is shown. */
async function ask<T>(given: string | undefined, check: (text: string) => Checked<T>, options: vscode.InputBoxOptions): Promise<T | undefined> {
  const text = given ?? await vscode.window.showInputBox({
    ...options,
    ignoreFocusOut: true,
    validateInput: (t) => {
      const r = t.trim() ? check(t) : undefined;
      return r && 'error' in r ? r.error : undefined;
    },
  });
  if (text === undefined || !text.trim()) return undefined;
  const r = check(text);
  if ('error' in r) {
    void vscode.window.showErrorMessage(`Layerstep: ${r.error}`);
    return undefined;
  }
  return r.ok;
}
