/**
 * Container image references, parsed the way the kubelet parses them: the grammar of
 * github.com/distribution/reference v0.6.0 with digests checked as go-digest v1.0.0 checks them,
 * and Docker Hub normalisation as `ParseNormalizedNamed` does it (FACTS.md §1–2).
 *
 * Upstream answers with one regular expression and an error string. We answer with the same
 * verdict and the same error string, plus every part of the reference with its offsets and, for
 * an invalid reference, the exact characters at fault, so a diagnostic can underline them.
 *
 * The scanner is hand-written and linear: the reference grammar is unambiguous once the input is
 * split at its first `@` and at the last `:` after the last `/` (a tag can hold neither `/`
 * nor `:`, and a colon in the name must sit in a registry host followed by `/`), so no
 * backtracking is ever needed.
 */
import type { Span } from './yaml/node';
import type { ImageReference, ReferencePart } from './types';

export type ReferenceProblemKind =
  | 'empty'
  | 'uppercase'
  | 'invalid-format'
  | 'name-too-long'
  | 'identifier-only'
  | 'digest-unsupported-algorithm'
  | 'digest-invalid-length'
  | 'digest-invalid-format';

/**
 * Why a reference is invalid. `kind` names the part at fault (a digest with too few hex digits is
 * `digest-invalid-length` even though upstream's regular expression already rejects it as
 * "invalid reference format"); `goError` is upstream's error text, exactly.
 */
export interface ReferenceProblem extends Span {
  readonly kind: ReferenceProblemKind;
  /** Exactly what distribution/reference or go-digest returns for this input. */
  readonly goError: string;
  /** Which part is wrong and why, in words a person editing the manifest can act on. */
  readonly message: string;
}

export interface ParsedImageReference {
  readonly input: string;
  /**
   * The registry host as written, offsets into `input`. Undefined when none is written; after
   * normalisation also when the first segment is a Docker Hub namespace (`foo` in `foo/bar`).
   */
  readonly domain: ReferencePart | undefined;
  /** The repository path as written (without any `library/` the normaliser adds). */
  readonly path: ReferencePart;
  readonly tag: ReferencePart | undefined;
  /** `algorithm:hex`, without the `@`. */
  readonly digest: ReferencePart | undefined;
  /**
   * The registry the reference resolves to: `docker.io` for Docker Hub (normalisation rewrites
   * `index.docker.io`; plain parsing uses `docker.io` when no host is written). Empty in the one
   * case where upstream's normalised reference has no domain: a first segment such as `a_b.com`
   * that normalisation keeps as a host but the grammar reads as part of the path.
   */
  readonly registry: string;
  /** The repository within the registry, with the `library/` prefix for official Docker Hub images. */
  readonly repository: string;
  /** The short name Docker shows: `docker.io` dropped, `library/` dropped when no further `/` follows. Name only, no tag or digest. */
  readonly familiar: string;
}

export type ReferenceParseResult =
  | { readonly ok: true; readonly reference: ParsedImageReference }
  | { readonly ok: false; readonly problem: ReferenceProblem };

const DOCKER_HUB = 'docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const LOCALHOST = 'localhost';
const MAX_PATH_LENGTH = 255;
const MAX_TAG_LENGTH = 128;
const MIN_DIGEST_HEX_DIGITS = 32;
const IDENTIFIER_LENGTH = 64;
/** go-digest v1.0.0 registers these three; each is hex-encoded at twice its byte size. */
const DIGEST_HEX_DIGITS: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);
const SUPPORTED_ALGORITHMS = 'sha256, sha384 and sha512';

const GO_ERROR = {
  nameEmpty: 'repository name must have at least one component',
  invalidFormat: 'invalid reference format',
  uppercase: 'repository name must be lowercase',
  nameTooLong: `repository name must not be more than ${MAX_PATH_LENGTH} characters`,
  digestFormat: 'invalid checksum digest format',
  digestLength: 'invalid checksum digest length',
  digestUnsupported: 'unsupported digest algorithm',
} as const;

/** `reference.Parse`: the grammar alone, no Docker Hub heuristics. */
export function parseReference(input: string): ReferenceParseResult {
  if (input === '') return failure({ kind: 'empty', goError: GO_ERROR.nameEmpty, start: 0, end: 0, message: EMPTY_MESSAGE });
  return parseWithLayout(input, GRAMMAR_LAYOUT);
}

/** `reference.ParseNormalizedNamed`, which is what the kubelet and the API server's defaulting use. */
export function parseNormalizedReference(input: string): ReferenceParseResult {
  // Upstream reports an empty string as "invalid reference format" here, because it has already
  // become "docker.io/library/" by the time the grammar sees it.
  if (input === '') return failure({ kind: 'empty', goError: GO_ERROR.invalidFormat, start: 0, end: 0, message: EMPTY_MESSAGE });
  if (isIdentifier(input)) {
    return failure({
      kind: 'identifier-only',
      goError: `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`,
      start: 0,
      end: input.length,
      message:
        'a 64-character hex string is an image ID, not a repository name; to pin an image by digest write repository@sha256:<hex>',
    });
  }
  const { layout, remainderStart } = normalizedLayout(input);
  const lowercaseProblem = remoteLowercaseProblem(input, remainderStart, layout.kind === 'hub' ? layout.pathPrefix : '');
  if (lowercaseProblem !== undefined) return failure(lowercaseProblem);
  return parseWithLayout(input, layout);
}

/** The JSON view: fully qualified name as the kubelet asks the runtime to pull it, parts as written. */
export function toImageReference(result: ReferenceParseResult): ImageReference {
  if (!result.ok) {
    return { valid: false, normalized: undefined, registry: undefined, repository: undefined, tag: undefined, digest: undefined };
  }
  const { registry, repository, tag, digest } = result.reference;
  const name = registry === '' ? repository : `${registry}/${repository}`;
  // The kubelet appends ":latest" only when neither a tag nor a digest is given.
  const tagSuffix = tag !== undefined ? `:${tag.text}` : digest === undefined ? ':latest' : '';
  const digestSuffix = digest !== undefined ? `@${digest.text}` : '';
  return {
    valid: true,
    normalized: name + tagSuffix + digestSuffix,
    registry,
    repository,
    tag: tag?.text,
    digest: digest?.text,
  };
}

// ---------------------------------------------------------------------------------------------
// How the name splits into registry and path.

/**
 * `grammar`: the grammar decides, taking the first segment as the registry host whenever it fits
 * the host grammar and a `/` follows (reference.Parse).
 * `hub`: normalisation has already decided the registry is Docker Hub; the path starts at
 * `pathStart` and the registry host written before it (if any) is `docker.io` or `index.docker.io`.
 */
type NameLayout =
  | { readonly kind: 'grammar'; readonly registryWhenAbsent: string }
  | { readonly kind: 'hub'; readonly pathStart: number; readonly writtenDomain: Span | undefined; readonly pathPrefix: string };

const GRAMMAR_LAYOUT: NameLayout = { kind: 'grammar', registryWhenAbsent: DOCKER_HUB };
/**
 * After normalisation kept the first segment as a registry host, the grammar can still decide the
 * name has no host (`a_b.com/x`: `_` is not allowed in a host but is in a path). The Named
 * reference upstream returns then has an empty domain, and so do we.
 */
const NORMALIZED_GRAMMAR_LAYOUT: NameLayout = { kind: 'grammar', registryWhenAbsent: '' };

/**
 * `splitDockerDomain`, expressed as a layout over the input instead of a rewritten string, so
 * every offset the scanner reports is already an offset into the input.
 */
function normalizedLayout(input: string): { layout: NameLayout; remainderStart: number } {
  const slash = input.indexOf('/');
  if (slash < 0) {
    // A single segment is always a Docker Hub official image, even `localhost` or `example.com:5000`.
    return { layout: { kind: 'hub', pathStart: 0, writtenDomain: undefined, pathPrefix: OFFICIAL_PREFIX }, remainderStart: 0 };
  }
  const first = input.slice(0, slash);
  const remainderStart = slash + 1;
  const officialPrefix = input.indexOf('/', remainderStart) < 0 ? OFFICIAL_PREFIX : '';
  const writtenHub: NameLayout = { kind: 'hub', pathStart: remainderStart, writtenDomain: { start: 0, end: slash }, pathPrefix: officialPrefix };
  if (first === LEGACY_DOCKER_HUB) return { layout: writtenHub, remainderStart };
  if (first === LOCALHOST || first.includes('.') || first.includes(':') || firstLowercaseChange(input, 0, slash) >= 0) {
    const layout = first === DOCKER_HUB && officialPrefix !== '' ? writtenHub : NORMALIZED_GRAMMAR_LAYOUT;
    return { layout, remainderStart };
  }
  return { layout: { kind: 'hub', pathStart: 0, writtenDomain: undefined, pathPrefix: '' }, remainderStart: 0 };
}

/**
 * `ParseNormalizedNamed` requires everything after the registry up to the first `:` to be
 * lowercase, before the grammar runs. Without a tag that stretch includes the digest algorithm.
 */
function remoteLowercaseProblem(input: string, remainderStart: number, pathPrefix: string): ReferenceProblem | undefined {
  const colon = input.indexOf(':', remainderStart);
  const remoteEnd = colon < 0 ? input.length : colon;
  const first = firstLowercaseChange(input, remainderStart, remoteEnd);
  if (first < 0) return undefined;
  let end = first;
  while (end < remoteEnd && firstLowercaseChange(input, end, end + 1) === end) end += codePointLength(input, end);
  // Upstream quotes the remote as it builds it, with "library/" for an official Docker Hub image.
  const remote = pathPrefix + input.slice(remainderStart, remoteEnd);
  const goError = `invalid reference format: repository name (${remote}) must be lowercase`;
  const at = input.indexOf('@', remainderStart);
  const run = input.slice(first, end);
  if (at >= 0 && at < first) {
    const algorithm = input.slice(at + 1, remoteEnd);
    return {
      kind: 'digest-invalid-format',
      goError,
      start: first,
      end,
      message: `uppercase "${run}" in digest algorithm "${algorithm}": digest algorithms are lowercase ("${algorithm.toLowerCase()}")`,
    };
  }
  return { kind: 'uppercase', goError, start: first, end, message: uppercaseMessage(run, 'repository path') };
}

// ---------------------------------------------------------------------------------------------
// Parsing.

interface Syntax {
  /** Only set by the `grammar` layout. */
  readonly domain: Span | undefined;
  readonly path: Span;
  readonly tag: Span | undefined;
  readonly digest: Span | undefined;
}

/** A place where the grammar does not match; the error text is always "invalid reference format". */
interface SyntaxFailure extends Span {
  readonly kind: ReferenceProblemKind;
  readonly message: string;
}

function parseWithLayout(input: string, layout: NameLayout): ReferenceParseResult {
  const syntax = scan(input, layout, false);
  if ('kind' in syntax) {
    // reference.Parse retries with the input lowercased: if that matches, the only fault is case.
    const folded = hasFoldableCharacter(input) ? scan(input, layout, true) : syntax;
    if (!('kind' in folded)) return failure(uppercaseProblem(input, folded));
    return failure({ ...folded, goError: GO_ERROR.invalidFormat });
  }
  const pathPrefix = layout.kind === 'hub' ? layout.pathPrefix : '';
  const pathLength = pathPrefix.length + syntax.path.end - syntax.path.start;
  if (pathLength > MAX_PATH_LENGTH) {
    const added = pathPrefix === '' ? '' : ` with the "${pathPrefix}" prefix Docker Hub adds`;
    return failure({
      kind: 'name-too-long',
      goError: GO_ERROR.nameTooLong,
      start: syntax.path.start,
      end: syntax.path.end,
      message: `repository path is ${pathLength} characters long${added}; at most ${MAX_PATH_LENGTH} are allowed (the registry host does not count)`,
    });
  }
  if (syntax.digest !== undefined) {
    const digestProblem = checkDigest(input, syntax.digest);
    if (digestProblem !== undefined) return failure(digestProblem);
  }

  const domain = layout.kind === 'hub' ? layout.writtenDomain : syntax.domain;
  const path = part(input, syntax.path);
  let registry: string;
  if (layout.kind === 'hub') registry = DOCKER_HUB;
  else registry = syntax.domain !== undefined ? input.slice(syntax.domain.start, syntax.domain.end) : layout.registryWhenAbsent;
  const repository = pathPrefix + path.text;
  return {
    ok: true,
    reference: {
      input,
      domain: domain === undefined ? undefined : part(input, domain),
      path,
      tag: syntax.tag === undefined ? undefined : part(input, syntax.tag),
      digest: syntax.digest === undefined ? undefined : part(input, syntax.digest),
      registry,
      repository,
      familiar: familiarName(registry, repository),
    },
  };
}

/**
 * Matches the whole reference grammar. With `folded`, letters are read lowercased (Go's
 * `strings.ToLower`), which answers upstream's question "would the lowercased input match?"
 * without building the lowercased string.
 */
function scan(input: string, layout: NameLayout, folded: boolean): Syntax | SyntaxFailure {
  const scanner = new Scanner(input, folded);
  const length = input.length;
  const at = input.indexOf('@');
  const nameAndTagEnd = at < 0 ? length : at;
  const nameStart = layout.kind === 'hub' ? layout.pathStart : 0;

  // The tag follows the last ':' that comes after the last '/'.
  let lastSlash = nameStart - 1;
  let lastColon = -1;
  for (let i = nameStart; i < nameAndTagEnd; i++) {
    const code = input.charCodeAt(i);
    if (code === SLASH) lastSlash = i;
    else if (code === COLON) lastColon = i;
  }
  const hasTag = lastColon > lastSlash;
  const nameEnd = hasTag ? lastColon : nameAndTagEnd;

  let domain: Span | undefined;
  let path: Span;
  if (layout.kind === 'hub') {
    const pathFault = bracketedHostWithoutPath(input, nameStart, nameEnd) ?? pathFailure(scanner, nameStart, nameEnd);
    if (pathFault !== undefined) return pathFault;
    path = { start: nameStart, end: nameEnd };
  } else {
    const split = splitName(scanner, nameEnd);
    if ('kind' in split) return split;
    domain = split.domain;
    path = split.path;
  }

  let tag: Span | undefined;
  if (hasTag) {
    tag = { start: lastColon + 1, end: nameAndTagEnd };
    const tagFault = tagFailure(scanner, tag.start, tag.end);
    if (tagFault !== undefined) return tagFault;
  }

  let digest: Span | undefined;
  if (at >= 0) {
    digest = { start: at + 1, end: length };
    const digestFault = digestSyntaxFailure(scanner, digest.start, digest.end);
    if (digestFault !== undefined) return digestFault;
  }
  return { domain, path, tag, digest };
}

/** `[domain/]path` with the grammar's preference: the first segment is the domain whenever it can be. */
function splitName(scanner: Scanner, nameEnd: number): { domain: Span | undefined; path: Span } | SyntaxFailure {
  const input = scanner.input;
  let firstSlash = input.indexOf('/');
  if (firstSlash >= nameEnd) firstSlash = -1;
  if (firstSlash < 0) {
    const fault = bracketedHostWithoutPath(input, 0, nameEnd) ?? pathFailure(scanner, 0, nameEnd);
    return fault ?? { domain: undefined, path: { start: 0, end: nameEnd } };
  }
  const hostFault = firstSlash === 0 ? undefined : domainFailure(scanner, 0, firstSlash);
  if (firstSlash > 0 && hostFault === undefined) {
    const restFault = pathFailure(scanner, firstSlash + 1, nameEnd);
    return restFault ?? { domain: { start: 0, end: firstSlash }, path: { start: firstSlash + 1, end: nameEnd } };
  }
  const wholeFault = pathFailure(scanner, 0, nameEnd);
  if (wholeFault === undefined) return { domain: undefined, path: { start: 0, end: nameEnd } };
  // Both readings fail. Point at the host when the first segment was clearly meant as one and is
  // not even a valid path component; otherwise the path reading's fault is the nearer one to fix.
  if (hostFault !== undefined && looksLikeHost(input, firstSlash) && pathFailure(scanner, 0, firstSlash) !== undefined) return hostFault;
  return wholeFault;
}

function looksLikeHost(input: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const code = input.charCodeAt(i);
    if (code === DOT || code === COLON || code === OPEN_BRACKET || code === CLOSE_BRACKET) return true;
  }
  return false;
}

/** `[2001:db8::1]` or `[::1]:5000` as the whole name: an IPv6 host is only allowed before `/` and a path. */
function bracketedHostWithoutPath(input: string, nameStart: number, nameEnd: number): SyntaxFailure | undefined {
  if (nameStart !== 0 || input.charCodeAt(0) !== OPEN_BRACKET || input.includes('/')) return undefined;
  const close = input.indexOf(']');
  const end = close < 0 ? nameEnd : close + 1;
  return syntaxFailure(0, end, `an IPv6 registry address like "${input.slice(0, end)}" must be followed by "/" and a repository path`);
}

// ---------------------------------------------------------------------------------------------
// The grammar's pieces. Each returns undefined when the range matches, else the first fault.

/** path-component ('/' path-component)*, path-component = [a-z0-9]+ (separator [a-z0-9]+)*. */
function pathFailure(scanner: Scanner, start: number, end: number): SyntaxFailure | undefined {
  if (start === end) return emptyPathFailure(scanner.input, start);
  let i = start;
  for (;;) {
    // At the start of a component: it must begin with a letter or digit.
    if (i === end) return syntaxFailure(i - 1, i, 'the repository path cannot end with "/"');
    const first = scanner.code(i);
    if (first === SLASH) {
      // A path that starts after a registry host's '/' with another '/' is a "//" as well.
      return i === 0
        ? syntaxFailure(i, i + 1, 'the repository path cannot start with "/"')
        : syntaxFailure(i, i + 1, 'empty path component: "//" is not allowed in a repository path');
    }
    if (isPathSeparatorChar(first)) {
      return syntaxFailure(i, i + 1, `a repository path component cannot start with "${String.fromCharCode(first)}"`);
    }
    if (!isLowerAlphanumeric(first)) return illegalCharacter(scanner, i, 'in a repository path', PATH_CHARACTERS);
    for (;;) {
      while (i < end && isLowerAlphanumeric(scanner.code(i))) i++;
      if (i === end) return undefined;
      const code = scanner.code(i);
      if (code === SLASH) {
        i++;
        break;
      }
      if (!isPathSeparatorChar(code)) return illegalCharacter(scanner, i, 'in a repository path', PATH_CHARACTERS);
      const runStart = i;
      while (i < end && isPathSeparatorChar(scanner.code(i))) i++;
      const allowed = allowedSeparatorLength(scanner, runStart, i);
      if (allowed < i - runStart) {
        const run = scanner.input.slice(runStart, i);
        return syntaxFailure(
          runStart + allowed,
          runStart + allowed + 1,
          `"${run}" is not a valid separator in a repository path: between letters and digits use one ".", one or two "_", or any number of "-"`,
        );
      }
      if (i === end || scanner.code(i) === SLASH) {
        return syntaxFailure(runStart, i, `a repository path component cannot end with "${scanner.input.slice(runStart, i)}"`);
      }
      if (!isLowerAlphanumeric(scanner.code(i))) return illegalCharacter(scanner, i, 'in a repository path', PATH_CHARACTERS);
    }
  }
}

function emptyPathFailure(input: string, at: number): SyntaxFailure {
  const next = input.charCodeAt(at);
  if (next === COLON) return syntaxFailure(at, at + 1, 'no repository name before ":"');
  if (next === AT) return syntaxFailure(at, at + 1, 'no repository name before the digest');
  // Only reachable right after a '/': the registry host is followed by nothing.
  return syntaxFailure(at - 1, at, 'no repository path after "/"');
}

/** How much of a run of separator characters is one valid separator: ".", "_", "__" or "-"+. */
function allowedSeparatorLength(scanner: Scanner, start: number, end: number): number {
  const first = scanner.code(start);
  if (first === DOT) return 1;
  if (first === UNDERSCORE) return start + 1 < end && scanner.code(start + 1) === UNDERSCORE ? 2 : 1;
  let i = start;
  while (i < end && scanner.code(i) === HYPHEN) i++;
  return i - start;
}

/** host [':' port], host = domain-name | '[' IPv6 ']'. */
function domainFailure(scanner: Scanner, start: number, end: number): SyntaxFailure | undefined {
  const input = scanner.input;
  let i = start;
  if (scanner.code(i) === OPEN_BRACKET) {
    const close = input.indexOf(']', start);
    if (close < 0 || close >= end) return syntaxFailure(start, start + 1, 'unclosed "[" in an IPv6 registry address');
    if (close === start + 1) return syntaxFailure(start, close + 1, 'empty IPv6 registry address "[]"');
    for (let j = start + 1; j < close; j++) {
      const code = scanner.code(j);
      if (isHexDigit(code) || code === COLON) continue;
      if (code === PERCENT) return syntaxFailure(j, close, 'IPv6 zone identifiers (like "%eth0") are not allowed in a registry address');
      if (code === DOT) return syntaxFailure(j, j + 1, 'IPv6 addresses with an embedded IPv4 part are not allowed in a registry address');
      return illegalCharacter(scanner, j, 'in an IPv6 address', 'hex digits and ":"');
    }
    i = close + 1;
  } else {
    let colons = 0;
    for (let j = start; j < end; j++) if (input.charCodeAt(j) === COLON) colons++;
    if (colons > 1) {
      const host = input.slice(start, end);
      return syntaxFailure(start, end, `"${host}" has more than one ":"; an IPv6 registry address must be written in brackets, like [fc00::1]:5000`);
    }
    for (;;) {
      const first = scanner.code(i);
      if (!isAlphanumeric(first)) {
        if (first === HYPHEN) return syntaxFailure(i, i + 1, 'a label of a registry host name cannot start with "-"');
        if (i > start) return syntaxFailure(i - 1, i, 'empty label in a registry host name: "." must be followed by a letter or digit');
        return illegalCharacter(scanner, i, 'in a registry host name', HOST_CHARACTERS);
      }
      while (i < end && (isAlphanumeric(scanner.code(i)) || scanner.code(i) === HYPHEN)) i++;
      if (scanner.code(i - 1) === HYPHEN) return syntaxFailure(i - 1, i, 'a label of a registry host name cannot end with "-"');
      if (i === end) return undefined;
      const code = scanner.code(i);
      if (code === DOT) {
        i++;
        if (i === end) return syntaxFailure(i - 1, i, 'a registry host name cannot end with "."');
        continue;
      }
      if (code === COLON) break;
      return illegalCharacter(scanner, i, 'in a registry host name', HOST_CHARACTERS);
    }
  }
  if (i === end) return undefined;
  if (scanner.code(i) !== COLON) return illegalCharacter(scanner, i, 'after an IPv6 registry address', '":" and a port, or "/"');
  if (i + 1 === end) return syntaxFailure(i, i + 1, 'empty port after ":" in the registry host');
  for (let j = i + 1; j < end; j++) {
    if (!isDigit(scanner.code(j))) return illegalCharacter(scanner, j, 'in a registry port', 'digits');
  }
  return undefined;
}

/** [\w][\w.-]{0,127} */
function tagFailure(scanner: Scanner, start: number, end: number): SyntaxFailure | undefined {
  if (start === end) return syntaxFailure(start - 1, start, 'empty tag after ":"');
  const first = scanner.code(start);
  if (first === DOT || first === HYPHEN) return syntaxFailure(start, start + 1, `a tag cannot start with "${String.fromCharCode(first)}"`);
  for (let i = start; i < end; i++) {
    const code = scanner.code(i);
    if (!isWordChar(code) && code !== DOT && code !== HYPHEN) return illegalCharacter(scanner, i, 'in a tag', TAG_CHARACTERS);
  }
  if (end - start > MAX_TAG_LENGTH) {
    const shown = preview(scanner.input.slice(start, end));
    return syntaxFailure(start, end, `tag "${shown}" is ${end - start} characters long; a tag has at most ${MAX_TAG_LENGTH}`);
  }
  return undefined;
}

/** [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* ':' [0-9A-Fa-f]{32,} */
function digestSyntaxFailure(scanner: Scanner, start: number, end: number): SyntaxFailure | undefined {
  const input = scanner.input;
  if (start === end) return digestFault(start - 1, start, `nothing after "@": a digest is written ${DIGEST_EXAMPLE}`);
  const colon = input.indexOf(':', start);
  if (colon < 0) {
    const shown = preview(input.slice(start, end));
    return digestFault(start, end, `"${shown}" after "@" is not a digest: a digest is written ${DIGEST_EXAMPLE} (a tag goes after ":")`);
  }
  let i = start;
  for (;;) {
    if (!isLetter(scanner.code(i))) {
      if (i === colon && i > start) return digestFault(i - 1, i, 'a digest algorithm cannot end with a separator');
      if (i === colon) return digestFault(start, start + 1, `no digest algorithm before ":": a digest is written ${DIGEST_EXAMPLE}`);
      return digestCharacter(scanner, i, 'in a digest algorithm (each part starts with a letter)');
    }
    while (isLetter(scanner.code(i)) || isDigit(scanner.code(i))) i++;
    if (i === colon) break;
    if (!isAlgorithmSeparator(scanner.code(i))) return digestCharacter(scanner, i, 'in a digest algorithm');
    i++;
  }
  for (let j = colon + 1; j < end; j++) {
    if (!isHexDigit(scanner.code(j))) return digestCharacter(scanner, j, 'in a digest: the part after ":" is hex digits (0-9, a-f)');
  }
  const digits = end - colon - 1;
  if (digits >= MIN_DIGEST_HEX_DIGITS) return undefined;
  const algorithm = input.slice(start, colon);
  const shown = preview(input.slice(start, end));
  if (digits === 0) return digestFault(start, end, `digest "${shown}" has no hex digits after ":"`);
  const expected = DIGEST_HEX_DIGITS.get(algorithm);
  if (expected === undefined) {
    return {
      kind: 'digest-unsupported-algorithm',
      start,
      end,
      message: `digest ${shown}: algorithm "${algorithm}" is not supported (the kubelet accepts ${SUPPORTED_ALGORITHMS}), and ${digits} hex digits are too few`,
    };
  }
  return { kind: 'digest-invalid-length', start, end, message: digestLengthMessage(shown, digits, algorithm, expected) };
}

function digestCharacter(scanner: Scanner, at: number, where: string): SyntaxFailure {
  if (scanner.input.charCodeAt(at) === AT) return syntaxFailure(at, at + 1, 'a reference can contain only one "@"');
  const character = describeCharacter(scanner.input, at);
  return digestFault(at, at + character.length, `${character.description} is not allowed ${where}`);
}

function digestFault(start: number, end: number, message: string): SyntaxFailure {
  return { kind: 'digest-invalid-format', start, end, message };
}

/** go-digest's `Digest.Validate`, run on a digest the grammar already accepted. */
function checkDigest(input: string, digest: Span): ReferenceProblem | undefined {
  const colon = input.indexOf(':', digest.start);
  const algorithm = input.slice(digest.start, colon);
  const digits = digest.end - colon - 1;
  const shown = preview(input.slice(digest.start, digest.end));
  const expected = DIGEST_HEX_DIGITS.get(algorithm);
  if (expected === undefined) {
    // go-digest rejects an unknown algorithm as malformed if it has uppercase letters, else as unsupported.
    if (algorithm !== algorithm.toLowerCase()) {
      const known = DIGEST_HEX_DIGITS.has(algorithm.toLowerCase()) ? ` (write "${algorithm.toLowerCase()}")` : '';
      const message = `digest algorithm "${algorithm}" must be lowercase${known}`;
      return { kind: 'digest-invalid-format', goError: GO_ERROR.digestFormat, ...digest, message };
    }
    return {
      kind: 'digest-unsupported-algorithm',
      goError: GO_ERROR.digestUnsupported,
      ...digest,
      message: `digest algorithm "${algorithm}" is not supported; the kubelet accepts ${SUPPORTED_ALGORITHMS}`,
    };
  }
  if (digits !== expected) {
    const message = digestLengthMessage(shown, digits, algorithm, expected);
    return { kind: 'digest-invalid-length', goError: GO_ERROR.digestLength, ...digest, message };
  }
  for (let i = colon + 1; i < digest.end; i++) {
    const code = input.charCodeAt(i);
    if (code >= UPPER_A && code <= UPPER_Z) {
      const message = `digest ${shown} has uppercase hex digits; ${algorithm} digests are lowercase hex`;
      return { kind: 'digest-invalid-format', goError: GO_ERROR.digestFormat, ...digest, message };
    }
  }
  return undefined;
}

function digestLengthMessage(shown: string, digits: number, algorithm: string, expected: number): string {
  return `digest ${shown} has ${digits} hex digit${digits === 1 ? '' : 's'}; ${algorithm} needs ${expected}`;
}

// ---------------------------------------------------------------------------------------------
// Problems.

const EMPTY_MESSAGE = 'the image reference is empty';
const DIGEST_EXAMPLE = 'algorithm:hex, like sha256:<64 hex digits>';
const PATH_CHARACTERS = 'lowercase letters, digits, separators ".", "_", "-" and "/"';
const HOST_CHARACTERS = 'letters, digits, "-" and "."';
const TAG_CHARACTERS = 'letters, digits, "_", "." and "-"';

function failure(problem: ReferenceProblem): ReferenceParseResult {
  return { ok: false, problem };
}

function syntaxFailure(start: number, end: number, message: string): SyntaxFailure {
  return { kind: 'invalid-format', start, end, message };
}

function illegalCharacter(scanner: Scanner, at: number, where: string, allowed: string): SyntaxFailure {
  const input = scanner.input;
  const character = describeCharacter(input, at);
  if (input.charCodeAt(at) === COLON && where === 'in a repository path') {
    return syntaxFailure(at, at + 1, `":" is not allowed in a repository path: a tag follows the last ":", and a registry port must be followed by "/"`);
  }
  const edge = at === 0 ? ' (leading)' : at + character.length === input.length ? ' (trailing)' : '';
  return syntaxFailure(at, at + character.length, `${character.description}${edge} is not allowed ${where}; allowed: ${allowed}`);
}

/**
 * reference.Parse says "repository name must be lowercase" when only case stops the match: an
 * uppercase letter in the path, or one of the two non-ASCII letters Go lowercases to ASCII.
 * We underline the first run of such characters.
 */
function uppercaseProblem(input: string, folded: Syntax): ReferenceProblem {
  const offending = (i: number): boolean => {
    const code = input.charCodeAt(i);
    if (code === CAPITAL_I_WITH_DOT || code === KELVIN_SIGN) return true;
    return i >= folded.path.start && i < folded.path.end && code >= UPPER_A && code <= UPPER_Z;
  };
  let start = 0;
  while (start < input.length && !offending(start)) start++;
  let end = start;
  while (end < input.length && offending(end)) end++;
  const run = input.slice(start, end);
  const inPath = start >= folded.path.start && start < folded.path.end;
  const message = inPath
    ? uppercaseMessage(run, 'repository path')
    : `"${run}" is not an ASCII letter; Go lowercases it and then reports the name as not lowercase`;
  return { kind: 'uppercase', goError: GO_ERROR.uppercase, start, end, message };
}

function uppercaseMessage(run: string, where: string): string {
  return `uppercase "${run}" in ${where}: repository names must be lowercase`;
}

// ---------------------------------------------------------------------------------------------
// Helpers.

function part(input: string, span: Span): ReferencePart {
  return { start: span.start, end: span.end, text: input.slice(span.start, span.end) };
}

/** `familiarizeName`: docker.io is dropped, and so is `library/` when no further `/` follows. */
function familiarName(registry: string, repository: string): string {
  if (registry !== DOCKER_HUB) return registry === '' ? repository : `${registry}/${repository}`;
  if (repository.startsWith(OFFICIAL_PREFIX) && !repository.includes('/', OFFICIAL_PREFIX.length)) return repository.slice(OFFICIAL_PREFIX.length);
  return repository;
}

function isIdentifier(input: string): boolean {
  if (input.length !== IDENTIFIER_LENGTH) return false;
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    if (!isDigit(code) && !(code >= LOWER_A && code <= LOWER_F)) return false;
  }
  return true;
}

/** Offset of the first character in [start, end) that Go's `strings.ToLower` would change, or -1. */
function firstLowercaseChange(input: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const code = input.charCodeAt(i);
    if (code < 0x80) {
      if (code >= UPPER_A && code <= UPPER_Z) return i;
      continue;
    }
    const character = String.fromCodePoint(input.codePointAt(i) ?? code);
    if (character.toLowerCase() !== character) return i;
    i += character.length - 1;
  }
  return -1;
}

function codePointLength(input: string, at: number): number {
  return (input.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
}

/** Characters whose lowercase (Go's `unicode.ToLower`) differs and is ASCII: only these can turn a non-match into a match. */
function hasFoldableCharacter(input: string): boolean {
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    if ((code >= UPPER_A && code <= UPPER_Z) || code === CAPITAL_I_WITH_DOT || code === KELVIN_SIGN) return true;
  }
  return false;
}

/** Reads characters, lowercased as Go would when `folded` is set. */
class Scanner {
  constructor(
    readonly input: string,
    private readonly folded: boolean,
  ) {}

  /** The character code at `i`, or -1 past the end. */
  code(i: number): number {
    if (i >= this.input.length) return -1;
    const code = this.input.charCodeAt(i);
    if (!this.folded) return code;
    if (code >= UPPER_A && code <= UPPER_Z) return code + (LOWER_A - UPPER_A);
    if (code === CAPITAL_I_WITH_DOT) return LOWER_I;
    if (code === KELVIN_SIGN) return LOWER_K;
    return code;
  }
}

function describeCharacter(input: string, at: number): { description: string; length: number } {
  const codePoint = input.codePointAt(at) ?? 0;
  const length = codePoint > 0xffff ? 2 : 1;
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  if (codePoint === 0x20) return { description: 'a space', length };
  if (codePoint === 0x09) return { description: 'a tab', length };
  if (codePoint === 0x0a || codePoint === 0x0d) return { description: 'a line break', length };
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0xa0)) return { description: `the control character ${hex}`, length };
  if (codePoint > 0x7e) return { description: `"${String.fromCodePoint(codePoint)}" (${hex})`, length };
  return { description: `"${String.fromCodePoint(codePoint)}"`, length };
}

/** Long values are shortened in messages: the underline already shows where they are. */
function preview(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 24)}…${text.slice(-8)}`;
}

const SLASH = 0x2f;
const COLON = 0x3a;
const AT = 0x40;
const DOT = 0x2e;
const HYPHEN = 0x2d;
const UNDERSCORE = 0x5f;
const PERCENT = 0x25;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const UPPER_A = 0x41;
const UPPER_Z = 0x5a;
const UPPER_F = 0x46;
const LOWER_A = 0x61;
const LOWER_F = 0x66;
const LOWER_I = 0x69;
const LOWER_K = 0x6b;
const LOWER_Z = 0x7a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const CAPITAL_I_WITH_DOT = 0x130;
const KELVIN_SIGN = 0x212a;

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}
function isLowerAlphanumeric(code: number): boolean {
  return (code >= LOWER_A && code <= LOWER_Z) || isDigit(code);
}
function isLetter(code: number): boolean {
  return (code >= LOWER_A && code <= LOWER_Z) || (code >= UPPER_A && code <= UPPER_Z);
}
function isAlphanumeric(code: number): boolean {
  return isLetter(code) || isDigit(code);
}
function isWordChar(code: number): boolean {
  return isAlphanumeric(code) || code === UNDERSCORE;
}
function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= LOWER_A && code <= LOWER_F) || (code >= UPPER_A && code <= UPPER_F);
}
function isPathSeparatorChar(code: number): boolean {
  return code === DOT || code === UNDERSCORE || code === HYPHEN;
}
function isAlgorithmSeparator(code: number): boolean {
  return code === HYPHEN || code === UNDERSCORE || code === 0x2b || code === DOT;
}
