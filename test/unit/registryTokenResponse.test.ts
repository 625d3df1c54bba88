// The token service's answer: access_token over token, expires_in at least 60 s (FACTS.md §6).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseTokenResponse } from '../../server/src/registry/tokenResponse';

describe('parseTokenResponse', () => {
  const cases: readonly (readonly [body: string, expected: ReturnType<typeof parseTokenResponse>, why: string])[] = [
    ['{"token":"t","expires_in":300}', { token: 't', expiresInSeconds: 300 }, "docker's token field"],
    ['{"access_token":"a","expires_in":300}', { token: 'a', expiresInSeconds: 300 }, "OAuth2's access_token field"],
    ['{"token":"t","access_token":"a","expires_in":300}', { token: 'a', expiresInSeconds: 300 }, 'access_token wins when both are sent'],
    ['{"token":"t","access_token":"","expires_in":300}', { token: 't', expiresInSeconds: 300 }, 'an empty access_token does not count'],
    ['{"token":"t"}', { token: 't', expiresInSeconds: 60 }, 'no expires_in means 60 s'],
    ['{"token":"t","expires_in":30}', { token: 't', expiresInSeconds: 60 }, 'shorter than 60 s means 60 s'],
    ['{"token":"t","expires_in":-120}', { token: 't', expiresInSeconds: 60 }, 'negative means 60 s'],
    ['{"token":"t","expires_in":"300"}', { token: 't', expiresInSeconds: 60 }, 'a string is not a lifetime'],
    ['{"token":"t","expires_in":90.7}', { token: 't', expiresInSeconds: 90 }, 'whole seconds'],
    ['{"token":"t","expires_in":60,"issued_at":"2025-01-01T00:00:00Z","refresh_token":"r"}', { token: 't', expiresInSeconds: 60 }, 'other fields ignored'],
    ['{"expires_in":300}', undefined, 'no token'],
    ['{"token":42}', undefined, 'a token that is not a string'],
    ['[]', undefined, 'not an object'],
    ['null', undefined, 'null'],
    ['not json', undefined, 'not JSON'],
  ];
  for (const [body, expected, why] of cases) {
    test(`${body} (${why})`, () => assert.deepEqual(parseTokenResponse(body), expected));
  }
});
