/** `textDocument/hover` over the core's `hoverAt`, with what a registry said about the image when it was looked up. */
import { MarkupKind, type Connection, type Hover } from 'vscode-languageserver/node';
import { hoverAt } from '../core/features/hover';
import { currentAnalysis } from './currentAnalysis';
import type { DocumentStore } from './documents';
import { guard } from './guard';
import { resolvedImageSection } from './pinHover';
import type { RegistryAccess } from './pinRegistryAccess';
import type { SettingsStore } from './settings';

export function registerHover(connection: Connection, store: DocumentStore, settings: SettingsStore, registry: RegistryAccess): void {
  connection.onHover(
    guard(connection, 'hover', null, async ({ textDocument, position }): Promise<Hover | null> => {
      const current = await currentAnalysis(store, settings, textDocument.uri);
      if (current === undefined) return null;
      const offset = current.textDocument.offsetAt(position);
      const content = hoverAt(current.documents, offset);
      if (content === undefined) return null;
      const resolved = resolvedImageSection(current.documents, offset, registry);
      return {
        contents: { kind: MarkupKind.Markdown, value: resolved === undefined ? content.markdown : `${content.markdown}\n\n${resolved}` },
        range: { start: current.textDocument.positionAt(content.start), end: current.textDocument.positionAt(content.end) },
      };
    }),
  );
}
