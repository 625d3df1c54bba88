/**
 * The `kubeImages` settings as the server sees them, per document.
 *
 * Pull model first: with the client's `workspace.configuration` capability every document's
 * settings are requested for its URI (the settings are resource-scoped) and cached until the
 * client announces a change. Clients without that capability (many Neovim, Helix and Emacs
 * setups) get the defaults, or whatever they push in `workspace/didChangeConfiguration` under
 * `settings.kubeImages`.
 */
import type { ClientCapabilities, Connection } from 'vscode-languageserver/node';
import type { DiagnosticCode, SeveritySetting } from '../core/types';
import { parsePlatform } from '../pinning/platform';
import type { Platform } from '../registry/types';

export interface KubeImagesSettings {
  /** Per-code overrides of the rules' default severities. */
  readonly severity: Readonly<Partial<Record<DiagnosticCode, SeveritySetting>>>;
  /** `kubeImages.inlayHints.effectivePullPolicy`. */
  readonly effectivePullPolicyHints: boolean;
  /** `kubeImages.maxFileSize`, in bytes. */
  readonly maxFileSize: number;
  /** `kubeImages.pin.platform`: pin this platform's manifest instead of the index. */
  readonly pinPlatform: Platform | undefined;
  /** `kubeImages.drift.check`: look tags up in registries (trusted workspaces only). */
  readonly driftCheck: boolean;
  readonly registry: RegistrySettings;
}

/** Machine-scoped settings of the registry client: the same for every document. */
export interface RegistrySettings {
  /** `kubeImages.registries.insecure`: `host[:port]` entries reached over plain HTTP. */
  readonly insecure: readonly string[];
  /** `kubeImages.registries.certificateAuthorities`: `host[:port]` → path of a PEM file. */
  readonly certificateAuthorities: Readonly<Record<string, string>>;
  /** `kubeImages.credentials.useNodeFiles`: also read the kubelet's credential files. */
  readonly useNodeCredentialFiles: boolean;
}

/** The defaults declared in package.json `contributes.configuration`; keep the two in step. */
export const DEFAULT_SETTINGS: KubeImagesSettings = {
  severity: {},
  effectivePullPolicyHints: true,
  maxFileSize: 20 * 1024 * 1024,
  pinPlatform: undefined,
  driftCheck: false,
  registry: { insecure: [], certificateAuthorities: {}, useNodeCredentialFiles: false },
};

export const SETTINGS_SECTION = 'kubeImages';

const SEVERITY_SETTINGS: ReadonlySet<string> = new Set<SeveritySetting>(['error', 'warning', 'information', 'hint', 'off']);

/**
 * Reads the `kubeImages` section as a client sends it. Settings are user input: values of the
 * wrong type or outside the documented enums fall back to the defaults instead of failing.
 */
export function parseSettings(section: unknown): KubeImagesSettings {
  const severity: Partial<Record<DiagnosticCode, SeveritySetting>> = {};
  const rawSeverity = property(property(section, 'diagnostics'), 'severity');
  if (isRecord(rawSeverity)) {
    for (const [code, value] of Object.entries(rawSeverity)) {
      // Unknown codes are kept harmlessly: they match no finding.
      if (typeof value === 'string' && SEVERITY_SETTINGS.has(value)) severity[code as DiagnosticCode] = value as SeveritySetting;
    }
  }
  const hints = property(property(section, 'inlayHints'), 'effectivePullPolicy');
  const maxFileSize = property(section, 'maxFileSize');
  const platform = property(property(section, 'pin'), 'platform');
  const driftCheck = property(property(section, 'drift'), 'check');
  return {
    severity,
    effectivePullPolicyHints: typeof hints === 'boolean' ? hints : DEFAULT_SETTINGS.effectivePullPolicyHints,
    maxFileSize:
      typeof maxFileSize === 'number' && Number.isFinite(maxFileSize) && maxFileSize > 0 ? maxFileSize : DEFAULT_SETTINGS.maxFileSize,
    pinPlatform: typeof platform === 'string' ? parsePlatform(platform) : undefined,
    driftCheck: driftCheck === true,
    registry: parseRegistrySettings(section),
  };
}

function parseRegistrySettings(section: unknown): RegistrySettings {
  const registries = property(section, 'registries');
  const insecure = property(registries, 'insecure');
  const authorities = property(registries, 'certificateAuthorities');
  const certificateAuthorities: Record<string, string> = {};
  if (isRecord(authorities)) {
    for (const [host, path] of Object.entries(authorities)) if (typeof path === 'string' && path !== '') certificateAuthorities[host] = path;
  }
  return {
    insecure: Array.isArray(insecure) ? insecure.filter((host): host is string => typeof host === 'string' && host.trim() !== '').map((host) => host.trim()) : [],
    certificateAuthorities,
    useNodeCredentialFiles: property(property(section, 'credentials'), 'useNodeFiles') === true,
  };
}

export class SettingsStore {
  private readonly pulled = new Map<string, Promise<KubeImagesSettings>>();
  private pushed: KubeImagesSettings = DEFAULT_SETTINGS;
  private readonly changeListeners: (() => void)[] = [];
  private readonly canPull: boolean;

  constructor(
    private readonly connection: Connection,
    capabilities: ClientCapabilities,
  ) {
    this.canPull = capabilities.workspace?.configuration === true;
  }

  /** The settings that apply to the document `uri`. Never rejects: a failed request gives the defaults. */
  get(uri: string): Promise<KubeImagesSettings> {
    if (!this.canPull) return Promise.resolve(this.pushed);
    let settings = this.pulled.get(uri);
    if (settings === undefined) {
      settings = this.connection.workspace.getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION }).then(parseSettings, (error: unknown) => {
        this.connection.console.error(`Reading the ${SETTINGS_SECTION} settings for ${uri} failed, using the defaults: ${String(error)}`);
        return DEFAULT_SETTINGS;
      });
      this.pulled.set(uri, settings);
    }
    return settings;
  }

  /** Handles `workspace/didChangeConfiguration`: drops what was cached, then tells the listeners. */
  didChangeConfiguration(pushedSettings: unknown): void {
    this.pulled.clear();
    if (!this.canPull) this.pushed = parseSettings(property(pushedSettings, SETTINGS_SECTION));
    for (const listener of this.changeListeners) listener();
  }

  onDidChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Forgets a closed document's settings, so the cache holds open documents only. */
  forget(uri: string): void {
    this.pulled.delete(uri);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function property(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}
