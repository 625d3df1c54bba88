// Parsing of `kube-images images|pull|rm|gc`: what is accepted, and the usage error for the rest.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseArguments, UsageError, type Invocation } from '../../server/src/cli/args';
import { DEFAULT_GC_POLICY } from '../../client/src/cri/gc/gcPolicy';

describe('node commands', () => {
  const accepted: readonly [string[], Invocation][] = [
    [['images'], { command: 'images', options: { endpoint: undefined, format: 'table' } }],
    [['images', '--endpoint', 'unix:///run/k3s/containerd/containerd.sock', '--format=json'], { command: 'images', options: { endpoint: 'unix:///run/k3s/containerd/containerd.sock', format: 'json' } }],
    [['pull', 'nginx:1.25'], { command: 'pull', options: { endpoint: undefined, reference: 'nginx:1.25' } }],
    [['rm', '--force', 'a:1', '--', '-odd'], { command: 'rm', options: { endpoint: undefined, references: ['a:1', '-odd'], force: true } }],
    [['gc', '--dry-run'], { command: 'gc', options: { endpoint: undefined, policy: DEFAULT_GC_POLICY, dryRun: true, format: 'table', capacityBytes: undefined } }],
    [
      ['gc', '--high', '90', '--low=70', '--min-age', '1h30m', '--max-age', '168h', '--capacity', '100GB', '--format', 'json', '--endpoint', 'ssh://n/run/containerd/containerd.sock'],
      {
        command: 'gc',
        options: {
          endpoint: 'ssh://n/run/containerd/containerd.sock',
          policy: { highThresholdPercent: 90, lowThresholdPercent: 70, minAgeMs: 5_400_000, maxAgeMs: 604_800_000 },
          dryRun: false,
          format: 'json',
          capacityBytes: 100e9,
        },
      },
    ],
    [['gc', '--help'], { command: 'help' }],
  ];
  for (const [args, expected] of accepted) {
    test(`accepts ${args.join(' ')}`, () => assert.deepEqual(parseArguments(args), expected));
  }

  const refused: readonly [string[], string, string][] = [
    [['images', 'extra'], "'images' takes no arguments besides options, but got 'extra'", 'images'],
    [['images', '--format', 'yaml'], "invalid value 'yaml' for --format: expected one of table, json", 'images'],
    [['images', '--force'], "unknown option '--force' for 'images'", 'images'],
    [['pull'], 'missing REF: name the image to pull', 'pull'],
    [['pull', 'a', 'b'], 'pull takes exactly one REF', 'pull'],
    [['rm'], 'missing REF: name at least one image to remove (a tag, a digest reference or an image id)', 'rm'],
    [['rm', '--force=yes', 'a'], "option '--force' takes no value", 'rm'],
    [['gc', '--high', '80', '--low', '90'], 'invalid GC policy: LowThresholdPercent 90 can not be higher than HighThresholdPercent 80', 'gc'],
    [['gc', '--high', '101'], 'invalid GC policy: invalid HighThresholdPercent 101, must be in range [0-100]', 'gc'],
    [['gc', '--min-age', '2 minutes'], 'invalid GC policy: "2 minutes" is not a duration: write it as Go does, e.g. 2m, 90s, 1h30m or 0', 'gc'],
    [['gc', '--min-age', '5m', '--max-age', '1m'], 'invalid GC policy: MaxAge 1m must be greater than MinAge 5m (or 0 to turn it off)', 'gc'],
    [['gc', '--capacity', 'lots'], 'invalid value for --capacity: "lots" is not a size: write bytes, or a number with a unit such as 500MB, 100GB or 50GiB', 'gc'],
    [['gc', '--high'], "option '--high' needs a value", 'gc'],
    [['gc', '--endpoint='], "option '--endpoint' needs an endpoint, e.g. unix:///run/containerd/containerd.sock", 'gc'],
    [['--format', 'json', 'images'], "'images' must come first, before any option", ''],
  ];
  for (const [args, message, command] of refused) {
    test(`refuses ${args.join(' ')}`, () => {
      assert.throws(
        () => parseArguments(args),
        (error: unknown) => error instanceof UsageError && error.message === message && (error.command ?? '') === command,
      );
    });
  }
});
