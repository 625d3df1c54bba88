/**
 * Sizes and durations in the words the plan's sentences use. Sizes are decimal (kB = 1000 B),
 * as crictl and Docker print image sizes, so our numbers match what the user sees there.
 */

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const;

/** `0 B`, `999 B`, `1.5 kB`, `123 MB`, `1.23 GB`: three significant digits above 1 kB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  if (bytes < 0) return `-${formatBytes(-bytes)}`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  let rounded = roundToThreeDigits(value);
  // Rounding can carry into the next unit (999.95 kB is 1 MB).
  if (rounded >= 1000 && unit < SIZE_UNITS.length - 1) {
    rounded = roundToThreeDigits(rounded / 1000);
    unit++;
  }
  return `${rounded} ${SIZE_UNITS[unit]}`;
}

/** For 1 ≤ value < 1000. */
function roundToThreeDigits(value: number): number {
  if (value >= 100) return Math.round(value);
  if (value >= 10) return Math.round(value * 10) / 10;
  return Math.round(value * 100) / 100;
}

const DURATION_UNITS: readonly (readonly [suffix: string, milliseconds: number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** `0s`, `250ms`, `45s`, `2m`, `1h 5m`, `3d 4h`, `2d`: the largest unit and, if not zero, the next, truncated. */
export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds)) return String(milliseconds);
  if (milliseconds < 0) return `-${formatDuration(-milliseconds)}`;
  if (milliseconds === 0) return '0s';
  if (milliseconds < 1000) return `${Math.floor(milliseconds)}ms`;
  let unit = 0;
  while (milliseconds < DURATION_UNITS[unit][1]) unit++;
  const [suffix, size] = DURATION_UNITS[unit];
  const count = Math.floor(milliseconds / size);
  const text = `${count}${suffix}`;
  if (unit === DURATION_UNITS.length - 1) return text;
  const [nextSuffix, nextSize] = DURATION_UNITS[unit + 1];
  const rest = Math.floor((milliseconds - count * size) / nextSize);
  return rest === 0 ? text : `${text} ${rest}${nextSuffix}`;
}
