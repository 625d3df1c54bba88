import * as vscode from 'vscode';

/** Resolves with the document's diagnostics once `accept` takes them; event-driven, with a deadline that turns a hang into a reason. */
export function diagnosticsFor(uri: vscode.Uri, accept: (diagnostics: readonly vscode.Diagnostic[]) => boolean, deadlineMs = 30_000): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const current = vscode.languages.getDiagnostics(uri);
      if (!accept(current)) return false;
      subscription.dispose();
      clearTimeout(timer);
      resolve(current);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no accepted diagnostics for ${uri.toString()} within ${deadlineMs} ms; last: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => d.code))}`));
    }, deadlineMs);
    check();
  });
}
