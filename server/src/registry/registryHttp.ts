/**
 * One request to a registry host as the client makes it: a concurrency slot for the host, a
 * timeout per request on top of the caller's cancellation, one bounded retry when a 429 asks for
 * a short wait, and every failure turned into a `RegistryError` that names the lookup.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ConcurrencyLimiter } from './concurrencyLimiter';
import { headerValue, TransportFailure, type HttpRequest, type HttpResponse, type HttpTransport } from './httpTransport';
import { cancelledError, rateLimitedError, timeoutError, transportError, type ErrorContext } from './registryErrors';
import { parseRetryAfter } from './retryAfter';

export interface RequestContext extends ErrorContext {
  /** Aborts when every caller waiting for this lookup has given up, or the client is disposed. */
  readonly signal: AbortSignal;
}

/** Waits up to this long when a 429 says when to come back; a longer wait is the caller's decision. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 3;

export class RegistryHttp {
  constructor(
    private readonly transport: HttpTransport,
    private readonly limiter: ConcurrencyLimiter,
    private readonly requestTimeoutMs: number,
    private readonly now: () => number,
  ) {}

  /** Any answer but 429; a 429 after the one permitted retry becomes a `rate-limited` error. */
  async send(context: RequestContext, request: HttpRequest): Promise<HttpResponse> {
    const host = request.url.host;
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.sendOnce(context, request);
      if (response.status !== 429) return response;
      const retryAfterSeconds = parseRetryAfter(headerValue(response.headers, 'retry-after'), this.now());
      if (attempt > 1 || retryAfterSeconds === undefined || retryAfterSeconds > MAX_RATE_LIMIT_WAIT_SECONDS) {
        throw rateLimitedError(context, host, retryAfterSeconds);
      }
      try {
        await delay(retryAfterSeconds * 1000, undefined, { signal: context.signal });
      } catch {
        throw cancelledError(context);
      }
    }
  }

  private async sendOnce(context: RequestContext, request: HttpRequest): Promise<HttpResponse> {
    const host = request.url.host;
    let timeout: AbortSignal | undefined;
    try {
      return await this.limiter.run(
        host,
        () => {
          // The clock starts when the request is sent, not while it waits for a slot.
          timeout = AbortSignal.timeout(this.requestTimeoutMs);
          return this.transport.exchange(request, AbortSignal.any([context.signal, timeout]));
        },
        context.signal,
      );
    } catch (error) {
      if (context.signal.aborted) throw cancelledError(context);
      if (timeout?.aborted) throw timeoutError(context, host, this.requestTimeoutMs);
      if (error instanceof TransportFailure) throw transportError(context, error);
      throw error;
    }
  }
}
