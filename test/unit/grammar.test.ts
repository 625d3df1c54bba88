// Tests of the scopes that syntaxes/kube-images.injection.tmLanguage.json gives image references,
// tokenized the way VS Code runs grammars: with vscode-textmate, vscode-oniguruma and the injection
// wired up from our package.json contribution, into each YAML grammar in `hostGrammarSources` that is
// on this machine.
//
// Each test/fixtures/grammar/NAME.yaml has a NAME.snap beside it. Run with UPDATE_SNAPSHOTS=1 to
// rewrite the snapshots, then review their diff.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as oniguruma from 'vscode-oniguruma';
import { codeServerDirectory } from '../support/codeServer';
import * as textmate from 'vscode-textmate';

const repoRoot = join(__dirname, '..', '..', '..');
const fixtureDir = join(repoRoot, 'test', 'fixtures', 'grammar');
const updateSnapshots = process.env.UPDATE_SNAPSHOTS === '1';

/** A YAML grammar our injection must work with: the files that define `source.yaml` and what it includes. */
interface HostGrammarSource {
  name: string;
  /** The grammar files, or undefined when they are not on this machine. */
  locate(): string[] | undefined;
  /** How to make an absent source present, for the skip message. */
  whenAbsent: string;
}

/** textmate/yaml.tmbundle's grammar, packaged on npm: a dev dependency, so always present. */
const tmGrammarsYamlFiles = [require.resolve('tm-grammars/grammars/yaml.json')];
const tmGrammarsYaml: HostGrammarSource = {
  name: 'tm-grammars (textmate/yaml.tmbundle)',
  locate: () => tmGrammarsYamlFiles,
  whenAbsent: 'run `npm install`',
};

/** VS Code's own YAML grammars, from the code-server that scripts/install-code-server.sh installs for the extension-host tests. */
const vscodeSyntaxesDir = join(codeServerDirectory(), 'node_modules', 'code-server', 'lib', 'vscode', 'extensions', 'yaml', 'syntaxes');
const vscodeYaml: HostGrammarSource = {
  name: "code-server (VS Code's own)",
  locate: () => {
    if (!existsSync(vscodeSyntaxesDir)) return undefined;
    return readdirSync(vscodeSyntaxesDir)
      .filter((name) => name.endsWith('.tmLanguage.json'))
      .map((name) => join(vscodeSyntaxesDir, name));
  },
  whenAbsent: `${vscodeSyntaxesDir} does not exist (run: bash scripts/install-code-server.sh)`,
};

const hostGrammarSources = [tmGrammarsYaml, vscodeYaml];

/**
 * VS Code tokenizes no line longer than this by default (`editor.maxTokenizationLineLength`), so the
 * longest line the grammar must cope with.
 */
const maxTokenizedLineLength = 20_000;
/**
 * Generous next to the few milliseconds a line takes; a regular expression that turned quadratic
 * would take seconds on the long lines below and make the tokenizer stop early.
 */
const lineTimeLimitMs = 2_000;

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
}

function contributedGrammars(): GrammarContribution[] {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    contributes?: { grammars?: GrammarContribution[] };
  };
  return manifest.contributes?.grammars ?? [];
}

const onigLib: Promise<textmate.IOnigLib> = (async () => {
  await oniguruma.loadWASM(readFileSync(join(dirname(require.resolve('vscode-oniguruma')), 'onig.wasm')));
  return {
    createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
    createOnigString: (text) => new oniguruma.OnigString(text),
  };
})();

/**
 * `source.yaml` from `hostFiles` as VS Code would load it, with or without the grammars our manifest
 * injects into it.
 */
async function loadYamlGrammar(hostFiles: string[], withOurInjection: boolean): Promise<textmate.IGrammar> {
  const hostGrammars = new Map(
    hostFiles.map((file) => {
      const grammar = textmate.parseRawGrammar(readFileSync(file, 'utf8'), file);
      return [grammar.scopeName, grammar];
    }),
  );
  const contributions = contributedGrammars();
  const registry = new textmate.Registry({
    onigLib,
    loadGrammar: async (scopeName) => {
      const hostGrammar = hostGrammars.get(scopeName);
      if (hostGrammar) return hostGrammar;
      const contribution = contributions.find((grammar) => grammar.scopeName === scopeName);
      if (!contribution) throw new Error(`No grammar is known for scope ${scopeName}`);
      const file = join(repoRoot, contribution.path);
      return textmate.parseRawGrammar(readFileSync(file, 'utf8'), file);
    },
    getInjections: (scopeName) =>
      withOurInjection
        ? contributions.filter((grammar) => grammar.injectTo?.includes(scopeName)).map((grammar) => grammar.scopeName)
        : [],
  });
  const grammar = await registry.loadGrammar('source.yaml');
  assert.ok(grammar, 'source.yaml loads');
  return grammar;
}

interface Token {
  text: string;
  scopes: string[];
}

function sourceLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function tokenize(grammar: textmate.IGrammar, lines: string[]): Token[][] {
  let state = textmate.INITIAL;
  return lines.map((line, index) => {
    const result = grammar.tokenizeLine(line, state, lineTimeLimitMs);
    assert.equal(result.stoppedEarly, false, `line ${index + 1} was tokenized within ${lineTimeLimitMs} ms`);
    state = result.ruleStack;
    return result.tokens
      .map((token) => ({ text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes }))
      .filter((token) => token.text !== '');
  });
}

/** Ours, plus the YAML grammar's leaf scopes; its structural `meta.*.yaml` scopes would only add noise. */
function visibleScopes(scopes: string[]): string {
  return scopes.filter((scope) => scope !== 'source.yaml' && !/^meta\..*\.yaml$/.test(scope)).join(' ');
}

/** One `> line` header per source line, then one `"text"  scopes` line per run of equally scoped text. */
function renderSnapshot(fixtureName: string, lines: string[], tokens: Token[][]): string {
  const out = [
    `# Scopes of ${fixtureName} with the YAML grammar from ${tmGrammarsYaml.name}: source.yaml and the`,
    "# YAML grammar's meta.*.yaml scopes omitted, adjacent tokens with the same remaining scopes merged.",
    '# Regenerate: UPDATE_SNAPSHOTS=1.',
  ];
  lines.forEach((line, index) => {
    out.push(`> ${line}`);
    const runs: { text: string; scopes: string }[] = [];
    for (const token of tokens[index]) {
      const scopes = visibleScopes(token.scopes);
      const previous = runs.at(-1);
      if (previous && previous.scopes === scopes) previous.text += token.text;
      else runs.push({ text: token.text, scopes });
    }
    for (const run of runs) out.push(`  ${JSON.stringify(run.text).padEnd(30)}  ${run.scopes}`.trimEnd());
  });
  return out.join('\n') + '\n';
}

/** A line diff (longest common subsequence) with two lines of context around each change. */
function lineDiff(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const edits: { mark: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ mark: ' ', line: a[i] });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1][j] >= common[i][j + 1])) {
      edits.push({ mark: '-', line: a[i++] });
    } else {
      edits.push({ mark: '+', line: b[j++] });
    }
  }
  const near = (index: number) => edits.slice(Math.max(0, index - 2), index + 3).some((edit) => edit.mark !== ' ');
  return edits
    .map((edit, index) => (near(index) ? `${edit.mark} ${edit.line}` : undefined))
    .filter((line, index, all) => line !== undefined || all[index - 1] !== undefined)
    .map((line) => line ?? '  …')
    .join('\n');
}

const fixtureNames = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => name.slice(0, -'.yaml'.length))
  .sort();

test('package.json injects the grammar into source.yaml, under the scope name the grammar declares', () => {
  const ours = contributedGrammars().filter((grammar) => grammar.injectTo?.includes('source.yaml'));
  assert.equal(ours.length, 1);
  const grammar = JSON.parse(readFileSync(join(repoRoot, ours[0].path), 'utf8')) as {
    scopeName: string;
    injectionSelector?: string;
  };
  assert.equal(grammar.scopeName, ours[0].scopeName);
  assert.match(grammar.injectionSelector ?? '', /^L:source\.yaml\b/);
});

test('the grammar file is what syntaxes/build-injection-grammar.mjs builds', async () => {
  const generator = (await import(pathToFileURL(join(repoRoot, 'syntaxes', 'build-injection-grammar.mjs')).href)) as {
    buildInjectionGrammar(): unknown;
  };
  const [contribution] = contributedGrammars().filter((grammar) => grammar.scopeName === 'kube-images.injection');
  const committed: unknown = JSON.parse(readFileSync(join(repoRoot, contribution.path), 'utf8'));
  assert.deepEqual(committed, generator.buildInjectionGrammar(), 'run `node syntaxes/build-injection-grammar.mjs`');
});

test('there are grammar fixtures', () => {
  assert.ok(fixtureNames.length > 0, `no *.yaml in ${fixtureDir}`);
});

/** The snapshots are taken with the one host grammar every machine has, so that they are the same everywhere. */
const snapshotGrammar = loadYamlGrammar(tmGrammarsYamlFiles, true);

for (const name of fixtureNames) {
  test(`scopes of ${name}.yaml match ${name}.snap`, async () => {
    const lines = sourceLines(readFileSync(join(fixtureDir, `${name}.yaml`), 'utf8'));
    const actual = renderSnapshot(`${name}.yaml`, lines, tokenize(await snapshotGrammar, lines));
    const snapshotFile = join(fixtureDir, `${name}.snap`);
    if (updateSnapshots) {
      writeFileSync(snapshotFile, actual);
      return;
    }
    assert.ok(existsSync(snapshotFile), `${snapshotFile} is missing: run the tests with UPDATE_SNAPSHOTS=1`);
    const expected = readFileSync(snapshotFile, 'utf8');
    if (actual !== expected) {
      assert.fail(`${name}.snap differs (- snapshot, + now); if the change is intended, rerun with UPDATE_SNAPSHOTS=1\n${lineDiff(expected, actual)}`);
    }
  });
}

// The expected parts follow Kubernetes' normalisation (distribution/reference ParseNormalizedNamed,
// see FACTS.md §1): the first segment is a registry only if a `/` follows and it is `localhost` or
// holds `.`, `:` or an upper-case letter.
const digest = 'sha256:' + '0123456789abcdef'.repeat(4);
const partCases: { value: string; parts: [string, string][] }[] = [
  { value: 'nginx', parts: [['nginx', 'repository']] },
  { value: 'library/nginx:1.25', parts: [['library/nginx', 'repository'], [':', 'tag separator'], ['1.25', 'tag']] },
  { value: 'ghcr.io/acme/web', parts: [['ghcr.io', 'registry'], ['/', 'path separator'], ['acme/web', 'repository']] },
  { value: 'localhost/app', parts: [['localhost', 'registry'], ['/', 'path separator'], ['app', 'repository']] },
  {
    value: 'localhost:5000/app',
    parts: [['localhost', 'registry'], [':', 'port separator'], ['5000', 'port'], ['/', 'path separator'], ['app', 'repository']],
  },
  { value: 'example.com:5000', parts: [['example.com', 'repository'], [':', 'tag separator'], ['5000', 'tag']] },
  { value: 'foo/foo_bar.com:8080', parts: [['foo/foo_bar.com', 'repository'], [':', 'tag separator'], ['8080', 'tag']] },
  { value: 'Docker/docker', parts: [['Docker', 'registry'], ['/', 'path separator'], ['docker', 'repository']] },
  {
    value: '"[fc00::1]:5000/app"',
    parts: [['[', 'IPv6 begin'], ['fc00::1', 'registry'], [']', 'IPv6 end'], [':', 'port separator'], ['5000', 'port'], ['/', 'path separator'], ['app', 'repository']],
  },
  {
    value: `nginx@${digest}`,
    parts: [['nginx', 'repository'], ['@', 'digest separator'], ['sha256', 'algorithm'], [':', 'algorithm separator'], [digest.slice(7), 'digest']],
  },
  {
    value: `nginx:latest@${digest}`,
    parts: [
      ['nginx', 'repository'], [':', 'tag separator'], ['latest', 'tag'],
      ['@', 'digest separator'], ['sha256', 'algorithm'], [':', 'algorithm separator'], [digest.slice(7), 'digest'],
    ],
  },
];
const partNames = new Map([
  ['entity.name.namespace.registry.kube-images', 'registry'],
  ['punctuation.definition.ipv6.begin.kube-images', 'IPv6 begin'],
  ['punctuation.definition.ipv6.end.kube-images', 'IPv6 end'],
  ['punctuation.separator.port.kube-images', 'port separator'],
  ['constant.numeric.integer.port.kube-images', 'port'],
  ['punctuation.separator.path.kube-images', 'path separator'],
  ['entity.name.type.repository.kube-images', 'repository'],
  ['punctuation.separator.tag.kube-images', 'tag separator'],
  ['constant.other.tag.kube-images', 'tag'],
  ['punctuation.separator.digest.kube-images', 'digest separator'],
  ['storage.type.digest-algorithm.kube-images', 'algorithm'],
  ['punctuation.separator.digest-algorithm.kube-images', 'algorithm separator'],
  ['constant.numeric.digest.kube-images', 'digest'],
]);

// Lines no one writes on purpose, up to the longest length VS Code tokenizes. Each must be tokenized
// in full within the time limit (see `tokenize`).
const longLines: { name: string; line: string }[] = [
  { name: 'a value of one long path', line: 'image: ' + 'a/'.repeat(9_990) + 'b' },
  { name: 'a long run of colons', line: 'image: ' + ':'.repeat(19_990) },
  { name: 'keys repeated on one line', line: 'image: '.repeat(2_850) },
  { name: 'a flow mapping with many images', line: '{' + 'image: nginx:1, '.repeat(1_240) + '}' },
  { name: 'many anchors before a value', line: 'image: ' + '&a '.repeat(6_660) + 'nginx' },
  { name: 'a long plain value of words', line: 'args: ' + 'image: nginx '.repeat(1_530) },
];

// Everything but the snapshots runs against every host grammar on this machine: the injection must
// keep each one's scopes, whichever YAML grammar the editor has.
for (const source of hostGrammarSources) {
  test(`with the YAML grammar from ${source.name}`, async (t) => {
    const hostFiles = source.locate();
    if (!hostFiles) {
      t.skip(`the YAML grammar from ${source.name} is not on this machine: ${source.whenAbsent}`);
      return;
    }
    const [hostOnly, withInjection] = await Promise.all([
      loadYamlGrammar(hostFiles, false),
      loadYamlGrammar(hostFiles, true),
    ]);

    for (const name of fixtureNames) {
      await t.test(`in ${name}.yaml, every character keeps the YAML grammar's scopes, ours aside`, () => {
        const lines = sourceLines(readFileSync(join(fixtureDir, `${name}.yaml`), 'utf8'));
        const before = tokenize(hostOnly, lines);
        const after = tokenize(withInjection, lines);
        const scopesPerCharacter = (tokens: Token[]) =>
          tokens.flatMap((token) => Array.from(token.text, () => token.scopes.filter((scope) => !scope.endsWith('.kube-images')).join(' ')));
        const differences = lines.flatMap((line, index) => {
          const expected = scopesPerCharacter(before[index]);
          const actual = scopesPerCharacter(after[index]);
          return expected.flatMap((scopes, column) =>
            scopes === actual[column] ? [] : [`${index + 1}:${column + 1} ${JSON.stringify(line[column])}: ${scopes} → ${actual[column]}`],
          );
        });
        assert.deepEqual(differences.slice(0, 10), []);
      });
    }

    for (const { value, parts } of partCases) {
      await t.test(`image: ${value} is split into the parts Kubernetes sees`, () => {
        const [tokens] = tokenize(withInjection, [`image: ${value}`]);
        const actual = tokens.flatMap((token): [string, string][] => {
          const part = [...token.scopes].reverse().find((scope) => partNames.has(scope));
          return part ? [[token.text, partNames.get(part) ?? part]] : [];
        });
        assert.deepEqual(actual, parts);
      });
    }

    for (const { name, line } of longLines) {
      await t.test(`a ${line.length}-character line with ${name} is tokenized in full`, () => {
        assert.ok(line.length <= maxTokenizedLineLength);
        const [tokens] = tokenize(withInjection, [line]);
        assert.equal(tokens.map((token) => token.text).join(''), line);
      });
    }
  });
}
