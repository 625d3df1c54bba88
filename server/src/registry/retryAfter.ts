/**
 * `Retry-After` (RFC 9110 §10.2.3): either a number of seconds or an HTTP date. Answers whole
 * seconds from `nowMs`, never negative, or `undefined` when the value is neither form.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // Only the date forms HTTP allows contain a comma or a month name; plain numbers with signs or
  // fractions are invalid, and Date.parse would accept some of them as years.
  if (!/[A-Za-z]/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
