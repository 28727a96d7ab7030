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
  const value = await pickInput(models, uri, `Input for ${path.basename(uri.fsPath)}`, selectedInput(context, uri));
  if (value === undefined) return undefined;
  const all = { ...context.workspaceState.get<Record<string, string>>(INPUT_KEY, {}), [uri.toString()]: value };
  await context.workspaceState.update(INPUT_KEY, all);
  return value;
}

/** A quick pick of the model's examples, `random`, or a tensor file or image chosen in an open dialog. */
async function pickInput(models: Engines, uri: vscode.Uri, title: string, current?: string): Promise<string | undefined> {
  let examples: readonly string[] = [];
  try {
    examples = (await models.outline(uri)).examples;
  } catch {
    // A model that does not load can still take a file or random input; the error shows when it runs.
  }
  type Pick = vscode.QuickPickItem & { value?: string; browse?: boolean };
  const items: Pick[] = [
    ...examples.map((e) => ({ label: e, description: 'example', value: e })),
    { label: 'random', description: 'seeded random values', value: 'random' },
    { label: 'Choose a tensor file or image…', description: '.json, .npy or .png', browse: true },
  ];
  const chosen = items.find((i) => i.value !== undefined && i.value === current);
  if (chosen) chosen.detail = 'selected now';
  // It stays open when something else takes the focus meanwhile (the panel redrawing a run that just finished).
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Examples, random, or a tensor file or image', ignoreFocusOut: true });
  if (!pick) return undefined;
  if (!pick.browse) return pick.value;
  const files = await vscode.window.showOpenDialog({ defaultUri: vscode.Uri.file(path.dirname(uri.fsPath)), filters: { 'Tensors and images': ['json', 'npy', 'png'] } });
  return files?.[0]?.fsPath;
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

/** What a run is compared with (the `compareInput` / `compareModel` / `compareReference` launch attributes); one of them. */
export interface CompareChoice {
  readonly input?: string;
  readonly model?: string;
  readonly reference?: string;
}

/**
 * `Layerstep: Compare With…`: runs the model (on its selected input) beside a counterpart, another input, another
 * model file of the same structure, or a folder of reference values, with the `layerstep.divergenceTolerance`
 * setting. The run goes to the first op that diverges beyond it while its inputs agree (the Diverged stop) or to
 * the end; CALL STACK shows the counterpart as a second thread. `given` (for scripts and tests) skips the picks.
 */
export async function compareWith(context: vscode.ExtensionContext, models: Engines, arg: unknown, given?: CompareChoice): Promise<boolean> {
  const uri = targetModel(arg);
  if (!uri) {
    void vscode.window.showErrorMessage('Layerstep: open a model file first, then compare its run with another input, another model or reference values.');
    return false;
  }
  const choice = given && (given.input || given.model || given.reference) ? given : await pickCounterpart(models, uri);
  if (!choice) return false;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  const base = launchConfig(uri, false, selectedInput(context, uri));
  const label = choice.input ? (/[\\/]/.test(choice.input) ? path.basename(choice.input) : choice.input) : path.basename((choice.model ?? choice.reference) as string);
  const config: vscode.DebugConfiguration & LaunchArgs = {
    ...base,
    name: `Compare ${base.name.replace(/^Run /, '')} with ${label}`,
    ...(choice.input ? { compareInput: choice.input } : choice.model ? { compareModel: choice.model } : { compareReference: choice.reference }),
    tolerance: vscode.workspace.getConfiguration(Settings.section).get<string>(Settings.divergenceTolerance),
  };
  return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), config);
}

/** Asks what to compare the model's run with, then which input, model file or folder. */
async function pickCounterpart(models: Engines, uri: vscode.Uri): Promise<CompareChoice | undefined> {
  type Pick = vscode.QuickPickItem & { counterpart: keyof CompareChoice };
  const items: Pick[] = [
    { label: 'Another input…', detail: 'The same model on one of its examples, on random values, or on a tensor file or image', counterpart: 'input' },
    { label: 'Another model file…', detail: 'A model of the same structure (.json, .onnx, .h5, .keras) on the same input; values are matched by name', counterpart: 'model' },
    { label: 'A folder of reference values…', detail: 'One .npy file per value, named as `layerstep trace --dump` writes them', counterpart: 'reference' },
  ];
  const name = path.basename(uri.fsPath);
  const pick = await vscode.window.showQuickPick(items, { title: `Compare the run of ${name} with…`, ignoreFocusOut: true });
  if (!pick) return undefined;
  const here = vscode.Uri.file(path.dirname(uri.fsPath));
  switch (pick.counterpart) {
    case 'input': {
      const input = await pickInput(models, uri, `Compare ${name} with its run on…`);
      return input === undefined ? undefined : { input };
    }
    case 'model': {
      const files = await vscode.window.showOpenDialog({ title: `A model to compare ${name} with`, defaultUri: here, openLabel: 'Compare With', filters: { 'Model files': ['json', 'onnx', 'h5', 'hdf5', 'keras'] } });
      return files?.[0] && { model: files[0].fsPath };
    }
    case 'reference': {
      const dirs = await vscode.window.showOpenDialog({ title: `A folder of reference values for ${name}`, defaultUri: here, openLabel: 'Compare With', canSelectFiles: false, canSelectFolders: true });
      return dirs?.[0] && { reference: dirs[0].fsPath };
    }
  }
}
