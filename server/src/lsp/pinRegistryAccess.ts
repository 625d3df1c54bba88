/**
 * The one door through which the language server reaches registries. It holds the workspace
 * trust state and refuses every lookup while the workspace is untrusted, builds the registry
 * client from the (machine-scoped) registry settings, and remembers what was resolved so a hover
 * can show it without asking again.
 */
import { readFileSync } from 'node:fs';
import { resolveLookups, type ImageResolver, type LookupOutcome, type ResolveOptions } from '../pinning/resolveLookups';
import { createCredentialSource } from '../registry/credentials/credentialStore';
import { RegistryClient } from '../registry/registryClient';
import type { CredentialSource, ResolvedImage } from '../registry/types';
import { UNTRUSTED_WORKSPACE_REASON } from './protocol';
import type { KubeImagesSettings, RegistrySettings } from './settings';

export interface DisposableResolver extends ImageResolver {
  dispose(): void;
}

export type RegistryClientFactory = (settings: RegistrySettings) => DisposableResolver;

/** Thrown instead of contacting a registry from an untrusted workspace. */
export class UntrustedWorkspaceError extends Error {
  constructor() {
    super(UNTRUSTED_WORKSPACE_REASON);
  }
}

/** Resolutions remembered for hovers; the oldest are forgotten first. */
const REMEMBERED_RESOLUTIONS = 1_000;

export class RegistryAccess {
  private client: { readonly key: string; readonly resolver: DisposableResolver } | undefined;
  private readonly remembered = new Map<string, ResolvedImage>();
  private readonly trustListeners: (() => void)[] = [];

  constructor(
    private trusted: boolean,
    private readonly createClient: RegistryClientFactory,
  ) {}

  get isTrusted(): boolean {
    return this.trusted;
  }

  /** Trust is only ever granted during a session: VS Code restarts extensions when it is revoked. */
  grantTrust(): void {
    if (this.trusted) return;
    this.trusted = true;
    for (const listener of this.trustListeners) listener();
  }

  onDidGrantTrust(listener: () => void): void {
    this.trustListeners.push(listener);
  }

  /**
   * Resolves every distinct lookup with the machine's registry settings. Never rejects for a
   * registry's answer; rejects with `UntrustedWorkspaceError` before any request when the
   * workspace is untrusted.
   */
  async resolve(lookups: Iterable<string>, settings: KubeImagesSettings, options: ResolveOptions = {}): Promise<Map<string, LookupOutcome>> {
    if (!this.trusted) throw new UntrustedWorkspaceError();
    const outcomes = await resolveLookups(this.clientFor(settings.registry), lookups, options);
    for (const [lookup, outcome] of outcomes) if (outcome.ok) this.remember(lookup, outcome.image);
    return outcomes;
  }

  /** The last resolution of `lookup` in this session, if any. Never contacts a registry. */
  recall(lookup: string): ResolvedImage | undefined {
    return this.remembered.get(lookup);
  }

  /** Credentials changed: the next lookup builds a new client, without the old tokens, cache and helper answers. */
  credentialsChanged(): void {
    this.dispose();
  }

  dispose(): void {
    this.client?.resolver.dispose();
    this.client = undefined;
  }

  /** The client for these registry settings; a new one (with an empty cache) when they changed. */
  private clientFor(settings: RegistrySettings): DisposableResolver {
    const key = JSON.stringify(settings);
    if (this.client?.key !== key) {
      this.client?.resolver.dispose();
      this.client = { key, resolver: this.createClient(settings) };
    }
    return this.client.resolver;
  }

  private remember(lookup: string, image: ResolvedImage): void {
    // Re-inserting moves the entry to the end, so the map's order is least recently resolved first.
    this.remembered.delete(lookup);
    this.remembered.set(lookup, image);
    if (this.remembered.size > REMEMBERED_RESOLUTIONS) {
      const oldest = this.remembered.keys().next();
      if (oldest.done !== true) this.remembered.delete(oldest.value);
    }
  }
}

/**
 * Registry clients as the editor configures them: credentials the user entered in the editor
 * first, then docker's, then (when enabled) the kubelet's node files; the machine's insecure
 * registries; and the certificate authorities, read from their PEM files. A file that cannot be
 * read is reported through `warn` and left out, so that registry's TLS check fails visibly.
 */
export function editorRegistryClients(userEntered: CredentialSource | undefined, warn: (message: string) => void): RegistryClientFactory {
  return (settings) => {
    const certificateAuthorities: Record<string, string> = {};
    for (const [host, path] of Object.entries(settings.certificateAuthorities)) {
      try {
        certificateAuthorities[host] = readFileSync(path, 'utf8');
      } catch (error) {
        warn(`The certificate authority for ${host} (${path}) cannot be read, so it is not trusted: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const credentials = createCredentialSource({
      ...(userEntered === undefined ? {} : { userEntered }),
      kubeletNodeFiles: settings.useNodeCredentialFiles,
    });
    return new RegistryClient({ credentials, insecureRegistries: [...settings.insecure], certificateAuthorities });
  };
}
