/**
 * Registry credentials the user enters in VS Code, kept in `SecretStorage` and nowhere else (not
 * in settings, state or logs). Keyed by registry host in the form image references use, so the
 * server's `kubeImages/registryCredentials` requests find them.
 */
import type * as vscode from 'vscode';
import type { RegistryCredential } from '../../../server/src/registry/types';

/** Secret storage cannot list its keys, so the hosts that have a credential are a secret of their own. */
const HOSTS_KEY = 'kubeImages.registryCredentials.hosts';
const CREDENTIAL_KEY_PREFIX = 'kubeImages.registryCredentials/';

/** Whether a secret-storage key belongs to the registry credentials (a credential or the list of hosts). */
export function isRegistryCredentialKey(key: string): boolean {
  return key === HOSTS_KEY || key.startsWith(CREDENTIAL_KEY_PREFIX);
}

export class SecretCredentials {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Hosts with a stored credential, sorted. */
  async hosts(): Promise<string[]> {
    const stored = await this.secrets.get(HOSTS_KEY);
    if (stored === undefined) return [];
    try {
      const hosts: unknown = JSON.parse(stored);
      return Array.isArray(hosts) ? hosts.filter((host): host is string => typeof host === 'string').sort() : [];
    } catch {
      return [];
    }
  }

  /** The credentials for `host` (already in `registryHostOf` form): none, or the one stored. */
  async lookup(host: string): Promise<RegistryCredential[]> {
    const stored = await this.secrets.get(CREDENTIAL_KEY_PREFIX + host);
    if (stored === undefined) return [];
    try {
      const credential: unknown = JSON.parse(stored);
      return isCredential(credential) ? [credential] : [];
    } catch {
      return [];
    }
  }

  async store(host: string, credential: RegistryCredential): Promise<void> {
    await this.secrets.store(CREDENTIAL_KEY_PREFIX + host, JSON.stringify(credential));
    const hosts = await this.hosts();
    if (!hosts.includes(host)) await this.secrets.store(HOSTS_KEY, JSON.stringify([...hosts, host].sort()));
  }

  async remove(host: string): Promise<void> {
    await this.secrets.delete(CREDENTIAL_KEY_PREFIX + host);
    const hosts = await this.hosts();
    await this.secrets.store(HOSTS_KEY, JSON.stringify(hosts.filter((known) => known !== host)));
  }
}

/**
 * What the user typed, as the credential docker would make of it: a user name and a password; a
 * user name `<token>` marks an identity token (docker's convention); no user name, a registry
 * token sent as it is.
 */
export function credentialOf(username: string, secret: string): RegistryCredential {
  if (username === '') return { kind: 'registryToken', token: secret };
  if (username === '<token>') return { kind: 'identityToken', token: secret };
  return { kind: 'basic', username, password: secret };
}

function isCredential(value: unknown): value is RegistryCredential {
  if (typeof value !== 'object' || value === null) return false;
  const credential = value as Record<string, unknown>;
  if (credential['kind'] === 'basic') return typeof credential['username'] === 'string' && typeof credential['password'] === 'string';
  return (credential['kind'] === 'identityToken' || credential['kind'] === 'registryToken') && typeof credential['token'] === 'string';
}
