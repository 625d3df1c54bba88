// The command line of `kube-images pin` and `check --resolve`: what parses, what is refused
// (exit 2, with the usage of the command at hand), and a pin run that needs no registry.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArguments, UsageError, type Invocation } from '../../server/src/cli/args';

const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

describe('parseArguments for pin and check --resolve', () => {
  const accepted: readonly (readonly [args: readonly string[], expected: Invocation])[] = [
    [['pin', 'k8s'], { command: 'pin', options: { format: 'text', dryRun: false, insecureRegistries: [], registryCertificateAuthorities: {}, paths: ['k8s'] } }],
    [
      ['pin', '--dry-run', '--format=json', '--insecure-registry', 'registry.lan:5000', '--insecure-registry=10.0.0.2', 'a.yaml', 'b'],
      { command: 'pin', options: { format: 'json', dryRun: true, insecureRegistries: ['registry.lan:5000', '10.0.0.2'], registryCertificateAuthorities: {}, paths: ['a.yaml', 'b'] } },
    ],
    [
      ['check', '--resolve', '--insecure-registry', '[fd00::1]:5000', '.'],
      { command: 'check', options: { format: 'text', severityOverrides: {}, resolve: true, insecureRegistries: ['[fd00::1]:5000'], registryCertificateAuthorities: {}, paths: ['.'] } },
    ],
    [
      ['pin', '--registry-ca', 'registry.lan:5000=certs/ca.pem', '--registry-ca=ghcr.io=/etc/ca=odd.pem', 'k8s'],
      {
        command: 'pin',
        options: { format: 'text', dryRun: false, insecureRegistries: [], registryCertificateAuthorities: { 'registry.lan:5000': 'certs/ca.pem', 'ghcr.io': '/etc/ca=odd.pem' }, paths: ['k8s'] },
      },
    ],
  ];
  for (const [args, expected] of accepted) {
    test(args.join(' '), () => assert.deepEqual(parseArguments(args), expected));
  }

  const refused: readonly (readonly [args: readonly string[], message: string, command: 'check' | 'pin' | undefined])[] = [
    [['pin'], 'missing PATH: give at least one file or folder to pin', 'pin'],
    [['pin', '--format', 'sarif', 'a.yaml'], "invalid value 'sarif' for --format: expected one of text, json", 'pin'],
    [['pin', '--severity', 'latest-tag=off', 'a.yaml'], "option '--severity' does not apply to 'pin'", 'pin'],
    [['pin', '--dry-run=yes', 'a.yaml'], "option '--dry-run' takes no value", 'pin'],
    [['pin', '--insecure-registry', 'http://registry.lan', 'a.yaml'], "invalid value 'http://registry.lan' for --insecure-registry", 'pin'],
    [['pin', '--insecure-registry', 'registry.lan/path', 'a.yaml'], "invalid value 'registry.lan/path' for --insecure-registry", 'pin'],
    [['pin', '--registry-ca', 'registry.lan', 'a.yaml'], "invalid value 'registry.lan' for --registry-ca: expected HOST[:PORT]=FILE", 'pin'],
    [['pin', '--registry-ca', 'https://registry.lan=ca.pem', 'a.yaml'], "invalid value 'https://registry.lan' for --registry-ca", 'pin'],
    [['check', '--dry-run', 'a.yaml'], "option '--dry-run' does not apply to 'check'", 'check'],
    [['repin', 'a.yaml'], "unknown command 'repin': the commands are 'check', 'pin', 'images', 'pull', 'rm' and 'gc'", undefined],
  ];
  for (const [args, message, command] of refused) {
    test(`refuses ${args.join(' ')}`, () => {
      assert.throws(
        () => parseArguments(args),
        (error: unknown) => error instanceof UsageError && error.message.startsWith(message) && error.command === command,
      );
    });
  }
});

describe('kube-images pin without a registry', () => {
  test('an unreadable --registry-ca file is a usage problem (exit 2) named with its host, before any lookup', (t) => {
    const cwd = mkdtempSync(join(tmpdir(), 'kube-images-pin-ca-'));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    writeFileSync(join(cwd, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: "registry.lan:5000/app:1"}]\n');
    const result = run(['pin', '--registry-ca', 'registry.lan:5000=missing.pem', 'pod.yaml'], cwd);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--registry-ca registry\.lan:5000: cannot read missing\.pem/);
    assert.equal(result.stdout, '');
  });

  function run(args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: cwd } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('files whose images are all pinned, templated or not images are left as they are, exit 0', (t) => {
    const cwd = mkdtempSync(join(tmpdir(), 'kube-images-pin-args-'));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'spec:',
      '  containers:',
      `    - image: nginx@sha256:${'a'.repeat(64)}`,
      '    - image: "{{ .Values.image }}"',
      '    - image: Not/A/Valid:Reference',
      '',
    ].join('\n');
    writeFileSync(join(cwd, 'pod.yaml'), text);
    writeFileSync(join(cwd, 'binary.yaml'), Buffer.from([0xff, 0xfe, 0x00]));
    const result = run(['pin', '.'], cwd);
    assert.deepEqual(result, { status: 0, stdout: 'Pinned 0 images in 0 files\n', stderr: '' });
    assert.equal(readFileSync(join(cwd, 'pod.yaml'), 'utf8'), text);
  });

  test('a usage error names the usage of pin', (t) => {
    const cwd = mkdtempSync(join(tmpdir(), 'kube-images-pin-args-'));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    const result = run(['pin', '--format', 'sarif', 'x.yaml'], cwd);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /\nUsage: kube-images pin \[--dry-run\] .*\nRun 'kube-images --help' for details\.\n$/);
  });

  test('--help describes pin, --resolve and --insecure-registry', (t) => {
    const cwd = mkdtempSync(join(tmpdir(), 'kube-images-pin-args-'));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    const help = run(['--help'], cwd).stdout;
    for (const expected of ['kube-images pin [options] PATH...', '--dry-run', '--resolve', '--insecure-registry HOST[:PORT]', 'digest-drift', 'tag-not-found']) {
      assert.ok(help.includes(expected), expected);
    }
  });
});
