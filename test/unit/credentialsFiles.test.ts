// Reading credential files: where invalid JSON goes wrong (reported without quoting the file), how
// read failures become warnings, and the Go URL functions that key matching relies on.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  goJsonField,
  jsonSyntaxErrorOffset,
  parseJsonDocument,
  readCredentialFile,
  type FileAccess,
} from '../../server/src/registry/credentials/credentialFiles';
import { goSplitHostPort, goUrlHostnameAndPort, parseGoUrl } from '../../server/src/registry/credentials/goUrl';

describe('where invalid JSON goes wrong', () => {
  const cases: [text: string, offset: number][] = [
    ['', 0],
    ['   ', 3],
    ['{', 1],
    ['{"a"', 4],
    ['{"a":', 5],
    ['{"a":1', 6],
    ['{"a":1,}', 7],
    ['{,}', 1],
    ['{"a" 1}', 5],
    ['{a:1}', 1],
    ["{'a':1}", 1],
    ['[1,]', 3],
    ['[1 2]', 3],
    ['[,1]', 1],
    ['{"a":[1,{"b":tru}]}', 16],
    ['{"a":nul}', 8],
    ['{"a":01}', 6],
    ['{"a":-}', 6],
    ['{"a":1.}', 7],
    ['{"a":1e}', 7],
    ['{"a":1e+}', 8],
    ['{"a":-x}', 6],
    ['{"a":x}', 5],
    ['{"a":"x\ny"}', 7],
    ['{"a":"\\q"}', 7],
    ['{"a":"\\u12G4"}', 10],
    ['{"a":"unterminated', 18],
    ['{"a":"ends in a backslash\\', 26],
    ['{} {}', 3],
    ['{}x', 2],
    ['\ufeff{}', 0],
    ['[[[[[[[[[[', 10],
    ['{"a":"[{"', 9],
    ['{"a":"b"]', 8],
  ];
  for (const [text, offset] of cases) {
    test(JSON.stringify(text), () => {
      assert.throws(() => JSON.parse(text), 'the case must be invalid JSON');
      assert.equal(jsonSyntaxErrorOffset(text), offset);
      // Where the engine names a position, it agrees.
      try {
        JSON.parse(text);
      } catch (error) {
        const position = /at position (\d+)/.exec((error as Error).message);
        if (position !== null) assert.equal(offset, Number(position[1]), (error as Error).message);
      }
    });
  }

  test('deep nesting does not exhaust the stack', () => {
    const text = `${'['.repeat(200_000)}x`;
    assert.equal(jsonSyntaxErrorOffset(text), 200_000);
  });

  test('line and column count from 1, lines split at line feeds', () => {
    assert.deepEqual(parseJsonDocument('{\n  "a": 1,\n  "b": x\n}'), { ok: false, line: 3, column: 8 });
    assert.deepEqual(parseJsonDocument('{"a":\r\n}'), { ok: false, line: 2, column: 1 });
    assert.deepEqual(parseJsonDocument('{"a": [1, 2]}'), { ok: true, value: { a: [1, 2] } });
  });
});

test('Go struct fields: the exact key first, else any key equal ignoring case', () => {
  assert.equal(goJsonField({ auths: 1, Auths: 2 }, 'auths'), 1);
  assert.equal(goJsonField({ AUTHS: 2 }, 'auths'), 2);
  assert.equal(goJsonField({ other: 3 }, 'auths'), undefined);
  assert.equal(goJsonField(JSON.parse('{"__proto__": 4}') as Record<string, unknown>, '__proto__'), 4);
  assert.equal(goJsonField({}, 'constructor'), undefined);
});

describe('reading a credentials file', () => {
  function failingFiles(code: string | undefined, status: { uid: number; mode: number } | { code: string }): FileAccess {
    return {
      readFile: async () => {
        throw Object.assign(new Error(`${code ?? 'odd'}: failure, open '/f'`), code === undefined ? {} : { code });
      },
      stat: async () => {
        if ('code' in status) throw Object.assign(new Error(status.code), { code: status.code });
        return { uid: status.uid, mode: 0o100000 | status.mode };
      },
    };
  }
  const remedy = (_path: string, ownership: { uid: number } | undefined) => `remedy for ${ownership === undefined ? 'unknown owner' : `uid ${ownership.uid}`}`;
  const cases: { name: string; code: string | undefined; status: { uid: number; mode: number } | { code: string }; expected: unknown }[] = [
    { name: 'missing', code: 'ENOENT', status: { code: 'ENOENT' }, expected: { kind: 'absent' } },
    { name: 'a file where a folder should be', code: 'ENOTDIR', status: { code: 'ENOTDIR' }, expected: { kind: 'absent' } },
    {
      name: 'root only',
      code: 'EACCES',
      status: { uid: 0, mode: 0o600 },
      expected: { kind: 'unreadable', warning: 'cannot read /f: permission denied — it is readable by root only (mode 0600); remedy for uid 0' },
    },
    {
      name: 'root owned, group readable',
      code: 'EACCES',
      status: { uid: 0, mode: 0o640 },
      expected: { kind: 'unreadable', warning: 'cannot read /f: permission denied — it belongs to root (mode 0640); remedy for uid 0' },
    },
    {
      name: 'another user',
      code: 'EACCES',
      status: { uid: 1001, mode: 0o600 },
      expected: { kind: 'unreadable', warning: 'cannot read /f: permission denied — it belongs to user 1001 (mode 0600); remedy for uid 1001' },
    },
    {
      name: 'a folder on the way is locked',
      code: 'EACCES',
      status: { code: 'EACCES' },
      expected: {
        kind: 'unreadable',
        warning: 'cannot read /f: permission denied — a folder on its path cannot be searched by this user; remedy for unknown owner',
        lockedFolder: '/',
      },
    },
    {
      name: 'EPERM',
      code: 'EPERM',
      status: { code: 'ENOENT' },
      expected: { kind: 'unreadable', warning: 'cannot read /f: permission denied — permission was refused; remedy for unknown owner' },
    },
    { name: 'a folder', code: 'EISDIR', status: { uid: 0, mode: 0o755 }, expected: { kind: 'unreadable', warning: 'cannot read /f: it is a folder, not a file' } },
    { name: 'another error code', code: 'EIO', status: { uid: 0, mode: 0o644 }, expected: { kind: 'unreadable', warning: 'cannot read /f: EIO' } },
    { name: 'an error without a code', code: undefined, status: { uid: 0, mode: 0o644 }, expected: { kind: 'unreadable', warning: "cannot read /f: odd: failure, open '/f'" } },
  ];
  for (const { name, code, status, expected } of cases) {
    test(name, async () => assert.deepEqual(await readCredentialFile(failingFiles(code, status), '/f', remedy), expected));
  }
});

describe('Go URL parsing for credential keys', () => {
  const cases: [raw: string, expected: { host: string; path: string } | undefined][] = [
    ['https://registry.example.com', { host: 'registry.example.com', path: '' }],
    ['https://registry.example.com:443/v2/', { host: 'registry.example.com:443', path: '/v2/' }],
    ['https://Registry.Example.com/Path', { host: 'Registry.Example.com', path: '/Path' }],
    ['https://u:p@registry.example.com/x?q=1#f', { host: 'registry.example.com', path: '/x' }],
    ['https://*.example.com/team', { host: '*.example.com', path: '/team' }],
    ['https://[::1]:5000/x', { host: '[::1]:5000', path: '/x' }],
    ['https://registry.example.com:/x', { host: 'registry.example.com:', path: '/x' }],
    ['https://registry.example.com/a%20b', { host: 'registry.example.com', path: '/a b' }],
    ['https://registry.example.com:port', undefined],
    ['https://[::1]x/', undefined],
    ['https://registry .example.com', undefined],
    ['https://registry.example.com/\t', undefined],
    ['https://registry%2eexample.com', undefined],
    ['https://registry.example.com/%4', undefined],
    ['registry.example.com', undefined],
  ];
  for (const [raw, expected] of cases) {
    test(JSON.stringify(raw), () => assert.deepEqual(parseGoUrl(raw), expected));
  }

  test('net.SplitHostPort, errors folded into "all host, no port"', () => {
    const cases: [string, { host: string; port: string }][] = [
      ['registry.example.com:5000', { host: 'registry.example.com', port: '5000' }],
      ['registry.example.com', { host: 'registry.example.com', port: '' }],
      ['registry.example.com:', { host: 'registry.example.com', port: '' }],
      ['[::1]:5000', { host: '::1', port: '5000' }],
      ['[::1]', { host: '[::1]', port: '' }],
      ['::1', { host: '::1', port: '' }],
      ['a:b:c', { host: 'a:b:c', port: '' }],
      ['[::1]:5000:6000', { host: '[::1]:5000:6000', port: '' }],
      ['a]b:5000', { host: 'a]b:5000', port: '' }],
    ];
    for (const [hostPort, expected] of cases) assert.deepEqual(goSplitHostPort(hostPort), expected, hostPort);
  });

  test("URL.Hostname() and URL.Port()", () => {
    assert.deepEqual(goUrlHostnameAndPort('registry.example.com:5000'), { hostname: 'registry.example.com', port: '5000' });
    assert.deepEqual(goUrlHostnameAndPort('[::1]:5000'), { hostname: '::1', port: '5000' });
    assert.deepEqual(goUrlHostnameAndPort('[::1]'), { hostname: '::1', port: '' });
    assert.deepEqual(goUrlHostnameAndPort('registry.example.com'), { hostname: 'registry.example.com', port: '' });
  });
});
