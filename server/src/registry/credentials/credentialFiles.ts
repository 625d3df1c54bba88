// Reading the files that hold registry credentials, and turning every way that can fail into a
// warning a user can act on. These files hold secrets, so a warning names the file and, for bad
// JSON, the line and column; it never quotes the content.
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The two file operations credential lookup needs, injectable for tests. */
export interface FileAccess {
  readFile(path: string): Promise<string>;
  stat(path: string): Promise<{ readonly uid: number; readonly mode: number }>;
}

export const nodeFileAccess: FileAccess = {
  readFile: (path) => readFile(path, 'utf8'),
  stat: (path) => stat(path),
};

/** Who owns a file this process may not read, when that could be found out. */
export interface FileOwnership {
  readonly uid: number;
  /** Permission bits only (`0o600`). */
  readonly mode: number;
}

/** What the user can do about a file they may not read, given who owns it (if known). */
export type PermissionRemedy = (path: string, ownership: FileOwnership | undefined) => string;

export type FileContent =
  | { readonly kind: 'absent' }
  | { readonly kind: 'text'; readonly text: string }
  /**
   * `lockedFolder` is set when a folder on the path refused the search: then every file in that
   * folder fails for the same reason, and one warning is enough.
   */
  | { readonly kind: 'unreadable'; readonly warning: string; readonly lockedFolder?: string };

/**
 * Reads a credentials file. A missing file (or a missing folder on its path) is `absent`, as it is
 * for docker and the kubelet; anything else that stops the read is `unreadable` with a warning.
 */
export async function readCredentialFile(files: FileAccess, path: string, remedy: PermissionRemedy): Promise<FileContent> {
  try {
    return { kind: 'text', text: await files.readFile(path) };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    if (code === 'EACCES' || code === 'EPERM') return { kind: 'unreadable', ...(await permissionWarning(files, path, remedy)) };
    if (code === 'EISDIR') return { kind: 'unreadable', warning: `cannot read ${path}: it is a folder, not a file` };
    return { kind: 'unreadable', warning: `cannot read ${path}: ${code ?? (error instanceof Error ? error.message : String(error))}` };
  }
}

async function permissionWarning(files: FileAccess, path: string, remedy: PermissionRemedy): Promise<{ warning: string; lockedFolder?: string }> {
  const warning = (explanation: string, ownership: FileOwnership | undefined): string =>
    `cannot read ${path}: permission denied — ${explanation}; ${remedy(path, ownership)}`;
  try {
    const status = await files.stat(path);
    const ownership = { uid: status.uid, mode: status.mode & 0o7777 };
    return { warning: warning(describeOwnership(ownership), ownership) };
  } catch (error) {
    // stat needs search permission on every folder of the path but not read permission on the
    // file, so when it is refused too, the file may or may not exist behind that folder.
    if (errorCode(error) !== 'EACCES') return { warning: warning('permission was refused', undefined) };
    return { warning: warning('a folder on its path cannot be searched by this user', undefined), lockedFolder: dirname(path) };
  }
}

function describeOwnership({ uid, mode }: FileOwnership): string {
  const octal = mode.toString(8).padStart(4, '0');
  if (uid === 0 && (mode & 0o044) === 0) return `it is readable by root only (mode ${octal})`;
  return `it belongs to ${uid === 0 ? 'root' : `user ${uid}`} (mode ${octal})`;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export type JsonDocument = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly line: number; readonly column: number };

/**
 * Parses JSON. On failure it reports only where the text stops being JSON: the engine's own
 * message quotes the text around the error, and here that text may be a password.
 */
export function parseJsonDocument(text: string): JsonDocument {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, ...lineAndColumn(text, jsonSyntaxErrorOffset(text)) };
  }
}

/** `ignoring WHAT: invalid JSON at line L, column C`. */
export function invalidJsonWarning(what: string, document: { readonly line: number; readonly column: number }): string {
  return `ignoring ${what}: invalid JSON at line ${document.line}, column ${document.column}`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset; index += 1) {
    if (text.charCodeAt(index) === 0x0a) {
      line += 1;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/**
 * The offset of the first character where `text` stops being JSON (RFC 8259, as JSON.parse reads
 * it), or `text.length` when the text ends too early. It walks with an explicit stack, so deeply
 * nested input cannot exhaust the call stack. Only called after JSON.parse has failed.
 */
export function jsonSyntaxErrorOffset(text: string): number {
  // The containers being read, innermost last; `empty` until their first member or element.
  const stack: { readonly closing: '}' | ']'; empty: boolean }[] = [];
  let index = 0;
  const skipWhitespace = (): void => {
    while (index < text.length && JSON_WHITESPACE.has(text[index]!)) index += 1;
  };
  // `index` is on the opening quote; on failure it is left where the string goes wrong.
  const readString = (): boolean => {
    index += 1;
    while (index < text.length) {
      const char = text[index]!;
      if (char === '"') {
        index += 1;
        return true;
      }
      if (char.charCodeAt(0) < 0x20) return false;
      if (char === '\\') {
        const escape = text[index + 1];
        if (escape === 'u') {
          for (let digit = 2; digit < 6; digit += 1) {
            if (!/[0-9a-fA-F]/.test(text[index + digit] ?? '')) {
              index += digit;
              return false;
            }
          }
          index += 6;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) {
          index += 1;
          return false;
        }
        index += 2;
        continue;
      }
      index += 1;
    }
    return false;
  };
  // Reads a scalar or opens a container; on failure `index` is where the value goes wrong.
  const readValue = (): boolean => {
    const char = text[index];
    if (char === '{' || char === '[') {
      stack.push({ closing: char === '{' ? '}' : ']', empty: true });
      index += 1;
      return true;
    }
    if (char === '"') return readString();
    for (const literal of ['true', 'false', 'null']) {
      if (char !== literal[0]) continue;
      let matched = 0;
      while (matched < literal.length && text[index + matched] === literal[matched]) matched += 1;
      index += matched;
      return matched === literal.length;
    }
    return readNumber();
  };
  // On failure `index` is on the character where a digit was needed.
  const readNumber = (): boolean => {
    const digits = (): number => {
      const start = index;
      while (index < text.length && text[index]! >= '0' && text[index]! <= '9') index += 1;
      return index - start;
    };
    if (text[index] === '-') index += 1;
    if (text[index] === '0') index += 1;
    else if (digits() === 0) return false;
    if (text[index] === '.') {
      index += 1;
      if (digits() === 0) return false;
    }
    if (text[index] === 'e' || text[index] === 'E') {
      index += 1;
      if (text[index] === '+' || text[index] === '-') index += 1;
      if (digits() === 0) return false;
    }
    return true;
  };

  skipWhitespace();
  if (!readValue()) return index;
  for (;;) {
    skipWhitespace();
    const container = stack[stack.length - 1];
    if (container === undefined) return index;
    if (text[index] === container.closing) {
      stack.pop();
      index += 1;
      continue;
    }
    if (!container.empty) {
      if (text[index] !== ',') return index;
      index += 1;
      skipWhitespace();
    }
    container.empty = false;
    if (container.closing === '}') {
      if (text[index] !== '"' || !readString()) return index;
      skipWhitespace();
      if (text[index] !== ':') return index;
      index += 1;
      skipWhitespace();
    }
    if (!readValue()) return index;
  }
}

/**
 * The value of `name` in a JSON object read the way Go's encoding/json reads struct fields, which
 * docker and the kubelet use: an exact key first, else a key equal to it ignoring case.
 */
export function goJsonField(object: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
