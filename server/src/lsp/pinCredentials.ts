/**
 * Credentials the user stored in the editor, asked of the client (`kubeImages/registryCredentials`).
 * VS Code answers from `SecretStorage`; the secrets pass through the server's memory only for the
 * request that needs them and are never logged.
 */
import { CancellationTokenSource, type Connection } from 'vscode-languageserver/node';
import type { CredentialSource, RegistryCredential } from '../registry/types';
import { RegistryCredentialsRequest } from './protocol';

export class ClientCredentialSource implements CredentialSource {
  constructor(private readonly connection: Connection) {}

  async lookup(registry: string, repository: string, signal?: AbortSignal): Promise<{ credentials: RegistryCredential[]; warnings: string[] }> {
    const cancellation = new CancellationTokenSource();
    const cancel = (): void => cancellation.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const answer: unknown = await this.connection.sendRequest(RegistryCredentialsRequest.type, { registry, repository }, cancellation.token);
      return { credentials: Array.isArray(answer) ? answer.filter(isCredential) : [], warnings: [] };
    } catch (error) {
      // The error is the client's, about its own store: it names no secret, but say only what failed.
      const reason = error instanceof Error ? error.message : 'no reason given';
      return { credentials: [], warnings: [`Reading the credentials stored in the editor for ${registry} failed (${reason}).`] };
    } finally {
      signal?.removeEventListener('abort', cancel);
      cancellation.dispose();
    }
  }
}

/** The client's answer is checked before use: anything malformed is left out. */
function isCredential(value: unknown): value is RegistryCredential {
  if (typeof value !== 'object' || value === null) return false;
  const credential = value as Record<string, unknown>;
  switch (credential['kind']) {
    case 'basic':
      return typeof credential['username'] === 'string' && typeof credential['password'] === 'string';
    case 'identityToken':
    case 'registryToken':
      return typeof credential['token'] === 'string' && credential['token'] !== '';
    default:
      return false;
  }
}
