/**
 * The token endpoint's answer (docker's token flow and OAuth2 alike): `access_token` and/or
 * `token`, `expires_in` in seconds (FACTS.md §6).
 */

/** Docker's client treats a missing or shorter lifetime as one minute, and so do we. */
export const MINIMUM_TOKEN_LIFETIME_SECONDS = 60;

export interface IssuedToken {
  readonly token: string;
  readonly expiresInSeconds: number;
}

/** The token and how long to reuse it, or `undefined` when the body holds no token. */
export function parseTokenResponse(body: string): IssuedToken | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const fields = parsed as Record<string, unknown>;
  // OAuth2 names it access_token; docker's flow may send both, and then access_token wins.
  const token = nonEmptyString(fields['access_token']) ?? nonEmptyString(fields['token']);
  if (token === undefined) return undefined;
  const expiresIn = fields['expires_in'];
  const expiresInSeconds =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn >= MINIMUM_TOKEN_LIFETIME_SECONDS
      ? Math.floor(expiresIn)
      : MINIMUM_TOKEN_LIFETIME_SECONDS;
  return { token, expiresInSeconds };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
