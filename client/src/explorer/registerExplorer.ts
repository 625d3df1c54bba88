/**
 * Assembles the image explorer: the node state, the view, the read-only documents and the
 * commands. Every command has one body for the palette, the context menu and multi-selection:
 * VS Code passes `(clicked item?, selected items?)`.
 */
import * as vscode from 'vscode';
import { addEndpointCommand } from '../commands/endpoints/add';
import { configureEndpointsCommand } from '../commands/endpoints/configure';
import { filterCommand, clearFilterCommand } from '../commands/explorer/filter';
import { groupByCommand } from '../commands/explorer/groupBy';
import { refreshCommand } from '../commands/explorer/refresh';
import { sortByCommand } from '../commands/explorer/sortBy';
import { copyDigestCommand } from '../commands/images/copyDigest';
import { copyReferenceCommand } from '../commands/images/copyReference';
import { garbageCollectCommand } from '../commands/images/garbageCollect';
import { inspectCommand } from '../commands/images/inspect';
import { pruneCommand } from '../commands/images/prune';
import { pullCommand } from '../commands/images/pull';
import { removeCommand } from '../commands/images/remove';
import type { CommandContext } from '../commands/commandContext';
import type { PullCredentialLookup } from '../nodes/imagePull';
import { Explorer } from './explorer';
import { createExplorerView, ExplorerTreeDataProvider } from './explorerView';
import type { ExplorerItem } from './model/explorerTree';
import { ReadOnlyDocuments } from './readOnlyDocuments';
import { VsCodePrompts, type ReferenceSuggestion, type UserPrompts } from './userPrompts';

export interface ExplorerServices {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly imageReferences: () => Promise<readonly ReferenceSuggestion[]>;
  readonly credentials: PullCredentialLookup;
}

/** What the extension-host tests reach, in test mode only: they answer prompts instead of clicking. */
export interface ExplorerTestHooks {
  usePrompts(prompts: UserPrompts): void;
  readonly treeDataProvider: vscode.TreeDataProvider<ExplorerItem>;
  /** Reads the endpoint setting again, lists every node, and resolves when done. */
  reload(): Promise<void>;
}

type ItemCommand = (context: CommandContext, item?: ExplorerItem, items?: readonly ExplorerItem[]) => Promise<unknown>;

const COMMANDS: Readonly<Record<string, ItemCommand>> = {
  'kubeImages.explorer.refresh': refreshCommand,
  'kubeImages.explorer.filter': filterCommand,
  'kubeImages.explorer.clearFilter': clearFilterCommand,
  'kubeImages.explorer.sortBy': sortByCommand,
  'kubeImages.explorer.groupBy': groupByCommand,
  'kubeImages.endpoints.configure': configureEndpointsCommand,
  'kubeImages.endpoints.add': addEndpointCommand,
  'kubeImages.images.pull': pullCommand,
  'kubeImages.images.remove': removeCommand,
  'kubeImages.images.inspect': inspectCommand,
  'kubeImages.images.copyReference': (_context, item, items) => copyReferenceCommand(item, items),
  'kubeImages.images.copyDigest': (_context, item, items) => copyDigestCommand(item, items),
  'kubeImages.images.prune': pruneCommand,
  'kubeImages.images.garbageCollect': garbageCollectCommand,
};

export function registerExplorer(services: ExplorerServices): { readonly disposables: vscode.Disposable[]; readonly testHooks: ExplorerTestHooks } {
  const { context, log } = services;
  const explorer = new Explorer(context.globalState, context.workspaceState, log);
  const provider = new ExplorerTreeDataProvider(explorer);
  const documents = new ReadOnlyDocuments();
  let prompts: UserPrompts = new VsCodePrompts();
  const commandContext: CommandContext = {
    explorer,
    prompts: () => prompts,
    documents,
    log,
    imageReferences: services.imageReferences,
    credentials: services.credentials,
  };
  // Nodes are known (and shown as listing) before the view first renders, so the welcome content
  // does not flash up while the first listing runs.
  void explorer.reloadTargets();
  const disposables: vscode.Disposable[] = [
    explorer,
    provider,
    documents,
    createExplorerView(explorer, provider),
    ...Object.entries(COMMANDS).map(([id, command]) =>
      vscode.commands.registerCommand(id, (item?: ExplorerItem, items?: readonly ExplorerItem[]) => command(commandContext, item, items)),
    ),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('kubeImages.endpoints')) void explorer.reloadTargets();
    }),
  ];
  return {
    disposables,
    testHooks: {
      usePrompts: (replacement) => (prompts = replacement),
      treeDataProvider: provider,
      reload: () => explorer.reloadTargets(),
    },
  };
}
