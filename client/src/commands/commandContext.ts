/**
 * What the explorer's commands work with, handed to each when it runs, and the steps they share:
 * which items a click or a multi-selection means, which node a palette command acts on, the
 * workspace-trust gate, progress with cancellation, and reporting a failure without throwing.
 */
import * as vscode from 'vscode';
import type { GcPolicy } from '../cri/gc/gcPolicy';
import { CriError } from '../cri/errors';
import type { Explorer } from '../explorer/explorer';
import type { ExplorerItem, ExplorerNode, ImageItem } from '../explorer/model/explorerTree';
import type { ReadOnlyDocuments } from '../explorer/readOnlyDocuments';
import type { ReferenceSuggestion, UserPrompts } from '../explorer/userPrompts';
import { gcPolicyFrom, type Parsed } from '../nodes/gcPolicyInput';
import type { PullCredentialLookup } from '../nodes/imagePull';
import type { NodeSession } from '../nodes/nodeSession';

export interface CommandContext {
  readonly explorer: Explorer;
  /** The prompts in use now; the extension-host tests replace them. */
  readonly prompts: () => UserPrompts;
  readonly documents: ReadOnlyDocuments;
  readonly log: vscode.LogOutputChannel;
  /** The images of the open manifests, asked of the language server; none when it is not running. */
  readonly imageReferences: () => Promise<readonly ReferenceSuggestion[]>;
  /** Registry credentials for pulls: the ones entered in VS Code, then docker's. */
  readonly credentials: PullCredentialLookup;
}

/**
 * What a command did, returned to whoever ran it (`executeCommand` hands it back; the tests read
 * it). `withheld`: refused in an untrusted workspace.
 */
export type CommandOutcome<Done extends object = object> = ({ readonly status: 'done' } & Done) | NotDone;

/** Every outcome but success, which any command can end with. */
export type NotDone =
  | { readonly status: 'cancelled' }
  | { readonly status: 'withheld'; readonly reason: string }
  | { readonly status: 'failed'; readonly message: string };

/**
 * The items a command acts on. VS Code passes the clicked item and the whole selection; a click
 * outside the selection acts on the clicked item alone, as in the file explorer.
 */
export function selectedItems(item: ExplorerItem | undefined, items: readonly ExplorerItem[] | undefined): ExplorerItem[] {
  if (item === undefined) return [...(items ?? [])];
  if (items === undefined || !items.some((selected) => selected.id === item.id)) return [item];
  return [...items];
}

export function selectedImages(item: ExplorerItem | undefined, items: readonly ExplorerItem[] | undefined): ImageItem[] {
  const images = selectedItems(item, items).filter((selected): selected is ImageItem => selected.kind === 'image');
  // An image shown under two groups may be selected twice.
  return images.filter((image, index) => images.findIndex((other) => other.entry.image.id === image.entry.image.id && other.node.target.key === image.node.target.key) === index);
}

/** The node and its session: the item's node, else the only node, else the one the user picks. */
export async function chooseNode(context: CommandContext, item: ExplorerItem | undefined, title: string): Promise<{ node: ExplorerNode; session: NodeSession } | undefined> {
  let node = item === undefined ? undefined : context.explorer.node(item.node.target.key);
  if (node === undefined) {
    const nodes = context.explorer.allNodes;
    if (nodes.length === 0) {
      void vscode.window.showWarningMessage('No node is configured or found. Configure an endpoint in kubeImages.endpoints.', 'Configure Node Endpoints').then((choice) => {
        if (choice !== undefined) void vscode.commands.executeCommand('kubeImages.endpoints.configure');
      });
      return undefined;
    }
    node = nodes.length === 1 ? nodes[0] : await context.prompts().pickNode(nodes, title);
  }
  const session = node === undefined ? undefined : context.explorer.session(node.target.key);
  return node === undefined || session === undefined ? undefined : { node, session };
}

/** Node actions wait for trust, like registry traffic: the user is pointed at where to give it. */
export function withheldUntrusted(action: string): NotDone | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  const reason = `${action} is withheld in an untrusted workspace: actions on nodes run only once you trust this workspace. The view still lists images.`;
  const manage = 'Manage Workspace Trust';
  void vscode.window.showWarningMessage(reason, manage).then((choice) => {
    if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return { status: 'withheld', reason };
}

/** Runs `task` under a cancellable notification; its signal aborts the CRI calls. */
export function withCancellableProgress<T>(title: string, task: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const listener = token.onCancellationRequested(() => controller.abort());
      try {
        return await task(controller.signal, (message) => progress.report({ message }));
      } finally {
        listener.dispose();
      }
    }),
  );
}

/** A failure as the user sees it: the CRI error's own message says what to do. Never throws. */
export function reportFailure(context: CommandContext, what: string, error: unknown): NotDone {
  if (isCancellation(error)) return { status: 'cancelled' };
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  context.log.error(message);
  void vscode.window.showErrorMessage(message);
  return { status: 'failed', message };
}

export function isCancellation(error: unknown): boolean {
  return (error instanceof CriError && error.kind === 'cancelled') || (error instanceof Error && error.name === 'AbortError');
}

/** The GC policy from the `kubeImages.gc.*` settings. */
export function gcPolicySetting(): Parsed<GcPolicy> {
  const settings = vscode.workspace.getConfiguration('kubeImages.gc');
  return gcPolicyFrom({
    highThresholdPercent: settings.get<number>('highThresholdPercent'),
    lowThresholdPercent: settings.get<number>('lowThresholdPercent'),
    minAge: settings.get<string>('minAge'),
    maxAge: settings.get<string>('maxAge'),
  });
}

export function plural(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}
