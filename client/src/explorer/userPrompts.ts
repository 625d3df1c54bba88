/**
 * Every question the explorer's commands ask the user, behind one interface: VS Code's modal
 * dialogs, input boxes and quick picks in the product; answers given by the extension-host tests,
 * which cannot click (the extension hands them a way to replace this in test mode).
 */
import * as vscode from 'vscode';
import { formatBytes } from '../cri/gc/humanUnits';
import { parseByteSize } from '../nodes/gcPolicyInput';
import type { Confirmation } from './model/confirmations';
import { GROUPING_LABELS, GROUPINGS, SORT_ORDER_LABELS, SORT_ORDERS, type Grouping, type SortOrder } from './model/explorerOptions';
import { FILTER_STATE_WORDS } from './model/imageFilter';
import type { ExplorerNode } from './model/explorerTree';

/** An image reference offered for a pull: one found in the open manifests. */
export interface ReferenceSuggestion {
  /** As written in the manifest. */
  readonly image: string;
  /** What the kubelet would pull. */
  readonly normalized: string;
  /** Where it is written, for people: `deploy/web.yaml`. */
  readonly where: string;
}

export interface CapacityRequest {
  readonly nodeName: string;
  /** Why this machine cannot measure it. */
  readonly reason: string;
  readonly usedBytes: number | undefined;
  readonly highThresholdPercent: number;
  readonly lowThresholdPercent: number;
}

export interface UserPrompts {
  /** A modal dialog; true only when the user chose the action. */
  confirm(confirmation: Confirmation): Promise<boolean>;
  /** The node a command from the palette acts on, when there are several. */
  pickNode(nodes: readonly ExplorerNode[], title: string): Promise<ExplorerNode | undefined>;
  /** The image to pull: a suggestion, or anything typed. */
  pickReference(nodeName: string, suggestions: readonly ReferenceSuggestion[]): Promise<string | undefined>;
  /** The image filesystem's size in bytes, `skip` to skip the space pass, undefined to cancel. */
  askCapacity(request: CapacityRequest): Promise<number | 'skip' | undefined>;
  askFilter(current: string): Promise<string | undefined>;
  pickSortOrder(current: SortOrder): Promise<SortOrder | undefined>;
  pickGrouping(current: Grouping): Promise<Grouping | undefined>;
}

export class VsCodePrompts implements UserPrompts {
  async confirm({ message, detail, action }: Confirmation): Promise<boolean> {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
  }

  async pickNode(nodes: readonly ExplorerNode[], title: string): Promise<ExplorerNode | undefined> {
    const picked = await vscode.window.showQuickPick(
      nodes.map((node) => ({ label: node.target.name, description: node.target.key, node })),
      { title, placeHolder: 'The node to act on' },
    );
    return picked?.node;
  }

  pickReference(nodeName: string, suggestions: readonly ReferenceSuggestion[]): Promise<string | undefined> {
    // A quick pick whose first item is whatever is typed, so any reference can be pulled, and
    // the references of the open manifests complete as the user types.
    return new Promise((resolve) => {
      const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { reference: string }>();
      pick.title = `Pull an image onto ${nodeName}`;
      pick.placeholder = suggestions.length > 0 ? 'An image reference, or one from the open manifests' : 'An image reference, e.g. nginx:1.25 or ghcr.io/org/app@sha256:…';
      const suggested = suggestions.map((suggestion) => ({
        label: suggestion.image,
        description: suggestion.normalized === suggestion.image ? undefined : suggestion.normalized,
        detail: suggestion.where,
        reference: suggestion.image,
      }));
      pick.items = suggested;
      pick.onDidChangeValue((value) => {
        const typed = value.trim();
        pick.items = typed === '' || suggested.some((item) => item.reference === typed) ? suggested : [{ label: typed, description: 'pull this reference', reference: typed }, ...suggested];
      });
      let settled = false;
      pick.onDidAccept(() => {
        settled = true;
        resolve(pick.selectedItems[0]?.reference ?? (pick.value.trim() || undefined));
        pick.hide();
      });
      pick.onDidHide(() => {
        if (!settled) resolve(undefined);
        pick.dispose();
      });
      pick.show();
    });
  }

  async askCapacity(request: CapacityRequest): Promise<number | 'skip' | undefined> {
    const enter = { label: 'Enter the image filesystem size', detail: 'The thresholds then apply to it, as the kubelet applies them to the node’s filesystem.' };
    const skip = { label: 'Skip the space pass', detail: 'Only images unused for longer than MaxAge are removed (none when MaxAge is 0).' };
    const choice = await vscode.window.showQuickPick([enter, skip], {
      title: `Garbage collection on ${request.nodeName}: capacity unknown`,
      placeHolder: `${request.reason}.`,
      ignoreFocusOut: true,
    });
    if (choice === undefined) return undefined;
    if (choice === skip) return 'skip';
    const used = request.usedBytes === undefined ? '' : ` Images use ${formatBytes(request.usedBytes)}.`;
    const text = await vscode.window.showInputBox({
      title: `Image filesystem size of ${request.nodeName}`,
      prompt: `Bytes, or a number with a unit: 100GB, 50GiB.${used}`,
      ignoreFocusOut: true,
      validateInput: (value) => {
        const parsed = parseByteSize(value);
        if (!parsed.ok) return parsed.message;
        if (parsed.value === 0) return 'A filesystem of 0 bytes cannot hold images';
        const at = (percent: number): string => formatBytes(Math.floor((parsed.value * percent) / 100));
        return { message: `High threshold ${request.highThresholdPercent} % = ${at(request.highThresholdPercent)}, low ${request.lowThresholdPercent} % = ${at(request.lowThresholdPercent)}`, severity: vscode.InputBoxValidationSeverity.Info };
      },
    });
    if (text === undefined) return undefined;
    const parsed = parseByteSize(text);
    return parsed.ok ? parsed.value : undefined;
  }

  askFilter(current: string): Promise<string | undefined> {
    return Promise.resolve(
      vscode.window.showInputBox({
        title: 'Filter Images',
        value: current,
        prompt: `Words that must all match a tag, digest or id; or ${FILTER_STATE_WORDS.join(', ')}. Empty shows every image.`,
        placeHolder: 'nginx is:unused',
      }),
    );
  }

  async pickSortOrder(current: SortOrder): Promise<SortOrder | undefined> {
    const picked = await vscode.window.showQuickPick(
      SORT_ORDERS.map((order) => ({ label: SORT_ORDER_LABELS[order], description: order === current ? 'current' : undefined, order })),
      { title: 'Sort Images By' },
    );
    return picked?.order;
  }

  async pickGrouping(current: Grouping): Promise<Grouping | undefined> {
    const picked = await vscode.window.showQuickPick(
      GROUPINGS.map((grouping) => ({ label: GROUPING_LABELS[grouping], description: grouping === current ? 'current' : undefined, grouping })),
      { title: 'Group Images By' },
    );
    return picked?.grouping;
  }
}
