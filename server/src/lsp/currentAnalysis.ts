/**
 * What every feature handler starts from: the open document, its settings and its analysis for
 * the text as it stands now.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalyzedDocument } from '../core/types';
import type { DocumentStore } from './documents';
import type { KubeImagesSettings, SettingsStore } from './settings';

export interface CurrentAnalysis {
  readonly textDocument: TextDocument;
  readonly documents: readonly AnalyzedDocument[];
  readonly settings: KubeImagesSettings;
}

/** Undefined when the document is not open (a client may ask about any URI). */
export async function currentAnalysis(store: DocumentStore, settingsStore: SettingsStore, uri: string): Promise<CurrentAnalysis | undefined> {
  const settings = await settingsStore.get(uri);
  // Looked up after the settings arrive, so the text and its analysis are of the same moment.
  const document = store.get(uri);
  if (document === undefined) return undefined;
  return { textDocument: document.textDocument, documents: document.analysis(settings.maxFileSize), settings };
}
