/**
 * "Pin to digest": listed instantly and without the network (the action carries `data`, no
 * edit), resolved in `codeAction/resolve`, where the registry is asked what the tag names now.
 *
 * - One action per unpinned image the request's range touches, attached to the `latest-tag`,
 *   `implicit-latest` and `not-pinned` diagnostics of that image when the request carries them.
 * - In an untrusted workspace the action is listed disabled, with the reason, and resolving it
 *   contacts nothing.
 * - `source.fixAll.kubeImages` pins as well when `not-pinned` is shown (its severity is not
 *   `off`): fix-all fixes what the user sees. Its edit is then computed on resolve too.
 *
 * Offered only to clients that keep `data` and resolve `edit` lazily; others would have no way to
 * apply it.
 */
import {
  CodeActionKind,
  type CancellationToken,
  type ClientCapabilities,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fixAllEdits } from '../core/features/codeActions';
import { RULES } from '../core/rules';
import { applySeverities } from '../core/severities';
import type { DiagnosticCode, Finding, TextEdit as CoreTextEdit } from '../core/types';
import { planPins, type PinFailure } from '../pinning/pinPlan';
import { findPinTargets, unpinned, type PinTarget } from '../pinning/pinTargets';
import { currentAnalysis, type CurrentAnalysis } from './currentAnalysis';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { DocumentStore } from './documents';
import { logError } from './guard';
import { UNTRUSTED_WORKSPACE_REASON } from './protocol';
import type { RegistryAccess } from './pinRegistryAccess';
import type { SettingsStore } from './settings';

const PIN_ACTION_TITLE = 'Pin to digest';

/** Diagnostics a pin fixes. */
const PINNABLE_CODES: ReadonlySet<string> = new Set<DiagnosticCode>(['latest-tag', 'implicit-latest', 'not-pinned']);

type PinActionData =
  | { readonly kind: 'kubeImages.pin'; readonly uri: string; readonly version: number; readonly offset: number }
  | { readonly kind: 'kubeImages.fixAll'; readonly uri: string; readonly version: number };

export class PinCodeActions {
  private readonly canResolveEdits: boolean;
  private readonly canShowDisabled: boolean;

  constructor(
    private readonly connection: Connection,
    private readonly store: DocumentStore,
    private readonly settings: SettingsStore,
    private readonly access: RegistryAccess,
    capabilities: ClientCapabilities,
  ) {
    const codeAction = capabilities.textDocument?.codeAction;
    this.canResolveEdits = codeAction?.dataSupport === true && (codeAction.resolveSupport?.properties.includes('edit') ?? false);
    this.canShowDisabled = codeAction?.disabledSupport === true;
  }

  /** "Pin to digest" for each unpinned image in the request's range, without edits. */
  quickFixes(params: CodeActionParams, current: CurrentAnalysis): CodeAction[] {
    if (!this.canResolveEdits) return [];
    const trusted = this.access.isTrusted;
    if (!trusted && !this.canShowDisabled) return [];
    const { textDocument } = current;
    const range = { start: textDocument.offsetAt(params.range.start), end: textDocument.offsetAt(params.range.end) };
    const found = findPinTargets(current.documents, range);
    const targets = unpinned(found.targets);
    const unplaceable = found.unplaceable.filter((image) => image.digest === undefined);
    const several = targets.length + unplaceable.length > 1;
    const actions: CodeAction[] = [];
    for (const target of targets) {
      const action: CodeAction = { title: several ? `Pin "${target.reference.text}" to digest` : PIN_ACTION_TITLE, kind: CodeActionKind.QuickFix };
      const fixed = pinnableDiagnostics(params.context.diagnostics, textDocument, target.reference);
      if (fixed.length > 0) action.diagnostics = fixed;
      if (trusted) {
        if (fixed.length > 0) action.isPreferred = true;
        action.data = { kind: 'kubeImages.pin', uri: textDocument.uri, version: textDocument.version, offset: target.reference.start } satisfies PinActionData;
      } else {
        action.disabled = { reason: UNTRUSTED_WORKSPACE_REASON };
      }
      actions.push(action);
    }
    if (this.canShowDisabled) {
      for (const image of unplaceable) {
        const title = several ? `Pin "${image.image}" to digest` : PIN_ACTION_TITLE;
        actions.push({ title, kind: CodeActionKind.QuickFix, disabled: { reason: `Cannot pin "${image.image}": ${image.reason}` } });
      }
    }
    return actions;
  }

  /**
   * The `data` of a fix-all action that has to pin (trusted workspace, `not-pinned` shown,
   * something to pin), whose edit `resolve` computes. Undefined otherwise: the local fixes alone
   * make a complete action.
   */
  fixAllData(current: CurrentAnalysis): unknown {
    if (!this.canResolveEdits || !this.access.isTrusted || !notPinnedShown(current)) return undefined;
    if (unpinned(findPinTargets(current.documents).targets).length === 0) return undefined;
    const { uri, version } = current.textDocument;
    return { kind: 'kubeImages.fixAll', uri, version } satisfies PinActionData;
  }

  /** `codeAction/resolve`: asks the registry and fills in the edit. Any other action comes back as it is. */
  async resolve(action: CodeAction, token: CancellationToken): Promise<CodeAction> {
    const data = pinActionData(action.data);
    if (data === undefined || !this.access.isTrusted) return action;
    try {
      const current = await currentAnalysis(this.store, this.settings, data.uri);
      if (current === undefined || current.textDocument.version !== data.version) {
        void this.connection.window.showWarningMessage('The document changed since the fix was offered: ask for it again.');
        return action;
      }
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      let resolved: { edits: CoreTextEdit[]; failures: readonly PinFailure[] };
      try {
        resolved = await this.plan(current, data, abort.signal);
      } finally {
        subscription.dispose();
      }
      // The answer came back after the user moved on (an edit, a cancel): its offsets may no longer hold.
      if (token.isCancellationRequested || this.store.get(data.uri)?.textDocument.version !== data.version) return action;
      this.report(resolved.failures);
      if (resolved.edits.length === 0) return action;
      const { textDocument } = current;
      return { ...action, edit: { changes: { [textDocument.uri]: resolved.edits.map((edit) => toLspEdit(textDocument, edit)) } } };
    } catch (error) {
      logError(this.connection, 'Resolving a pin failed', error);
      return action;
    }
  }

  private async plan(current: CurrentAnalysis, data: PinActionData, signal: AbortSignal): Promise<{ edits: CoreTextEdit[]; failures: readonly PinFailure[] }> {
    if (data.kind === 'kubeImages.pin') {
      const found = findPinTargets(current.documents, { start: data.offset, end: data.offset });
      const targets = unpinned(found.targets).filter((target) => target.reference.start === data.offset);
      return this.pins(current, targets, [], signal);
    }
    // Fix-all: the local fixes first; a pin that would overlap one of them waits for the next run.
    const local = fixAllEdits(current.documents, current.settings.severity);
    return this.pins(current, unpinned(findPinTargets(current.documents).targets), local, signal);
  }

  private async pins(
    current: CurrentAnalysis,
    targets: readonly PinTarget[],
    local: readonly CoreTextEdit[],
    signal: AbortSignal,
  ): Promise<{ edits: CoreTextEdit[]; failures: readonly PinFailure[] }> {
    const outcomes = await this.access.resolve(
      targets.map((target) => target.lookup),
      current.settings,
      { signal },
    );
    const plan = planPins({ targets, unplaceable: [] }, outcomes, current.settings.pinPlatform);
    const edits = [...local];
    for (const change of plan.changes) if (!local.some((edit) => overlaps(edit, change.edit))) edits.push(change.edit);
    return { edits: edits.sort((a, b) => a.start - b.start), failures: plan.failures };
  }

  private report(failures: readonly PinFailure[]): void {
    if (failures.length === 0) return;
    const message =
      failures.length === 1
        ? `Cannot pin ${failures[0]!.image}: ${failures[0]!.message}`
        : `${failures.length} images could not be pinned: ${failures.map((failure) => `${failure.image}: ${failure.message}`).join(' ')}`;
    void this.connection.window.showErrorMessage(message);
  }
}

/** Whether the user sees `not-pinned` for this document (its severity setting is not `off`): then fix-all pins too. */
function notPinnedShown(current: CurrentAnalysis): boolean {
  const probe: Finding = { code: 'not-pinned', severity: RULES['not-pinned'].defaultSeverity, start: 0, end: 0, message: '' };
  return applySeverities([probe], current.settings.severity).length > 0;
}

function pinnableDiagnostics(diagnostics: readonly Diagnostic[], textDocument: TextDocument, reference: { start: number; end: number }): Diagnostic[] {
  return diagnostics.filter((diagnostic) => {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string' || !PINNABLE_CODES.has(diagnostic.code)) return false;
    const start = textDocument.offsetAt(diagnostic.range.start);
    const end = textDocument.offsetAt(diagnostic.range.end);
    return start <= reference.end && reference.start <= end;
  });
}

function pinActionData(value: unknown): PinActionData | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const data = value as Record<string, unknown>;
  if (typeof data['uri'] !== 'string' || !Number.isInteger(data['version'])) return undefined;
  const uri = data['uri'];
  const version = data['version'] as number;
  if (data['kind'] === 'kubeImages.fixAll') return { kind: 'kubeImages.fixAll', uri, version };
  if (data['kind'] === 'kubeImages.pin' && Number.isInteger(data['offset'])) return { kind: 'kubeImages.pin', uri, version, offset: data['offset'] as number };
  return undefined;
}

/** As the core's fix-all decides: ranges that intersect, or two insertions at one place. */
function overlaps(a: CoreTextEdit, b: CoreTextEdit): boolean {
  return (a.start < b.end && b.start < a.end) || a.start === b.start;
}

function toLspEdit(textDocument: TextDocument, edit: CoreTextEdit): TextEdit {
  return { range: { start: textDocument.positionAt(edit.start), end: textDocument.positionAt(edit.end) }, newText: edit.newText };
}
