import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareChoice } from './host/commands';
import { compareWith, selectInputInSession, startModel } from './host/commands';
import { registerDebugger } from './host/debugSetup';
import { Commands, ContextKeys, DEBUG_TYPE, ONNX_SUMMARY_VIEW_TYPE, Settings, Views } from './host/ids';
import { addTypeBreakpoint, toggleItemBreakpoint } from './host/breakpoints';
import { Engines } from './host/engines';
import { LoadErrors } from './host/loadErrors';
import { BINARY_MODEL, isModelDocument, targetModel } from './host/modelFiles';
import type { ModelItem } from './host/modelTree';
import { ModelTreeProvider } from './host/modelTree';
import { OnnxSummaryEditorProvider } from './host/onnxEditor';
import { LayerstepPanel } from './host/panel';
import { SessionTracker } from './host/sessions';
import { TEST_HOOKS } from './host/testHooks';
import { registerWhatIf } from './host/whatIf';
import { registerSaveTensor } from './host/saveTensor';
import { toWireError } from './service/wireError';

/**
 * What `activate` returns (`vscode.extensions.getExtension('layerstep.layerstep').exports`): read-only handles
 * the end-to-end suite uses to check the sidebar as VS Code sees it, without a command made only for tests.
 */
export interface LayerstepApi {
  /** The provider behind the `layerstep.model` view: `getChildren` / `getTreeItem` give its rows. */
  readonly modelTree: ModelTreeProvider;
  /** The view itself: its `message` holds the error of a model that does not load. */
  readonly modelView: vscode.TreeView<ModelItem>;
}

/** Activation: every registration is pushed to `context.subscriptions`, so deactivation disposes all of it. */
export function activate(context: vscode.ExtensionContext): LayerstepApi | undefined {
  void vscode.commands.executeCommand('setContext', ContextKeys.activated, true);
  const tracker = new SessionTracker();
  const engines = new Engines(path.join(context.extensionPath, 'dist', 'engineWorker.js'));
  const loadErrors = new LoadErrors();
  const tree = new ModelTreeProvider();
  const treeView = vscode.window.createTreeView(Views.model, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(tracker, engines, loadErrors, tree, treeView);
  registerDebugger(context, engines, tracker, loadErrors);
  const onnxEditors = OnnxSummaryEditorProvider.register(context, engines, tracker);
  registerWhatIf(context, tracker, tree);
  registerSaveTensor(context, tracker);

  const showPanel = () => LayerstepPanel.show(context.extensionUri, tracker, engines);

  /**
   * The sidebar follows the active model editor, or the model of the running session. The model's engine
   * worker starts and parses the model now, so Run finds it loaded.
   */
  const showModelOf = async (editor: vscode.TextEditor | undefined, force = false) => {
    const isModel = isModelDocument(editor?.document);
    await vscode.commands.executeCommand('setContext', ContextKeys.activeEditorIsModel, isModel);
    if (!isModel || !editor) return;
    const uri = editor.document.uri;
    if (tracker.current) {
      engines.warm(uri);
      return;
    }
    try {
      tree.setModel(await engines.outline(uri, force), uri);
      treeView.message = undefined;
      loadErrors.clear(uri);
    } catch (e) {
      tree.setModel(undefined, undefined);
      const error = toWireError(e);
      treeView.message = error.message;
      loadErrors.report(uri, error, false);
    }
  };

  const panelOnStart = () => vscode.workspace.getConfiguration(Settings.section).get<boolean>(Settings.openPanelOnStart, true);
  /** Run and Debug: the panel opens (or is created) while the session starts, not after. */
  const start = (uri: unknown, stopOnEntry: boolean) => {
    if (panelOnStart() && targetModel(uri)) showPanel();
    return startModel(context, uri, stopOnEntry);
  };

  /**
   * A binary model file (`.onnx`, Keras) that VS Code opened as text (a click in the first moments of a window,
   * before the summary editor was registered: VS Code then shows its "binary file" placeholder, which is a tab but
   * no text editor) is reopened in the summary, once per file: a user who then reopens it as text keeps it.
   */
  const reopened = new Set<string>();
  const reopenAsSummary = async (tab: vscode.Tab) => {
    const input = tab.input;
    if (!(input instanceof vscode.TabInputText) || input.uri.scheme !== 'file' || !BINARY_MODEL.test(input.uri.fsPath)) return;
    if (reopened.has(input.uri.toString())) return;
    reopened.add(input.uri.toString());
    const column = tab.group.viewColumn;
    await vscode.window.tabGroups.close(tab);
    await vscode.commands.executeCommand('vscode.openWith', input.uri, ONNX_SUMMARY_VIEW_TYPE, column);
  };

  /**
   * Selects the item of the session's top frame in the sidebar, when the sidebar is shown; a frame made at run
   * time (a loop's iteration, a branch) shows as its nearest enclosing item in the model's tree.
   */
  const revealStop = () => {
    const stack = tracker.current?.stop?.stack ?? [];
    const item = stack.map((f) => tree.itemFor(f.itemId)).find((i) => i !== undefined);
    if (item && treeView.visible) void treeView.reveal(item, { select: true, focus: false, expand: true });
  };

  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(showModelOf),
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of [...e.opened, ...e.changed]) void reopenAsSummary(tab);
    }),
    // An .onnx summary editor is a webview, not a text editor: it reports its model when it is active and loaded.
    onnxEditors.onDidActivate(({ uri, outline }) => {
      if (tracker.current) return;
      tree.setModel(outline, uri);
      treeView.message = undefined;
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc === vscode.window.activeTextEditor?.document) void showModelOf(vscode.window.activeTextEditor);
    }),
    tracker.onDidChange(async (state) => {
      if (!state) return;
      if (state.outline && state.modelPath && tree.model?.outline !== state.outline) {
        tree.setModel(state.outline, vscode.Uri.file(state.modelPath));
      }
      revealStop();
    }),
    // A session that stops is the one CALL STACK focuses, so the toolbar's buttons act on it (VS Code on its own
    // keeps the focus on another session that is paused or finished).
    tracker.onDidStop((t) => {
      const active = vscode.debug.activeDebugSession;
      if (active && active.id !== t.session.id) tracker.get(active.id)?.adapter.yieldFocus();
    }),
    // A sidebar opened while the session is paused shows where it stands too.
    treeView.onDidChangeVisibility(() => revealStop()),
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type === DEBUG_TYPE && panelOnStart()) showPanel();
    }),
    vscode.commands.registerCommand(Commands.runModel, (uri?: unknown) => start(uri, false)),
    vscode.commands.registerCommand(Commands.debugModel, (uri?: unknown) => start(uri, true)),
    vscode.commands.registerCommand(Commands.showPanel, showPanel),
    vscode.commands.registerCommand(Commands.selectInput, (uri?: unknown) => selectInputInSession(context, engines, tracker, uri)),
    vscode.commands.registerCommand(Commands.compareWith, (uri?: unknown, choice?: CompareChoice) => compareWith(context, engines, uri, choice)),
    vscode.commands.registerCommand(Commands.showWeight, (name: string, role?: string) => {
      showPanel().showWeight(name, role ?? name, tree.model?.uri.fsPath, tree.model?.outline.root);
    }),
    vscode.commands.registerCommand(Commands.refreshModel, () => showModelOf(vscode.window.activeTextEditor, true)),
    vscode.commands.registerCommand(Commands.toggleBreakpoint, (item: ModelItem) => toggleBreakpoint(tree, item)),
    vscode.commands.registerCommand(Commands.addTypeBreakpoint, () => addTypeBreakpoint(tree.model?.outline ?? tracker.current?.outline)),
  );
  void showModelOf(vscode.window.activeTextEditor);
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) void reopenAsSummary(tab);
  // The e2e suite's handles, only in the development build (src/host/testHooks.ts).
  return TEST_HOOKS ? { modelTree: tree, modelView: treeView } : undefined;
}

export function deactivate(): void {}

/** Toggles a breakpoint on a module or op from the sidebar: on its line when the format has lines, else by name. */
function toggleBreakpoint(tree: ModelTreeProvider, item: ModelItem): void {
  if (item?.kind !== 'layer') return;
  toggleItemBreakpoint({ id: item.node.id, name: item.node.name, line: item.node.source?.startLine }, tree.model?.uri);
}

