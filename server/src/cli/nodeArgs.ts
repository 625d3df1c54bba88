/**
 * Command-line parsing for the commands that act on a node's container runtime over CRI:
 * `images`, `pull`, `rm` and `gc`. As strict as `check`: anything unknown is a usage error.
 */
import type { GcPolicy } from '../../../client/src/cri/gc/gcPolicy';
import { gcPolicyFrom, parseByteSize } from '../../../client/src/nodes/gcPolicyInput';

export const NODE_COMMANDS = ['images', 'pull', 'rm', 'gc'] as const;
export type NodeCommand = (typeof NODE_COMMANDS)[number];
export const NODE_OUTPUT_FORMATS = ['table', 'json'] as const;
export type NodeOutputFormat = (typeof NODE_OUTPUT_FORMATS)[number];

interface NodeCommandOptions {
  /** `--endpoint`: undefined finds the runtime as crictl does. */
  readonly endpoint: string | undefined;
}

export interface ImagesOptions extends NodeCommandOptions {
  readonly format: NodeOutputFormat;
}

export interface PullOptions extends NodeCommandOptions {
  readonly reference: string;
}

export interface RemoveOptions extends NodeCommandOptions {
  readonly references: readonly string[];
  /** `--force`: remove in-use and pinned images too. */
  readonly force: boolean;
}

export interface GcOptions extends NodeCommandOptions {
  readonly policy: GcPolicy;
  readonly dryRun: boolean;
  readonly format: NodeOutputFormat;
  /** `--capacity`: the image filesystem's size, for a node this machine cannot measure. */
  readonly capacityBytes: number | undefined;
}

export type NodeInvocation =
  | { readonly command: 'images'; readonly options: ImagesOptions }
  | { readonly command: 'pull'; readonly options: PullOptions }
  | { readonly command: 'rm'; readonly options: RemoveOptions }
  | { readonly command: 'gc'; readonly options: GcOptions };

/** Flags each command accepts; `true` when the flag takes a value. */
const FLAGS: Readonly<Record<NodeCommand, ReadonlyMap<string, boolean>>> = {
  images: new Map([
    ['--endpoint', true],
    ['--format', true],
  ]),
  pull: new Map([['--endpoint', true]]),
  rm: new Map([
    ['--endpoint', true],
    ['--force', false],
  ]),
  gc: new Map([
    ['--endpoint', true],
    ['--high', true],
    ['--low', true],
    ['--min-age', true],
    ['--max-age', true],
    ['--capacity', true],
    ['--dry-run', false],
    ['--format', true],
  ]),
};

export const NODE_COMMAND_USAGE: Readonly<Record<NodeCommand, string>> = {
  images: 'Usage: kube-images images [--endpoint ENDPOINT] [--format table|json]',
  pull: 'Usage: kube-images pull [--endpoint ENDPOINT] REF',
  rm: 'Usage: kube-images rm [--endpoint ENDPOINT] [--force] REF...',
  gc: 'Usage: kube-images gc [--endpoint ENDPOINT] [--high 85] [--low 80] [--min-age 2m] [--max-age 0] [--capacity SIZE] [--dry-run] [--format table|json]',
};

export function isNodeCommand(argument: string | undefined): argument is NodeCommand {
  return NODE_COMMANDS.some((command) => command === argument);
}

/**
 * Parses the arguments after the command name. `fail` builds the caller's usage error (so
 * `args.ts` keeps one error type); it never returns.
 */
export function parseNodeCommandArguments(command: NodeCommand, args: readonly string[], fail: (message: string) => never): NodeInvocation {
  const flags = new Map<string, string[]>();
  const operands: string[] = [];
  let onlyOperandsFollow = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyOperandsFollow || !arg.startsWith('-') || arg === '-') {
      operands.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyOperandsFollow = true;
      continue;
    }
    const equals = arg.indexOf('=');
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    const takesValue = FLAGS[command].get(flag);
    if (takesValue === undefined) fail(`unknown option '${flag}' for '${command}'`);
    let value = '';
    if (!takesValue) {
      if (equals !== -1) fail(`option '${flag}' takes no value`);
    } else if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined) fail(`option '${flag}' needs a value`);
      value = next;
      i++;
    }
    flags.set(flag, [...(flags.get(flag) ?? []), value]);
  }

  // The last occurrence of a flag wins, as for `check --format`.
  const last = (flag: string): string | undefined => flags.get(flag)?.at(-1);
  const endpoint = last('--endpoint');
  if (endpoint !== undefined && endpoint.trim() === '') fail(`option '--endpoint' needs an endpoint, e.g. unix:///run/containerd/containerd.sock`);
  const format = (): NodeOutputFormat => {
    const text = last('--format') ?? 'table';
    const chosen = NODE_OUTPUT_FORMATS.find((candidate) => candidate === text);
    return chosen ?? fail(`invalid value '${text}' for --format: expected one of ${NODE_OUTPUT_FORMATS.join(', ')}`);
  };
  const noOperands = (): void => {
    if (operands.length > 0) fail(`'${command}' takes no arguments besides options, but got '${operands[0]}'`);
  };

  switch (command) {
    case 'images':
      noOperands();
      return { command, options: { endpoint, format: format() } };
    case 'pull':
      if (operands.length !== 1) fail(operands.length === 0 ? 'missing REF: name the image to pull' : 'pull takes exactly one REF');
      return { command, options: { endpoint, reference: operands[0] } };
    case 'rm':
      if (operands.length === 0) fail('missing REF: name at least one image to remove (a tag, a digest reference or an image id)');
      return { command, options: { endpoint, references: operands, force: flags.has('--force') } };
    case 'gc': {
      noOperands();
      const policy = gcPolicyFrom({
        highThresholdPercent: last('--high'),
        lowThresholdPercent: last('--low'),
        minAge: last('--min-age'),
        maxAge: last('--max-age'),
      });
      if (!policy.ok) fail(`invalid GC policy: ${policy.message}`);
      const capacityText = last('--capacity');
      const capacity = capacityText === undefined ? undefined : parseByteSize(capacityText);
      if (capacity !== undefined && !capacity.ok) fail(`invalid value for --capacity: ${capacity.message}`);
      if (capacity !== undefined && capacity.value === 0) fail('invalid value for --capacity: a filesystem of 0 bytes cannot hold images');
      return {
        command,
        options: { endpoint, policy: policy.value, dryRun: flags.has('--dry-run'), format: format(), capacityBytes: capacity?.value },
      };
    }
  }
}
