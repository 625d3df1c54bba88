/**
 * Plain data the analysis core produces. No LSP types here: the LSP adapters and the CLI convert.
 * Offsets are UTF-16 offsets into one YAML document's text unless a name says otherwise.
 */
import type { Span } from './yaml/node';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off';
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** Every diagnostic code we emit. Stable: users silence and configure them by these strings. */
export type DiagnosticCode =
  | 'invalid-reference'
  | 'uppercase-repository'
  | 'empty-image'
  | 'image-whitespace'
  | 'implicit-latest'
  | 'latest-tag'
  | 'tag-and-digest'
  | 'not-pinned'
  | 'never-mutable-tag'
  | 'invalid-pull-policy'
  | 'deprecated-registry'
  | 'kustomize-invalid-field'
  | 'digest-drift'
  | 'tag-not-found'
  | 'yaml-syntax'
  | 'document-too-complex'
  | 'excessive-aliasing'
  | 'file-too-large'
  | 'binary-content';

/** A text replacement, in document offsets. */
export interface TextEdit extends Span {
  readonly newText: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The fix VS Code applies from "Quick Fix…" / Ctrl+. by default. */
  readonly isPreferred?: boolean;
}

export interface Finding extends Span {
  readonly code: DiagnosticCode;
  /** The rule's default; user settings are applied later (see `applySeverities`). */
  readonly severity: SeveritySetting;
  readonly message: string;
  /** Local, network-free fixes. Everything a fix needs travels with the finding. */
  readonly fixes?: readonly Fix[];
}

/** Where in a workload an image reference sits. */
export type ImageSiteKind = 'container' | 'initContainer' | 'ephemeralContainer' | 'imageVolume' | 'kustomization';

/** One part of a parsed reference with its offsets in the reference string (not the document). */
export interface ReferencePart extends Span {
  readonly text: string;
}

/** Result of parsing an image reference the way the kubelet does (FACTS.md §1–2). */
export interface ImageReference {
  readonly valid: boolean;
  /** Fully qualified, e.g. `docker.io/library/nginx:1.25`; undefined when invalid. */
  readonly normalized: string | undefined;
  /** `docker.io` for Hub images; undefined when invalid. */
  readonly registry: string | undefined;
  /** Path within the registry, e.g. `library/nginx`. */
  readonly repository: string | undefined;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/** A scalar as written: its decoded value and where it sits (same mapping rules as `ImageSite.value`). */
export interface ScalarField extends Span {
  readonly value: string;
  readonly valueStart: number | undefined;
}

/** The fields of one kustomization `images:` entry, so rules can point at the field at fault. */
export interface KustomizationImageFields {
  /** The image name kustomize matches in the resources. */
  readonly name: ScalarField;
  readonly newName: ScalarField | undefined;
  readonly newTag: ScalarField | undefined;
  readonly digest: ScalarField | undefined;
}

export interface ImageSite {
  readonly kind: ImageSiteKind;
  /** Path from the document root, e.g. `['spec', 'template', 'spec', 'containers', 0, 'image']`. */
  readonly path: readonly (string | number)[];
  /** The object the image belongs to. `name` is `metadata.name`. */
  readonly owner: { readonly apiVersion: string | undefined; readonly kind: string; readonly name: string | undefined };
  /** Container or volume name, when given. */
  readonly name: string | undefined;
  /** The image reference exactly as Kubernetes receives it (decoded scalar value). For kustomization entries, the reference kustomize will produce. */
  readonly image: string;
  /** The scalar holding the image: `start`/`end` cover the scalar (with quotes); `valueStart` maps `image[i]` to `valueStart + i` when defined. */
  readonly value: Span & { readonly valueStart: number | undefined };
  /** The `image` / `reference` key. */
  readonly key: Span;
  /** True when the object is a Pod itself (not a template): the API server validates it directly. */
  readonly inPod: boolean;
  /** Templated value (Helm `{{ … }}`): never diagnosed. */
  readonly templated: boolean;
  readonly pullPolicy: {
    /** The value as written, when the field is present. */
    readonly explicit: string | undefined;
    readonly explicitSpan: Span | undefined;
    /** What applies on the node: the explicit value when valid, else the API server's default. Undefined for kustomization entries. */
    readonly effective: PullPolicy | undefined;
    /** Where to write the defaulted policy in when it is omitted, keeping the surrounding style. */
    readonly insert: TextEdit | undefined;
  };
  /** Present exactly when `kind` is `'kustomization'`. */
  readonly kustomization?: KustomizationImageFields;
}

/** Analysis of one YAML document. Offsets are relative to the document's text. */
export interface DocumentAnalysis {
  readonly images: readonly ImageSite[];
  readonly findings: readonly Finding[];
}

/** One document of a file, located in the file. */
export interface AnalyzedDocument {
  /** Offset of the document's first character in the file. */
  readonly offset: number;
  readonly length: number;
  readonly analysis: DocumentAnalysis;
}

/** Context that changes how a document is read. */
export interface AnalysisContext {
  /** File name (not path semantics beyond the base name): `kustomization.yaml` files are read as kustomizations. */
  readonly fileName?: string;
  /** Inside a Helm chart's `templates/` folder: syntax errors are not reported (templates are not YAML until rendered). */
  readonly helmTemplate?: boolean;
}
