/**
 * `textDocument/codeAction` over the core's edits.
 *
 * - Quick fixes come from the finding behind the diagnostic, found again in the analysis of the
 *   current text by code and exact range: a diagnostic the text has moved away from gets none
 *   until the next publication. Registry diagnostics carry their fixes in `data` instead.
 * - "Ignore CODE on this line" (`quickfix`) adds a `# kube-images-ignore CODE` directive.
 * - "Write imagePullPolicy: X in" is a `refactor.rewrite`, not a `quickfix`: an omitted policy is
 *   not a problem, and writing in the value the API server would set anyway changes nothing on
 *   the cluster. Being a refactoring also keeps it out of "fix all" and auto-fix on save.
 * - `source.fixAll.kubeImages` applies every preferred fix of the file.
 *
 * `resolveProvider` is declared so that fixes needing the network (pinning to a digest, see
 * `pinCodeActions.ts`) can be listed cheaply and computed on demand; every other action listed
 * here is already complete.
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionOptions,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fixAllEdits, ignoreCommentEdit, writePullPolicyProposals } from '../core/features/codeActions';
import { RULES } from '../core/rules';
import type { AnalyzedDocument, DiagnosticCode, TextEdit as CoreTextEdit } from '../core/types';
import { currentAnalysis, type CurrentAnalysis } from './currentAnalysis';
import { DIAGNOSTIC_SOURCE, isDiagnosticData, type DiagnosticFix } from './diagnostics';
import type { DocumentStore } from './documents';
import { guard } from './guard';
import type { PinCodeActions } from './pinCodeActions';
import type { SettingsStore } from './settings';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.kubeImages`;
const FIX_ALL_TITLE = 'Fix all Kubernetes image problems';

export const CODE_ACTION_OPTIONS: CodeActionOptions = {
  codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, FIX_ALL_KIND],
  resolveProvider: true,
};

export function registerCodeActions(connection: Connection, store: DocumentStore, settings: SettingsStore, pins: PinCodeActions): void {
  connection.onCodeAction(
    guard(connection, 'codeAction', [], async (params): Promise<CodeAction[]> => {
      const current = await currentAnalysis(store, settings, params.textDocument.uri);
      if (current === undefined) return [];
      const wanted = requestedKinds(params);
      return [
        ...(wanted(CodeActionKind.QuickFix) ? [...quickFixes(params, current), ...pins.quickFixes(params, current)] : []),
        ...(wanted(CodeActionKind.RefactorRewrite) ? writePolicyActions(params, current) : []),
        ...(wanted(FIX_ALL_KIND) ? fixAllActions(params, current, pins) : []),
      ];
    }),
  );
  // Only pins are resolved; every other action comes back as it is.
  connection.onCodeActionResolve((action, token) => pins.resolve(action, token));
}

/**
 * Which kinds the request asks for. Without `only`, everything but source actions: editors ask
 * for those explicitly (the "Source Action…" menu, code actions on save).
 */
function requestedKinds(params: CodeActionParams): (kind: string) => boolean {
  const only = params.context.only;
  if (only === undefined) return (kind) => !isWithin(kind, CodeActionKind.Source);
  return (kind) => only.some((requested) => isWithin(kind, requested));
}

/** Code action kinds are hierarchical: `source.fixAll.kubeImages` is within `source.fixAll` and `source`. */
function isWithin(kind: string, parent: string): boolean {
  return kind === parent || kind.startsWith(`${parent}.`);
}

function quickFixes(params: CodeActionParams, current: CurrentAnalysis): CodeAction[] {
  const actions: CodeAction[] = [];
  const ignoring = new Set<string>();
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    for (const fix of fixesOf(diagnostic, current)) {
      actions.push(action(fix.title, CodeActionKind.QuickFix, params, [...fix.edits], { diagnostics: [diagnostic], isPreferred: fix.isPreferred }));
    }
    // Two diagnostics of one code on one line share one directive, so they share one action.
    const line = `${String(diagnostic.code)}@${diagnostic.range.start.line}`;
    if (ignoring.has(line)) continue;
    const ignore = ignoreAction(params, current, diagnostic);
    if (ignore !== undefined) {
      ignoring.add(line);
      actions.push(ignore);
    }
  }
  return actions;
}

function fixesOf(diagnostic: Diagnostic, current: CurrentAnalysis): readonly DiagnosticFix[] {
  const data: unknown = diagnostic.data;
  if (data === undefined) return analysisFixes(diagnostic, current);
  // Fixes computed for an older text would land in the wrong place; the next publication brings fresh ones.
  return isDiagnosticData(data) && data.version === current.textDocument.version ? data.fixes : [];
}

/** The fixes of the current finding with the diagnostic's code at exactly its range; none when there is no such finding. */
function analysisFixes(diagnostic: Diagnostic, current: CurrentAnalysis): DiagnosticFix[] {
  const { textDocument, documents } = current;
  const start = textDocument.offsetAt(diagnostic.range.start);
  const end = textDocument.offsetAt(diagnostic.range.end);
  // Documents touch, so an offset on a boundary belongs to the one ending there and the one starting there.
  for (let index = firstDocumentEndingAtOrAfter(documents, start); index < documents.length; index++) {
    const document = documents[index]!;
    if (document.offset > start) break;
    const finding = document.analysis.findings.find(
      (candidate) => candidate.code === diagnostic.code && document.offset + candidate.start === start && document.offset + candidate.end === end,
    );
    if (finding === undefined) continue;
    return (finding.fixes ?? []).map((fix) => ({
      title: fix.title,
      isPreferred: fix.isPreferred === true,
      edits: fix.edits.map((edit) => toLspEdit(textDocument, { ...edit, start: document.offset + edit.start, end: document.offset + edit.end })),
    }));
  }
  return [];
}

/** Binary search over documents in file order. */
function firstDocumentEndingAtOrAfter(documents: readonly AnalyzedDocument[], offset: number): number {
  let low = 0;
  let high = documents.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const document = documents[middle]!;
    if (document.offset + document.length < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

function ignoreAction(params: CodeActionParams, current: CurrentAnalysis, diagnostic: Diagnostic): CodeAction | undefined {
  // The code is written into the document: only our own codes qualify.
  if (typeof diagnostic.code !== 'string' || !Object.hasOwn(RULES, diagnostic.code)) return undefined;
  const code = diagnostic.code as DiagnosticCode;
  const { textDocument } = current;
  const edit = ignoreCommentEdit(textDocument.getText(), current.documents, textDocument.offsetAt(diagnostic.range.start), code);
  if (edit === undefined) return undefined;
  return action(`Ignore ${code} on this line`, CodeActionKind.QuickFix, params, [toLspEdit(textDocument, edit)], { diagnostics: [diagnostic] });
}

function writePolicyActions(params: CodeActionParams, current: CurrentAnalysis): CodeAction[] {
  const { textDocument } = current;
  const proposals = writePullPolicyProposals(current.documents, textDocument.offsetAt(params.range.start), textDocument.offsetAt(params.range.end));
  return proposals.map((proposal) =>
    action(proposal.title, CodeActionKind.RefactorRewrite, params, proposal.edits.map((edit) => toLspEdit(textDocument, edit))),
  );
}

function fixAllActions(params: CodeActionParams, current: CurrentAnalysis, pins: PinCodeActions): CodeAction[] {
  // When it has to pin too, its edit (local fixes and pins) is computed on resolve.
  const pinning = pins.fixAllData(current);
  if (pinning !== undefined) return [{ title: FIX_ALL_TITLE, kind: FIX_ALL_KIND, data: pinning }];
  const edits = fixAllEdits(current.documents, current.settings.severity);
  if (edits.length === 0) return [];
  return [action(FIX_ALL_TITLE, FIX_ALL_KIND, params, edits.map((edit) => toLspEdit(current.textDocument, edit)))];
}

function action(
  title: string,
  kind: string,
  params: CodeActionParams,
  edits: TextEdit[],
  extra: { diagnostics?: Diagnostic[]; isPreferred?: boolean } = {},
): CodeAction {
  const codeAction: CodeAction = { title, kind, edit: { changes: { [params.textDocument.uri]: edits } } };
  if (extra.diagnostics !== undefined) codeAction.diagnostics = extra.diagnostics;
  if (extra.isPreferred === true) codeAction.isPreferred = true;
  return codeAction;
}

function toLspEdit(textDocument: TextDocument, edit: CoreTextEdit): TextEdit {
  return { range: { start: textDocument.positionAt(edit.start), end: textDocument.positionAt(edit.end) }, newText: edit.newText };
}
