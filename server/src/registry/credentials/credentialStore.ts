// Where registry credentials come from, asked together and answered as one list in order of
// preference: what the user entered in VS Code, then what docker would use, then (when enabled)
// what the kubelet would use on this node. The registry client tries them in that order.
import { homedir } from 'node:os';
import type { CredentialSource, RegistryCredential } from '../types';
import { nodeFileAccess, type FileAccess } from './credentialFiles';
import { CredentialHelperClient, type RunProgram } from './credentialHelper';
import { DockerConfigCredentialSource } from './dockerConfig';
import { KUBELET_ROOT_DIR, KubeletNodeCredentialSource, type KubeletFileLocations } from './kubeletKeyring';

export interface NamedCredentialSource {
  /** Completes "could not look up …" in a warning, e.g. "credentials entered in VS Code". */
  readonly name: string;
  readonly source: CredentialSource;
}

/** A source that keeps answers for a while and can be told to drop them. */
export interface ForgetfulCredentialSource extends CredentialSource {
  forget(): void;
}

type LookupResult = Awaited<ReturnType<CredentialSource['lookup']>>;

/**
 * Asks every source at once and concatenates their credentials in source order, dropping
 * repeats (the same login often sits in several places). A source that fails becomes a warning,
 * not a failed lookup; only an aborted `signal` rejects.
 */
export class ChainedCredentialSource implements ForgetfulCredentialSource {
  constructor(private readonly sources: readonly NamedCredentialSource[]) {}

  async lookup(registry: string, repository: string, signal?: AbortSignal): Promise<LookupResult> {
    signal?.throwIfAborted();
    const answers = await Promise.all(
      this.sources.map(({ name, source }) =>
        source.lookup(registry, repository, signal).catch((error: unknown): LookupResult => {
          if (signal?.aborted === true) throw error;
          return { credentials: [], warnings: [`could not look up ${name}: ${error instanceof Error ? error.message : String(error)}`] };
        }),
      ),
    );
    const credentials: RegistryCredential[] = [];
    const warnings: string[] = [];
    for (const answer of answers) {
      for (const credential of answer.credentials) {
        if (!credentials.some((known) => sameCredential(known, credential))) credentials.push(credential);
      }
      for (const warning of answer.warnings) {
        if (!warnings.includes(warning)) warnings.push(warning);
      }
    }
    return { credentials, warnings };
  }

  /** Drops remembered answers, e.g. after the user changed credentials. */
  forget(): void {
    for (const { source } of this.sources) {
      if (isForgetful(source)) source.forget();
    }
  }
}

function isForgetful(source: CredentialSource): source is ForgetfulCredentialSource {
  return typeof (source as Partial<ForgetfulCredentialSource>).forget === 'function';
}

export function sameCredential(left: RegistryCredential, right: RegistryCredential): boolean {
  switch (left.kind) {
    case 'basic':
      return right.kind === 'basic' && left.username === right.username && left.password === right.password;
    case 'identityToken':
    case 'registryToken':
      return right.kind === left.kind && left.token === right.token;
  }
}

export interface CredentialLookupOptions {
  /** Credentials the user entered in VS Code (the client's SecretStorage); asked first. */
  readonly userEntered?: CredentialSource;
  /** Also read the node files the kubelet reads (a setting, off by default); locations may be overridden. */
  readonly kubeletNodeFiles?: boolean | Partial<KubeletFileLocations>;
  /** DOCKER_CONFIG, DOCKER_AUTH_CONFIG, HOME, and the PATH helpers are found on (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Default: `$HOME`, else the account's home folder. */
  readonly homeDir?: string;
  readonly files?: FileAccess;
  readonly runProgram?: RunProgram;
  /** How long a credential helper may take (default 10 s). */
  readonly helperTimeoutMs?: number;
  /** How long a helper's answer is reused (default 10 s). */
  readonly helperReuseMs?: number;
  readonly now?: () => number;
}

/** The credential lookup the registry client uses, with everything it touches injectable. */
export function createCredentialSource(options: CredentialLookupOptions = {}): ChainedCredentialSource {
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? (env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir());
  const files = options.files ?? nodeFileAccess;
  const helpers = new CredentialHelperClient({
    env,
    ...(options.runProgram !== undefined && { runProgram: options.runProgram }),
    ...(options.helperTimeoutMs !== undefined && { timeoutMs: options.helperTimeoutMs }),
    ...(options.helperReuseMs !== undefined && { reuseMs: options.helperReuseMs }),
    ...(options.now !== undefined && { now: options.now }),
  });
  const sources: NamedCredentialSource[] = [];
  if (options.userEntered !== undefined) sources.push({ name: 'credentials entered in VS Code', source: options.userEntered });
  const docker = new DockerConfigCredentialSource({ env, homeDir, files, helpers });
  sources.push({ name: 'docker credentials', source: docker });
  if (options.kubeletNodeFiles !== undefined && options.kubeletNodeFiles !== false) {
    const locations = options.kubeletNodeFiles === true ? {} : options.kubeletNodeFiles;
    const kubelet = new KubeletNodeCredentialSource({
      files,
      rootDir: locations.rootDir ?? KUBELET_ROOT_DIR,
      workingDir: locations.workingDir ?? '/',
      homeDir: locations.homeDir ?? homeDir,
    });
    sources.push({ name: 'kubelet node credentials', source: kubelet });
  }
  return new ChainedCredentialSource(sources);
}
