/**
 * Asks the registry about every distinct lookup at once. The registry client bounds how many
 * requests go to each registry and caches answers; this only fans out, collects every outcome
 * (a failure is an outcome, never a rejection) and reports progress.
 */
import { RegistryError, type MissingPart, type RegistryErrorKind, type ResolvedImage } from '../registry/types';

/** The part of `RegistryClient` pinning needs, so tests and callers can pass any resolver. */
export interface ImageResolver {
  resolve(reference: string, options?: { signal?: AbortSignal; bypassCache?: boolean; includePlatforms?: boolean }): Promise<ResolvedImage>;
}

export type LookupOutcome =
  | { readonly ok: true; readonly image: ResolvedImage }
  | {
      readonly ok: false;
      readonly kind: RegistryErrorKind | 'internal';
      /** A sentence naming the reference and the registry, free of credentials (RegistryError's contract). */
      readonly message: string;
      /** For `not-found`, when the registry made clear what is missing. */
      readonly missing?: MissingPart;
    };

export interface ResolveOptions {
  readonly signal?: AbortSignal;
  /** Skip the client's cache: drift checks ask what the tag names now. */
  readonly bypassCache?: boolean;
  /** Called once per lookup as it settles, with how many have settled so far. */
  readonly onSettled?: (lookup: string, settled: number, total: number) => void;
}

export async function resolveLookups(resolver: ImageResolver, lookups: Iterable<string>, options: ResolveOptions = {}): Promise<Map<string, LookupOutcome>> {
  const distinct = [...new Set(lookups)];
  const outcomes = new Map<string, LookupOutcome>();
  let settled = 0;
  await Promise.all(
    distinct.map(async (lookup) => {
      outcomes.set(lookup, await resolveOne(resolver, lookup, options));
      settled += 1;
      options.onSettled?.(lookup, settled, distinct.length);
    }),
  );
  return outcomes;
}

async function resolveOne(resolver: ImageResolver, lookup: string, options: ResolveOptions = {}): Promise<LookupOutcome> {
  try {
    // An index's platforms are always read: which one a pin takes is decided from them
    // (`pinDigest`), so one answer serves every platform setting, drift checks and hovers.
    const image = await resolver.resolve(lookup, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.bypassCache === true ? { bypassCache: true } : {}),
      includePlatforms: true,
    });
    return { ok: true, image };
  } catch (error) {
    if (error instanceof RegistryError) {
      const failure = { ok: false, kind: error.kind, message: error.message } as const;
      return error.missing === undefined ? failure : { ...failure, missing: error.missing };
    }
    // Not the registry's answer but our own failure: said plainly, without a stack.
    return { ok: false, kind: 'internal', message: `looking up ${lookup} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
