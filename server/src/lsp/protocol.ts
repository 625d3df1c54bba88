/**
 * The custom messages between the VS Code extension and the language server, beyond LSP. The
 * client imports this file too, so both ends agree on names and shapes at compile time. Each is
 * a namespace with its `method` and `type`, and says which way it travels.
 *
 * Other editors need none of them: without them the server works offline, and pins through the
 * standard `codeAction/resolve`.
 */
import { NotificationType0, ProtocolRequestType, RequestType, RequestType0, type WorkDoneProgressParams, type WorkspaceEdit } from 'vscode-languageserver-protocol';
import { canonicalHost } from '../registry/registryHost';
import type { RegistryCredential } from '../registry/types';

/** What the client announces in `initialize`'s `initializationOptions`. */
export interface KubeImagesInitializationOptions {
  /**
   * VS Code workspace trust. `false`: no request leaves the machine (no registry lookups, no
   * credential requests). Absent (editors without workspace trust): lookups happen only when
   * the user asks for them or turns drift checks on, as in a trusted workspace.
   */
  readonly workspaceTrusted?: boolean;
  /** The client answers `kubeImages/registryCredentials`. */
  readonly registryCredentials?: boolean;
}

/** Reads what a client sent; anything but a boolean counts as not sent. */
export function readInitializationOptions(value: unknown): KubeImagesInitializationOptions {
  if (typeof value !== 'object' || value === null) return {};
  const { workspaceTrusted, registryCredentials } = value as Record<string, unknown>;
  return {
    ...(typeof workspaceTrusted === 'boolean' ? { workspaceTrusted } : {}),
    ...(typeof registryCredentials === 'boolean' ? { registryCredentials } : {}),
  };
}

/** The message shown wherever a registry lookup is withheld from an untrusted workspace. */
export const UNTRUSTED_WORKSPACE_REASON = 'Trust this workspace to look up digests in registries';

export interface PinAllParams extends WorkDoneProgressParams {
  readonly uri: string;
  /** The document version the client shows; the server refuses to plan edits for another one. */
  readonly version: number;
}

export interface PinFailureReport {
  readonly image: string;
  readonly message: string;
}

export interface PinAllResult {
  /** Edits for every reference that resolved, as one `TextDocumentEdit` for `version`. */
  readonly edit: WorkspaceEdit;
  readonly failures: readonly PinFailureReport[];
}

/**
 * Client → server: pin every image of a document to its digest. Distinct references are
 * resolved concurrently, with work-done progress when the client passes a `workDoneToken`, and
 * the request honours `$/cancelRequest`. A cancelled request answers with an error, never a
 * partial edit.
 */
export namespace PinAllRequest {
  export const method = 'kubeImages/pinAll';
  export const type = new ProtocolRequestType<PinAllParams, PinAllResult, never, void, void>(method);
}

export interface CheckDriftParams {
  readonly uri: string;
}

export interface CheckDriftResult {
  /** References looked up. */
  readonly checked: number;
  /** Pinned references whose tag now names other content. */
  readonly drifted: number;
  /** References whose tag or repository the registry does not know. */
  readonly notFound: number;
  /** Lookups that failed for another reason (credentials, network), one message each. */
  readonly failures: readonly PinFailureReport[];
}

/**
 * Client → server: look up every tag of a document now (the command "Check Pinned Images for
 * Drift"), keep drift checks on for it until it closes, and publish the findings as diagnostics.
 */
export namespace CheckDriftRequest {
  export const method = 'kubeImages/checkDrift';
  export const type = new RequestType<CheckDriftParams, CheckDriftResult, void>(method);
}

/** Client → server: the user trusted the workspace; registry lookups may now happen. */
export namespace WorkspaceTrustGrantedNotification {
  export const method = 'kubeImages/workspaceTrustGranted';
  export const type = new NotificationType0(method);
}

/**
 * Client → server: credentials stored in VS Code changed (added or removed, in any window). The
 * server forgets tokens and answers obtained with the old ones, so a removed credential is not
 * used again through a cached token.
 */
export namespace RegistryCredentialsChangedNotification {
  export const method = 'kubeImages/registryCredentialsChanged';
  export const type = new NotificationType0(method);
}

export interface RegistryCredentialsParams {
  /** Normalized registry host, as in image references: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  readonly registry: string;
  readonly repository: string;
}

/** Hosts docker and its users write for Docker Hub, which image references call `docker.io`. */
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/**
 * A registry as the user may type it (`https://index.docker.io/v1/`, `GHCR.io`, `localhost:5000`)
 * in the form `RegistryCredentialsParams.registry` uses, so both ends key credentials alike.
 * Undefined when it names no host.
 */
export function registryHostOf(input: string): string | undefined {
  const withoutScheme = input.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const host = canonicalHost(withoutScheme.split('/')[0] ?? '');
  if (host === undefined) return undefined;
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

/**
 * Server → client: credentials the user stored in the editor for a registry (VS Code keeps them
 * in `SecretStorage`). Asked before docker's config and helpers; an empty list when there are none.
 */
export namespace RegistryCredentialsRequest {
  export const method = 'kubeImages/registryCredentials';
  export const type = new RequestType<RegistryCredentialsParams, RegistryCredential[], void>(method);
}

/** One image reference written in the open documents. */
export interface ImageReferenceEntry {
  /** As written (the decoded scalar), e.g. `nginx:1.25`. */
  readonly image: string;
  /** What the kubelet asks the runtime to pull: `docker.io/library/nginx:1.25`. */
  readonly normalized: string;
  /** The open documents that write it, in the order they were opened. */
  readonly uris: readonly string[];
}

/**
 * Client → server: every valid image reference in the open documents, each once, sorted; the
 * image explorer's Pull offers them as completions. Templated values are left out.
 */
export namespace ImageReferencesRequest {
  export const method = 'kubeImages/imageReferences';
  export const type = new RequestType0<ImageReferenceEntry[], void>(method);
}
