// Registry credentials found the way the docker CLI finds them (docker/cli cli/config): the
// DOCKER_AUTH_CONFIG environment variable, then the credential helper configured for the server
// (`credHelpers[server]`, else `credsStore`), then the `auths` entries of `config.json` in
// DOCKER_CONFIG or `~/.docker`.
//
// One deliberate difference: docker consults only the first store that is configured, so with a
// `credsStore` it never reads the file's `auths`. Here a helper that has nothing (or fails) falls
// through to the next store and finally to the file. `docker login` with a helper writes only an
// empty placeholder to the file, so the fall-through can only add a credential someone wrote there
// by hand, and a config copied from another machine (a dev container whose `credsStore: desktop`
// has no helper) still yields its plain entries.
import { dirname, join } from 'node:path';
import type { CredentialSource, RegistryCredential } from '../types';
import { decodeDockerAuth } from './authField';
import {
  goJsonField,
  invalidJsonWarning,
  isJsonObject,
  parseJsonDocument,
  readCredentialFile,
  type FileAccess,
  type PermissionRemedy,
} from './credentialFiles';
import { HELPER_PROGRAM_PREFIX, type CredentialHelperClient } from './credentialHelper';
import { goJoinHostPort, goUrlHostnameAndPort, parseGoUrl } from './goUrl';

/** The key docker files Docker Hub credentials under, and the server URL its helpers are asked for. */
export const DOCKER_HUB_SERVER_ADDRESS = 'https://index.docker.io/v1/';

/** The server address docker uses for a registry host: Docker Hub's legacy URL, else the host. */
export function dockerServerAddress(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? DOCKER_HUB_SERVER_ADDRESS : registry;
}

/** One `auths` entry, decoded; absent fields are empty strings, as in docker's AuthConfig. */
export interface DockerAuthEntry {
  readonly username: string;
  readonly password: string;
  readonly identityToken: string;
  readonly registryToken: string;
}

export interface DockerConfig {
  /** In file order. */
  readonly auths: ReadonlyMap<string, DockerAuthEntry>;
  /**
   * Entries that cannot be used, with why. They are reported only when a lookup would have
   * needed them, so one stale entry does not add a warning to every lookup.
   */
  readonly rejectedAuths: ReadonlyMap<string, string>;
  readonly credHelpers: ReadonlyMap<string, string>;
  /** Empty when not set. */
  readonly credsStore: string;
}

export const EMPTY_DOCKER_CONFIG: DockerConfig = { auths: new Map(), rejectedAuths: new Map(), credHelpers: new Map(), credsStore: '' };

/**
 * Reads a docker config document. `origin` names it in warnings (a path, or DOCKER_AUTH_CONFIG).
 * Field names match as Go's encoding/json matches them, ignoring case. Where docker would refuse
 * the whole file over one bad entry, only that entry is set aside (`rejectedAuths`).
 */
export function parseDockerConfig(text: string, origin: string): { config: DockerConfig; warnings: string[] } {
  const warnings: string[] = [];
  const document = parseJsonDocument(text);
  if (!document.ok) return { config: EMPTY_DOCKER_CONFIG, warnings: [invalidJsonWarning(origin, document)] };
  if (document.value === null) return { config: EMPTY_DOCKER_CONFIG, warnings };
  if (!isJsonObject(document.value)) return { config: EMPTY_DOCKER_CONFIG, warnings: [`ignoring ${origin}: it is not a JSON object`] };
  const root = document.value;

  const auths = new Map<string, DockerAuthEntry>();
  const rejectedAuths = new Map<string, string>();
  for (const [key, value] of objectEntries(goJsonField(root, 'auths'), `"auths" in ${origin}`, warnings)) {
    const entry = parseAuthEntry(value);
    if (typeof entry === 'string') rejectedAuths.set(key, entry);
    else auths.set(key, entry);
  }

  const credHelpers = new Map<string, string>();
  for (const [key, value] of objectEntries(goJsonField(root, 'credHelpers'), `"credHelpers" in ${origin}`, warnings)) {
    if (typeof value === 'string') credHelpers.set(key, value);
    else if (value !== null) warnings.push(`ignoring credHelpers[${JSON.stringify(key)}] in ${origin}: it is not a string`);
  }

  const credsStore = goJsonField(root, 'credsStore') ?? '';
  if (typeof credsStore !== 'string') warnings.push(`ignoring "credsStore" in ${origin}: it is not a string`);

  return { config: { auths, rejectedAuths, credHelpers, credsStore: typeof credsStore === 'string' ? credsStore : '' }, warnings };
}

function objectEntries(value: unknown, what: string, warnings: string[]): [string, unknown][] {
  if (value === undefined || value === null) return [];
  if (!isJsonObject(value)) {
    warnings.push(`ignoring ${what}: it is not a JSON object`);
    return [];
  }
  return Object.entries(value);
}

/** The entry, or why it cannot be used. */
function parseAuthEntry(value: unknown): DockerAuthEntry | string {
  if (value === null) return { username: '', password: '', identityToken: '', registryToken: '' };
  if (!isJsonObject(value)) return 'it is not a JSON object';
  const fields: Record<'username' | 'password' | 'auth' | 'identitytoken' | 'registrytoken', string> = {
    username: '',
    password: '',
    auth: '',
    identitytoken: '',
    registrytoken: '',
  };
  for (const name of Object.keys(fields) as (keyof typeof fields)[]) {
    const field = goJsonField(value, name);
    if (typeof field === 'string') fields[name] = field;
    else if (field !== undefined && field !== null) return `"${name}" is not a string`;
  }
  let { username, password } = fields;
  if (fields.auth !== '') {
    const decoded = decodeDockerAuth(fields.auth);
    if (!decoded.ok) return decoded.problem;
    ({ username, password } = decoded);
  }
  return { username, password, identityToken: fields.identitytoken, registryToken: fields.registrytoken };
}

/**
 * docker/cli `ConvertToHostname`: a key with a scheme becomes its host[:port]; any other key is
 * cut at its first `/`.
 */
export function convertToHostname(key: string): string {
  if (key.includes('://')) {
    const url = parseGoUrl(key);
    if (url !== undefined) {
      const { hostname, port } = goUrlHostnameAndPort(url.host);
      if (hostname !== '') return port === '' ? hostname : goJoinHostPort(hostname, port);
    }
  }
  return key.split('/', 1)[0]!;
}

/**
 * The file store's lookup (docker/cli credentials/file_store.go): the exact key, else the first
 * key that converts to the server address (`https://registry.example.com/v2/` for
 * `registry.example.com`). Docker Hub's address is a URL no key converts to, so it needs the
 * exact key.
 */
export function findAuthEntry<T>(auths: ReadonlyMap<string, T>, serverAddress: string): T | undefined {
  const exact = auths.get(serverAddress);
  if (exact !== undefined) return exact;
  for (const [key, entry] of auths) {
    if (convertToHostname(key) === serverAddress) return entry;
  }
  return undefined;
}

/** `ignoring auths["key"] in ORIGIN: problem` for the set-aside entries a lookup would have used. */
function rejectedEntryWarnings(rejected: ReadonlyMap<string, string>, origin: string, matches: (key: string) => boolean): string[] {
  return [...rejected].filter(([key]) => matches(key)).map(([key, problem]) => `ignoring auths[${JSON.stringify(key)}] in ${origin}: ${problem}`);
}

/**
 * The credential the docker daemon would send for an entry: a registry token as it is, else an
 * identity token (an OAuth2 refresh token), else username and password.
 */
export function credentialOfEntry(entry: DockerAuthEntry): RegistryCredential | undefined {
  if (entry.registryToken !== '') return { kind: 'registryToken', token: entry.registryToken };
  if (entry.identityToken !== '') return { kind: 'identityToken', token: entry.identityToken };
  if (entry.username !== '' || entry.password !== '') return { kind: 'basic', username: entry.username, password: entry.password };
  return undefined;
}

/** The folder docker reads `config.json` from: DOCKER_CONFIG, else `~/.docker`. */
export function dockerConfigDirectory(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const configured = env['DOCKER_CONFIG'];
  return configured !== undefined && configured !== '' ? configured : join(homeDir, '.docker');
}

/** The helpers to ask for a server, in order, each with where it was configured. */
export function helpersFor(config: DockerConfig, serverAddress: string, origin: string): { name: string; configuredBy: string }[] {
  const helpers: { name: string; configuredBy: string }[] = [];
  const specific = config.credHelpers.get(serverAddress);
  if (specific !== undefined) {
    // docker: an empty helper for a server means "the file", overriding credsStore.
    if (specific === '') return helpers;
    helpers.push({ name: specific, configuredBy: `credHelpers[${JSON.stringify(serverAddress)}] in ${origin}` });
  }
  if (config.credsStore !== '' && config.credsStore !== specific) {
    helpers.push({ name: config.credsStore, configuredBy: `credsStore in ${origin}` });
  }
  return helpers;
}

const dockerConfigRemedy: PermissionRemedy = (path, ownership) => {
  if (ownership === undefined) return `if \`sudo docker login\` created its folder, give it back to your user: sudo chown -R "$USER" ${dirname(path)}`;
  if (ownership.uid === 0) return `if \`sudo docker login\` created it, give it back to your user: sudo chown "$USER" ${path}`;
  return 'make it readable by this user';
};

export interface DockerConfigSourceOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly files: FileAccess;
  readonly helpers: CredentialHelperClient;
}

/** At most one credential per lookup, as docker finds one; see the file comment for the order. */
export class DockerConfigCredentialSource implements CredentialSource {
  constructor(private readonly options: DockerConfigSourceOptions) {}

  async lookup(registry: string, _repository: string, signal?: AbortSignal): Promise<{ credentials: RegistryCredential[]; warnings: string[] }> {
    signal?.throwIfAborted();
    const serverAddress = dockerServerAddress(registry);
    const warnings: string[] = [];
    const answer = (credential: RegistryCredential | undefined): { credentials: RegistryCredential[]; warnings: string[] } => ({
      credentials: credential === undefined ? [] : [credential],
      warnings,
    });

    const environmentConfig = this.options.env['DOCKER_AUTH_CONFIG'];
    if (environmentConfig !== undefined && environmentConfig !== '') {
      const parsed = parseDockerConfig(environmentConfig, 'DOCKER_AUTH_CONFIG');
      warnings.push(...parsed.warnings);
      // docker's in-memory store for this variable matches exact keys only.
      const entry = parsed.config.auths.get(serverAddress);
      const credential = entry === undefined ? undefined : credentialOfEntry(entry);
      if (credential !== undefined) return answer(credential);
      warnings.push(...rejectedEntryWarnings(parsed.config.rejectedAuths, 'DOCKER_AUTH_CONFIG', (key) => key === serverAddress));
    }

    const path = join(dockerConfigDirectory(this.options.env, this.options.homeDir), 'config.json');
    const config = await this.readConfig(path, warnings);
    for (const helper of helpersFor(config, serverAddress, path)) {
      const reply = await this.options.helpers.get(helper.name, serverAddress, signal);
      if (reply.kind === 'found') return answer(reply.credential);
      if (reply.kind === 'failed') {
        warnings.push(`no credentials from ${HELPER_PROGRAM_PREFIX}${helper.name} for ${serverAddress} (${helper.configuredBy}): it ${reply.reason}`);
      }
    }
    const entry = findAuthEntry(config.auths, serverAddress);
    const credential = entry === undefined ? undefined : credentialOfEntry(entry);
    if (credential === undefined) {
      warnings.push(...rejectedEntryWarnings(config.rejectedAuths, path, (key) => key === serverAddress || convertToHostname(key) === serverAddress));
    }
    return answer(credential);
  }

  /** Drops the credential helpers' reused answers. */
  forget(): void {
    this.options.helpers.forget();
  }

  private async readConfig(path: string, warnings: string[]): Promise<DockerConfig> {
    const content = await readCredentialFile(this.options.files, path, dockerConfigRemedy);
    if (content.kind === 'absent') return EMPTY_DOCKER_CONFIG;
    if (content.kind === 'unreadable') {
      warnings.push(content.warning);
      return EMPTY_DOCKER_CONFIG;
    }
    const parsed = parseDockerConfig(content.text, path);
    warnings.push(...parsed.warnings);
    return parsed.config;
  }
}
