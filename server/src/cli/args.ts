/**
 * Command-line parsing for `kube-images`. Small and strict on purpose: CI scripts depend on the
 * flags, so anything unknown is an error (exit 2) rather than silently ignored.
 */
import { RULES } from '../core/rules';
import type { SeverityOverrides } from '../core/severities';
import type { DiagnosticCode, SeveritySetting } from '../core/types';

export const OUTPUT_FORMATS = ['text', 'json', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['error', 'warning', 'information', 'hint', 'off'];

export interface CheckOptions {
  readonly format: OutputFormat;
  readonly severityOverrides: SeverityOverrides;
  /** Files and folders, as given. */
  readonly paths: readonly string[];
}

export type Invocation =
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | { readonly command: 'check'; readonly options: CheckOptions };

/** A mistake on the command line: reported with the usage text, exit status 2. */
export class UsageError extends Error {}

export const USAGE = `Usage: kube-images check [options] PATH...

Checks every container image reference in the Kubernetes manifests at PATH as the
kubelet will treat it. PATH is a file or a folder; folders are searched recursively
for *.yaml and *.yml files, skipping node_modules and folders whose names start with a dot.

Options:
  --format text|json|sarif   Output format (default: text). sarif is SARIF 2.1.0 for
                             code scanning uploads.
  --severity CODE=LEVEL      Set the level of a diagnostic code: error, warning,
                             information, hint or off. Repeatable.
  -h, --help                 Show this help and exit.
  -V, --version              Show the version and exit.
  --                         Treat every following argument as a PATH.

Exit status:
  0  no finding at error level (warnings allowed)
  1  at least one finding at error level
  2  bad usage, unreadable input, or a PATH without YAML files

Examples:
  kube-images check manifests/
  kube-images check --severity latest-tag=error --severity not-pinned=warning k8s/
  kube-images check --format sarif . > kube-images.sarif

Diagnostic codes and their default levels:
${Object.values(RULES)
  .map((rule) => `  ${rule.code.padEnd(24)} ${rule.defaultSeverity.padEnd(12)} ${rule.title}`)
  .join('\n')}
`;

/** What a usage error prints after its message: enough to correct the command, not the whole help. */
export const USAGE_HINT = `Usage: kube-images check [--format text|json|sarif] [--severity CODE=LEVEL] PATH...
Run 'kube-images --help' for details.
`;

/** Parses the arguments after `node cli.js`. Throws `UsageError` for anything it cannot accept. */
export function parseArguments(args: readonly string[]): Invocation {
  let command: string | undefined;
  let format: OutputFormat = 'text';
  const severityOverrides: SeverityOverrides = {};
  const paths: string[] = [];
  let onlyPathsFollow = false;

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyPathsFollow || !arg.startsWith('-') || arg === '-') {
      if (command === undefined) command = arg;
      else paths.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPathsFollow = true;
      continue;
    }
    if (arg === '-h' || arg === '--help') return { command: 'help' };
    if (arg === '-V' || arg === '--version') return { command: 'version' };

    // `--flag value` and `--flag=value` are both accepted for flags that take a value.
    const equals = arg.indexOf('=');
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    if (flag !== '--format' && flag !== '--severity') throw new UsageError(`unknown option '${flag}'`);
    let value: string;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined) throw new UsageError(`option '${flag}' needs a value`);
      value = next;
      i++;
    }
    if (flag === '--format') format = parseFormat(value);
    else {
      const [code, severity] = parseSeverityOverride(value);
      severityOverrides[code] = severity;
    }
  }

  if (command === undefined) throw new UsageError('missing command: use `kube-images check PATH...`');
  if (command !== 'check') throw new UsageError(`unknown command '${command}': the only command is 'check'`);
  if (paths.length === 0) throw new UsageError('missing PATH: give at least one file or folder to check');
  return { command: 'check', options: { format, severityOverrides, paths } };
}

function parseFormat(value: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((candidate) => candidate === value);
  if (format === undefined) {
    throw new UsageError(`invalid value '${value}' for --format: expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return format;
}

function parseSeverityOverride(value: string): [DiagnosticCode, SeveritySetting] {
  const equals = value.indexOf('=');
  if (equals === -1) {
    throw new UsageError(`invalid value '${value}' for --severity: expected CODE=LEVEL, e.g. latest-tag=off`);
  }
  const codeText = value.slice(0, equals);
  const severityText = value.slice(equals + 1);
  const code = (Object.keys(RULES) as DiagnosticCode[]).find((candidate) => candidate === codeText);
  if (code === undefined) {
    throw new UsageError(`unknown diagnostic code '${codeText}' in --severity: expected one of ${Object.keys(RULES).join(', ')}`);
  }
  const severity = SEVERITY_SETTINGS.find((candidate) => candidate === severityText);
  if (severity === undefined) {
    throw new UsageError(`invalid level '${severityText}' for ${code} in --severity: expected one of ${SEVERITY_SETTINGS.join(', ')}`);
  }
  return [code, severity];
}
