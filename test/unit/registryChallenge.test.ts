// WWW-Authenticate challenges as registries send them (RFC 9110 §11.6.1, FACTS.md §6).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseAuthChallenges, selectChallenge } from '../../server/src/registry/authChallenge';

type Parsed = [scheme: string, parameters: Record<string, string>][];

function parsed(header: string | readonly string[] | undefined): Parsed {
  return parseAuthChallenges(header).map(({ scheme, parameters }) => [scheme, Object.fromEntries(parameters)]);
}

describe('parseAuthChallenges', () => {
  const cases: readonly (readonly [header: string | readonly string[] | undefined, expected: Parsed, why: string])[] = [
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [['bearer', { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' }]],
      "Docker Hub's challenge",
    ],
    ['Basic realm="Registry Realm"', [['basic', { realm: 'Registry Realm' }]], "distribution's htpasswd challenge"],
    ['BEARER Realm="r", SERVICE="s"', [['bearer', { realm: 'r', service: 's' }]], 'scheme and names are case-insensitive'],
    ['Bearer realm="r",service="S"', [['bearer', { realm: 'r', service: 'S' }]], 'values keep their case'],
    ['Bearer realm=r,service=s', [['bearer', { realm: 'r', service: 's' }]], 'token values without quotes'],
    ['Bearer  realm = "r" ,\tservice="s"', [['bearer', { realm: 'r', service: 's' }]], 'whitespace around = and commas'],
    ['Bearer realm="a \\"quoted\\" realm\\\\",service="s"', [['bearer', { realm: 'a "quoted" realm\\', service: 's' }]], 'backslash escapes'],
    ['Bearer realm="a,b",service="s"', [['bearer', { realm: 'a,b', service: 's' }]], 'a comma inside a quoted string'],
    ['Bearer scope="repository:127.0.0.1:5000/app:pull"', [['bearer', { scope: 'repository:127.0.0.1:5000/app:pull' }]], 'colons in a value'],
    ['Bearer realm="r", Basic realm="b"', [['bearer', { realm: 'r' }], ['basic', { realm: 'b' }]], 'two challenges in one header'],
    [['Bearer realm="r"', 'Basic realm="b"'], [['bearer', { realm: 'r' }], ['basic', { realm: 'b' }]], 'two headers'],
    ['Negotiate abc==, Basic realm="b"', [['negotiate', {}], ['basic', { realm: 'b' }]], 'a token68 credential before another challenge'],
    ['Negotiate a/b+c=', [['negotiate', {}]], 'token68 characters that are not token characters'],
    ['Basic', [['basic', {}]], 'a scheme alone'],
    ['Bearer realm="r",realm="second"', [['bearer', { realm: 'r' }]], 'the first occurrence of a name wins'],
    [
      'Bearer realm="r",error="insufficient_scope",scope="repository:a:pull"',
      [['bearer', { realm: 'r', error: 'insufficient_scope', scope: 'repository:a:pull' }]],
      'the error parameter of a refused token',
    ],
    ['Bearer realm="unterminated', [['bearer', { realm: 'unterminated' }]], 'an unterminated quoted string keeps what was read'],
    [', ,Basic realm="b",', [['basic', { realm: 'b' }]], 'empty list elements'],
    ['"junk", Basic realm="b"', [['basic', { realm: 'b' }]], 'garbage before a challenge is skipped'],
    ['', [], 'empty header'],
    [undefined, [], 'no header'],
  ];
  for (const [header, expected, why] of cases) {
    test(`${JSON.stringify(header)} (${why})`, () => {
      assert.deepEqual(parsed(header), expected);
    });
  }
});

describe('selectChallenge: Bearer with a realm first, else Basic', () => {
  const cases: readonly (readonly [header: string, expected: ReturnType<typeof selectChallenge>])[] = [
    ['Bearer realm="https://a/token",service="s"', { scheme: 'bearer', realm: 'https://a/token', service: 's' }],
    ['Bearer realm="https://a/token"', { scheme: 'bearer', realm: 'https://a/token', service: undefined }],
    ['Basic realm="b", Bearer realm="https://a/token"', { scheme: 'bearer', realm: 'https://a/token', service: undefined }],
    ['Bearer service="s", Basic realm="b"', { scheme: 'basic' }],
    ['Bearer realm="", Basic realm="b"', { scheme: 'basic' }],
    ['Basic realm="b"', { scheme: 'basic' }],
    ['Negotiate abc', undefined],
    ['Bearer service="s"', undefined],
  ];
  for (const [header, expected] of cases) {
    test(header, () => {
      assert.deepEqual(selectChallenge(parseAuthChallenges(header)), expected);
    });
  }
});
