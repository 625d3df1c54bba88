// docs/diagnostics.md lists every diagnostic code from the rule registry; UPDATE_DOCS=1 rewrites the table.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_LIST } from '../../server/src/core/rules';

const docPath = join(__dirname, '..', '..', '..', 'docs', 'diagnostics.md');
const BEGIN = '<!-- rules:begin (generated from server/src/core/rules by test/unit/docs.test.ts; UPDATE_DOCS=1 rewrites) -->';
const END = '<!-- rules:end -->';

function renderTable(): string {
  const rows = RULE_LIST.map((rule) => `| \`${rule.code}\` | ${rule.defaultSeverity} | ${rule.title} | ${rule.description.replace(/\|/g, '\\|')} | [docs](${rule.docsUrl}) |`);
  return ['| code | default | title | what Kubernetes does | rests on |', '|---|---|---|---|---|', ...rows].join('\n');
}

test('docs/diagnostics.md documents every diagnostic code as the registry defines it', () => {
  const doc = readFileSync(docPath, 'utf8');
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  assert.ok(begin >= 0 && end > begin, 'the generated-table markers are missing');
  const expected = `${doc.slice(0, begin + BEGIN.length)}\n${renderTable()}\n${doc.slice(end)}`;
  if (process.env.UPDATE_DOCS === '1' && doc !== expected) {
    writeFileSync(docPath, expected);
    return;
  }
  assert.equal(doc, expected, 'run the unit tests with UPDATE_DOCS=1 to regenerate the table');
});
