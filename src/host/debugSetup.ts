import * as path from 'node:path';
import * as vscode from 'vscode';
import { LayerstepDebugSession } from '../debug/session';
import { launchConfig } from './commands';
import { DEBUG_TYPE } from './ids';
import type { InlineSessions } from './inlineSessions';
import { targetModel } from './modelFiles';
import { WorkerEngineClient } from './workerClient';

/** The inline debug adapter (each session gets its own engine worker) and the launch configuration provider. */
export function registerDebugger(context: vscode.ExtensionContext, inline: InlineSessions): void {
  const workerPath = path.join(context.extensionPath, 'dist', 'engineWorker.js');
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: (session) => {
        const folder = session.workspaceFolder?.uri.fsPath;
        const resolve = (p: string) => (path.isAbsolute(p) || !folder ? p : path.join(folder, p));
        const client = new WorkerEngineClient(workerPath);
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
        const adapter = new LayerstepDebugSession(client, resolve, known);
        inline.add({ session, adapter, client });
        return new vscode.DebugAdapterInlineImplementation(adapter);
      },
    }),
    vscode.debug.onDidTerminateDebugSession((s) => inline.delete(s.id)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      provideDebugConfigurations: () => [{ type: DEBUG_TYPE, request: 'launch', name: 'Debug model', model: '${file}', stopOnEntry: true }],
      resolveDebugConfiguration: (_folder, config) => {
        if (!config.type && !config.request && !config.name) {
          // F5 with no launch.json: debug the model in the active editor.
          const uri = targetModel(undefined);
          return uri ? launchConfig(uri, true) : undefined;
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
    }),
  );
}
