// The `kube-images` command line as CI runs it: the built `dist/cli.js` in a child process, on
// folders made for each test. Build first (`npm run build`); `npm test` does.
import { test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { RULES } from '../../server/src/core/rules';
import type { DiagnosticCode, Severity, SeveritySetting } from '../../server/src/core/types';

const repoRoot = join(__dirname, '..', '..', '..');
const cli = join(repoRoot, 'dist', 'cli.js');
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  readonly cwd: string;
  readonly uid?: number;
  readonly gid?: number;
}

function run(args: readonly string[], options: RunOptions): Run {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  const result = spawnSync(process.execPath, [cli, ...args], { ...options, env, encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary folder holding `files` (path → content), removed after the test. */
function workspace(t: TestContext, files: Readonly<Record<string, string | Uint8Array>> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'kube-images-cli-'));
  t.after(() => {
    // Restore permissions a test took away, or the folder cannot be removed by a non-root user.
    spawnSync('chmod', ['-R', 'u+rwx', root]);
    rmSync(root, { recursive: true, force: true });
  });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function parseJson(output: Run): JsonOutput {
  assert.equal(output.stderr, '');
  return JSON.parse(output.stdout) as JsonOutput;
}

interface JsonPosition {
  line: number;
  character: number;
}
interface JsonRange {
  start: JsonPosition;
  end: JsonPosition;
}
interface JsonOutput {
  files: {
    path: string;
    images: {
      image: string;
      range: JsonRange;
      reference: Record<string, unknown>;
      pullPolicy: { effective: string | null; explicit: string | null };
    }[];
    diagnostics: { range: JsonRange; severity: Severity; code: string; message: string }[];
  }[];
}

const POD = (images: readonly string[], extra = ''): string =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: p',
    'spec:',
    '  containers:',
    ...images.flatMap((image, index) => [`    - name: c${index}`, `      image: ${image}`]),
    extra,
  ].join('\n');

const DIGEST = 'sha256:' + 'ab12'.repeat(16);

test('--help and --version', async (t) => {
  const cwd = workspace(t);
  for (const flag of ['--help', '-h']) {
    await t.test(flag, () => {
      const result = run([flag], { cwd });
      assert.equal(result.status, 0);
      assert.match(result.stdout, /^Usage: kube-images check \[options\] PATH\.\.\./);
      assert.equal(result.stderr, '');
    });
  }
  await t.test('--help after the command', () => {
    assert.equal(run(['check', '--help'], { cwd }).status, 0);
  });
  for (const flag of ['--version', '-V']) {
    await t.test(flag, () => {
      const result = run([flag], { cwd });
      assert.equal(result.status, 0);
      assert.equal(result.stdout, `${packageVersion}\n`);
    });
  }
});

test('bad usage exits 2 with the reason and the usage on stderr', async (t) => {
  const cwd = workspace(t, { 'a.yaml': POD(['nginx:1.25']) });
  const cases: readonly { args: readonly string[]; message: string }[] = [
    { args: [], message: 'missing command' },
    { args: ['lint', 'a.yaml'], message: "unknown command 'lint'" },
    { args: ['check'], message: 'missing PATH' },
    { args: ['check', '--fix', 'a.yaml'], message: "unknown option '--fix'" },
    { args: ['check', '-x', 'a.yaml'], message: "unknown option '-x'" },
    { args: ['check', '--format', 'xml', 'a.yaml'], message: "invalid value 'xml' for --format" },
    { args: ['check', '--format=JSON', 'a.yaml'], message: "invalid value 'JSON' for --format" },
    { args: ['check', 'a.yaml', '--format'], message: "option '--format' needs a value" },
    { args: ['check', '--severity', 'latest-tag', 'a.yaml'], message: "invalid value 'latest-tag' for --severity" },
    { args: ['check', '--severity', 'no-such-code=off', 'a.yaml'], message: "unknown diagnostic code 'no-such-code'" },
    { args: ['check', '--severity', 'latest-tag=fatal', 'a.yaml'], message: "invalid level 'fatal' for latest-tag" },
  ];
  for (const { args, message } of cases) {
    await t.test(args.join(' ') || '(no arguments)', () => {
      const result = run(args, { cwd });
      assert.equal(result.status, 2);
      assert.equal(result.stdout, '');
      assert.ok(result.stderr.startsWith(`kube-images: ${message}`), result.stderr);
      assert.match(result.stderr, /\nUsage: kube-images check .*\nRun 'kube-images --help' for details\.\n$/);
    });
  }
});

test('exit status follows the severity of the findings, overrides included', async (t) => {
  const cwd = workspace(t, {
    'clean.yaml': POD(['nginx:1.25']),
    'latest.yaml': POD(['nginx:latest']),
  });
  const cases: readonly { args: readonly string[]; status: number; codes: readonly string[] }[] = [
    { args: ['clean.yaml'], status: 0, codes: [] },
    { args: ['--severity', 'latest-tag=warning', 'latest.yaml'], status: 0, codes: ['latest-tag'] },
    { args: ['--severity', 'latest-tag=information', 'latest.yaml'], status: 0, codes: ['latest-tag'] },
    { args: ['--severity', 'latest-tag=error', 'latest.yaml'], status: 1, codes: ['latest-tag'] },
    { args: ['--severity=latest-tag=error', 'latest.yaml'], status: 1, codes: ['latest-tag'] },
    { args: ['--severity', 'latest-tag=off', 'latest.yaml'], status: 0, codes: [] },
    // The last value given for a code wins.
    { args: ['--severity', 'latest-tag=error', '--severity', 'latest-tag=off', 'latest.yaml'], status: 0, codes: [] },
    { args: ['--severity', 'latest-tag=error', 'clean.yaml', 'latest.yaml'], status: 1, codes: ['latest-tag'] },
  ];
  for (const { args, status, codes } of cases) {
    await t.test(args.join(' '), () => {
      const result = run(['check', '--format', 'json', ...args], { cwd });
      assert.equal(result.status, status);
      const json = parseJson(result);
      assert.deepEqual(
        json.files.flatMap((file) => file.diagnostics.map((diagnostic) => diagnostic.code)),
        codes,
      );
      const severities = json.files.flatMap((file) => file.diagnostics.map((diagnostic) => diagnostic.severity));
      assert.equal(severities.includes('error'), status === 1);
    });
  }
});

test('JSON: every field present, LSP ranges in file coordinates, null for absent values', (t) => {
  const secondDocument = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: d',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    `        - image: "redis@${DIGEST}"`,
    '          imagePullPolicy: Never',
    '',
  ].join('\r\n');
  const cwd = workspace(t, { 'deploy/app.yaml': POD(['nginx:1.25']).replaceAll('\n', '\r\n') + '\r\n---\r\n' + secondDocument });
  const result = run(['check', '--format', 'json', 'deploy'], { cwd });
  assert.equal(result.status, 0);
  const json = parseJson(result);
  assert.deepEqual(json, {
    files: [
      {
        path: join('deploy', 'app.yaml'),
        images: [
          {
            image: 'nginx:1.25',
            range: { start: { line: 7, character: 13 }, end: { line: 7, character: 23 } },
            reference: {
              valid: true,
              normalized: 'docker.io/library/nginx:1.25',
              registry: 'docker.io',
              repository: 'library/nginx',
              tag: '1.25',
              digest: null,
            },
            pullPolicy: { effective: 'IfNotPresent', explicit: null },
          },
          {
            image: `redis@${DIGEST}`,
            // The second document starts on line 10; the range covers the quotes as written.
            range: { start: { line: 18, character: 17 }, end: { line: 18, character: 17 + DIGEST.length + 8 } },
            reference: {
              valid: true,
              normalized: `docker.io/library/redis@${DIGEST}`,
              registry: 'docker.io',
              repository: 'library/redis',
              tag: null,
              digest: DIGEST,
            },
            pullPolicy: { effective: 'Never', explicit: 'Never' },
          },
        ],
        diagnostics: [],
      },
    ],
  });
});

test('JSON: diagnostics carry exactly range, severity, code and message', (t) => {
  const cwd = workspace(t, { 'a.yaml': POD(['nginx:latest', 'registry.example.com/Team/app:1']) });
  const json = parseJson(run(['check', '--format', 'json', 'a.yaml'], { cwd }));
  const [file] = json.files;
  assert.ok(file.diagnostics.length >= 2);
  for (const diagnostic of file.diagnostics) {
    assert.deepEqual(Object.keys(diagnostic), ['range', 'severity', 'code', 'message']);
    assert.ok(['error', 'warning', 'information', 'hint'].includes(diagnostic.severity));
    assert.ok(diagnostic.code in RULES);
    assert.notEqual(diagnostic.message, '');
  }
  // Each diagnostic sits on the line of the image it is about.
  const latest = file.diagnostics.find((diagnostic) => diagnostic.code === 'latest-tag');
  const uppercase = file.diagnostics.find((diagnostic) => diagnostic.code === 'uppercase-repository');
  assert.equal(latest?.range.start.line, 7);
  assert.equal(uppercase?.range.start.line, 9);
  assert.deepEqual(
    file.images.map((image) => [image.image, image.reference['valid'], image.reference['normalized']]),
    [
      ['nginx:latest', true, 'docker.io/library/nginx:latest'],
      ['registry.example.com/Team/app:1', false, null],
    ],
  );
});

test('text: one 1-based `path:line:column: severity code: message` line per diagnostic, then a summary', (t) => {
  const cwd = workspace(t, {
    'sub/a.yaml': POD(['nginx:1.25', 'nginx:latest', 'redis:latest']),
    'sub/b.yaml': POD(['registry.example.com/Team/app:1']),
    'sub/c.yaml': POD(['redis:7']),
  });
  const overrides = ['--severity', 'latest-tag=warning', '--severity', 'uppercase-repository=error'];
  const result = run(['check', ...overrides, 'sub'], { cwd });
  assert.equal(result.status, 1);
  assert.equal(result.stderr, '');
  const json = parseJson(run(['check', '--format', 'json', ...overrides, 'sub'], { cwd }));
  const expected = json.files.flatMap((file) =>
    file.diagnostics.map(
      ({ range, severity, code, message }) => `${file.path}:${range.start.line + 1}:${range.start.character + 1}: ${severity} ${code}: ${message}`,
    ),
  );
  // Lines are 1-based: the images sit on lines 10 and 12 of a.yaml and line 8 of b.yaml.
  assert.deepEqual(
    expected.map((line) => line.split(':').slice(0, 2).join(':')),
    [`${join('sub', 'a.yaml')}:10`, `${join('sub', 'a.yaml')}:12`, `${join('sub', 'b.yaml')}:8`],
  );
  assert.equal(result.stdout, [...expected, '1 error, 2 warnings in 3 files', ''].join('\n'));
  assert.doesNotMatch(result.stdout, /\x1b/, 'no colour when stdout is not a terminal');
});

// `script` (util-linux) gives the CLI a terminal as stdout, the only case where colour is wanted.
const hasScript = spawnSync('script', ['--version']).status === 0;

test('text: colour on a terminal, unless NO_COLOR is set and not empty', { skip: !hasScript && 'needs script(1)' }, async (t) => {
  const cwd = workspace(t, { 'a.yaml': POD(['nginx:latest']) });
  const onTerminal = (noColor: string | undefined): string => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['FORCE_COLOR'];
    if (noColor === undefined) delete env['NO_COLOR'];
    else env['NO_COLOR'] = noColor;
    const command = [process.execPath, cli, 'check', '--severity', 'latest-tag=warning', 'a.yaml'].map(shellQuote).join(' ');
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, env, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  await t.test('NO_COLOR unset', () => {
    assert.match(onTerminal(undefined), /\x1b\[33mwarning\x1b\[0m/);
  });
  await t.test('NO_COLOR empty', () => {
    assert.match(onTerminal(''), /\x1b\[33mwarning\x1b\[0m/);
  });
  await t.test('NO_COLOR=1', () => {
    const output = onTerminal('1');
    assert.match(output, /warning latest-tag/);
    assert.doesNotMatch(output, /\x1b/);
  });
});

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

test('text: a clean run prints only the summary', (t) => {
  const cwd = workspace(t, { 'a.yaml': POD(['nginx:1.25']) });
  const result = run(['check', 'a.yaml'], { cwd });
  assert.equal(result.status, 0);
  assert.equal(result.stdout, '0 errors, 0 warnings in 1 file\n');
});

test('SARIF 2.1.0: one run, the rule catalogue, results that agree with the JSON output', (t) => {
  const cwd = workspace(t, {
    'my manifests/app.yaml': POD(['nginx:latest', 'registry.example.com/Team/app:1']),
  });
  const overrides = ['--severity', 'latest-tag=information', '--severity', 'uppercase-repository=error'];
  const sarifRun = run(['check', '--format', 'sarif', ...overrides, 'my manifests'], { cwd });
  assert.equal(sarifRun.status, 1);
  assert.equal(sarifRun.stderr, '');
  const sarif = JSON.parse(sarifRun.stdout) as SarifLog;
  const json = parseJson(run(['check', '--format', 'json', ...overrides, 'my manifests'], { cwd }));

  assert.equal(sarif.version, '2.1.0');
  assert.match(sarif.$schema, /sarif-2\.1\.0/);
  assert.equal(sarif.runs.length, 1);
  const [sarifRunLog] = sarif.runs;
  assert.equal(sarifRunLog.columnKind, 'utf16CodeUnits');
  const driver = sarifRunLog.tool.driver;
  assert.equal(driver.name, 'kube-images');
  assert.equal(driver.version, packageVersion);
  assert.deepEqual(
    driver.rules.map((rule) => rule.id),
    Object.values(RULES).map((rule) => rule.code),
  );
  for (const rule of driver.rules) {
    const metadata = RULES[rule.id];
    assert.equal(rule.helpUri, metadata.docsUrl);
    assert.equal(rule.shortDescription.text, metadata.title);
    assert.equal(rule.defaultConfiguration.level, SARIF_LEVELS[metadata.defaultSeverity]);
  }

  const diagnostics = json.files[0].diagnostics;
  assert.equal(sarifRunLog.results.length, diagnostics.length);
  sarifRunLog.results.forEach((result, index) => {
    const diagnostic = diagnostics[index];
    assert.equal(result.ruleId, diagnostic.code);
    assert.equal(driver.rules[result.ruleIndex].id, result.ruleId);
    assert.equal(result.level, SARIF_LEVELS[diagnostic.severity]);
    assert.equal(result.message.text, diagnostic.message);
    const location = result.locations[0].physicalLocation;
    assert.deepEqual(location.artifactLocation, { uri: 'my%20manifests/app.yaml', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(location.region, {
      startLine: diagnostic.range.start.line + 1,
      startColumn: diagnostic.range.start.character + 1,
      endLine: diagnostic.range.end.line + 1,
      endColumn: diagnostic.range.end.character + 1,
    });
  });
  assert.deepEqual(
    sarifRunLog.results.map((result) => result.level),
    ['note', 'error'],
  );
});

const SARIF_LEVELS: Readonly<Record<SeveritySetting, string>> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
  off: 'none',
};

/** The parts of a SARIF log these tests read. */
interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    columnKind: string;
    tool: {
      driver: {
        name: string;
        version: string;
        rules: {
          id: DiagnosticCode;
          helpUri: string;
          shortDescription: { text: string };
          defaultConfiguration: { level: string };
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: unknown; region: unknown } }[];
    }[];
  }[];
}

test('folders: recursive, YAML only, dot-folders and node_modules skipped, code point order', (t) => {
  const pod = POD(['nginx:1.25']);
  const cwd = workspace(t, {
    'ws/b.yaml': pod,
    'ws/B.yml': pod,
    'ws/a/z.yaml': pod,
    'ws/a/deeper/y.yml': pod,
    'ws/a.yaml': pod,
    'ws/notes.txt': 'not yaml',
    'ws/values.json': '{}',
    'ws/node_modules/pkg/x.yaml': pod,
    'ws/.git/config.yaml': pod,
    'ws/.github/workflows/ci.yaml': pod,
    'ws/a/.hidden/h.yaml': pod,
  });
  const expected = ['ws/B.yml', 'ws/a/deeper/y.yml', 'ws/a/z.yaml', 'ws/a.yaml', 'ws/b.yaml'].map((path) => join(...path.split('/')));
  const paths = (args: readonly string[]): string[] =>
    parseJson(run(['check', '--format', 'json', ...args], { cwd })).files.map((file) => file.path);

  assert.deepEqual(paths(['ws']), expected);
  // Paths are shown as given: a `./` prefix or a trailing slash is normalised away.
  assert.deepEqual(paths(['./ws/']), expected);
  assert.deepEqual(paths(['./ws/b.yaml']), [join('ws', 'b.yaml')]);
  assert.deepEqual(paths([join(cwd, 'ws')]), expected.map((path) => join(cwd, path)));
  // A file reached twice is checked once, under its first name.
  assert.deepEqual(paths([join('ws', 'b.yaml'), 'ws']), [join('ws', 'b.yaml'), ...expected.filter((path) => path !== join('ws', 'b.yaml'))]);
  // A file named explicitly is checked whatever its name.
  assert.deepEqual(paths([join('ws', 'notes.txt')]), [join('ws', 'notes.txt')]);
  // So is a file in a skipped folder, when named.
  assert.deepEqual(paths([join('ws', 'node_modules', 'pkg', 'x.yaml')]), [join('ws', 'node_modules', 'pkg', 'x.yaml')]);
});

test('folders: symbolic links are followed, and a link cycle ends', (t) => {
  const cwd = workspace(t, { 'ws/real/a.yaml': POD(['nginx:1.25']) });
  symlinkSync(join(cwd, 'ws'), join(cwd, 'ws', 'real', 'loop'));
  const result = run(['check', '--format', 'json', 'ws'], { cwd });
  assert.equal(result.status, 0);
  assert.deepEqual(
    parseJson(result).files.map((file) => file.path),
    [join('ws', 'real', 'a.yaml')],
  );
});

test('a path starting with a dash is read after --', (t) => {
  const cwd = workspace(t, { '-odd.yaml': POD(['nginx:1.25']) });
  const result = run(['check', '--format', 'json', '--', '-odd.yaml'], { cwd });
  assert.equal(result.status, 0);
  assert.deepEqual(
    parseJson(result).files.map((file) => file.path),
    ['-odd.yaml'],
  );
});

test('a PATH without YAML files exits 2: a check of nothing must not pass', async (t) => {
  const cwd = workspace(t, {
    'only-text/readme.txt': 'hello',
    'only-hidden/.github/workflows/ci.yaml': POD(['nginx:1.25']),
    'full/a.yaml': POD(['nginx:1.25']),
  });
  mkdirSync(join(cwd, 'empty'));
  for (const folder of ['empty', 'only-text', 'only-hidden']) {
    await t.test(folder, () => {
      const result = run(['check', 'full', folder], { cwd });
      assert.equal(result.status, 2);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        `kube-images: no YAML files found in ${folder} (looked for *.yaml and *.yml, skipping node_modules and dot-folders)\n`,
      );
    });
  }
});

test('unreadable input exits 2, names every path and says why, prints no report', async (t) => {
  await t.test('missing paths', () => {
    const cwd = workspace(t, { 'a.yaml': POD(['nginx:1.25']) });
    const result = run(['check', 'a.yaml', 'missing.yaml', 'missing-folder'], { cwd });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      [
        'kube-images: cannot read missing.yaml: no such file or folder (ENOENT) — check the path (a symbolic link may point nowhere)',
        'kube-images: cannot read missing-folder: no such file or folder (ENOENT) — check the path (a symbolic link may point nowhere)',
        '',
      ].join('\n'),
    );
  });

  await t.test('a dangling symbolic link to a YAML name inside a folder', () => {
    const cwd = workspace(t, { 'ws/a.yaml': POD(['nginx:1.25']) });
    symlinkSync(join(cwd, 'nowhere.yaml'), join(cwd, 'ws', 'gone.yaml'));
    symlinkSync(join(cwd, 'nowhere.txt'), join(cwd, 'ws', 'gone.txt'));
    const result = run(['check', 'ws'], { cwd });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^kube-images: cannot read ws\/gone\.yaml: no such file or folder \(ENOENT\)[^\n]*\n$/);
  });

  // Root reads everything, so as root the CLI runs as `nobody` to meet a permission it lacks;
  // that needs a checkout `nobody` can read (not one under a private home folder).
  const asUser: Pick<RunOptions, 'uid' | 'gid'> = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const canRunAsUser = spawnSync(process.execPath, [cli, '--version'], { ...asUser, cwd: tmpdir() }).status === 0;
  await t.test('permission denied on a file and on a folder', { skip: !canRunAsUser && 'nobody cannot read dist/cli.js' }, () => {
    const cwd = workspace(t, {
      'ws/deploy.yaml': POD(['nginx:1.25']),
      'ws/locked/inner.yaml': POD(['nginx:1.25']),
      'ws/ok.yaml': POD(['nginx:1.25']),
    });
    chmodSync(cwd, 0o755);
    chmodSync(join(cwd, 'ws', 'deploy.yaml'), 0o000);
    chmodSync(join(cwd, 'ws', 'locked'), 0o000);
    const result = run(['check', 'ws'], { cwd, ...asUser });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    // Folders that cannot be searched are found first, files that cannot be read after.
    assert.equal(
      result.stderr,
      [
        'kube-images: cannot read ws/locked: permission denied (EACCES) — run as a user who can read it',
        'kube-images: cannot read ws/deploy.yaml: permission denied (EACCES) — run as a user who can read it',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});

test('content that is not UTF-8 text is a binary-content finding, not a crash', async (t) => {
  const cwd = workspace(t, {
    'latin1.yaml': Uint8Array.from([...Buffer.from('image: caf'), 0xe9, 0x0a]),
    'nul.yaml': Uint8Array.from([...Buffer.from('kind: Pod\n'), 0x00, 0x01]),
    'utf16.yaml': Buffer.from('\ufeffkind: Pod\n', 'utf16le'),
    'fine.yaml': POD(['nginx:1.25']),
  });
  for (const name of ['latin1.yaml', 'nul.yaml', 'utf16.yaml']) {
    await t.test(name, () => {
      const result = run(['check', '--format', 'json', name, 'fine.yaml'], { cwd });
      assert.equal(result.status, RULES['binary-content'].defaultSeverity === 'error' ? 1 : 0);
      const json = parseJson(result);
      assert.deepEqual(json.files.map((file) => file.path), [name, 'fine.yaml']);
      assert.deepEqual(json.files[0].images, []);
      assert.deepEqual(
        json.files[0].diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.range]),
        [['binary-content', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }]],
      );
      assert.deepEqual(json.files[1].diagnostics, []);
    });
  }
  await t.test('its severity is configurable like any other', () => {
    const result = run(['check', '--severity', 'binary-content=warning', 'latin1.yaml'], { cwd });
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^latin1\.yaml:1:1: warning binary-content: .*not valid UTF-8/);
  });
  await t.test('a UTF-8 byte order mark is not binary', () => {
    writeFileSync(join(cwd, 'bom.yaml'), '\ufeff' + POD(['nginx:latest']));
    const json = parseJson(run(['check', '--format', 'json', 'bom.yaml'], { cwd }));
    // The mark is dropped as editors drop it, so positions match what an editor shows.
    assert.deepEqual(json.files[0].images[0].range.start, { line: 7, character: 13 });
  });
});

test('files under a chart\'s templates/ folder are Helm templates, read leniently', (t) => {
  const template = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ include "web.fullname" . }}',
    'spec:',
    '  template:',
    '    metadata:',
    '      labels:',
    '        {{- include "web.selectorLabels" . | nindent 8 }}',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
    '',
  ].join('\n');
  // Not YAML, and without `{{`: only the chart context can make it a template.
  const notYaml = 'apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n';
  const cwd = workspace(t, {
    'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'chart/templates/deployment.yaml': template,
    'chart/templates/nested/config.yaml': notYaml,
    'chart/charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
    'chart/charts/sub/templates/config.yaml': notYaml,
    'chart/values-broken.yaml': notYaml,
    'not-a-chart/templates/config.yaml': notYaml,
  });
  const json = parseJson(run(['check', '--format', 'json', 'chart', 'not-a-chart'], { cwd }));
  const codes = Object.fromEntries(
    json.files.map((file) => [file.path.split(sep).join('/'), file.diagnostics.map((diagnostic) => diagnostic.code)]),
  );
  assert.deepEqual(codes, {
    'chart/Chart.yaml': [],
    'chart/charts/sub/Chart.yaml': [],
    'chart/charts/sub/templates/config.yaml': [],
    'chart/templates/deployment.yaml': [],
    'chart/templates/nested/config.yaml': [],
    'chart/values-broken.yaml': ['yaml-syntax'],
    'not-a-chart/templates/config.yaml': ['yaml-syntax'],
  });
  // A templated image is not an image until rendered: it is not listed.
  assert.deepEqual(json.files.flatMap((file) => file.images), []);
});

test('a file named kustomization.yaml is read as a kustomization', (t) => {
  const entries = 'images:\n  - name: nginx\n    newTag: "1.27"\n';
  const cwd = workspace(t, { 'kustomization.yaml': entries, 'other.yaml': entries });
  const json = parseJson(run(['check', '--format', 'json', 'kustomization.yaml', 'other.yaml'], { cwd }));
  assert.deepEqual(
    json.files.map((file) => file.images.map((image) => [image.image, image.pullPolicy])),
    [[['nginx:1.27', { effective: null, explicit: null }]], []],
  );
});

test('the sample manifests report what examples/README.md says they show', async (t) => {
  await t.test('examples/', () => {
    const result = run(['check', '--format', 'json', 'examples'], { cwd: repoRoot });
    assert.equal(result.status, 1);
    const codes = Object.fromEntries(
      parseJson(result).files.map((file) => [file.path.split(sep).join('/'), file.diagnostics.map((diagnostic) => diagnostic.code)]),
    );
    assert.deepEqual(codes, {
      'examples/apps/api.yaml': ['uppercase-repository', 'invalid-reference', 'tag-and-digest'],
      'examples/apps/clean.yaml': [],
      'examples/apps/debug-pod.yaml': ['never-mutable-tag', 'implicit-latest'],
      'examples/apps/node-cache.yaml': ['deprecated-registry'],
      'examples/apps/web.yaml': ['implicit-latest', 'latest-tag', 'invalid-pull-policy'],
      'examples/charts/web/Chart.yaml': [],
      'examples/charts/web/templates/deployment.yaml': [],
      'examples/charts/web/values.yaml': [],
      'examples/jobs/backup.yaml': ['latest-tag'],
      'examples/kustomize/kustomization.yaml': ['latest-tag', 'kustomize-invalid-field'],
    });
  });
  await t.test('the CI workflow, named explicitly', () => {
    const result = run(['check', '--format', 'json', join('examples', '.github', 'workflows', 'ci.yaml')], { cwd: repoRoot });
    assert.equal(result.status, 0);
    assert.deepEqual(parseJson(result).files[0], { path: join('examples', '.github', 'workflows', 'ci.yaml'), images: [], diagnostics: [] });
  });
});
