/**
 * The activity-bar view: maps the explorer's tree model onto VS Code's tree API, says in the
 * view's message line what is filtered or wrong, switches the welcome content when no node
 * answers, and refreshes on an interval while the view is visible.
 */
import * as vscode from 'vscode';
import type { Explorer } from './explorer';
import { tooltipOf } from './model/explorerTooltips';
import type { ExplorerItem, ExplorerTree } from './model/explorerTree';

export const EXPLORER_VIEW_ID = 'kubeImages.explorer';
/** Context key the welcome content's `when` clauses read: `no-endpoint`, `unreachable` or empty. */
const WELCOME_CONTEXT_KEY = 'kubeImages.explorer.welcome';

export class ExplorerTreeDataProvider implements vscode.TreeDataProvider<ExplorerItem> {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly explorer: Explorer) {}

  /** The whole tree changed: VS Code asks again from the roots, keeping expansion by id. */
  treeChanged(): void {
    this.changed.fire(undefined);
  }

  getChildren(element?: ExplorerItem): ExplorerItem[] {
    return [...(element === undefined ? this.explorer.current.roots : element.children)];
  }

  getTreeItem(item: ExplorerItem): vscode.TreeItem {
    const state =
      item.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : item.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const treeItem = new vscode.TreeItem(item.label, state);
    treeItem.id = item.id;
    treeItem.description = item.description;
    treeItem.contextValue = item.contextValue;
    treeItem.iconPath = new vscode.ThemeIcon(item.icon.id, item.icon.color === undefined ? undefined : new vscode.ThemeColor(item.icon.color));
    if (item.kind === 'image') treeItem.accessibilityInformation = { label: `${item.label}, ${item.description ?? ''}` };
    return treeItem;
  }

  /** Tooltips are made on hover: a node with thousands of images costs nothing until then. */
  resolveTreeItem(treeItem: vscode.TreeItem, item: ExplorerItem): vscode.TreeItem {
    const tooltip = new vscode.MarkdownString(tooltipOf(item), true);
    tooltip.supportHtml = false;
    treeItem.tooltip = tooltip;
    return treeItem;
  }

  getParent(item: ExplorerItem): ExplorerItem | undefined {
    if (item.kind === 'node') return undefined;
    const find = (items: readonly ExplorerItem[]): ExplorerItem | undefined => {
      for (const candidate of items) {
        if (candidate.children.includes(item)) return candidate;
        const found = find(candidate.children);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    return find(this.explorer.current.roots);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function createExplorerView(explorer: Explorer, provider: ExplorerTreeDataProvider): vscode.Disposable {
  const view = vscode.window.createTreeView(EXPLORER_VIEW_ID, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  const show = (tree: ExplorerTree): void => {
    view.message = tree.message;
    void vscode.commands.executeCommand('setContext', WELCOME_CONTEXT_KEY, tree.welcome ?? '');
    provider.treeChanged();
  };
  show(explorer.current);

  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    const seconds = vscode.workspace.getConfiguration('kubeImages.explorer').get<number>('refreshInterval', 30);
    if (!view.visible || !(seconds > 0)) return;
    timer = setInterval(() => void refreshWithProgress(explorer), Math.max(5, seconds) * 1000);
  };
  schedule();

  return vscode.Disposable.from(
    view,
    explorer.onDidChange(show),
    view.onDidChangeVisibility(({ visible }) => {
      // What changed while nobody looked is listed at once.
      if (visible) void refreshWithProgress(explorer);
      schedule();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('kubeImages.explorer.refreshInterval')) schedule();
    }),
    { dispose: () => timer !== undefined && clearInterval(timer) },
  );
}

/** A refresh with the view's own progress bar. */
export function refreshWithProgress(explorer: Explorer): Promise<void> {
  return Promise.resolve(vscode.window.withProgress({ location: { viewId: EXPLORER_VIEW_ID } }, () => explorer.refresh()));
}
