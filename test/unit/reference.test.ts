// The image reference parser against distribution/reference v0.6.0 + go-digest v1.0.0
// (FACTS.md §1–2). Every expected value below was worked out by hand from the grammar and
// upstream's source; the last suite also compares against upstream's regular expressions,
// transcribed into JavaScript, on generated input.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  parseNormalizedReference,
  parseReference,
  toImageReference,
  type ReferenceParseResult,
  type ReferenceProblemKind,
} from '../../server/src/core/reference';

const HEX64 = '7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa';
const HEX96 = `${HEX64}${HEX64.slice(0, 32)}`;
const HEX128 = `${HEX64}${HEX64}`;
const SHA256 = `sha256:${HEX64}`;

const FORMAT = 'invalid reference format';
const UPPERCASE = 'repository name must be lowercase';
const EMPTY = 'repository name must have at least one component';
const TOO_LONG = 'repository name must not be more than 255 characters';
const DIGEST_FORMAT = 'invalid checksum digest format';
const DIGEST_LENGTH = 'invalid checksum digest length';
const DIGEST_UNSUPPORTED = 'unsupported digest algorithm';

/** The parts as written; offsets follow from the texts because `[domain/]path[:tag][@digest]` spells the input. */
interface WrittenParts {
  readonly domain?: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

function assertWrittenParts(result: ReferenceParseResult, input: string, expected: WrittenParts): void {
  assert.ok(result.ok, `expected ${JSON.stringify(input)} to parse, got ${result.ok ? '' : result.problem.goError}`);
  const reference = result.reference;
  const spelled =
    (expected.domain !== undefined ? `${expected.domain}/` : '') +
    expected.path +
    (expected.tag !== undefined ? `:${expected.tag}` : '') +
    (expected.digest !== undefined ? `@${expected.digest}` : '');
  assert.equal(spelled, input, 'the expected parts must spell the input (a mistake in the table)');
  const pathStart = expected.domain !== undefined ? expected.domain.length + 1 : 0;
  const pathEnd = pathStart + expected.path.length;
  const tagEnd = expected.tag !== undefined ? pathEnd + 1 + expected.tag.length : pathEnd;
  assert.deepEqual(reference.domain, expected.domain === undefined ? undefined : { start: 0, end: expected.domain.length, text: expected.domain });
  assert.deepEqual(reference.path, { start: pathStart, end: pathEnd, text: expected.path });
  assert.deepEqual(reference.tag, expected.tag === undefined ? undefined : { start: pathEnd + 1, end: tagEnd, text: expected.tag });
  assert.deepEqual(reference.digest, expected.digest === undefined ? undefined : { start: tagEnd + 1, end: input.length, text: expected.digest });
  assert.equal(reference.input, input);
}

type ProblemCase = readonly [input: string, kind: ReferenceProblemKind, goError: string, start: number, end: number];

function assertProblem(result: ReferenceParseResult, [input, kind, goError, start, end]: ProblemCase): void {
  assert.ok(!result.ok, `expected ${JSON.stringify(input)} to be rejected`);
  const { problem } = result;
  assert.deepEqual(
    { kind: problem.kind, goError: problem.goError, start: problem.start, end: problem.end },
    { kind, goError, start, end },
    `underlined ${JSON.stringify(input.slice(problem.start, problem.end))}: ${problem.message}`,
  );
  assert.notEqual(problem.message, '');
}

function label(input: string): string {
  const shown = input.length > 60 ? `${input.slice(0, 40)}…(${input.length} chars)` : input;
  return JSON.stringify(shown);
}

// ---------------------------------------------------------------------------------------------

describe('parseReference (reference.Parse): valid references and their parts', () => {
  // registry = the domain as written, docker.io when none; repository = the path as written.
  const cases: readonly (WrittenParts & { readonly input: string })[] = [
    { input: 'nginx', path: 'nginx' },
    { input: 'nginx:1.25', path: 'nginx', tag: '1.25' },
    { input: 'nginx:latest', path: 'nginx', tag: 'latest' },
    { input: 'lowercase:Uppercase', path: 'lowercase', tag: 'Uppercase' },
    { input: 'test_com', path: 'test_com' },
    { input: 'test.com:tag', path: 'test.com', tag: 'tag' },
    { input: 'test.com:5000', path: 'test.com', tag: '5000' },
    { input: 'test.com/repo:tag', domain: 'test.com', path: 'repo', tag: 'tag' },
    { input: 'test:5000/repo', domain: 'test:5000', path: 'repo' },
    { input: 'test:5000/repo:tag', domain: 'test:5000', path: 'repo', tag: 'tag' },
    { input: `test:5000/repo@${SHA256}`, domain: 'test:5000', path: 'repo', digest: SHA256 },
    { input: `test:5000/repo:tag@${SHA256}`, domain: 'test:5000', path: 'repo', tag: 'tag', digest: SHA256 },
    // Plain Parse has no Docker Hub heuristics: any first segment that fits the host grammar is the domain.
    { input: 'foo/bar', domain: 'foo', path: 'bar' },
    { input: 'foo/foo_bar.com:8080', domain: 'foo', path: 'foo_bar.com', tag: '8080' },
    { input: 'foo_bar.com:8080', path: 'foo_bar.com', tag: '8080' },
    { input: 'a/b/c', domain: 'a', path: 'b/c' },
    { input: 'a1/b2/c3:4', domain: 'a1', path: 'b2/c3', tag: '4' },
    { input: 'Docker/docker', domain: 'Docker', path: 'docker' },
    { input: 'DOCKER/docker', domain: 'DOCKER', path: 'docker' },
    { input: 'a_b.com/x', path: 'a_b.com/x' },
    { input: 'a--b', path: 'a--b' },
    { input: 'a__b', path: 'a__b' },
    { input: 'a_b', path: 'a_b' },
    { input: 'a.b', path: 'a.b' },
    { input: 'a---b-c', path: 'a---b-c' },
    { input: 'a-b.c_d__e', path: 'a-b.c_d__e' },
    { input: '0', path: '0' },
    { input: '192.168.1.1', path: '192.168.1.1' },
    { input: '192.168.1.1:5000/repo', domain: '192.168.1.1:5000', path: 'repo' },
    { input: '192.168.1.1:5000/repo:5050', domain: '192.168.1.1:5000', path: 'repo', tag: '5050' },
    { input: '1.2.3.4/x', domain: '1.2.3.4', path: 'x' },
    { input: '[2001:db8::1]/repo', domain: '[2001:db8::1]', path: 'repo' },
    { input: '[2001:db8::1]:5000/repo:tag', domain: '[2001:db8::1]:5000', path: 'repo', tag: 'tag' },
    { input: '[2001:db8:1:2:3:4:5:6]/repo:tag', domain: '[2001:db8:1:2:3:4:5:6]', path: 'repo', tag: 'tag' },
    { input: '[::1]:5000/repo', domain: '[::1]:5000', path: 'repo' },
    { input: '[2001:db8::]:5000/repo', domain: '[2001:db8::]:5000', path: 'repo' },
    { input: '[FC00::1]/x', domain: '[FC00::1]', path: 'x' },
    { input: 'localhost/foo', domain: 'localhost', path: 'foo' },
    { input: 'localhost:5000/foo/bar:v1', domain: 'localhost:5000', path: 'foo/bar', tag: 'v1' },
    { input: 'localhost', path: 'localhost' },
    { input: 'localhost:5000', path: 'localhost', tag: '5000' },
    { input: 'localhost.localdomain:5000/x', domain: 'localhost.localdomain:5000', path: 'x' },
    { input: 'index.docker.io/library/nginx', domain: 'index.docker.io', path: 'library/nginx' },
    { input: 'xn--n3h.com/myimage:xn--n3h.com', domain: 'xn--n3h.com', path: 'myimage', tag: 'xn--n3h.com' },
    { input: 'sub-dom1.foo.com/bar/baz/quux:some-long-tag', domain: 'sub-dom1.foo.com', path: 'bar/baz/quux', tag: 'some-long-tag' },
    { input: 'b.gcr.io/test.example.com/my-app:test.example.com', domain: 'b.gcr.io', path: 'test.example.com/my-app', tag: 'test.example.com' },
    { input: 'Example.COM:443/team/app', domain: 'Example.COM:443', path: 'team/app' },
    { input: 'a-b-c.example/x', domain: 'a-b-c.example', path: 'x' },
    { input: 'registry.k8s.io/pause:3.9', domain: 'registry.k8s.io', path: 'pause', tag: '3.9' },
    { input: `ghcr.io/org/team/app@${SHA256}`, domain: 'ghcr.io', path: 'org/team/app', digest: SHA256 },
    // Path length counts the path only (v0.6.0): 255 is the limit, the domain and tag are free.
    { input: `example.com/${'a'.repeat(255)}:tag`, domain: 'example.com', path: 'a'.repeat(255), tag: 'tag' },
    { input: 'x'.repeat(255), path: 'x'.repeat(255) },
    { input: `${'a/'.repeat(127)}a:tag-puts-this-over-max`, domain: 'a', path: `${'a/'.repeat(126)}a`, tag: 'tag-puts-this-over-max' },
    { input: `nginx:${'a'.repeat(128)}`, path: 'nginx', tag: 'a'.repeat(128) },
    { input: 'nginx:_', path: 'nginx', tag: '_' },
    { input: 'nginx:A', path: 'nginx', tag: 'A' },
    { input: 'nginx:1.0-rc.1_b', path: 'nginx', tag: '1.0-rc.1_b' },
    { input: `nginx@${SHA256}`, path: 'nginx', digest: SHA256 },
    { input: `nginx:1.25@${SHA256}`, path: 'nginx', tag: '1.25', digest: SHA256 },
    { input: `nginx@sha384:${HEX96}`, path: 'nginx', digest: `sha384:${HEX96}` },
    { input: `nginx@sha512:${HEX128}`, path: 'nginx', digest: `sha512:${HEX128}` },
    // A 64-hex name is only refused by normalisation, not by Parse.
    { input: HEX64, path: HEX64 },
  ];
  for (const expected of cases) {
    test(label(expected.input), () => {
      const result = parseReference(expected.input);
      assertWrittenParts(result, expected.input, expected);
      assert.ok(result.ok);
      assert.equal(result.reference.registry, expected.domain ?? 'docker.io');
      assert.equal(result.reference.repository, expected.path);
    });
  }
});

describe('parseReference (reference.Parse): rejected references, error text and underline', () => {
  const cases: readonly ProblemCase[] = [
    ['', 'empty', EMPTY, 0, 0],
    // Case: only an uppercase letter in the path stops the match; the first run of them is underlined.
    ['Nginx', 'uppercase', UPPERCASE, 0, 1],
    ['UPPER', 'uppercase', UPPERCASE, 0, 5],
    ['Uppercase:tag', 'uppercase', UPPERCASE, 0, 1],
    ['test:5000/Uppercase/lowercase:tag', 'uppercase', UPPERCASE, 10, 11],
    ['docker/Docker', 'uppercase', UPPERCASE, 7, 8],
    ['foo/barBAZ', 'uppercase', UPPERCASE, 7, 10],
    ['foo/aBcD', 'uppercase', UPPERCASE, 5, 6],
    ['Foo_bar/x', 'uppercase', UPPERCASE, 0, 1],
    // Go lowercases the Kelvin sign and the dotted capital I to ASCII letters.
    ['\u212Aube', 'uppercase', UPPERCASE, 0, 1],
    ['\u0130mage', 'uppercase', UPPERCASE, 0, 1],
    ['nginx:\u212A', 'uppercase', UPPERCASE, 6, 7],
    // Uppercase plus a structural fault: lowercasing does not help, so the fault is what is shown.
    ['foo/Bar..baz', 'invalid-format', FORMAT, 8, 9],
    ['CAFÉ', 'invalid-format', FORMAT, 3, 4],
    // Separators and slashes.
    ['a..b', 'invalid-format', FORMAT, 2, 3],
    ['a___b', 'invalid-format', FORMAT, 3, 4],
    ['a._b', 'invalid-format', FORMAT, 2, 3],
    ['a_.b', 'invalid-format', FORMAT, 2, 3],
    ['a-.b', 'invalid-format', FORMAT, 2, 3],
    ['a//b', 'invalid-format', FORMAT, 2, 3],
    ['/a', 'invalid-format', FORMAT, 0, 1],
    ['a/', 'invalid-format', FORMAT, 1, 2],
    ['nginx/', 'invalid-format', FORMAT, 5, 6],
    ['-docker', 'invalid-format', FORMAT, 0, 1],
    ['.docker', 'invalid-format', FORMAT, 0, 1],
    ['_docker', 'invalid-format', FORMAT, 0, 1],
    ['docker-', 'invalid-format', FORMAT, 6, 7],
    ['docker__', 'invalid-format', FORMAT, 6, 8],
    // Illegal characters, including invisible ones at either end.
    [' nginx', 'invalid-format', FORMAT, 0, 1],
    ['nginx ', 'invalid-format', FORMAT, 5, 6],
    ['nginx\t', 'invalid-format', FORMAT, 5, 6],
    ['my image:1', 'invalid-format', FORMAT, 2, 3],
    ['ngi😀nx', 'invalid-format', FORMAT, 3, 5],
    ['café', 'invalid-format', FORMAT, 3, 4],
    ['nginx:1.0:2.0', 'invalid-format', FORMAT, 5, 6],
    // Tags.
    ['nginx:1.2 5', 'invalid-format', FORMAT, 9, 10],
    ['nginx:', 'invalid-format', FORMAT, 5, 6],
    ['nginx:.x', 'invalid-format', FORMAT, 6, 7],
    ['nginx:-x', 'invalid-format', FORMAT, 6, 7],
    ['nginx:a+b', 'invalid-format', FORMAT, 7, 8],
    [`nginx:${'a'.repeat(129)}`, 'invalid-format', FORMAT, 6, 135],
    [`nginx:${'a'.repeat(130)}`, 'invalid-format', FORMAT, 6, 136],
    [':tag', 'invalid-format', FORMAT, 0, 1],
    [':justtag', 'invalid-format', FORMAT, 0, 1],
    // A ':' before a '/' must be a registry port.
    ['nginx:a/b', 'invalid-format', FORMAT, 6, 7],
    ['host:/x', 'invalid-format', FORMAT, 4, 5],
    ['host:5x/y', 'invalid-format', FORMAT, 6, 7],
    ['host:1:2/y', 'invalid-format', FORMAT, 0, 8],
    // Registry hosts.
    ['a..b.com/x', 'invalid-format', FORMAT, 1, 2],
    ['-a.com/x', 'invalid-format', FORMAT, 0, 1],
    ['a-.com/x', 'invalid-format', FORMAT, 1, 2],
    ['a.com./x', 'invalid-format', FORMAT, 5, 6],
    ['a_b.com:5000/x', 'invalid-format', FORMAT, 1, 2],
    // IPv6 hosts: brackets required, a path required, no zone ids, no dotted IPv4 tail.
    ['[2001:db8::1]', 'invalid-format', FORMAT, 0, 13],
    ['[2001:db8::1]:5000', 'invalid-format', FORMAT, 0, 13],
    ['[2001:db8::1]:tag', 'invalid-format', FORMAT, 0, 13],
    ['[fe80::1%eth0]:5000/repo', 'invalid-format', FORMAT, 8, 13],
    ['[fe80::1%@invalidzone]:5000/repo', 'invalid-format', FORMAT, 0, 1],
    ['[2001:db8:3:4::192.0.2.33]:5000/debian', 'invalid-format', FORMAT, 18, 19],
    ['fc00::1:5000/debian', 'invalid-format', FORMAT, 0, 12],
    ['[]/x', 'invalid-format', FORMAT, 0, 2],
    ['[::1/x', 'invalid-format', FORMAT, 0, 1],
    ['[::1]x/y', 'invalid-format', FORMAT, 5, 6],
    ['[::g]/x', 'invalid-format', FORMAT, 3, 4],
    // Path length: the path alone, more than 255.
    ['x'.repeat(256), 'name-too-long', TOO_LONG, 0, 256],
    [`domain/${'a'.repeat(256)}:tag`, 'name-too-long', TOO_LONG, 7, 263],
    [`example.com/${'a'.repeat(256)}`, 'name-too-long', TOO_LONG, 12, 268],
    // Digests the grammar already refuses ("invalid reference format").
    [`@${SHA256}`, 'invalid-format', FORMAT, 0, 1],
    ['nginx@', 'digest-invalid-format', FORMAT, 5, 6],
    ['nginx@latest', 'digest-invalid-format', FORMAT, 6, 12],
    ['a@b@c', 'digest-invalid-format', FORMAT, 2, 5],
    ['nginx@sha256:abc', 'digest-invalid-length', FORMAT, 6, 16],
    [`nginx@sha256:${HEX64.slice(0, 31)}`, 'digest-invalid-length', FORMAT, 6, 44],
    ['nginx@md5:abc', 'digest-unsupported-algorithm', FORMAT, 6, 13],
    ['nginx@sha256:', 'digest-invalid-format', FORMAT, 6, 13],
    [`nginx@sha256:${'g'.repeat(64)}`, 'digest-invalid-format', FORMAT, 13, 14],
    [`nginx@:${HEX64}`, 'digest-invalid-format', FORMAT, 6, 7],
    [`nginx@256:${HEX64}`, 'digest-invalid-format', FORMAT, 6, 7],
    [`nginx@sha-:${HEX64}`, 'digest-invalid-format', FORMAT, 9, 10],
    [`nginx@${SHA256}@x`, 'invalid-format', FORMAT, 77, 78],
    ['nginx@sha256:a@b', 'invalid-format', FORMAT, 14, 15],
    // Digests the grammar accepts and go-digest refuses.
    [`nginx@sha256:${'a'.repeat(32)}`, 'digest-invalid-length', DIGEST_LENGTH, 6, 45],
    [`nginx@sha256:${HEX64.slice(0, 63)}`, 'digest-invalid-length', DIGEST_LENGTH, 6, 76],
    [`nginx@sha256:${HEX64}a`, 'digest-invalid-length', DIGEST_LENGTH, 6, 78],
    [`nginx@sha384:${HEX64}`, 'digest-invalid-length', DIGEST_LENGTH, 6, 77],
    [`nginx@sha512:${HEX96}`, 'digest-invalid-length', DIGEST_LENGTH, 6, 109],
    [`nginx@sha256:${HEX64.toUpperCase()}`, 'digest-invalid-format', DIGEST_FORMAT, 6, 77],
    // Length is checked before case.
    [`nginx@sha256:${HEX64.slice(0, 63).toUpperCase()}`, 'digest-invalid-length', DIGEST_LENGTH, 6, 76],
    [`nginx@SHA256:${HEX64}`, 'digest-invalid-format', DIGEST_FORMAT, 6, 77],
    [`nginx@Sha256:${HEX64}`, 'digest-invalid-format', DIGEST_FORMAT, 6, 77],
    [`nginx@md5:${'a'.repeat(32)}`, 'digest-unsupported-algorithm', DIGEST_UNSUPPORTED, 6, 42],
    [`validname@invaliddigest:${HEX64}`, 'digest-unsupported-algorithm', DIGEST_UNSUPPORTED, 10, 88],
    [`nginx@sha256+b64:${HEX64}`, 'digest-unsupported-algorithm', DIGEST_UNSUPPORTED, 6, 81],
    // Path length is checked before the digest.
    [`${'x'.repeat(256)}@sha256:abc${'0'.repeat(29)}`, 'name-too-long', TOO_LONG, 0, 256],
  ];
  for (const problemCase of cases) {
    test(label(problemCase[0]), () => assertProblem(parseReference(problemCase[0]), problemCase));
  }
});

// ---------------------------------------------------------------------------------------------

describe('parseNormalizedReference (ParseNormalizedNamed): valid references, normalisation and JSON view', () => {
  interface NormalizedCase extends WrittenParts {
    readonly input: string;
    readonly registry: string;
    readonly repository: string;
    readonly familiar: string;
    readonly normalized: string;
  }
  const cases: readonly NormalizedCase[] = [
    { input: 'nginx', path: 'nginx', registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx', normalized: 'docker.io/library/nginx:latest' },
    { input: 'nginx:1.25', path: 'nginx', tag: '1.25', registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx', normalized: 'docker.io/library/nginx:1.25' },
    { input: 'nginx:Latest', path: 'nginx', tag: 'Latest', registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx', normalized: 'docker.io/library/nginx:Latest' },
    { input: `nginx@${SHA256}`, path: 'nginx', digest: SHA256, registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx', normalized: `docker.io/library/nginx@${SHA256}` },
    { input: `nginx:latest@${SHA256}`, path: 'nginx', tag: 'latest', digest: SHA256, registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx', normalized: `docker.io/library/nginx:latest@${SHA256}` },
    { input: `ubuntu:22.04@${SHA256}`, path: 'ubuntu', tag: '22.04', digest: SHA256, registry: 'docker.io', repository: 'library/ubuntu', familiar: 'ubuntu', normalized: `docker.io/library/ubuntu:22.04@${SHA256}` },
    { input: 'dbcc1', path: 'dbcc1', registry: 'docker.io', repository: 'library/dbcc1', familiar: 'dbcc1', normalized: 'docker.io/library/dbcc1:latest' },
    { input: 'docker.io/ubuntu', domain: 'docker.io', path: 'ubuntu', registry: 'docker.io', repository: 'library/ubuntu', familiar: 'ubuntu', normalized: 'docker.io/library/ubuntu:latest' },
    { input: 'docker.io/library/ubuntu', domain: 'docker.io', path: 'library/ubuntu', registry: 'docker.io', repository: 'library/ubuntu', familiar: 'ubuntu', normalized: 'docker.io/library/ubuntu:latest' },
    { input: 'docker.io/library/foo:tag', domain: 'docker.io', path: 'library/foo', tag: 'tag', registry: 'docker.io', repository: 'library/foo', familiar: 'foo', normalized: 'docker.io/library/foo:tag' },
    { input: 'docker.io/library/foo/bar', domain: 'docker.io', path: 'library/foo/bar', registry: 'docker.io', repository: 'library/foo/bar', familiar: 'library/foo/bar', normalized: 'docker.io/library/foo/bar:latest' },
    { input: 'index.docker.io/a/b', domain: 'index.docker.io', path: 'a/b', registry: 'docker.io', repository: 'a/b', familiar: 'a/b', normalized: 'docker.io/a/b:latest' },
    { input: 'index.docker.io/debian', domain: 'index.docker.io', path: 'debian', registry: 'docker.io', repository: 'library/debian', familiar: 'debian', normalized: 'docker.io/library/debian:latest' },
    { input: 'index.docker.io/library/nginx:1.25', domain: 'index.docker.io', path: 'library/nginx', tag: '1.25', registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx', normalized: 'docker.io/library/nginx:1.25' },
    { input: 'library/debian', path: 'library/debian', registry: 'docker.io', repository: 'library/debian', familiar: 'debian', normalized: 'docker.io/library/debian:latest' },
    { input: 'library/foo/bar', path: 'library/foo/bar', registry: 'docker.io', repository: 'library/foo/bar', familiar: 'library/foo/bar', normalized: 'docker.io/library/foo/bar:latest' },
    { input: 'docker/docker', path: 'docker/docker', registry: 'docker.io', repository: 'docker/docker', familiar: 'docker/docker', normalized: 'docker.io/docker/docker:latest' },
    { input: 'foo/bar', path: 'foo/bar', registry: 'docker.io', repository: 'foo/bar', familiar: 'foo/bar', normalized: 'docker.io/foo/bar:latest' },
    // Unlike plain Parse, a first segment without '.', ':' or uppercase is a Docker Hub namespace.
    { input: 'foo/foo_bar.com:8080', path: 'foo/foo_bar.com', tag: '8080', registry: 'docker.io', repository: 'foo/foo_bar.com', familiar: 'foo/foo_bar.com', normalized: 'docker.io/foo/foo_bar.com:8080' },
    { input: 'Docker/docker', domain: 'Docker', path: 'docker', registry: 'Docker', repository: 'docker', familiar: 'Docker/docker', normalized: 'Docker/docker:latest' },
    { input: 'DOCKER/docker', domain: 'DOCKER', path: 'docker', registry: 'DOCKER', repository: 'docker', familiar: 'DOCKER/docker', normalized: 'DOCKER/docker:latest' },
    { input: 'EXAMPLE.COM/app', domain: 'EXAMPLE.COM', path: 'app', registry: 'EXAMPLE.COM', repository: 'app', familiar: 'EXAMPLE.COM/app', normalized: 'EXAMPLE.COM/app:latest' },
    // Only the exact lowercase "docker.io" is Docker Hub.
    { input: 'Docker.io/ubuntu', domain: 'Docker.io', path: 'ubuntu', registry: 'Docker.io', repository: 'ubuntu', familiar: 'Docker.io/ubuntu', normalized: 'Docker.io/ubuntu:latest' },
    // A single segment is always a Docker Hub image, even when it looks like a host.
    { input: 'localhost', path: 'localhost', registry: 'docker.io', repository: 'library/localhost', familiar: 'localhost', normalized: 'docker.io/library/localhost:latest' },
    { input: 'localhost:5000', path: 'localhost', tag: '5000', registry: 'docker.io', repository: 'library/localhost', familiar: 'localhost', normalized: 'docker.io/library/localhost:5000' },
    { input: 'example.com:5000', path: 'example.com', tag: '5000', registry: 'docker.io', repository: 'library/example.com', familiar: 'example.com', normalized: 'docker.io/library/example.com:5000' },
    { input: '192.168.0.1:80', path: '192.168.0.1', tag: '80', registry: 'docker.io', repository: 'library/192.168.0.1', familiar: '192.168.0.1', normalized: 'docker.io/library/192.168.0.1:80' },
    { input: 'localhost/foo', domain: 'localhost', path: 'foo', registry: 'localhost', repository: 'foo', familiar: 'localhost/foo', normalized: 'localhost/foo:latest' },
    { input: 'localhost:5000/app', domain: 'localhost:5000', path: 'app', registry: 'localhost:5000', repository: 'app', familiar: 'localhost:5000/app', normalized: 'localhost:5000/app:latest' },
    { input: 'example.com/app', domain: 'example.com', path: 'app', registry: 'example.com', repository: 'app', familiar: 'example.com/app', normalized: 'example.com/app:latest' },
    { input: '127.0.0.1:5000/library/debian', domain: '127.0.0.1:5000', path: 'library/debian', registry: '127.0.0.1:5000', repository: 'library/debian', familiar: '127.0.0.1:5000/library/debian', normalized: '127.0.0.1:5000/library/debian:latest' },
    { input: '[fc00::1]:5000/docker', domain: '[fc00::1]:5000', path: 'docker', registry: '[fc00::1]:5000', repository: 'docker', familiar: '[fc00::1]:5000/docker', normalized: '[fc00::1]:5000/docker:latest' },
    { input: '[2001:db8::1]/repo', domain: '[2001:db8::1]', path: 'repo', registry: '[2001:db8::1]', repository: 'repo', familiar: '[2001:db8::1]/repo', normalized: '[2001:db8::1]/repo:latest' },
    { input: 'registry.k8s.io/pause:3.9', domain: 'registry.k8s.io', path: 'pause', tag: '3.9', registry: 'registry.k8s.io', repository: 'pause', familiar: 'registry.k8s.io/pause', normalized: 'registry.k8s.io/pause:3.9' },
    { input: 'k8s.gcr.io/pause', domain: 'k8s.gcr.io', path: 'pause', registry: 'k8s.gcr.io', repository: 'pause', familiar: 'k8s.gcr.io/pause', normalized: 'k8s.gcr.io/pause:latest' },
    { input: 'quay.io/prometheus/node-exporter:v1.8.1', domain: 'quay.io', path: 'prometheus/node-exporter', tag: 'v1.8.1', registry: 'quay.io', repository: 'prometheus/node-exporter', familiar: 'quay.io/prometheus/node-exporter', normalized: 'quay.io/prometheus/node-exporter:v1.8.1' },
    // Normalisation keeps "a_b.com" as the host, but the grammar cannot read it as one: the
    // reference upstream returns has no domain at all, and the kubelet pulls the name as written.
    { input: 'a_b.com/x', path: 'a_b.com/x', registry: '', repository: 'a_b.com/x', familiar: 'a_b.com/x', normalized: 'a_b.com/x:latest' },
    // A 64-hex repository is fine behind a host; 64 non-hex characters are fine anywhere.
    { input: `docker.io/${HEX64}`, domain: 'docker.io', path: HEX64, registry: 'docker.io', repository: `library/${HEX64}`, familiar: HEX64, normalized: `docker.io/library/${HEX64}:latest` },
    { input: 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', path: 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', registry: 'docker.io', repository: 'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', familiar: 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', normalized: 'docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest' },
    // "library/" counts towards the 255: 8 + 247 is the most a single Docker Hub segment can have.
    { input: 'x'.repeat(247), path: 'x'.repeat(247), registry: 'docker.io', repository: `library/${'x'.repeat(247)}`, familiar: 'x'.repeat(247), normalized: `docker.io/library/${'x'.repeat(247)}:latest` },
  ];
  for (const expected of cases) {
    test(label(expected.input), () => {
      const result = parseNormalizedReference(expected.input);
      assertWrittenParts(result, expected.input, expected);
      assert.ok(result.ok);
      const { registry, repository, familiar } = result.reference;
      assert.deepEqual({ registry, repository, familiar }, { registry: expected.registry, repository: expected.repository, familiar: expected.familiar });
      assert.deepEqual(toImageReference(result), {
        valid: true,
        normalized: expected.normalized,
        registry: expected.registry,
        repository: expected.repository,
        tag: expected.tag,
        digest: expected.digest,
      });
    });
  }
});

describe('parseNormalizedReference (ParseNormalizedNamed): rejected references, error text and underline', () => {
  const cases: readonly ProblemCase[] = [
    // Upstream has already turned "" into "docker.io/library/" when the grammar runs.
    ['', 'empty', FORMAT, 0, 0],
    [HEX64, 'identifier-only', `invalid repository name (${HEX64}), cannot specify 64-byte hexadecimal strings`, 0, 64],
    // The lowercase check runs on everything after the registry up to the first ':', quoted as upstream builds it.
    ['Nginx', 'uppercase', 'invalid reference format: repository name (library/Nginx) must be lowercase', 0, 1],
    ['Uppercase:tag', 'uppercase', 'invalid reference format: repository name (library/Uppercase) must be lowercase', 0, 1],
    ['docker/Docker', 'uppercase', 'invalid reference format: repository name (docker/Docker) must be lowercase', 7, 8],
    ['docker.io/docker/Docker', 'uppercase', 'invalid reference format: repository name (docker/Docker) must be lowercase', 17, 18],
    ['docker.io/Ubuntu', 'uppercase', 'invalid reference format: repository name (library/Ubuntu) must be lowercase', 10, 11],
    ['index.docker.io/Ubuntu', 'uppercase', 'invalid reference format: repository name (library/Ubuntu) must be lowercase', 16, 17],
    ['localhost/Foo', 'uppercase', 'invalid reference format: repository name (Foo) must be lowercase', 10, 11],
    ['localhost:5000/Foo:Bar', 'uppercase', 'invalid reference format: repository name (Foo) must be lowercase', 15, 16],
    ['Docker.io/Ubuntu', 'uppercase', 'invalid reference format: repository name (Ubuntu) must be lowercase', 10, 11],
    ['test:5000/Uppercase/lowercase:tag', 'uppercase', 'invalid reference format: repository name (Uppercase/lowercase) must be lowercase', 10, 11],
    ['Foo/Bar', 'uppercase', 'invalid reference format: repository name (Bar) must be lowercase', 4, 5],
    // Any letter Go lowercases counts, not only ASCII.
    ['docker.io/CAFÉ', 'uppercase', 'invalid reference format: repository name (library/CAFÉ) must be lowercase', 10, 14],
    ['\u212Aube', 'uppercase', 'invalid reference format: repository name (library/\u212Aube) must be lowercase', 0, 1],
    // Unlike plain Parse, normalisation rejects the case before looking at the structure.
    ['foo/Bar..baz', 'uppercase', 'invalid reference format: repository name (foo/Bar..baz) must be lowercase', 4, 5],
    // Without a tag, the stretch before the first ':' includes the digest algorithm.
    [`nginx@SHA256:${HEX64}`, 'digest-invalid-format', 'invalid reference format: repository name (library/nginx@SHA256) must be lowercase', 6, 9],
    [`nginx:v@SHA256:${HEX64}`, 'digest-invalid-format', DIGEST_FORMAT, 8, 79],
    [`nginx:latest@sha256:${HEX64.toUpperCase()}`, 'digest-invalid-format', DIGEST_FORMAT, 13, 84],
    // The host is kept (uppercase first segment) but fits neither grammar reading: Parse's own lowercase retry.
    ['Foo_bar/x', 'uppercase', UPPERCASE, 0, 1],
    ['ÉCOLE/x', 'invalid-format', FORMAT, 0, 1],
    ['docker.io/café', 'invalid-format', FORMAT, 13, 14],
    ['fc00::1:5000/debian', 'invalid-format', FORMAT, 0, 12],
    ['[fc00::1]', 'invalid-format', FORMAT, 0, 9],
    ['[fc00::1]:5000', 'invalid-format', FORMAT, 0, 9],
    ['[fe80::1%eth0]:5000/debian', 'invalid-format', FORMAT, 8, 13],
    ['[2001:db8:3:4::192.0.2.33]:5000/debian', 'invalid-format', FORMAT, 18, 19],
    ['https://github.com/docker/docker', 'invalid-format', FORMAT, 5, 6],
    ['-docker', 'invalid-format', FORMAT, 0, 1],
    ['-docker/docker', 'invalid-format', FORMAT, 0, 1],
    ['docker-/docker', 'invalid-format', FORMAT, 6, 7],
    ['-docker.io/docker/docker', 'invalid-format', FORMAT, 0, 1],
    ['docker///docker', 'invalid-format', FORMAT, 7, 8],
    ['docker.io/docker///docker', 'invalid-format', FORMAT, 17, 18],
    ['____/____', 'invalid-format', FORMAT, 0, 1],
    // A '.' makes the first segment a registry host, so the fault is read as one in a host name.
    ['dock_.er/docker', 'invalid-format', FORMAT, 4, 5],
    ['dock..er/docker', 'invalid-format', FORMAT, 4, 5],
    ['dock__er/d..x', 'invalid-format', FORMAT, 11, 12],
    ['docker/', 'invalid-format', FORMAT, 6, 7],
    ['docker.io/', 'invalid-format', FORMAT, 9, 10],
    ['index.docker.io/', 'invalid-format', FORMAT, 15, 16],
    ['a_b.com:5000/x', 'invalid-format', FORMAT, 1, 2],
    [`@${SHA256}`, 'invalid-format', FORMAT, 0, 1],
    [':tag', 'invalid-format', FORMAT, 0, 1],
    ['nginx:1.2 5', 'invalid-format', FORMAT, 9, 10],
    ['nginx:Latest@', 'digest-invalid-format', FORMAT, 12, 13],
    [`nginx:${'a'.repeat(129)}`, 'invalid-format', FORMAT, 6, 135],
    // "library/" + 248 characters is 256.
    ['x'.repeat(248), 'name-too-long', TOO_LONG, 0, 248],
    [`docker.io/${'x'.repeat(248)}`, 'name-too-long', TOO_LONG, 10, 258],
    ['nginx@sha256:abc', 'digest-invalid-length', FORMAT, 6, 16],
    [`nginx@sha256:${'a'.repeat(40)}`, 'digest-invalid-length', DIGEST_LENGTH, 6, 53],
    [`nginx@md5:${'a'.repeat(32)}`, 'digest-unsupported-algorithm', DIGEST_UNSUPPORTED, 6, 42],
    [`nginx:latest@sha256:${'a'.repeat(40)}`, 'digest-invalid-length', DIGEST_LENGTH, 13, 60],
  ];
  for (const problemCase of cases) {
    test(label(problemCase[0]), () => assertProblem(parseNormalizedReference(problemCase[0]), problemCase));
  }
});

// ---------------------------------------------------------------------------------------------

describe('messages name the part at fault', () => {
  const cases: readonly (readonly [input: string, message: string])[] = [
    ['Nginx', 'uppercase "N" in repository path: repository names must be lowercase'],
    [`nginx:${'a'.repeat(130)}`, `tag "${'a'.repeat(24)}…${'a'.repeat(8)}" is 130 characters long; a tag has at most 128`],
    ['nginx@sha256:abc', 'digest sha256:abc has 3 hex digits; sha256 needs 64'],
    ['a..b', '".." is not a valid separator in a repository path: between letters and digits use one ".", one or two "_", or any number of "-"'],
    ['a//b', 'empty path component: "//" is not allowed in a repository path'],
    ['nginx:1.2 5', 'a space is not allowed in a tag; allowed: letters, digits, "_", "." and "-"'],
    ['nginx ', 'a space (trailing) is not allowed in a repository path; allowed: lowercase letters, digits, separators ".", "_", "-" and "/"'],
    ['[2001:db8::1]', 'an IPv6 registry address like "[2001:db8::1]" must be followed by "/" and a repository path'],
    ['[fe80::1%eth0]:5000/repo', 'IPv6 zone identifiers (like "%eth0") are not allowed in a registry address'],
    [`nginx@md5:${'a'.repeat(32)}`, 'digest algorithm "md5" is not supported; the kubelet accepts sha256, sha384 and sha512'],
    [`nginx@SHA256:${HEX64}`, 'digest algorithm "SHA256" must be lowercase (write "sha256")'],
    ['x'.repeat(256), 'repository path is 256 characters long; at most 255 are allowed (the registry host does not count)'],
  ];
  for (const [input, message] of cases) {
    test(label(input), () => {
      const result = parseReference(input);
      assert.ok(!result.ok);
      assert.equal(result.problem.message, message);
    });
  }

  test('normalisation says when the "library/" prefix pushed the path over the limit', () => {
    const result = parseNormalizedReference('x'.repeat(250));
    assert.ok(!result.ok);
    assert.equal(result.problem.message, 'repository path is 258 characters long with the "library/" prefix Docker Hub adds; at most 255 are allowed (the registry host does not count)');
  });

  test('the digest-algorithm case error names the algorithm', () => {
    const result = parseNormalizedReference(`nginx@SHA256:${HEX64}`);
    assert.ok(!result.ok);
    assert.equal(result.problem.message, 'uppercase "SHA" in digest algorithm "SHA256": digest algorithms are lowercase ("sha256")');
  });
});

describe('toImageReference', () => {
  test('an invalid reference has no parts', () => {
    assert.deepEqual(toImageReference(parseNormalizedReference('Foo/Bar')), {
      valid: false,
      normalized: undefined,
      registry: undefined,
      repository: undefined,
      tag: undefined,
      digest: undefined,
    });
  });

  test('plain Parse results convert too, with docker.io for a name without a domain', () => {
    assert.deepEqual(toImageReference(parseReference('nginx:1.25')), {
      valid: true,
      normalized: 'docker.io/nginx:1.25',
      registry: 'docker.io',
      repository: 'nginx',
      tag: '1.25',
      digest: undefined,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Upstream's own regular expressions (distribution/reference v0.6.0 regexp.go) and the checks
// around them (reference.go, normalize.go, go-digest v1.0.0), transcribed as a second, independent
// statement of the rules. Go's RE2 and JavaScript agree on whether an anchored pattern matches
// and, for these patterns, on what the groups capture.

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainAndPort = `(?:${domainNameComponent}(?:\\.${domainNameComponent})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const UPSTREAM_REFERENCE = new RegExp(`^((?:${domainAndPort}/)?${remoteName})(?::([\\w][\\w.-]{0,127}))?(?:@(${digestPattern}))?$`);
const UPSTREAM_NAME = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const UPSTREAM_DIGEST_SIZES: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

interface UpstreamAnswer {
  readonly error?: string;
  readonly domain?: string;
  readonly path?: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Go's strings.ToLower as far as matching ASCII patterns is concerned. */
function goToLower(text: string): string {
  return text.replace(/[A-Z\u0130\u212A]/g, (character) => (character === '\u0130' ? 'i' : character === '\u212A' ? 'k' : character.toLowerCase()));
}

function upstreamDigestError(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const size = UPSTREAM_DIGEST_SIZES[algorithm];
  if (size === undefined) return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest) ? DIGEST_UNSUPPORTED : DIGEST_FORMAT;
  if (encoded.length !== size) return DIGEST_LENGTH;
  return /^[a-f0-9]+$/.test(encoded) ? undefined : DIGEST_FORMAT;
}

function upstreamParse(input: string): UpstreamAnswer {
  if (input === '') return { error: EMPTY };
  const match = UPSTREAM_REFERENCE.exec(input);
  if (match === null) {
    const lowered = goToLower(input);
    return { error: lowered !== input && UPSTREAM_REFERENCE.test(lowered) ? UPPERCASE : FORMAT };
  }
  const name = UPSTREAM_NAME.exec(match[1] ?? '');
  const path = name?.[2] ?? '';
  if (path.length > 255) return { error: TOO_LONG };
  const digest = match[3];
  const digestError = digest === undefined ? undefined : upstreamDigestError(digest);
  if (digestError !== undefined) return { error: digestError };
  return { domain: name?.[1] ?? '', path, tag: match[2], digest };
}

function upstreamParseNormalized(input: string): UpstreamAnswer {
  if (/^[a-f0-9]{64}$/.test(input)) return { error: `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings` };
  const slash = input.indexOf('/');
  let domain = 'docker.io';
  let remainder = input;
  if (slash >= 0) {
    const first = input.slice(0, slash);
    if (first === 'index.docker.io') remainder = input.slice(slash + 1);
    else if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) [domain, remainder] = [first, input.slice(slash + 1)];
  }
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) return { error: `invalid reference format: repository name (${remote}) must be lowercase` };
  return upstreamParse(`${domain}/${remainder}`);
}

/** A small deterministic generator (mulberry32), so a failure names an input that reproduces. */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateReferences(count: number, seed: number): string[] {
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hex = (length: number, upper: boolean): string =>
    Array.from({ length }, () => pick([...(upper ? '0123456789abcdefABCDEF' : '0123456789abcdef')])).join('');
  const atoms = [
    'a', 'b', 'z', '0', '9', 'A', 'Z', '-', '_', '.', ':', '/', '@', '[', ']', '%', ' ', '+', 'é', 'É', '\u0130', '\u212A',
    'sha256:', 'sha384:', 'sha512:', 'md5:', 'SHA256:', 'localhost', 'docker.io', 'index.docker.io', 'library/', '::1', '5000',
    'latest', 'Latest', 'nginx', '__', '--', 'a.b', 'fc00::1',
  ];
  const names = ['nginx', 'a/b', 'Foo/bar', 'foo/Bar', 'localhost:5000/x', '[::1]:5000/r', 'index.docker.io/x', 'docker.io/x', 'a_b.com/x', ''];
  const references: string[] = [];
  for (let i = 0; i < count; i++) {
    const shape = random();
    if (shape < 0.1) {
      references.push(hex(pick([31, 32, 63, 64, 65]), random() < 0.2));
    } else if (shape < 0.35) {
      const name = random() < 0.1 ? 'x'.repeat(pick([247, 248, 255, 256])) : pick(names);
      const tag = random() < 0.5 ? `:${pick(['latest', 'Latest', '1.0', '-x', '.x', 'a'.repeat(pick([128, 129])), '', 'x y'])}` : '';
      const algorithm = pick(['sha256', 'sha384', 'sha512', 'md5', 'SHA256', 'Sha256', 'a+b', 'a.-b', '']);
      const digest = random() < 0.5 ? `@${algorithm}:${hex(pick([0, 3, 31, 32, 64, 96, 128]), random() < 0.3)}` : '';
      references.push(name + tag + digest);
    } else {
      let reference = '';
      const atomCount = Math.floor(random() * 12);
      for (let j = 0; j < atomCount; j++) reference += pick(atoms);
      references.push(reference);
    }
  }
  return references;
}

describe('agreement with upstream regular expressions on generated references', () => {
  const references = generateReferences(20_000, 20240601);
  const parsers = [
    { name: 'parseReference', ours: parseReference, upstream: upstreamParse, registryWhenNoDomain: 'docker.io' },
    { name: 'parseNormalizedReference', ours: parseNormalizedReference, upstream: upstreamParseNormalized, registryWhenNoDomain: '' },
  ];
  for (const { name, ours, upstream, registryWhenNoDomain } of parsers) {
    test(`${name}: same verdict, same error text, same parts; underlines stay inside the input`, () => {
      let valid = 0;
      for (const input of references) {
        const result = ours(input);
        const expected = upstream(input);
        if (!result.ok) {
          const { problem } = result;
          assert.equal(problem.goError, expected.error, `error for ${JSON.stringify(input)}`);
          assert.ok(problem.start >= 0 && problem.start <= problem.end && problem.end <= input.length, `span inside ${JSON.stringify(input)}`);
          assert.ok(input === '' || problem.end > problem.start, `non-empty underline for ${JSON.stringify(input)}`);
          continue;
        }
        valid++;
        assert.equal(expected.error, undefined, `${JSON.stringify(input)} should be rejected`);
        const { registry, repository, tag, digest } = result.reference;
        assert.deepEqual(
          { registry, repository, tag: tag?.text, digest: digest?.text },
          { registry: expected.domain === '' ? registryWhenNoDomain : expected.domain, repository: expected.path, tag: expected.tag, digest: expected.digest },
          `parts of ${JSON.stringify(input)}`,
        );
      }
      // The generator must exercise both outcomes for the comparison to mean anything.
      assert.ok(valid > 1_000 && valid < references.length - 1_000, `${valid} valid of ${references.length}`);
    });
  }
});

describe('cost', () => {
  test('adversarial input of a million characters is scanned in linear time', () => {
    const inputs = ['a-'.repeat(500_000), `${'a'.repeat(1_000_000)}!`, `[${':'.repeat(1_000_000)}`, 'a/'.repeat(500_000), `${'A'.repeat(1_000_000)}..`];
    const started = performance.now();
    for (const input of inputs) {
      assert.equal(parseReference(input).ok, false);
      assert.equal(parseNormalizedReference(input).ok, false);
    }
    // Linear scanning takes tens of milliseconds here; backtracking would take hours.
    assert.ok(performance.now() - started < 5_000);
  });
});
