/**
 * The registry client the CLI's `check --resolve` and `pin` use: docker's credential lookup, the
 * `--insecure-registry` hosts, and the CA certificates named by `--registry-ca HOST=FILE`, read
 * before any request so an unreadable file is a usage problem (exit 2), not a failed lookup.
 */
import { readFileSync } from 'node:fs';
import { createCredentialSource } from '../registry/credentials/credentialStore';
import { RegistryClient } from '../registry/registryClient';
import { describeReadError } from './files';

export interface RegistryFlags {
  readonly insecureRegistries: readonly string[];
  /** Registry host[:port] → path of a PEM file, from `--registry-ca`. */
  readonly registryCertificateAuthorities: Readonly<Record<string, string>>;
}

export type CliRegistryClient = { readonly client: RegistryClient } | { readonly problems: readonly string[] };

export function createCliRegistryClient(flags: RegistryFlags): CliRegistryClient {
  const certificateAuthorities: Record<string, string> = {};
  const problems: string[] = [];
  for (const [host, path] of Object.entries(flags.registryCertificateAuthorities)) {
    try {
      certificateAuthorities[host] = readFileSync(path, 'utf8');
    } catch (error) {
      problems.push(`--registry-ca ${host}: ${describeReadError(path, error)}`);
    }
  }
  if (problems.length > 0) return { problems };
  return { client: new RegistryClient({ credentials: createCredentialSource(), insecureRegistries: [...flags.insecureRegistries], certificateAuthorities }) };
}
