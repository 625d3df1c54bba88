/**
 * `kubeImages/imageReferences`: the valid image references of every open document, each once,
 * for the image explorer's Pull to offer. Answered from the analyses the other features share;
 * templated values (`{{ … }}`) are not references yet and are left out.
 */
import type { Connection } from 'vscode-languageserver/node';
import { parseNormalizedReference, toImageReference } from '../core/reference';
import { currentAnalysis } from './currentAnalysis';
import type { DocumentStore } from './documents';
import { guard } from './guard';
import { ImageReferencesRequest, type ImageReferenceEntry } from './protocol';
import type { SettingsStore } from './settings';

export function registerImageReferences(connection: Connection, store: DocumentStore, settings: SettingsStore): void {
  connection.onRequest(
    ImageReferencesRequest.type,
    guard(connection, 'imageReferences', [], async (): Promise<ImageReferenceEntry[]> => {
      const found = new Map<string, { normalized: string; uris: string[] }>();
      for (const uri of [...store.all()].map((document) => document.uri)) {
        const current = await currentAnalysis(store, settings, uri);
        for (const { analysis } of current?.documents ?? []) {
          for (const site of analysis.images) {
            if (site.templated) continue;
            const known = found.get(site.image);
            if (known !== undefined) {
              if (!known.uris.includes(uri)) known.uris.push(uri);
              continue;
            }
            const { normalized } = toImageReference(parseNormalizedReference(site.image));
            if (normalized !== undefined) found.set(site.image, { normalized, uris: [uri] });
          }
        }
      }
      return [...found]
        .map(([image, { normalized, uris }]) => ({ image, normalized, uris }))
        .sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
    }),
  );
}
