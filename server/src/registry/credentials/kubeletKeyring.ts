// The kubelet's node credentials (kubernetes pkg/credentialprovider): the docker config files it
// reads from the node, and the keyring that picks the entries matching an image. The kubelet
// sends the credentials it finds with the pull, so these are the credentials a node would use
// when a pod names no imagePullSecrets.
//
// Files (config.go): `config.json` in the kubelet root dir, its working dir, `$HOME/.docker`,
// `/.docker`, then `.dockercfg` in the root dir, the working dir, `$HOME`, `/`. The first file
// that can be read and parsed wins; the kubelet silently skips the others, here they warn.
//
// Matching (keyring.go): every entry is filed under host+path of its key (`https://` added when
// it has no scheme, a leading `/v1/` or `/v2/` reduced to `/`), keys are tried in reverse
// byte order so longer paths come first, and every key that matches the image contributes its
// credentials. Ports must be equal, hosts must have as many dot-separated labels, each label is a
// Go `filepath.Match` glob, and the key's path is a plain prefix of the image's path. When nothing
// matches, Docker Hub images fall back to the `index.docker.io` entry.
import { join, resolve } from 'node:path';
import type { CredentialSource, RegistryCredential } from '../types';
import { decodeKubeletAuth } from './authField';
import {
  goJsonField,
  invalidJsonWarning,
  isJsonObject,
  parseJsonDocument,
  readCredentialFile,
  type FileAccess,
  type PermissionRemedy,
} from './credentialFiles';
import { goSplitHostPort, parseGoUrl } from './goUrl';

export const KUBELET_ROOT_DIR = '/var/lib/kubelet';
const DOCKER_HUB_KEY = 'index.docker.io';

export interface KeyringEntry<T> {
  /** The entry's key as written in the file (`https://index.docker.io/v1/`, `*.example.com`). */
  readonly key: string;
  readonly credential: T;
}

/** The key the kubelet files an entry under, or `undefined` when it ignores the entry. */
export function keyringIndexKey(location: string): string | undefined {
  const url = parseGoUrl(location.startsWith('https://') || location.startsWith('http://') ? location : `https://${location}`);
  if (url === undefined) return undefined;
  const path = url.path.startsWith('/v2/') || url.path.startsWith('/v1/') ? url.path.slice(3) : url.path;
  return path.length > 0 && path !== '/' ? url.host + path : url.host;
}

/** The kubelet's `URLsMatchStr(glob, target)`; an error there is no match here. */
export function keyringUrlsMatch(glob: string, target: string): boolean {
  const globUrl = parseGoUrl(`https://${glob}`);
  const targetUrl = parseGoUrl(`https://${target}`);
  if (globUrl === undefined || targetUrl === undefined) return false;
  const globHost = goSplitHostPort(globUrl.host);
  const targetHost = goSplitHostPort(targetUrl.host);
  if (globHost.port !== targetHost.port) return false;
  const globLabels = globHost.host.split('.');
  const targetLabels = targetHost.host.split('.');
  if (globLabels.length !== targetLabels.length) return false;
  if (!targetUrl.path.startsWith(globUrl.path)) return false;
  return globLabels.every((label, index) => goFilepathMatch(label, targetLabels[index]!) === true);
}

/** Whether the kubelet treats `image` as a Docker Hub image for the fallback. */
export function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  const first = slash < 0 ? image : image.slice(0, slash);
  if (first === '') return false;
  if (slash < 0) return true;
  if (first === 'docker.io' || first === DOCKER_HUB_KEY) return true;
  return !/[.:]/.test(first);
}

/**
 * The credentials the kubelet's keyring returns for `image` (a normalized repository such as
 * `docker.io/library/nginx`, without tag or digest), most specific key first; entries that share
 * a key keep their file order.
 */
export function lookupKeyring<T>(entries: readonly KeyringEntry<T>[], image: string): T[] {
  const index = new Map<string, T[]>();
  for (const entry of entries) {
    const key = keyringIndexKey(entry.key);
    if (key === undefined) continue;
    const filed = index.get(key);
    if (filed === undefined) index.set(key, [entry.credential]);
    else filed.push(entry.credential);
  }
  const keys = [...index.keys()].sort(compareAsGo).reverse();
  const matched = keys.filter((key) => keyringUrlsMatch(key, image)).flatMap((key) => index.get(key)!);
  if (matched.length > 0) return matched;
  return isDefaultRegistryMatch(image) ? [...(index.get(DOCKER_HUB_KEY) ?? [])] : [];
}

// Go orders strings by their UTF-8 bytes; UTF-16 order differs above the Basic Multilingual Plane.
function compareAsGo(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

type ChunkMatch = { readonly ok: true; readonly rest: readonly string[] } | { readonly ok: false; readonly badPattern: boolean };
const CHUNK_FAILED: ChunkMatch = { ok: false, badPattern: false };
const BAD_PATTERN: ChunkMatch = { ok: false, badPattern: true };

/**
 * Go's `path/filepath.Match` on Unix: `*`, `?`, `[…]` classes with ranges and `^` negation, `\`
 * escapes; `*` and `?` do not match `/`. `undefined` where Go returns ErrBadPattern.
 */
export function goFilepathMatch(pattern: string, name: string): boolean | undefined {
  let remaining: readonly string[] = Array.from(pattern);
  let subject: readonly string[] = Array.from(name);
  chunks: while (remaining.length > 0) {
    const { star, chunk, rest } = scanChunk(remaining);
    remaining = rest;
    // A trailing star matches the rest of the name unless it holds a separator.
    if (star && chunk.length === 0) return !subject.includes('/');
    const here = matchChunk(chunk, subject);
    // The last chunk must use up the name; otherwise a later start may still match.
    if (here.ok && (here.rest.length === 0 || remaining.length > 0)) {
      subject = here.rest;
      continue;
    }
    if (!here.ok && here.badPattern) return undefined;
    if (star) {
      for (let skip = 0; skip < subject.length && subject[skip] !== '/'; skip += 1) {
        const later = matchChunk(chunk, subject.slice(skip + 1));
        if (later.ok) {
          if (remaining.length === 0 && later.rest.length > 0) continue;
          subject = later.rest;
          continue chunks;
        }
        if (later.badPattern) return undefined;
      }
    }
    // Go reports a malformed rest of the pattern even when the match has already failed.
    while (remaining.length > 0) {
      const next = scanChunk(remaining);
      remaining = next.rest;
      const check = matchChunk(next.chunk, []);
      if (!check.ok && check.badPattern) return undefined;
    }
    return false;
  }
  return subject.length === 0;
}

function scanChunk(pattern: readonly string[]): { star: boolean; chunk: readonly string[]; rest: readonly string[] } {
  let start = 0;
  while (start < pattern.length && pattern[start] === '*') start += 1;
  let inRange = false;
  let end = start;
  scan: for (; end < pattern.length; end += 1) {
    switch (pattern[end]) {
      case '\\':
        if (end + 1 < pattern.length) end += 1;
        break;
      case '[':
        inRange = true;
        break;
      case ']':
        inRange = false;
        break;
      case '*':
        if (!inRange) break scan;
        break;
    }
  }
  return { star: start > 0, chunk: pattern.slice(start, end), rest: pattern.slice(end) };
}

function matchChunk(chunk: readonly string[], subject: readonly string[]): ChunkMatch {
  // After a mismatch the loop goes on reading the chunk, only to find a malformed pattern.
  let failed = false;
  let at = 0;
  let position = 0;
  while (at < chunk.length) {
    if (!failed && position >= subject.length) failed = true;
    const token = chunk[at]!;
    if (token === '[') {
      const char = failed ? undefined : subject[position++]!.codePointAt(0)!;
      at += 1;
      const negated = chunk[at] === '^';
      if (negated) at += 1;
      let matched = false;
      for (let ranges = 0; ; ranges += 1) {
        if (chunk[at] === ']' && ranges > 0) {
          at += 1;
          break;
        }
        const low = classCharacter(chunk, at);
        if (low === undefined) return BAD_PATTERN;
        let high = low;
        if (chunk[low.next] === '-') {
          const upper = classCharacter(chunk, low.next + 1);
          if (upper === undefined) return BAD_PATTERN;
          high = upper;
        }
        at = high.next;
        if (char !== undefined && low.codePoint <= char && char <= high.codePoint) matched = true;
      }
      if (matched === negated) failed = true;
      continue;
    }
    if (token === '?') {
      if (!failed) {
        if (subject[position] === '/') failed = true;
        position += 1;
      }
      at += 1;
      continue;
    }
    let literal = token;
    if (token === '\\') {
      at += 1;
      if (at >= chunk.length) return BAD_PATTERN;
      literal = chunk[at]!;
    }
    if (!failed) {
      if (subject[position] !== literal) failed = true;
      position += 1;
    }
    at += 1;
  }
  return failed ? CHUNK_FAILED : { ok: true, rest: subject.slice(position) };
}

/** Go's `getEsc`: one possibly escaped character of a class, which must not end the pattern. */
function classCharacter(chunk: readonly string[], at: number): { codePoint: number; next: number } | undefined {
  let index = at;
  if (index >= chunk.length || chunk[index] === '-' || chunk[index] === ']') return undefined;
  if (chunk[index] === '\\') {
    index += 1;
    if (index >= chunk.length) return undefined;
  }
  const next = index + 1;
  return next < chunk.length ? { codePoint: chunk[index]!.codePointAt(0)!, next } : undefined;
}

export interface KubeletFileLocations {
  /** The kubelet's `--root-dir` (default `/var/lib/kubelet`). */
  readonly rootDir: string;
  /** The kubelet's working directory: `/` when systemd starts it. */
  readonly workingDir: string;
  /** The kubelet's `$HOME`. */
  readonly homeDir: string;
}

export type KubeletFileFormat = 'config.json' | '.dockercfg';

/** Every file the kubelet may read credentials from, in its order, without repeats. */
export function kubeletCredentialFiles(locations: KubeletFileLocations): { path: string; format: KubeletFileFormat }[] {
  const configJsonFolders = [locations.rootDir, locations.workingDir, join(locations.homeDir, '.docker'), '/.docker'];
  const dockercfgFolders = [locations.rootDir, locations.workingDir, locations.homeDir, '/'];
  const candidates = [
    ...configJsonFolders.map((folder) => ({ path: resolve(folder, 'config.json'), format: 'config.json' as const })),
    ...dockercfgFolders.map((folder) => ({ path: resolve(folder, '.dockercfg'), format: '.dockercfg' as const })),
  ];
  return candidates.filter((candidate, index) => candidates.findIndex((other) => other.path === candidate.path) === index);
}

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Reads a node credentials file as the kubelet does: `config.json` holds `{"auths": {…}}`,
 * `.dockercfg` is the map itself; entries carry `username`/`password` or `auth` (tokens are not
 * read by the kubelet). Any bad entry makes the whole file invalid, as a Go decoding error does.
 */
export function parseKubeletCredentialFile(
  text: string,
  format: KubeletFileFormat,
): { ok: true; entries: KeyringEntry<BasicCredentials>[] } | { ok: false; problem: string; line?: number; column?: number } {
  const document = parseJsonDocument(text);
  if (!document.ok) return { ok: false, problem: 'invalid JSON', line: document.line, column: document.column };
  if (document.value === null) return { ok: true, entries: [] };
  if (!isJsonObject(document.value)) return { ok: false, problem: 'it is not a JSON object' };
  const auths = format === 'config.json' ? goJsonField(document.value, 'auths') : document.value;
  if (auths === undefined || auths === null) return { ok: true, entries: [] };
  if (!isJsonObject(auths)) return { ok: false, problem: '"auths" is not a JSON object' };
  const entries: KeyringEntry<BasicCredentials>[] = [];
  for (const [key, value] of Object.entries(auths)) {
    const credential = parseKubeletEntry(value);
    if (typeof credential === 'string') return { ok: false, problem: `entry ${JSON.stringify(key)}: ${credential}` };
    entries.push({ key, credential });
  }
  return { ok: true, entries };
}

function parseKubeletEntry(value: unknown): BasicCredentials | string {
  if (value === null) return { username: '', password: '' };
  if (!isJsonObject(value)) return 'it is not a JSON object';
  const fields = { username: '', password: '', email: '', auth: '' };
  for (const name of Object.keys(fields) as (keyof typeof fields)[]) {
    const field = goJsonField(value, name);
    if (typeof field === 'string') fields[name] = field;
    else if (field !== undefined && field !== null) return `"${name}" is not a string`;
  }
  if (fields.auth === '') return { username: fields.username, password: fields.password };
  const decoded = decodeKubeletAuth(fields.auth);
  return decoded.ok ? { username: decoded.username, password: decoded.password } : decoded.problem;
}

const kubeletFileRemedy: PermissionRemedy = () => 'run as root, or copy the credentials to ~/.docker/config.json';

export interface KubeletNodeSourceOptions extends KubeletFileLocations {
  readonly files: FileAccess;
}

/** Basic credentials from the node files the kubelet reads, in keyring order. */
export class KubeletNodeCredentialSource implements CredentialSource {
  constructor(private readonly options: KubeletNodeSourceOptions) {}

  async lookup(registry: string, repository: string, signal?: AbortSignal): Promise<{ credentials: RegistryCredential[]; warnings: string[] }> {
    signal?.throwIfAborted();
    const warnings: string[] = [];
    const entries = await this.readNodeKeyring(warnings);
    const credentials = lookupKeyring(entries, `${registry}/${repository}`)
      .filter((credential) => credential.username !== '' || credential.password !== '')
      .map((credential): RegistryCredential => ({ kind: 'basic', username: credential.username, password: credential.password }));
    return { credentials, warnings };
  }

  private async readNodeKeyring(warnings: string[]): Promise<KeyringEntry<BasicCredentials>[]> {
    // `/var/lib/kubelet` holds two candidates; a locked folder is reported once.
    const lockedFolders = new Set<string>();
    for (const { path, format } of kubeletCredentialFiles(this.options)) {
      const content = await readCredentialFile(this.options.files, path, kubeletFileRemedy);
      if (content.kind === 'absent') continue;
      if (content.kind === 'unreadable') {
        if (content.lockedFolder !== undefined) {
          if (lockedFolders.has(content.lockedFolder)) continue;
          lockedFolders.add(content.lockedFolder);
        }
        warnings.push(content.warning);
        continue;
      }
      const parsed = parseKubeletCredentialFile(content.text, format);
      if (!parsed.ok) {
        warnings.push(
          parsed.line !== undefined && parsed.column !== undefined
            ? `${invalidJsonWarning(path, { line: parsed.line, column: parsed.column })}; the kubelet skips it too`
            : `ignoring ${path}: ${parsed.problem}; the kubelet skips it too`,
        );
        continue;
      }
      for (const entry of parsed.entries) {
        if (keyringIndexKey(entry.key) === undefined) {
          warnings.push(`ignoring entry ${JSON.stringify(entry.key)} in ${path}: the kubelet cannot read it as a registry address`);
        }
      }
      return parsed.entries;
    }
    return [];
  }
}
