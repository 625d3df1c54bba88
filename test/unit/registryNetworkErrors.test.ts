// Failures below HTTP, classified from the codes Node.js and undici attach.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { classifyNetworkError } from '../../server/src/registry/networkErrors';

function withCode(code: string | number | undefined, message = 'raw message with http://secret@host'): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('classifyNetworkError', () => {
  const cases: readonly (readonly [error: unknown, kind: string, code: string | undefined, unknownAuthority?: boolean])[] = [
    [withCode('ECONNREFUSED'), 'unreachable', 'ECONNREFUSED'],
    [withCode('ENOTFOUND'), 'unreachable', 'ENOTFOUND'],
    [withCode('EAI_AGAIN'), 'unreachable', 'EAI_AGAIN'],
    [withCode('ECONNRESET'), 'unreachable', 'ECONNRESET'],
    [withCode('UND_ERR_SOCKET'), 'unreachable', 'UND_ERR_SOCKET'],
    [withCode('UND_ERR_CONNECT_TIMEOUT'), 'timeout', 'UND_ERR_CONNECT_TIMEOUT'],
    [withCode('UND_ERR_HEADERS_TIMEOUT'), 'timeout', 'UND_ERR_HEADERS_TIMEOUT'],
    [withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls', 'DEPTH_ZERO_SELF_SIGNED_CERT', true],
    [withCode('SELF_SIGNED_CERT_IN_CHAIN'), 'tls', 'SELF_SIGNED_CERT_IN_CHAIN', true],
    [withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', true],
    [withCode('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), 'tls', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', true],
    [withCode('CERT_HAS_EXPIRED'), 'tls', 'CERT_HAS_EXPIRED', false],
    [withCode('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls', 'ERR_TLS_CERT_ALTNAME_INVALID', false],
    [withCode('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'), 'tls', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', false],
    [withCode('ERR_SSL_WRONG_VERSION_NUMBER'), 'plain-http', 'ERR_SSL_WRONG_VERSION_NUMBER'],
    [withCode('EWHATEVER'), 'unreachable', 'EWHATEVER'],
    [withCode(undefined), 'unreachable', undefined],
    [withCode(20), 'unreachable', undefined],
    ['a string', 'unreachable', undefined],
    [undefined, 'unreachable', undefined],
    // fetch-style wrapping and happy-eyeballs aggregation.
    [new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }), 'unreachable', 'ECONNREFUSED'],
    [new AggregateError([withCode(undefined), withCode('EHOSTUNREACH')], 'all addresses failed'), 'unreachable', 'EHOSTUNREACH'],
  ];
  for (const [error, kind, code, unknownAuthority] of cases) {
    test(`${error instanceof Error ? `${error.name}(${String((error as { code?: unknown }).code ?? '')})` : String(error)} → ${kind} ${code ?? ''}`, () => {
      const problem = classifyNetworkError(error);
      assert.equal(problem.kind, kind);
      assert.equal(problem.code, code);
      if (problem.kind === 'tls') assert.equal(problem.unknownAuthority, unknownAuthority);
      assert.doesNotMatch(problem.reason, /secret|http:/, 'the reason is our own wording, never the raw message');
    });
  }
});
