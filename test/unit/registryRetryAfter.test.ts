// Retry-After (RFC 9110 §10.2.3): delay seconds or an HTTP date, relative to an injected clock.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseRetryAfter } from '../../server/src/registry/retryAfter';

const NOW = Date.parse('2025-01-02T03:04:05.000Z');

describe('parseRetryAfter', () => {
  const cases: readonly (readonly [value: string | undefined, seconds: number | undefined, why: string])[] = [
    ['0', 0, 'zero seconds'],
    ['2', 2, 'delay seconds'],
    [' 120 ', 120, 'surrounding whitespace'],
    ['3600', 3600, 'an hour'],
    ['Thu, 02 Jan 2025 03:05:05 GMT', 60, 'IMF-fixdate a minute ahead'],
    ['Thu, 02 Jan 2025 03:04:06 GMT', 1, 'IMF-fixdate a second ahead'],
    ['Thursday, 02-Jan-25 03:06:05 GMT', 120, 'obsolete RFC 850 date'],
    ['Thu, 02 Jan 2025 03:00:00 GMT', 0, 'a date in the past means now'],
    ['-1', undefined, 'negative'],
    ['1.5', undefined, 'fraction'],
    ['2025', 2025, 'a bare number is seconds, never a year'],
    ['soon', undefined, 'neither form'],
    ['', undefined, 'empty'],
    [undefined, undefined, 'absent'],
  ];
  for (const [value, seconds, why] of cases) {
    test(`${JSON.stringify(value)} → ${seconds} (${why})`, () => assert.equal(parseRetryAfter(value, NOW), seconds));
  }
});
