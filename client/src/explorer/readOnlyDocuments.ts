/**
 * Read-only documents the explorer opens: an image's ImageStatus as JSON (Inspect) and a GC
 * plan as Markdown. They live in memory under our own URI scheme, so nothing is written to disk
 * and VS Code offers no way to save or edit them.
 */
import * as vscode from 'vscode';

export const READ_ONLY_SCHEME = 'kube-images';

export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(READ_ONLY_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Sets the content at `path` (e.g. `/gc/worker-1.md`), telling VS Code when it replaces an open one. */
  put(path: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: READ_ONLY_SCHEME, path });
    const known = this.contents.has(uri.toString());
    this.contents.set(uri.toString(), content);
    if (known) this.changed.fire(uri);
    return uri;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.contents.clear();
  }
}
