import * as path from 'node:path';
import * as vscode from 'vscode';
import { runDone } from '../debug/labels';
import { LayerstepDebugSession } from '../debug/session';
import { toWireError } from '../service/wireError';
import { launchConfig } from './commands';
import type { Engines } from './engines';
import { DEBUG_TYPE, Settings } from './ids';
import { askForSizes } from './openSizes';
import type { ModelOutline } from '../protocol/engine';
import type { LoadErrors } from './loadErrors';
import { isModelDocument, targetModel } from './modelFiles';
import type { SessionTracker } from './sessions';
import { registerTraining } from './training';

/**
 * The inline debug adapter and the launch configuration provider. Each session runs on the engine worker of
 * its model (shared with the sidebar and the other sessions on that model); a launch first makes sure the model
 * loads, so a broken file is reported where the user looks instead of as a failed launch.
 */
export function registerDebugger(context: vscode.ExtensionContext, engines: Engines, tracker: SessionTracker, loadErrors: LoadErrors): void {
  // Train, Train N Steps… and Save Trained Weights…: training runs are launches of this debugger.
  registerTraining(context, tracker);
  const resolverOf = (folder: vscode.WorkspaceFolder | undefined) => {
    const root = folder?.uri.fsPath;
    return (p: string) => (path.isAbsolute(p) || !root ? p : path.join(root, p));
  };
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: (session) => {
        const resolve = resolverOf(session.workspaceFolder);
        const model = typeof session.configuration.model === 'string' ? resolve(session.configuration.model) : '';
        const client = engines.forRun(model, session.id);
        // Resolves when VS Code announces the session; a session that ends first (a failed launch) lets go too.
        const known = new Promise<void>((done) => {
          const settle = (s: vscode.DebugSession) => {
            if (s.id !== session.id) return;
            started.dispose();
            ended.dispose();
            done();
          };
          const started = vscode.debug.onDidStartDebugSession(settle);
          const ended = vscode.debug.onDidTerminateDebugSession(settle);
        });
        const adapter = new LayerstepDebugSession(client, resolve, { known, hostShowsLaunchErrors: true });
        adapter.observe({
          launchFailed: (error, modelPath) => loadErrors.report(vscode.Uri.file(modelPath || model), error, true),
          opened: (_outline, modelPath) => loadErrors.clear(vscode.Uri.file(modelPath)),
        });
        tracker.add({ session, adapter, client });
        return new vscode.DebugAdapterInlineImplementation(adapter);
      },
    }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      provideDebugConfigurations: () => [{ type: DEBUG_TYPE, request: 'launch', name: 'Debug model', model: '${file}', stopOnEntry: true }],
      resolveDebugConfiguration: (_folder, config) => {
        if (!config.type && !config.request && !config.name) {
          // F5 with no launch.json: debug the model in the active editor.
          const uri = targetModel(undefined);
          if (uri) return launchConfig(uri, true);
          void vscode.window.showErrorMessage(notAModel());
          return undefined;
        }
        if (!config.model) {
          const uri = targetModel(undefined);
          if (!uri) {
            void vscode.window.showErrorMessage('Layerstep: the launch configuration needs "model", the path of a model file.');
            return undefined;
          }
          config.model = uri.fsPath;
        }
        return config;
      },
      resolveDebugConfigurationWithSubstitutedVariables: async (folder, config) => {
        if (typeof config.model !== 'string' || !config.model) return config;
        const uri = vscode.Uri.file(resolverOf(folder ?? vscode.workspace.workspaceFolders?.[0])(config.model));
        let outline: ModelOutline;
        try {
          outline = await engines.outline(uri);
          loadErrors.clear(uri);
        } catch (e) {
          loadErrors.report(uri, toWireError(e), true);
          // undefined cancels the launch quietly: no modal, no "Open launch.json".
          return undefined;
        }
        // A random input for a model with open sizes needs them: asked for, not guessed. Escape cancels the launch.
        if (!(await askForSizes(context, uri, config, outline))) return undefined;
        const settings = vscode.workspace.getConfiguration(Settings.section);
        config.maxLoopIterations ??= settings.get<number>(Settings.maxLoopIterations);
        // A compared run without its own tolerance takes the setting's (launch.json's `tolerance` wins).
        if (config.compareInput || config.compareModel || config.compareReference) config.tolerance ??= settings.get<string>(Settings.divergenceTolerance);
        // Starting a model again replaces its finished session instead of piling a second one beside it.
        const finished = tracker.sessionsOn(uri.fsPath).filter((t) => runDone(t.adapter.currentStop));
        // One that ended meanwhile is gone already: VS Code refuses to stop it, and that must not fail this launch.
        await Promise.all(finished.map((t) => Promise.resolve(vscode.debug.stopDebugging(t.session)).catch(() => undefined)));
        return config;
      },
    }),
  );
}

/** F5 (or a launch) with no model at hand: one sentence naming the active file when there is one. */
function notAModel(): string {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && !isModelDocument(doc)) {
    return `Layerstep: ${path.basename(doc.fileName)} is not a model file (a Layerstep model.json with "format": "layerstep/1", a TensorFlow.js model.json, an .onnx file or a Keras .h5/.keras file).`;
  }
  return 'Layerstep: open a model file (a Layerstep model.json, a TensorFlow.js model.json, an .onnx file or a Keras .h5/.keras file) first.';
}
