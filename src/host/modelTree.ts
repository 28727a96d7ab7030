import * as vscode from 'vscode';
import type { ModelOutline, OutlineNode, WeightOutline } from '../protocol/engine';
import { Commands } from './ids';

/** A row of the Model view: a module or op of the outline, or one of a module's weights. */
export type ModelItem =
  | { readonly kind: 'layer'; readonly node: OutlineNode; readonly parent?: ModelItem }
  | { readonly kind: 'weight'; readonly weight: WeightOutline; readonly parent: ModelItem };

/**
 * The Layerstep sidebar's **Model** view: modules › layers › ops, with each module's weights (shape,
 * parameter count, statistics). It shows the outline it is given and never reads files itself.
 */
export class ModelTreeProvider implements vscode.TreeDataProvider<ModelItem>, vscode.Disposable {
  private outline?: ModelOutline;
  private modelUri?: vscode.Uri;
  private roots: ModelItem[] = [];
  private readonly byId = new Map<string, ModelItem>();
  private readonly changed = new vscode.EventEmitter<ModelItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  get model(): { outline: ModelOutline; uri: vscode.Uri } | undefined {
    return this.outline && this.modelUri ? { outline: this.outline, uri: this.modelUri } : undefined;
  }

  /** Shows a model, or nothing. */
  setModel(outline: ModelOutline | undefined, uri: vscode.Uri | undefined): void {
    this.outline = outline;
    this.modelUri = uri;
    this.byId.clear();
    this.roots = outline ? [this.index({ kind: 'layer', node: outline.root })] : [];
    this.changed.fire(undefined);
  }

  /** The row of a module or node id, for revealing the current frame. */
  itemFor(id: string): ModelItem | undefined {
    return this.byId.get(id);
  }

  getChildren(item?: ModelItem): ModelItem[] {
    if (!item) return this.roots;
    if (item.kind === 'weight') return [];
    const weights: ModelItem[] = item.node.weights.map((weight) => ({ kind: 'weight', weight, parent: item }));
    return [...weights, ...item.node.children.map((c) => this.byId.get(c.id) ?? this.index({ kind: 'layer', node: c, parent: item }))];
  }

  getParent(item: ModelItem): ModelItem | undefined {
    return item.parent;
  }

  getTreeItem(item: ModelItem): vscode.TreeItem {
    if (item.kind === 'weight') {
      const w = item.weight;
      const t = new vscode.TreeItem(w.role, vscode.TreeItemCollapsibleState.None);
      t.description = `${w.dtype}[${w.shape.join('×')}]  ${count(w.shape.reduce((a, b) => a * b, 1))}`;
      t.tooltip = new vscode.MarkdownString().appendCodeblock(`${w.name}\n${w.summary}`, 'text');
      t.iconPath = new vscode.ThemeIcon('symbol-constant');
      t.contextValue = 'weight';
      t.id = `w:${w.name}`;
      t.command = { command: Commands.showWeight, title: 'Show in Panel', arguments: [w.name, w.role] };
      return t;
    }
    const n = item.node;
    const hasChildren = n.children.length > 0 || n.weights.length > 0;
    const state = !hasChildren ? vscode.TreeItemCollapsibleState.None
      : item.parent ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded;
    const t = new vscode.TreeItem(n.name, state);
    t.id = `n:${n.id}`;
    const shape = n.outputShape ? ` → [${n.outputShape.join('×')}]` : '';
    t.description = n.kind === 'module' ? `${n.type}${n.params ? ` · ${count(n.params)} params` : ''}${shape}` : `${n.type}${shape}`;
    t.tooltip = tooltip(n);
    t.iconPath = new vscode.ThemeIcon(n.kind === 'node' ? 'symbol-operator' : item.parent ? 'symbol-class' : 'symbol-namespace');
    t.contextValue = n.kind;
    if (n.source && this.modelUri) {
      const range = new vscode.Range(n.source.startLine - 1, 0, n.source.startLine - 1, 0);
      t.command = { command: 'vscode.open', title: 'Go to Layer', arguments: [this.modelUri, { selection: range, preserveFocus: true }] };
    }
    return t;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private index(item: ModelItem & { kind: 'layer' }): ModelItem {
    this.byId.set(item.node.id, item);
    for (const c of item.node.children) this.index({ kind: 'layer', node: c, parent: item });
    return item;
  }
}

function tooltip(n: OutlineNode): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMd(n.name)}** — ${escapeMd(n.type)}\n\n`);
  if (n.params) md.appendMarkdown(`${n.params.toLocaleString('en-US')} parameters\n\n`);
  if (n.weights.length) md.appendCodeblock(n.weights.map((w) => `${w.role}: ${w.summary}`).join('\n'), 'text');
  return md;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** 1234 → 1.2K, 1234567 → 1.2M. */
export function count(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}K`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
}
