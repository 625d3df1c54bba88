/**
 * `WWW-Authenticate` challenges (RFC 9110 §11.6.1) as registries send them:
 * `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"`
 * or `Basic realm="Registry"`. Scheme and parameter names are case-insensitive, values are tokens
 * or quoted strings with backslash escapes, and one header (or several headers, which HTTP joins
 * with commas) may hold several challenges.
 */

export interface AuthChallenge {
  /** Lowercased: `bearer`, `basic`, … */
  readonly scheme: string;
  /** Parameter names lowercased; the first occurrence of a name wins. */
  readonly parameters: ReadonlyMap<string, string>;
}

/** The challenge this client answers: Bearer when offered (with a realm), else Basic. */
export type SupportedChallenge =
  | { readonly scheme: 'bearer'; readonly realm: string; readonly service: string | undefined }
  | { readonly scheme: 'basic' };

// RFC 9110 tchar.
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const WHITESPACE = /[ \t]/;

export function parseAuthChallenges(headerValues: string | readonly string[] | undefined): AuthChallenge[] {
  if (headerValues === undefined) return [];
  const values = typeof headerValues === 'string' ? [headerValues] : headerValues;
  return values.flatMap((value) => new ChallengeScanner(value).challenges());
}

export function selectChallenge(challenges: readonly AuthChallenge[]): SupportedChallenge | undefined {
  for (const challenge of challenges) {
    const realm = challenge.parameters.get('realm');
    if (challenge.scheme === 'bearer' && realm !== undefined && realm !== '') {
      return { scheme: 'bearer', realm, service: challenge.parameters.get('service') };
    }
  }
  return challenges.some((challenge) => challenge.scheme === 'basic') ? { scheme: 'basic' } : undefined;
}

class ChallengeScanner {
  private position = 0;

  constructor(private readonly text: string) {}

  challenges(): AuthChallenge[] {
    const found: AuthChallenge[] = [];
    for (;;) {
      this.skip(/[ \t,]/);
      if (this.position >= this.text.length) return found;
      const scheme = this.token();
      if (scheme === '') {
        // Not a challenge; resynchronise at the next comma rather than give up on the header.
        this.skipUntil(',');
        continue;
      }
      found.push({ scheme: scheme.toLowerCase(), parameters: this.parameters() });
    }
  }

  /** A token68 (as in `Negotiate abc==`) or auth-params (`name=value` pairs), up to the next scheme. */
  private parameters(): Map<string, string> {
    const parameters = new Map<string, string>();
    if (this.token68()) return parameters;
    for (;;) {
      const start = this.position;
      this.skip(/[ \t,]/);
      const name = this.token();
      this.skip(WHITESPACE);
      if (name === '' || this.text[this.position] !== '=') {
        // The next challenge's scheme, or the end: leave it to the caller.
        this.position = start;
        return parameters;
      }
      this.position += 1;
      this.skip(WHITESPACE);
      const value = this.text[this.position] === '"' ? this.quotedString() : this.token();
      const key = name.toLowerCase();
      if (!parameters.has(key)) parameters.set(key, value);
    }
  }

  /** Consumes a token68 that stands alone after the scheme; it carries nothing this client uses. */
  private token68(): boolean {
    const start = this.position;
    this.skip(WHITESPACE);
    const content = this.position;
    this.skip(/[A-Za-z0-9\-._~+/]/);
    if (this.position === content || start === content) {
      this.position = start;
      return false;
    }
    this.skip(/=/);
    this.skip(WHITESPACE);
    if (this.position >= this.text.length || this.text[this.position] === ',') return true;
    this.position = start;
    return false;
  }

  private quotedString(): string {
    let value = '';
    this.position += 1;
    while (this.position < this.text.length) {
      const char = this.text[this.position]!;
      this.position += 1;
      if (char === '"') return value;
      if (char === '\\' && this.position < this.text.length) {
        value += this.text[this.position];
        this.position += 1;
      } else {
        value += char;
      }
    }
    // An unterminated string: keep what was read, as lenient HTTP clients do.
    return value;
  }

  private token(): string {
    const start = this.position;
    while (this.position < this.text.length && TOKEN_CHAR.test(this.text[this.position]!)) this.position += 1;
    return this.text.slice(start, this.position);
  }

  private skip(pattern: RegExp): void {
    while (this.position < this.text.length && pattern.test(this.text[this.position]!)) this.position += 1;
  }

  private skipUntil(char: string): void {
    while (this.position < this.text.length && this.text[this.position] !== char) this.position += 1;
  }
}
