/**
 * The sentences a user reads when a lookup fails. Each names the reference and the registry and
 * says what to do next. None quotes a request, a header or a raw error text, so no credential can
 * end up in one.
 */
import type { TransportFailure } from './httpTransport';
import { registryApiHost } from './registryHost';
import { RegistryError, type MissingPart, type RegistryErrorDetails } from './types';

/** What every message needs to know about the lookup it reports on. */
export interface ErrorContext {
  /** The reference as the caller passed it. */
  readonly reference: string;
  /** The normalized reference being resolved, as messages show it. */
  readonly display: string;
  readonly registry: string;
  readonly repository: string;
}

/** Where a user configures what these messages point to; the VS Code and CLI adapters define them. */
export const REGISTRY_HINTS = {
  addCredentialsCommand: 'Kubernetes Images: Add Registry Credentials',
  insecureRegistriesSetting: 'kubeImages.registries.insecure',
  insecureRegistryFlag: '--insecure-registry',
  certificateAuthoritiesSetting: 'kubeImages.registries.certificateAuthorities',
  certificateAuthorityFlag: '--registry-ca',
} as const;

function details(context: ErrorContext, extra: Omit<RegistryErrorDetails, 'reference' | 'registry'> = {}): RegistryErrorDetails {
  return { reference: context.reference, registry: context.registry, ...extra };
}

/** `host` when it is not the registry itself (a token service, a redirect target). */
function via(context: ErrorContext, host: string): string {
  return host === context.registry || host === registryApiHost(context.registry) ? '' : ` (at ${host})`;
}

export function invalidReferenceError(reference: string, problem: string): RegistryError {
  return new RegistryError('invalid-reference', `"${reference}" is not a valid image reference: ${problem}.`, {
    reference,
    registry: '',
  });
}

export function cancelledError(context: ErrorContext): RegistryError {
  return new RegistryError('cancelled', `Resolving ${context.display} on registry ${context.registry} was cancelled.`, details(context));
}

export function timeoutError(context: ErrorContext, host: string, timeoutMs: number): RegistryError {
  const seconds = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 100) / 10} s` : `${timeoutMs} ms`;
  return new RegistryError(
    'timeout',
    `Registry ${context.registry}${via(context, host)} did not answer within ${seconds} while resolving ${context.display}.`,
    details(context),
  );
}

export function transportError(context: ErrorContext, failure: TransportFailure): RegistryError {
  const code = failure.details.code === undefined ? '' : ` (${failure.details.code})`;
  const where = via(context, failure.host);
  switch (failure.kind) {
    case 'insecure-refused':
      return new RegistryError(
        'insecure-refused',
        `Registry ${context.registry}${where} was not used to resolve ${context.display}: ${failure.reason}. ` +
          `Plain HTTP is used only for loopback registries and those you list: add "${failure.host}" to the setting ` +
          `\`${REGISTRY_HINTS.insecureRegistriesSetting}\` (CLI: \`${REGISTRY_HINTS.insecureRegistryFlag} ${failure.host}\`).`,
        details(context, { cause: failure }),
      );
    case 'tls': {
      const advice = failure.details.unknownAuthority
        ? ` If it uses a private certificate authority, configure that CA for ${failure.host} (setting ` +
          `\`${REGISTRY_HINTS.certificateAuthoritiesSetting}\`, CLI \`${REGISTRY_HINTS.certificateAuthorityFlag} ${failure.host}=CA.pem\`).`
        : '';
      return new RegistryError(
        'tls',
        `TLS failure talking to registry ${context.registry}${where} to resolve ${context.display}: ${failure.reason}${code}.${advice}`,
        details(context, { cause: failure }),
      );
    }
    case 'malformed':
      return malformedError(context, `${failure.reason}${where}`);
    case 'timeout':
      return new RegistryError(
        'timeout',
        `Registry ${context.registry}${where} did not answer in time while resolving ${context.display}: ${failure.reason}${code}.`,
        details(context, { cause: failure }),
      );
    case 'unreachable':
      return new RegistryError(
        'unreachable',
        `Cannot reach registry ${context.registry}${where} to resolve ${context.display}: ${failure.reason}${code}.`,
        details(context, { cause: failure }),
      );
  }
}

export function serverFailureError(context: ErrorContext, status: number, host: string): RegistryError {
  return new RegistryError(
    'unreachable',
    `Registry ${context.registry}${via(context, host)} failed while resolving ${context.display} (HTTP ${status}); try again later.`,
    details(context, { status }),
  );
}

export function malformedError(context: ErrorContext, problem: string, status?: number): RegistryError {
  return new RegistryError(
    'malformed',
    `Registry ${context.registry} sent an unusable answer for ${context.display}: ${problem}.`,
    details(context, { status }),
  );
}

export function rateLimitedError(context: ErrorContext, host: string, retryAfterSeconds: number | undefined): RegistryError {
  const when = retryAfterSeconds === undefined ? 'try again later' : `try again in ${retryAfterSeconds} s`;
  return new RegistryError(
    'rate-limited',
    `Registry ${context.registry}${via(context, host)} is limiting requests (HTTP 429) and did not resolve ${context.display}; ${when}.`,
    details(context, { status: 429, retryAfterSeconds }),
  );
}

export interface UnauthorizedDetails {
  readonly status: number | undefined;
  /** How many credentials the credential source offered (none worked); undefined when none were looked up. */
  readonly storedCredentials: number | undefined;
  /** What the credential source reported; it never holds secrets. */
  readonly warnings: readonly string[];
}

export function unauthorizedError(context: ErrorContext, outcome: UnauthorizedDetails): RegistryError {
  const status = outcome.status === undefined ? '' : ` (HTTP ${outcome.status})`;
  const stored =
    outcome.storedCredentials === undefined
      ? ''
      : outcome.storedCredentials === 0
        ? ' No credentials are stored for it.'
        : outcome.storedCredentials === 1
          ? ' The stored credential did not work.'
          : ` None of the ${outcome.storedCredentials} stored credentials worked.`;
  const warnings = outcome.warnings.length === 0 ? '' : ` Credential lookup: ${outcome.warnings.join('; ')}.`;
  return new RegistryError(
    'unauthorized',
    `Registry ${context.registry} refused access to ${context.display}${status}.${stored} ` +
      `Add credentials with \`docker login ${context.registry}\` or the VS Code command "${REGISTRY_HINTS.addCredentialsCommand}".${warnings}`,
    details(context, { status: outcome.status }),
  );
}

export function redirectedChallengeError(context: ErrorContext, host: string, status: number): RegistryError {
  return new RegistryError(
    'unauthorized',
    `Registry ${context.registry} redirected the request for ${context.display} to ${host}, which asks for credentials ` +
      `(HTTP ${status}); credentials are only ever sent to the registry itself.`,
    details(context, { status }),
  );
}

export type NotFound = { readonly missing: MissingPart; readonly name: string } | { readonly missing: undefined };

export function notFoundError(context: ErrorContext, notFound: NotFound): RegistryError {
  const prefix = `${context.display} was not found:`;
  let message: string;
  switch (notFound.missing) {
    case 'repository':
      message = `${prefix} registry ${context.registry} has no repository ${notFound.name}.`;
      break;
    case 'tag':
      message = `${prefix} repository ${context.repository} on registry ${context.registry} has no tag "${notFound.name}".`;
      break;
    case 'digest':
      message = `${prefix} repository ${context.repository} on registry ${context.registry} has no manifest ${notFound.name}.`;
      break;
    case undefined:
      message = `${prefix} registry ${context.registry} has no such tag or repository (HTTP 404).`;
      break;
  }
  return new RegistryError('not-found', message, {
    ...details(context),
    status: 404,
    missing: notFound.missing,
  });
}
