import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LaunchArgs } from '../debug/launchArgs';
import { DEBUG_TYPE, Settings } from './ids';
import { targetModel } from './modelFiles';
import { askForSizes } from './openSizes';
import type { SessionTracker } from './sessions';
import { toWireError } from '../service/wireError';
import type { Engines } from './engines';

const INPUT_KEY = 'layerstep.inputs';

/** The launch configuration for a model file: Run runs to the first breakpoint or the end, Debug also stops on entry. */
export function launchConfig(uri: vscode.Uri, stopOnEntry: boolean, input?: string): vscode.DebugConfiguration & LaunchArgs {
  const budget = vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.memoryBudgetMB);
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `${stopOnEntry ? 'Debug' : 'Run'} ${path.basename(path.dirname(uri.fsPath))}/${path.basename(uri.fsPath)}`,
    model: uri.fsPath,
    input,
    stopOnEntry,
    memoryBudgetMB: budget,
  };
}

/** Starts a session on the model file given or shown. */
export async function startModel(context: vscode.ExtensionContext, arg: unknown, stopOnEntry: boolean): Promise<boolean> {
  const uri = targetModel(arg);
  if (!uri) {
    void vscode.window.showErrorMessage('Layerstep: open a model file (a layerstep model.json, an .onnx file, a TensorFlow.js model.json or a Keras .h5/.keras file) first.');
    return false;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return vscode.debug.startDebugging(folder, launchConfig(uri, stopOnEntry, selectedInput(context, uri)));
}

export function selectedInput(context: vscode.ExtensionContext, uri: vscode.Uri): string | undefined {
  return context.workspaceState.get<Record<string, string>>(INPUT_KEY, {})[uri.toString()];
}

/**
 * `Layerstep: Select Input…`: one of the model's examples, a seeded random tensor, or a tensor file or PNG
 * image (preprocessed as the input's shape says; a launch configuration's `preprocess` gives more control).
 */
export async function selectInput(context: vscode.ExtensionContext, models: Engines, arg: unknown): Promise<string | undefined> {
  const uri = targetModel(arg);
  if (!uri) {
    void vscode.window.showErrorMessage('Layerstep: open a model file first, then select its input.');
    return undefined;
  }
  let examples: readonly string[] = [];
  try {
    examples = (await models.outline(uri)).examples;
  } catch {
    // A model that does not load can still take a file or random input; the error shows when it runs.
  }
  const current = selectedInput(context, uri);
  type Pick = vscode.QuickPickItem & { value?: string; browse?: boolean };
  const items: Pick[] = [
    ...examples.map((e) => ({ label: e, description: 'example', value: e })),
    { label: 'random', description: 'seeded random values', value: 'random' },
    { label: 'Choose a tensor file or image…', description: '.json, .npy or .png', browse: true },
  ];
  const chosen = items.find((i) => i.value !== undefined && i.value === current);
  if (chosen) chosen.detail = 'selected now';
  // It stays open when something else takes the focus meanwhile (the panel redrawing a run that just finished).
  const pick = await vscode.window.showQuickPick(items, { title: `Input for ${path.basename(uri.fsPath)}`, placeHolder: 'Examples, random, or a tensor file or image', ignoreFocusOut: true });
  if (!pick) return undefined;
  let value = pick.value;
  if (pick.browse) {
    const files = await vscode.window.showOpenDialog({ defaultUri: vscode.Uri.file(path.dirname(uri.fsPath)), filters: { 'Tensors and images': ['json', 'npy', 'png'] } });
    if (!files?.[0]) return undefined;
    value = files[0].fsPath;
  }
  const all = { ...context.workspaceState.get<Record<string, string>>(INPUT_KEY, {}), [uri.toString()]: value ?? '' };
  await context.workspaceState.update(INPUT_KEY, all);
  return value;
}

/**
 * Select Input during a session on that model: the session runs again from the start on the new input (sizes
 * asked for when a random input needs them), in place, with its breakpoints; the model is laid out for the new
 * sizes. Without a session the choice waits for the next Run.
 */
export async function selectInputInSession(context: vscode.ExtensionContext, models: Engines, tracker: SessionTracker, arg: unknown): Promise<void> {
  const value = await selectInput(context, models, arg);
  const uri = targetModel(arg);
  if (value === undefined || !uri) return;
  const live = tracker.sessionsOn(uri.fsPath).find((t) => t.adapter.launched);
  const before = live?.adapter.launched;
  if (!live || !before) return;
  const launch: vscode.DebugConfiguration & LaunchArgs = { ...(live.session.configuration as vscode.DebugConfiguration), ...before, input: value, shapes: undefined };
  try {
    if (!(await askForSizes(context, uri, launch, await models.outline(uri)))) return;
    await live.adapter.restartOn(launch);
  } catch (e) {
    void vscode.window.showErrorMessage(`Layerstep: ${toWireError(e).message}`);
  }
}
