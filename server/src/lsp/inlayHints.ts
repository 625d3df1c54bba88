/** `textDocument/inlayHint` over the core's `pullPolicyHints`. */
import { MarkupKind, type Connection, type InlayHint } from 'vscode-languageserver/node';
import { pullPolicyHints } from '../core/features/inlayHints';
import { currentAnalysis } from './currentAnalysis';
import type { DocumentStore } from './documents';
import { guard } from './guard';
import type { SettingsStore } from './settings';

export function registerInlayHints(connection: Connection, store: DocumentStore, settings: SettingsStore): void {
  connection.languages.inlayHint.on(
    guard(connection, 'inlayHint', [], async ({ textDocument, range }): Promise<InlayHint[]> => {
      const current = await currentAnalysis(store, settings, textDocument.uri);
      if (current === undefined || !current.settings.effectivePullPolicyHints) return [];
      const { textDocument: text } = current;
      return pullPolicyHints(current.documents, text.offsetAt(range.start), text.offsetAt(range.end)).map((hint) => {
        const inlayHint: InlayHint = {
          position: text.positionAt(hint.offset),
          label: hint.policy,
          paddingLeft: true,
          tooltip: { kind: MarkupKind.Markdown, value: hint.tooltip },
        };
        if (hint.edit !== undefined) {
          inlayHint.textEdits = [{ range: { start: text.positionAt(hint.edit.start), end: text.positionAt(hint.edit.end) }, newText: hint.edit.newText }];
        }
        return inlayHint;
      });
    }),
  );
}
