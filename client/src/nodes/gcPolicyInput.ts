// A GC policy as people write it: percentages, and ages in the kubelet configuration's duration
// syntax (Go's time.ParseDuration: `2m`, `1h30m`, `0`), plus byte sizes for a filesystem whose
// capacity must be entered by hand (`100GB`, `50GiB`, `250000000`).
import { DEFAULT_GC_POLICY, validateGcPolicy, type GcPolicy } from '../cri/gc/gcPolicy';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds for a Go duration: a sequence of decimal numbers with units, e.g. `1h30m`, `2.5s`, or `0`. */
export function parseGoDuration(text: string): Parsed<number> {
  const input = text.trim();
  const problem = { ok: false, message: `"${text}" is not a duration: write it as Go does, e.g. 2m, 90s, 1h30m or 0` } as const;
  if (input === '0') return { ok: true, value: 0 };
  const negative = input.startsWith('-');
  const body = negative || input.startsWith('+') ? input.slice(1) : input;
  if (body === '') return problem;
  let total = 0;
  let rest = body;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (match === null) return problem;
    total += Number(match[1]) * DURATION_UNITS[match[2]];
    rest = rest.slice(match[0].length);
  }
  return { ok: true, value: negative ? -total : total };
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  p: 1e15,
  pb: 1e15,
  ki: 2 ** 10,
  kib: 2 ** 10,
  mi: 2 ** 20,
  mib: 2 ** 20,
  gi: 2 ** 30,
  gib: 2 ** 30,
  ti: 2 ** 40,
  tib: 2 ** 40,
  pi: 2 ** 50,
  pib: 2 ** 50,
};

/** Bytes for `250000000`, `100GB` or `100G` (decimal, as image sizes are shown), `50GiB` or `50Gi` (binary). */
export function parseByteSize(text: string): Parsed<number> {
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text.trim());
  const unit = match === null ? undefined : BYTE_UNITS[match[2].toLowerCase()];
  if (match === null || unit === undefined) {
    return { ok: false, message: `"${text}" is not a size: write bytes, or a number with a unit such as 500MB, 100GB or 50GiB` };
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) return { ok: false, message: `"${text}" is too large` };
  return { ok: true, value: bytes };
}

export interface GcPolicyText {
  readonly highThresholdPercent?: number | string;
  readonly lowThresholdPercent?: number | string;
  readonly minAge?: string;
  readonly maxAge?: string;
}

/** A policy from settings or flags, the kubelet's default for anything not given, with every problem found. */
export function gcPolicyFrom(input: GcPolicyText): Parsed<GcPolicy> {
  const problems: string[] = [];
  const percent = (value: number | string | undefined, fallback: number, name: string): number => {
    if (value === undefined) return fallback;
    const number = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(number)) problems.push(`${name} "${value}" is not a number`);
    return number;
  };
  const duration = (value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const parsed = parseGoDuration(value);
    if (!parsed.ok) problems.push(parsed.message);
    return parsed.ok ? parsed.value : fallback;
  };
  const policy: GcPolicy = {
    highThresholdPercent: percent(input.highThresholdPercent, DEFAULT_GC_POLICY.highThresholdPercent, 'the high threshold'),
    lowThresholdPercent: percent(input.lowThresholdPercent, DEFAULT_GC_POLICY.lowThresholdPercent, 'the low threshold'),
    minAgeMs: duration(input.minAge, DEFAULT_GC_POLICY.minAgeMs),
    maxAgeMs: duration(input.maxAge, DEFAULT_GC_POLICY.maxAgeMs),
  };
  if (problems.length === 0) problems.push(...validateGcPolicy(policy));
  return problems.length === 0 ? { ok: true, value: policy } : { ok: false, message: problems.join('; ') };
}
