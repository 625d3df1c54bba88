/**
 * `kubeImages/pinAll` and `kubeImages/checkDrift`: the two commands that act on a whole document.
 *
 * Pin-all resolves every distinct reference at once, reports progress as each settles, and
 * answers one versioned `TextDocumentEdit` for what resolved plus a failure per image that did
 * not. Nothing half-done: a cancelled request, or a document that changed meanwhile, answers
 * with an error and no edit. Refusals are `ResponseError`s whose message the client shows as is.
 */
import {
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocumentEdit,
  type CancellationToken,
  type Connection,
} from 'vscode-languageserver/node';
import { planPins } from '../pinning/pinPlan';
import { findPinTargets, unpinned } from '../pinning/pinTargets';
import { currentAnalysis, type CurrentAnalysis } from './currentAnalysis';
import type { DocumentStore } from './documents';
import type { DriftChecker } from './drift';
import { logError } from './guard';
import { CheckDriftRequest, PinAllRequest, UNTRUSTED_WORKSPACE_REASON, type CheckDriftResult, type PinAllResult } from './protocol';
import type { RegistryAccess } from './pinRegistryAccess';
import type { SettingsStore } from './settings';

export function registerPinAll(connection: Connection, store: DocumentStore, settings: SettingsStore, access: RegistryAccess): void {
  connection.onRequest(PinAllRequest.type, (params, token) =>
    refusalsAsErrors(connection, 'pinAll', async (): Promise<PinAllResult> => {
      if (!access.isTrusted) throw new ResponseError(LSPErrorCodes.RequestFailed, UNTRUSTED_WORKSPACE_REASON);
      const current = await openVersion(store, settings, params.uri, params.version);
      const found = findPinTargets(current.documents);
      const lookups = new Set(unpinned(found.targets).map((target) => target.lookup));
      const progress = connection.window.attachWorkDoneProgress(params.workDoneToken);
      progress.begin('Pinning images to digests', 0, `0 of ${lookups.size} looked up`, true);
      const outcomes = await withAbortSignal(token, (signal) =>
        access.resolve(lookups, current.settings, {
          signal,
          onSettled: (_lookup, settled, total) => progress.report(Math.round((settled / total) * 100), `${settled} of ${total} looked up`),
        }),
      ).finally(() => progress.done());
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Pinning was cancelled; nothing was changed.');
      await openVersion(store, settings, params.uri, params.version);
      const plan = planPins(found, outcomes, current.settings.pinPlatform);
      const { textDocument } = current;
      const edits = plan.changes.map(({ edit }) => ({
        range: { start: textDocument.positionAt(edit.start), end: textDocument.positionAt(edit.end) },
        newText: edit.newText,
      }));
      return {
        edit: { documentChanges: edits.length === 0 ? [] : [TextDocumentEdit.create({ uri: textDocument.uri, version: textDocument.version }, edits)] },
        failures: plan.failures,
      };
    }),
  );
}

export function registerCheckDrift(connection: Connection, store: DocumentStore, settings: SettingsStore, access: RegistryAccess, drift: DriftChecker): void {
  connection.onRequest(CheckDriftRequest.type, (params, token) =>
    refusalsAsErrors(connection, 'checkDrift', async (): Promise<CheckDriftResult> => {
      if (!access.isTrusted) throw new ResponseError(LSPErrorCodes.RequestFailed, UNTRUSTED_WORKSPACE_REASON);
      const current = await currentAnalysis(store, settings, params.uri);
      if (current === undefined) throw new ResponseError(ErrorCodes.InvalidParams, 'The document is not open.');
      const result = await withAbortSignal(token, (signal) => drift.checkNow(params.uri, current.documents, current.settings, signal));
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The drift check was cancelled.');
      return result;
    }),
  );
}

/** The document's analysis, provided the client still shows `version` of it. */
async function openVersion(store: DocumentStore, settings: SettingsStore, uri: string, version: number): Promise<CurrentAnalysis> {
  const current = await currentAnalysis(store, settings, uri);
  if (current === undefined) throw new ResponseError(ErrorCodes.InvalidParams, 'The document is not open.');
  if (current.textDocument.version !== version) {
    throw new ResponseError(LSPErrorCodes.ContentModified, 'The document changed while its images were being pinned; nothing was changed. Run the command again.');
  }
  return current;
}

async function withAbortSignal<T>(token: CancellationToken, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const subscription = token.onCancellationRequested(() => abort.abort());
  try {
    return await run(abort.signal);
  } finally {
    subscription.dispose();
  }
}

/** Refusals travel as they are; anything else is a bug, logged and answered with a plain error. */
async function refusalsAsErrors<T>(connection: Connection, name: string, handler: () => Promise<T>): Promise<T> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof ResponseError) throw error;
    logError(connection, `${name} failed`, error);
    throw new ResponseError(ErrorCodes.InternalError, `${name} failed; the log (Kubernetes Images output) has the details.`);
  }
}
