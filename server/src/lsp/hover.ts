/** `textDocument/hover` over the core's `hoverAt`. */
import { MarkupKind, type Connection, type Hover } from 'vscode-languageserver/node';
import { hoverAt } from '../core/features/hover';
import { currentAnalysis } from './currentAnalysis';
import type { DocumentStore } from './documents';
import { guard } from './guard';
import type { SettingsStore } from './settings';

export function registerHover(connection: Connection, store: DocumentStore, settings: SettingsStore): void {
  connection.onHover(
    guard(connection, 'hover', null, async ({ textDocument, position }): Promise<Hover | null> => {
      const current = await currentAnalysis(store, settings, textDocument.uri);
      if (current === undefined) return null;
      const content = hoverAt(current.documents, current.textDocument.offsetAt(position));
      if (content === undefined) return null;
      return {
        contents: { kind: MarkupKind.Markdown, value: content.markdown },
        range: { start: current.textDocument.positionAt(content.start), end: current.textDocument.positionAt(content.end) },
      };
    }),
  );
}
