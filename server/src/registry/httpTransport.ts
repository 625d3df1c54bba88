/**
 * HTTP exchanges with registries and their token services, on undici: HTTPS with certificate
 * checks (plus a per-registry CA), plain HTTP only where allowed, redirects followed by hand so
 * that credentials never travel to another host, and bodies read whole under a size cap.
 *
 * undici's `request` is used rather than `fetch` because it takes a per-host `dispatcher` (Node
 * 20's global fetch has no CA option), keeps repeated `WWW-Authenticate` headers apart, and has
 * no "bad port" list that would refuse registries on ports such as 6000.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { rootCertificates } from 'node:tls';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { classifyNetworkError, type NetworkProblem } from './networkErrors';
import { isLoopbackHost, matchingHostEntry } from './registryHost';

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** A form body. A request with one never follows a redirect: the form may hold an identity token. */
  readonly form?: URLSearchParams;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Where the answer came from, after redirects and a fallback to plain HTTP. */
  readonly url: URL;
  /** True when a redirect led to another host: the answer is not the original host's. */
  readonly leftHost: boolean;
}

export type TransportFailureKind = 'unreachable' | 'timeout' | 'tls' | 'insecure-refused' | 'malformed';

/** A failed exchange, in our own words (no raw error text, which could quote a URL). */
export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';

  constructor(
    readonly kind: TransportFailureKind,
    /** host[:port] the failure concerns: the registry, its token service or a redirect target. */
    readonly host: string,
    readonly reason: string,
    readonly details: { readonly code?: string; readonly unknownAuthority?: boolean; readonly cause?: unknown } = {},
  ) {
    super(`${host}: ${reason}`, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

export interface TransportOptions {
  readonly insecureRegistries: readonly string[];
  readonly certificateAuthorities: Readonly<Record<string, string>>;
  readonly userAgent: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** distribution refuses manifests over 4 MiB; nothing else a registry sends us is larger. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class HttpTransport {
  private readonly defaultAgent = new Agent();
  /** One agent per configured CA entry, made when first needed. */
  private readonly caAgents = new Map<string, Agent>();
  /** Hosts allowed plain HTTP that turned out to serve only plain HTTP: later requests skip the HTTPS attempt. */
  private readonly plainHttpHosts = new Set<string>();

  constructor(private readonly options: TransportOptions) {}

  /** Sends `request`, following redirects; rejects with a `TransportFailure`, or with the signal's reason. */
  async exchange(request: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const originalHost = request.url.host;
    let url = request.url;
    for (let redirects = 0; ; redirects += 1) {
      const leftHost = url.host !== originalHost;
      // Credentials belong to the host they were made for; a redirect elsewhere goes without them.
      const headers = leftHost ? withoutAuthorization(request.headers) : request.headers;
      const answer = await this.sendOnce(url, request.method, headers, request.form, signal);
      const location = headerValue(answer.headers, 'location');
      if (!REDIRECT_STATUSES.has(answer.status) || location === undefined || request.form !== undefined) {
        const body = await this.readBody(answer, signal);
        return { status: answer.status, headers: answer.headers, body, url: answer.url, leftHost };
      }
      await answer.body.dump();
      if (redirects >= MAX_REDIRECTS) throw new TransportFailure('malformed', url.host, `more than ${MAX_REDIRECTS} redirects`);
      url = redirectTarget(location, answer.url);
    }
  }

  dispose(): void {
    for (const agent of [this.defaultAgent, ...this.caAgents.values()]) {
      agent.destroy().catch(() => undefined);
    }
    this.caAgents.clear();
  }

  private allowsPlainHttp(host: string): boolean {
    return isLoopbackHost(host) || matchingHostEntry(this.options.insecureRegistries, host) !== undefined;
  }

  /**
   * One HTTP exchange. An `https:` URL to a host allowed plain HTTP is tried over HTTPS first and
   * then over HTTP when the server does not speak TLS there, as docker does for such registries.
   */
  private async sendOnce(
    url: URL,
    method: HttpRequest['method'],
    headers: Readonly<Record<string, string>>,
    form: URLSearchParams | undefined,
    signal: AbortSignal,
  ): Promise<PendingResponse> {
    const host = url.host;
    if (url.protocol === 'http:' && !this.allowsPlainHttp(host)) {
      throw new TransportFailure('insecure-refused', host, 'the registry sent the client to a plain-HTTP address');
    }
    const target = url.protocol === 'https:' && this.plainHttpHosts.has(host) ? withProtocol(url, 'http:') : url;
    try {
      return await this.dispatch(target, method, headers, form, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      const problem = classifyNetworkError(error);
      if (target.protocol === 'https:' && this.allowsPlainHttp(host) && servesPlainHttpOnly(target, problem)) {
        const plain = withProtocol(url, 'http:');
        try {
          const answer = await this.dispatch(plain, method, headers, form, signal);
          this.plainHttpHosts.add(host);
          return answer;
        } catch (plainError) {
          if (signal.aborted) throw plainError;
          throw failureFrom(host, classifyNetworkError(plainError), plainError);
        }
      }
      if (problem.kind === 'plain-http') {
        throw new TransportFailure('insecure-refused', host, 'the registry answers in plain HTTP, not HTTPS', { code: problem.code });
      }
      throw failureFrom(host, problem, error);
    }
  }

  private async dispatch(
    url: URL,
    method: HttpRequest['method'],
    headers: Readonly<Record<string, string>>,
    form: URLSearchParams | undefined,
    signal: AbortSignal,
  ): Promise<PendingResponse> {
    const requestHeaders: Record<string, string> = { ...headers, 'user-agent': this.options.userAgent };
    if (form !== undefined) requestHeaders['content-type'] = 'application/x-www-form-urlencoded';
    const answer = await undiciRequest(url, {
      method,
      headers: requestHeaders,
      body: form?.toString(),
      signal,
      dispatcher: this.dispatcherFor(url.host),
    });
    return { status: answer.statusCode, headers: answer.headers, body: answer.body, url };
  }

  private dispatcherFor(host: string): Dispatcher {
    const entry = matchingHostEntry(Object.keys(this.options.certificateAuthorities), host);
    if (entry === undefined) return this.defaultAgent;
    let agent = this.caAgents.get(entry);
    if (agent === undefined) {
      // The registry's CA is trusted in addition to the usual ones, as docker's certs.d/HOST/ca.crt is.
      agent = new Agent({ connect: { ca: [...rootCertificates, this.options.certificateAuthorities[entry]!] } });
      this.caAgents.set(entry, agent);
    }
    return agent;
  }

  private async readBody(answer: PendingResponse, signal: AbortSignal): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of answer.body) {
        const bytes = chunk as Buffer;
        size += bytes.length;
        if (size > MAX_BODY_BYTES) {
          answer.body.destroy();
          throw new TransportFailure('malformed', answer.url.host, `the answer is larger than ${MAX_BODY_BYTES} bytes`);
        }
        chunks.push(bytes);
      }
    } catch (error) {
      if (signal.aborted || error instanceof TransportFailure) throw error;
      throw failureFrom(answer.url.host, classifyNetworkError(error), error);
    }
    return Buffer.concat(chunks);
  }
}

interface PendingResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Dispatcher.ResponseData['body'];
  readonly url: URL;
}

/** The first value of a header (undici gives repeated headers as an array). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether an HTTPS failure means "this server speaks plain HTTP here": OpenSSL read an HTTP
 * answer as a TLS record, or the server hung up on the handshake, or (with no port given) nothing
 * listens on 443.
 */
function servesPlainHttpOnly(url: URL, problem: NetworkProblem): boolean {
  if (problem.kind === 'plain-http') return true;
  if (problem.code === 'ECONNRESET' || problem.code === 'UND_ERR_SOCKET') return true;
  return problem.code === 'ECONNREFUSED' && url.port === '';
}

function failureFrom(host: string, problem: NetworkProblem, cause: unknown): TransportFailure {
  switch (problem.kind) {
    case 'tls':
      return new TransportFailure('tls', host, problem.reason, { code: problem.code, unknownAuthority: problem.unknownAuthority, cause });
    case 'plain-http':
      return new TransportFailure('insecure-refused', host, problem.reason, { code: problem.code, cause });
    default:
      return new TransportFailure(problem.kind, host, problem.reason, { ...(problem.code === undefined ? {} : { code: problem.code }), cause });
  }
}

function redirectTarget(location: string, base: URL): URL {
  let target: URL;
  try {
    target = new URL(location, base);
  } catch {
    throw new TransportFailure('malformed', base.host, 'it redirected to an invalid address');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new TransportFailure('malformed', base.host, `it redirected to an unsupported ${target.protocol} address`);
  }
  return target;
}

function withProtocol(url: URL, protocol: 'http:' | 'https:'): URL {
  const changed = new URL(url);
  changed.protocol = protocol;
  return changed;
}

function withoutAuthorization(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
}
