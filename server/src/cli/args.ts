/**
 * Command-line parsing for `kube-images`. Small and strict on purpose: CI scripts depend on the
 * flags, so anything unknown is an error (exit 2) rather than silently ignored.
 */
import { RULES } from '../core/rules';
import type { SeverityOverrides } from '../core/severities';
import type { DiagnosticCode, SeveritySetting } from '../core/types';
import { isNodeCommand, NODE_COMMAND_USAGE, parseNodeCommandArguments, type NodeCommand, type NodeInvocation } from './nodeArgs';

export const OUTPUT_FORMATS = ['text', 'json', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const PIN_OUTPUT_FORMATS = ['text', 'json'] as const;
export type PinOutputFormat = (typeof PIN_OUTPUT_FORMATS)[number];

const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['error', 'warning', 'information', 'hint', 'off'];

export interface CheckOptions {
  readonly format: OutputFormat;
  readonly severityOverrides: SeverityOverrides;
  /** `--resolve`: look tags up in their registries for `digest-drift` and `tag-not-found`. */
  readonly resolve: boolean;
  /** `--insecure-registry`: hosts reached over plain HTTP besides loopback ones. */
  readonly insecureRegistries: readonly string[];
  /** `--registry-ca HOST=FILE`: a PEM CA certificate per registry, for private certificate authorities. */
  readonly registryCertificateAuthorities: Readonly<Record<string, string>>;
  /** Files and folders, as given. */
  readonly paths: readonly string[];
}

export interface PinOptions {
  readonly format: PinOutputFormat;
  /** `--dry-run`: print the changes, write nothing. */
  readonly dryRun: boolean;
  readonly insecureRegistries: readonly string[];
  readonly registryCertificateAuthorities: Readonly<Record<string, string>>;
  readonly paths: readonly string[];
}

export type Invocation =
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | { readonly command: 'check'; readonly options: CheckOptions }
  | { readonly command: 'pin'; readonly options: PinOptions }
  | NodeInvocation;

type Command = 'check' | 'pin';

/** A mistake on the command line: reported with the usage text of `command` (when known), exit status 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command | NodeCommand,
  ) {
    super(message);
  }
}

export const USAGE = `Usage: kube-images check [options] PATH...
       kube-images pin [options] PATH...
       kube-images images|pull|rm|gc [--endpoint ENDPOINT] [options] [REF...]

check  Checks every container image reference in the Kubernetes manifests at PATH as
       the kubelet will treat it.
pin    Pins every image reference at PATH to the digest its tag names now, in place:
       repo:tag becomes repo:tag@sha256:..., the tag kept as written (a multi-platform
       image gets its index digest). Only the references change; quoting, comments
       and layout stay as they are.

images Lists the images on a node's container runtime (CRI), with the containers
       using each (in every state, as the kubelet counts them) and pinned images.
pull   Pulls REF onto the node as the kubelet would: normalized, :latest when no
       tag or digest is given, with docker's credentials for its registry if any,
       else anonymously.
rm     Removes each image REF names (a tag, a digest reference or an image id),
       with all its tags. Refuses an image a container uses or the runtime pinned:
       the runtime itself would delete it from under the container.
gc     Garbage-collects images exactly as the kubelet does (thresholds, MinAge,
       MaxAge, eviction order), after checking each image again just before it
       is removed.

PATH is a file or a folder; folders are searched recursively for *.yaml and *.yml
files, skipping node_modules and folders whose names start with a dot.

Options of check:
  --format text|json|sarif   Output format (default: text). sarif is SARIF 2.1.0 for
                             code scanning uploads.
  --severity CODE=LEVEL      Set the level of a diagnostic code: error, warning,
                             information, hint or off. Repeatable.
  --resolve                  Also ask the registries what each tag names now: adds
                             digest-drift (a pinned digest the tag has moved away
                             from) and tag-not-found findings.

Options of pin:
  --dry-run                  Print what would change; write nothing.
  --format text|json         Output format (default: text). json is
                             {"changes":[{"path","range","from","to"}],
                              "errors":[{"image","message"}]}.

Options of images, pull, rm and gc:
  --endpoint ENDPOINT        The runtime's CRI endpoint: unix:///path/to.sock,
                             tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]/path/to.sock
                             (forwarded by your ssh client, keys or agent). Default:
                             found as crictl finds it (CONTAINER_RUNTIME_ENDPOINT,
                             IMAGE_SERVICE_ENDPOINT, /etc/crictl.yaml, then the
                             containerd, CRI-O and cri-dockerd default sockets).
  --format table|json        Output format of images and gc (default: table). json:
                             images {"node":{"runtimeName","runtimeVersion"},
                               "images":[{"id","repoTags","repoDigests","size",
                               "pinned","inUseBy":[container ids]}],
                               "imageFs":[{"mountpoint","usedBytes"}]}
                             gc {"target":{"bytes"},"remove":[{"id","repoTags",
                               "size","reason","detail"}],"keep":[{"id","repoTags",
                               "size","reason","detail"}],"freed","summary","notes",
                               "failed":[{"id","message"}]}
  --force                    rm: remove in-use and pinned images too.
  --high PERCENT             gc: usage that starts the space pass (default 85).
  --low PERCENT              gc: usage the space pass frees down to (default 80).
  --min-age DURATION         gc: images first seen less than this long ago are not
                             removed for space (default 2m; Go syntax: 90s, 1h30m).
  --max-age DURATION         gc: remove images unused for longer than this, whatever
                             the usage (default 0: off).
  --capacity SIZE            gc: the image filesystem's size (e.g. 100GB, 50GiB) for
                             a tcp:// or ssh:// node, whose filesystem cannot be
                             measured from here; without it the space pass is
                             skipped. A local node's filesystem is measured.
  --dry-run                  gc: print the plan; remove nothing.

The kubelet remembers when it first saw each image and when a container last used
it; runtimes do not. images and gc record what they see per node in
$XDG_STATE_HOME/kube-images/image-history/ (default ~/.local/state/...), and gc
judges MinAge and last use from that history: on a node the CLI has not seen
before, every image counts as first seen now, so only --min-age 0 lets the space
pass remove anything on a first run, as on a kubelet that has just started.

Options of check and pin:
  --insecure-registry HOST[:PORT]
                             Reach this registry over plain HTTP. Loopback registries
                             (localhost, 127.0.0.0/8, [::1]) always may. Repeatable.
  --registry-ca HOST[:PORT]=FILE
                             Trust the CA certificate in FILE (PEM) for this registry,
                             besides the system's. Repeatable.

Options of every command:
  -h, --help                 Show this help and exit.
  -V, --version              Show the version and exit.
  --                         Treat every following argument as a PATH (or REF).

Registry credentials (for check --resolve, pin and pull) are found as docker finds
them: $DOCKER_CONFIG/config.json or ~/.docker/config.json (auths, credHelpers,
credsStore) and DOCKER_AUTH_CONFIG.

Exit status of check:
  0  no finding at error level (warnings allowed)
  1  at least one finding at error level
  2  bad usage, unreadable input, or a PATH without YAML files
Exit status of pin:
  0  every image pinned (or nothing to pin)
  1  some images could not be pinned (the others are written)
  2  bad usage, unreadable input, a PATH without YAML files, or a file not written
Exit status of images, pull, rm and gc:
  0  done: listed, pulled, every image removed, or the GC target reached
  1  not all done: the registry refused the pull, an image was refused or could
     not be removed, or GC could not free the bytes it wanted
  2  bad usage, or the runtime could not be reached

Examples:
  kube-images check manifests/
  kube-images check --severity latest-tag=error --severity not-pinned=warning k8s/
  kube-images check --format sarif . > kube-images.sarif
  kube-images check --resolve k8s/
  kube-images pin --dry-run k8s/
  kube-images pin --insecure-registry registry.lan:5000 k8s/
  kube-images images --format json
  sudo kube-images rm docker.io/library/nginx:1.25
  kube-images gc --endpoint ssh://admin@node-1/run/containerd/containerd.sock --capacity 100GB --dry-run

Diagnostic codes and their default levels:
${Object.values(RULES)
  .map((rule) => `  ${rule.code.padEnd(24)} ${rule.defaultSeverity.padEnd(12)} ${rule.title}`)
  .join('\n')}
`;

const COMMAND_USAGE: Readonly<Record<Command, string>> = {
  check: 'Usage: kube-images check [--format text|json|sarif] [--severity CODE=LEVEL] [--resolve] PATH...',
  pin: 'Usage: kube-images pin [--dry-run] [--format text|json] [--insecure-registry HOST[:PORT]] PATH...',
};

/** What a usage error prints after its message: enough to correct the command, not the whole help. */
export function usageHint(command: Command | NodeCommand | undefined): string {
  const usage = isNodeCommand(command) ? NODE_COMMAND_USAGE[command] : COMMAND_USAGE[command ?? 'check'];
  return `${usage}\nRun 'kube-images --help' for details.\n`;
}

/** Flags each command accepts; `true` when the flag takes a value. */
const FLAGS: Readonly<Record<Command, ReadonlyMap<string, boolean>>> = {
  check: new Map([
    ['--format', true],
    ['--severity', true],
    ['--resolve', false],
    ['--insecure-registry', true],
    ['--registry-ca', true],
  ]),
  pin: new Map([
    ['--format', true],
    ['--dry-run', false],
    ['--insecure-registry', true],
    ['--registry-ca', true],
  ]),
};

/** Parses the arguments after `node cli.js`. Throws `UsageError` for anything it cannot accept. */
export function parseArguments(args: readonly string[]): Invocation {
  const [first, ...rest] = args;
  if (isNodeCommand(first)) {
    if (rest.includes('-h') || rest.includes('--help')) return { command: 'help' };
    return parseNodeCommandArguments(first, rest, (message) => {
      throw new UsageError(message, first);
    });
  }
  let commandArgument: string | undefined;
  const flags: { readonly flag: string; readonly value: string | undefined }[] = [];
  const paths: string[] = [];
  let onlyPathsFollow = false;

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyPathsFollow || !arg.startsWith('-') || arg === '-') {
      if (commandArgument === undefined) commandArgument = arg;
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
    const takesValue = FLAGS.check.get(flag) ?? FLAGS.pin.get(flag);
    if (takesValue === undefined) throw new UsageError(`unknown option '${flag}'`, commandOf(commandArgument));
    if (!takesValue) {
      if (equals !== -1) throw new UsageError(`option '${flag}' takes no value`, commandOf(commandArgument));
      flags.push({ flag, value: undefined });
    } else if (equals !== -1) {
      flags.push({ flag, value: arg.slice(equals + 1) });
    } else {
      const next = args[i + 1];
      if (next === undefined) throw new UsageError(`option '${flag}' needs a value`, commandOf(commandArgument));
      flags.push({ flag, value: next });
      i++;
    }
  }

  if (commandArgument === undefined) {
    throw new UsageError('missing command: use `kube-images check PATH...`, `kube-images pin PATH...` or `kube-images images` (see --help)');
  }
  const command = commandOf(commandArgument);
  if (command === undefined) {
    throw new UsageError(
      isNodeCommand(commandArgument)
        ? `'${commandArgument}' must come first, before any option`
        : `unknown command '${commandArgument}': the commands are 'check', 'pin', 'images', 'pull', 'rm' and 'gc'`,
    );
  }
  for (const { flag } of flags) {
    if (!FLAGS[command].has(flag)) throw new UsageError(`option '${flag}' does not apply to '${command}'`, command);
  }
  if (paths.length === 0) throw new UsageError(`missing PATH: give at least one file or folder to ${command}`, command);
  const valuesOf = (flag: string): string[] => flags.filter((entry) => entry.flag === flag).map((entry) => entry.value ?? '');
  const has = (flag: string): boolean => flags.some((entry) => entry.flag === flag);
  const insecureRegistries = valuesOf('--insecure-registry').map((host) => parseRegistryHost('--insecure-registry', host, command));
  const registryCertificateAuthorities: Record<string, string> = {};
  for (const value of valuesOf('--registry-ca')) {
    const equals = value.indexOf('=');
    if (equals <= 0 || equals === value.length - 1) {
      throw new UsageError(`invalid value '${value}' for --registry-ca: expected HOST[:PORT]=FILE, e.g. registry.lan:5000=ca.pem`, command);
    }
    registryCertificateAuthorities[parseRegistryHost('--registry-ca', value.slice(0, equals), command)] = value.slice(equals + 1);
  }
  // The last --format wins, as it did before there were two commands.
  const formatText = valuesOf('--format').at(-1);

  if (command === 'pin') {
    const format = formatText === undefined ? 'text' : parseFormat(formatText, PIN_OUTPUT_FORMATS, command);
    return { command, options: { format, dryRun: has('--dry-run'), insecureRegistries, registryCertificateAuthorities, paths } };
  }
  const severityOverrides: SeverityOverrides = {};
  for (const value of valuesOf('--severity')) {
    const [code, severity] = parseSeverityOverride(value);
    severityOverrides[code] = severity;
  }
  const format = formatText === undefined ? 'text' : parseFormat(formatText, OUTPUT_FORMATS, command);
  return { command, options: { format, severityOverrides, resolve: has('--resolve'), insecureRegistries, registryCertificateAuthorities, paths } };
}

function commandOf(argument: string | undefined): Command | undefined {
  return argument === 'check' || argument === 'pin' ? argument : undefined;
}

/** `HOST[:PORT]`, as the registry appears in image references: no scheme, no path. */
function parseRegistryHost(flag: string, value: string, command: Command): string {
  if (!/^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:]+\])(?::\d+)?$/.test(value)) {
    throw new UsageError(`invalid value '${value}' for ${flag}: expected HOST[:PORT], e.g. registry.lan:5000`, command);
  }
  return value;
}

function parseFormat<T extends string>(value: string, formats: readonly T[], command: Command): T {
  const format = formats.find((candidate) => candidate === value);
  if (format === undefined) {
    throw new UsageError(`invalid value '${value}' for --format: expected one of ${formats.join(', ')}`, command);
  }
  return format;
}

function parseSeverityOverride(value: string): [DiagnosticCode, SeveritySetting] {
  const equals = value.indexOf('=');
  if (equals === -1) {
    throw new UsageError(`invalid value '${value}' for --severity: expected CODE=LEVEL, e.g. latest-tag=off`, 'check');
  }
  const codeText = value.slice(0, equals);
  const severityText = value.slice(equals + 1);
  const code = (Object.keys(RULES) as DiagnosticCode[]).find((candidate) => candidate === codeText);
  if (code === undefined) {
    throw new UsageError(`unknown diagnostic code '${codeText}' in --severity: expected one of ${Object.keys(RULES).join(', ')}`, 'check');
  }
  const severity = SEVERITY_SETTINGS.find((candidate) => candidate === severityText);
  if (severity === undefined) {
    throw new UsageError(`invalid level '${severityText}' for ${code} in --severity: expected one of ${SEVERITY_SETTINGS.join(', ')}`, 'check');
  }
  return [code, severity];
}
