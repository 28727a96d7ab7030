import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LaunchArgs } from '../debug/launchArgs';
import { encodeSafetensorsFile } from '../loaders/safetensorsWrite';
import { toWireError } from '../service/wireError';
import { DEBUG_TYPE, Commands, ContextKeys, Settings } from './ids';
import { targetModel } from './modelFiles';
import type { SessionTracker } from './sessions';
import { DEFAULT_TRAIN_STEPS, parseSteps, stepsHint, trainedMetadata, trainedWeightsFileName } from './trainingText';

/**
 * Train in VS Code: Train (one step, stopped on entry, to step through the forward pass, the loss, the backward
 * pass and the update), Train N Steps… (runs on to a breakpoint, a pause or the last step, the panel drawing the
 * loss curve) and Save Trained Weights… (the one way trained weights reach the disk: a new `.safetensors` file).
 * A training session's weights live in its run; the model file never changes. The panel opens with the session,
 * as for Run and Debug (the `layerstep.openPanelOnStart` setting).
 */
export function registerTraining(context: vscode.ExtensionContext, tracker: SessionTracker): void {
  context.subscriptions.push(
    followTraining(tracker),
    vscode.commands.registerCommand(Commands.trainModel, (arg?: unknown) => train(arg, 1)),
    vscode.commands.registerCommand(Commands.trainSteps, (arg?: unknown, steps?: number) => trainSteps(arg, steps)),
    vscode.commands.registerCommand(Commands.saveTrainedWeights, (target?: unknown) => saveTrainedWeights(tracker, target instanceof vscode.Uri ? target : undefined)),
  );
}

/** The launch configuration of a training run on a model file: `steps` steps, stopped on entry or not. */
export function trainConfig(uri: vscode.Uri, steps: number, stopOnEntry: boolean): vscode.DebugConfiguration & LaunchArgs {
  const file = `${path.basename(path.dirname(uri.fsPath))}/${path.basename(uri.fsPath)}`;
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: steps === 1 ? `Train ${file}` : `Train ${file} (${steps} steps)`,
    model: uri.fsPath,
    train: true,
    steps,
    stopOnEntry,
    memoryBudgetMB: vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.memoryBudgetMB),
  };
}

/** Starts a training session on the model file given or shown. */
async function train(arg: unknown, steps: number, stopOnEntry = steps === 1): Promise<boolean> {
  const uri = targetModel(arg);
  if (!uri) {
    void vscode.window.showErrorMessage('Layerstep: open a model file whose examples carry targets (or give a launch configuration "data") first, then train it.');
    return false;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), trainConfig(uri, steps, stopOnEntry));
}

/**
 * `Layerstep: Train N Steps…`: asks how many (the model file's `training.steps` hint, else 20, offered), then
 * trains that many without stopping on entry. `given` (for scripts and tests) skips the input box.
 */
async function trainSteps(arg: unknown, given: number | undefined): Promise<boolean> {
  const uri = targetModel(arg);
  if (!uri) return train(arg, DEFAULT_TRAIN_STEPS, false);
  let steps = given;
  if (steps === undefined) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const hint = doc ? stepsHint(doc.getText()) : undefined;
    const text = await vscode.window.showInputBox({
      title: `Train ${path.basename(uri.fsPath)}`,
      prompt: 'How many training steps? The run stops at breakpoints and can be paused; the panel draws the loss curve.',
      value: String(hint ?? DEFAULT_TRAIN_STEPS),
      ignoreFocusOut: true,
      validateInput: (t) => {
        const r = parseSteps(t);
        return 'error' in r ? r.error : undefined;
      },
    });
    if (text === undefined) return false;
    const r = parseSteps(text);
    if ('error' in r) return false;
    steps = r.ok;
  }
  return train(uri, steps, false);
}

/** Keeps the `layerstep.training` context key (the toolbar's Save Trained Weights) in step with the followed session. */
function followTraining(tracker: SessionTracker): vscode.Disposable {
  let training: boolean | undefined;
  const update = () => {
    const now = !!tracker.followed?.adapter.training;
    if (now === training) return;
    training = now;
    void vscode.commands.executeCommand('setContext', ContextKeys.training, now);
  };
  update();
  return tracker.onDidChange(update);
}

/**
 * `Layerstep: Save Trained Weights…`: every weight of the followed training session's model as its finished
 * steps trained it, into a new `.safetensors` file (keys = the model's weight names, the training settings and
 * losses in the metadata). Never the model file itself, and an existing file only with the save dialog's
 * confirmation. `target` (for scripts and tests) skips the dialog. Resolves to the file written.
 */
async function saveTrainedWeights(tracker: SessionTracker, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const t = tracker.followed;
  const model = t?.adapter.model;
  const info = t?.adapter.currentStop?.training;
  if (!t || !model || !t.adapter.training) {
    void vscode.window.showErrorMessage('Layerstep: no training session is running; start one with Train or Train N Steps… before saving trained weights.');
    return undefined;
  }
  if (!info || info.losses.length === 0) {
    void vscode.window.showErrorMessage(`Layerstep: no training step of ${path.basename(model.path)} has finished yet, so its weights are still the file's; continue past a step's end first.`);
    return undefined;
  }
  const uri = target ?? await vscode.window.showSaveDialog({
    title: `Save the weights of ${model.outline.name} as ${info.losses.length} training ${info.losses.length === 1 ? 'step' : 'steps'} left them`,
    defaultUri: vscode.Uri.file(path.join(path.dirname(model.path), trainedWeightsFileName(model.outline.name))),
    filters: { Safetensors: ['safetensors'] },
    saveLabel: 'Save Trained Weights',
  });
  if (!uri) return undefined;
  if (path.normalize(uri.fsPath) === path.normalize(model.path)) {
    void vscode.window.showErrorMessage(`Layerstep: ${path.basename(uri.fsPath)} is the model file itself; save the trained weights to a new .safetensors file.`);
    return undefined;
  }
  try {
    const count = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Layerstep: saving ${path.basename(uri.fsPath)}` }, async () => {
      const weights = await t.client.request('weights', {});
      const bytes = encodeSafetensorsFile(weights, { file: path.basename(uri.fsPath), metadata: trainedMetadata(path.basename(model.path), info) });
      await vscode.workspace.fs.writeFile(uri, bytes);
      return weights.length;
    });
    const steps = info.losses.length;
    void vscode.window.showInformationMessage(`Layerstep: wrote ${count} weights, as ${steps} training ${steps === 1 ? 'step' : 'steps'} left them, to ${path.basename(uri.fsPath)}.`);
    return uri;
  } catch (e) {
    void vscode.window.showErrorMessage(`Layerstep: could not save ${path.basename(uri.fsPath)}: ${toWireError(e).message}`);
    return undefined;
  }
}
