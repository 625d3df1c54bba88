/**
 * SARIF 2.1.0 output for code scanning uploads (e.g. GitHub's `upload-sarif`): one run, the rule
 * catalogue from `RULES`, one result per finding. Columns are UTF-16 code units, like LSP's.
 */
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES } from '../../core/rules';
import type { SeveritySetting } from '../../core/types';
import type { FileReport } from '../report';

export interface SarifTool {
  readonly version: string;
  /** Where users learn about the tool; omitted when the package does not say. */
  readonly informationUri: string | undefined;
}

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

const LEVELS: Readonly<Record<SeveritySetting, SarifLevel>> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  // SARIF has no level below `note`; a hint is still worth showing.
  hint: 'note',
  off: 'none',
};

/** Relative paths are resolved against the folder the check ran in, named by this base id. */
const SOURCE_ROOT = '%SRCROOT%';

export function formatSarif(reports: readonly FileReport[], tool: SarifTool, cwd: string): string {
  const rules = Object.values(RULES);
  const ruleIndexes = new Map(rules.map((rule, index) => [rule.code, index]));
  const results = reports.flatMap((report) =>
    report.diagnostics.map((diagnostic) => ({
      ruleId: diagnostic.code,
      ruleIndex: ruleIndexes.get(diagnostic.code),
      level: LEVELS[diagnostic.severity],
      message: { text: diagnostic.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifactLocation(report.path),
            region: {
              startLine: diagnostic.range.start.line + 1,
              startColumn: diagnostic.range.start.character + 1,
              endLine: diagnostic.range.end.line + 1,
              endColumn: diagnostic.range.end.character + 1,
            },
          },
        },
      ],
    })),
  );

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kube-images',
            version: tool.version,
            semanticVersion: tool.version,
            ...(tool.informationUri === undefined ? {} : { informationUri: tool.informationUri }),
            rules: rules.map((rule) => ({
              id: rule.code,
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.description },
              helpUri: rule.docsUrl,
              defaultConfiguration:
                rule.defaultSeverity === 'off' ? { enabled: false, level: 'none' } : { level: LEVELS[rule.defaultSeverity] },
            })),
          },
        },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: `${pathToFileURL(cwd).href.replace(/\/?$/, '/')}` } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

/** SARIF wants URIs: forward slashes and percent-encoding; relative ones name their base. */
function artifactLocation(path: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(path)) return { uri: pathToFileURL(path).href };
  const uri = path.split(sep).map(encodeURIComponent).join('/');
  return { uri, uriBaseId: SOURCE_ROOT };
}
