/**
 * Finds every image reference in one parsed YAML document: where Kubernetes reads an image
 * (containers, init and ephemeral containers, image volumes) in Pods, in the pod templates of
 * workload kinds and of custom resources shaped like them, in `List` items, and in kustomization
 * `images:` entries. YAML that is not a Kubernetes object yields nothing.
 */
import { defaultPullPolicy, isPullPolicy } from './pullPolicy';
import { fillEmptyPolicy, pullPolicyInsertion } from './pullPolicyEdit';
import type { AnalysisContext, ImageSite, ImageSiteKind, KustomizationImageFields, PullPolicy, ScalarField, TextEdit } from './types';
import { getPair, getValue } from './yaml/node';
import type { YMap, YNode, YPair, YScalar } from './yaml/node';

/**
 * Nodes the walk may visit per document. Aliases make the tree a DAG whose unfolding can be
 * exponential (billion laughs); shared nodes are visited once, and this cap bounds what is left.
 */
export const DEFAULT_VISIT_BUDGET = 200_000;

export interface ImageSiteScan {
  /** In source order of their keys. */
  readonly sites: readonly ImageSite[];
  /** False when the visit budget ran out: `sites` then holds what was found until then. */
  readonly complete: boolean;
}

type Path = readonly (string | number)[];
type Owner = ImageSite['owner'];

/** Kinds whose pod template sits at `spec.template` (FACTS.md §2). */
const TEMPLATE_WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController']);

/** Container lists of a pod spec, in the order the kubelet starts them. */
const CONTAINER_LISTS: readonly (readonly [field: string, kind: ImageSiteKind])[] = [
  ['initContainers', 'initContainer'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeralContainer'],
];

const KUSTOMIZATION_FILE_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
const KUSTOMIZE_API_GROUP = 'kustomize.config.k8s.io/';
const FLUX_KUSTOMIZE_API_GROUP = 'kustomize.toolkit.fluxcd.io/';

/** Whether a file is read as a kustomization whatever its content: kustomize's own file names. */
export function isKustomizationFileName(fileName: string | undefined): boolean {
  if (fileName === undefined) return false;
  const baseName = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  return KUSTOMIZATION_FILE_NAMES.has(baseName);
}

export function findImageSites(root: YNode | undefined, text: string, context: AnalysisContext = {}): ImageSite[] {
  return [...scanImageSites(root, text, context).sites];
}

export function scanImageSites(
  root: YNode | undefined,
  text: string,
  context: AnalysisContext = {},
  visitBudget: number = DEFAULT_VISIT_BUDGET,
): ImageSiteScan {
  const walker = new SiteWalker(text, visitBudget);
  let complete = true;
  try {
    if (root !== undefined) walker.document(root, isKustomizationFileName(context.fileName));
  } catch (error) {
    if (!(error instanceof VisitBudgetExceeded)) throw error;
    complete = false;
  }
  const sites = walker.sites.sort((a, b) => a.key.start - b.key.start);
  return { sites, complete };
}

class VisitBudgetExceeded extends Error {
  constructor() {
    super('The document is too complex to walk completely.');
  }
}

/** A value as Kubernetes would receive it, or the template text when a template engine fills it in later. */
interface ReadValue {
  readonly value: string;
  readonly templated: boolean;
  readonly valueStart: number | undefined;
}

class SiteWalker {
  readonly sites: ImageSite[] = [];
  private remainingVisits: number;
  // Shared (aliased) nodes are walked once per role: their sites are the same text either way.
  private readonly visitedObjects = new Set<YNode>();
  private readonly visitedPodSpecs = new Set<YNode>();
  private readonly visitedSiteMaps = new Set<YNode>();

  constructor(
    private readonly text: string,
    visitBudget: number,
  ) {
    this.remainingVisits = visitBudget;
  }

  document(root: YNode, kustomizationFile: boolean): void {
    if (kustomizationFile && root.type === 'map') {
      this.kustomizationImages(root, ['images'], this.ownerOf(root, this.stringField(root, 'kind') ?? 'Kustomization'));
      return;
    }
    this.object(root, []);
  }

  private object(node: YNode, path: Path): void {
    this.visit();
    if (node.type !== 'map' || !firstVisit(this.visitedObjects, node)) return;
    const apiVersion = this.stringField(node, 'apiVersion');
    const kind = this.stringField(node, 'kind');
    if (kind === undefined) return;
    if (isKustomization(apiVersion, kind)) {
      this.kustomizationImages(node, [...path, 'images'], this.ownerOf(node, kind));
      return;
    }
    if (apiVersion === undefined) return;
    const owner = this.ownerOf(node, kind);
    if (apiVersion.startsWith(FLUX_KUSTOMIZE_API_GROUP) && kind === 'Kustomization') {
      // Flux's Kustomization carries kustomize's image overrides under `spec.images`.
      this.kustomizationImages(getValue(node, 'spec'), [...path, 'spec', 'images'], owner);
      return;
    }
    switch (kind) {
      case 'List':
        this.listItems(getValue(node, 'items'), [...path, 'items']);
        return;
      case 'Pod':
        this.podSpec(getValue(node, 'spec'), [...path, 'spec'], owner, true);
        return;
      case 'PodTemplate':
        this.podSpec(valueAt(node, ['template', 'spec']), [...path, 'template', 'spec'], owner, false);
        return;
      case 'CronJob': {
        const templatePath = ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
        this.podSpec(valueAt(node, templatePath), [...path, ...templatePath], owner, false);
        return;
      }
      default: {
        const templatePath = ['spec', 'template', 'spec'];
        const spec = valueAt(node, templatePath);
        // Custom resources (Argo Rollouts, Knative Services, operators) qualify by the pod shape alone.
        if (TEMPLATE_WORKLOAD_KINDS.has(kind) || getValue(spec, 'containers')?.type === 'seq') {
          this.podSpec(spec, [...path, ...templatePath], owner, false);
        }
      }
    }
  }

  private listItems(items: YNode | undefined, path: Path): void {
    if (items?.type !== 'seq') return;
    items.items.forEach((item, index) => this.object(item, [...path, index]));
  }

  private podSpec(spec: YNode | undefined, path: Path, owner: Owner, inPod: boolean): void {
    this.visit();
    if (spec?.type !== 'map' || !firstVisit(this.visitedPodSpecs, spec)) return;
    for (const [field, kind] of CONTAINER_LISTS) {
      const containers = getValue(spec, field);
      if (containers?.type !== 'seq') continue;
      containers.items.forEach((container, index) => this.container(container, [...path, field, index], kind, owner, inPod));
    }
    const volumes = getValue(spec, 'volumes');
    if (volumes?.type === 'seq') {
      volumes.items.forEach((volume, index) => this.imageVolume(volume, [...path, 'volumes', index], owner, inPod));
    }
  }

  private container(node: YNode, path: Path, kind: ImageSiteKind, owner: Owner, inPod: boolean): void {
    this.visit();
    if (node.type !== 'map' || !firstVisit(this.visitedSiteMaps, node)) return;
    const imagePair = getPair(node, 'image');
    if (imagePair === undefined) return;
    this.addSite({ kind, path: [...path, 'image'], owner, name: this.stringField(node, 'name'), inPod }, node, imagePair, 'imagePullPolicy');
  }

  private imageVolume(volume: YNode, path: Path, owner: Owner, inPod: boolean): void {
    this.visit();
    const source = getValue(volume, 'image');
    if (source?.type !== 'map' || !firstVisit(this.visitedSiteMaps, source)) return;
    const referencePair = getPair(source, 'reference');
    if (referencePair === undefined) return;
    const site = { kind: 'imageVolume' as const, path: [...path, 'image', 'reference'], owner, name: this.stringField(volume, 'name'), inPod };
    this.addSite(site, source, referencePair, 'pullPolicy');
  }

  private addSite(
    site: Pick<ImageSite, 'kind' | 'path' | 'owner' | 'name' | 'inPod'>,
    map: YMap,
    imagePair: YPair,
    policyKey: string,
  ): void {
    const image = readValue(imagePair.value, this.text);
    // A non-string image (a list, a nested map) is a schema error, not an image reference.
    if (image === undefined) return;
    const policyPair = getPair(map, policyKey);
    const policyValue = policyPair === undefined ? undefined : readValue(policyPair.value, this.text);
    // Empty and null policies are absent for Kubernetes: the API server defaults them.
    const explicit = policyValue === undefined || policyValue.value === '' ? undefined : policyValue.value;
    const effective = effectivePolicy(image, explicit, policyValue?.templated === true);
    let insert: TextEdit | undefined;
    if (explicit === undefined && effective !== undefined) {
      insert =
        policyPair === undefined
          ? pullPolicyInsertion(this.text, map, imagePair, policyKey, effective)
          : policyPair.value.type === 'scalar'
            ? fillEmptyPolicy(this.text, policyPair.value, effective)
            : undefined;
    }
    this.sites.push({
      ...site,
      image: image.value,
      value: spanOf(imagePair.value, image.valueStart),
      key: { start: imagePair.key.start, end: imagePair.key.end },
      templated: image.templated,
      pullPolicy: {
        explicit,
        explicitSpan: policyPair === undefined ? undefined : { start: policyPair.value.start, end: policyPair.value.end },
        effective,
        insert,
      },
    });
  }

  private kustomizationImages(node: YNode | undefined, path: Path, owner: Owner): void {
    const entries = getValue(node, 'images');
    if (entries?.type !== 'seq') return;
    entries.items.forEach((entry, index) => {
      this.visit();
      if (entry.type !== 'map') return;
      const name = scalarField(getPair(entry, 'name'));
      if (name === undefined) return;
      const fields: KustomizationImageFields = {
        name,
        newName: scalarField(getPair(entry, 'newName')),
        newTag: scalarField(getPair(entry, 'newTag')),
        digest: scalarField(getPair(entry, 'digest')),
      };
      const nameKey = fields.newName === undefined ? 'name' : 'newName';
      const keyPair = getPair(entry, nameKey);
      if (keyPair === undefined) return;
      const image = kustomizedReference(fields);
      const written = fields.newName ?? name;
      this.sites.push({
        kind: 'kustomization',
        path: [...path, index, nameKey],
        owner,
        name: undefined,
        image,
        // Offsets map onto the image only while it is exactly the written name.
        value: { start: written.start, end: written.end, valueStart: image === written.value ? written.valueStart : undefined },
        key: { start: keyPair.key.start, end: keyPair.key.end },
        inPod: false,
        templated: image.includes('{{'),
        pullPolicy: { explicit: undefined, explicitSpan: undefined, effective: undefined, insert: undefined },
        kustomization: fields,
      });
    });
  }

  /**
   * A string field, or the template text standing for one: charts write
   * `apiVersion: {{ include "…apiVersion" . }}` and `name: {{ .Chart.Name }}`.
   */
  private stringField(node: YNode | undefined, key: string): string | undefined {
    const value = getValue(node, key);
    if (value === undefined) return undefined;
    const read = readValue(value, this.text);
    return read === undefined || read.value === '' ? undefined : read.value;
  }

  private ownerOf(node: YMap, kind: string): Owner {
    return { apiVersion: this.stringField(node, 'apiVersion'), kind, name: this.stringField(getValue(node, 'metadata'), 'name') };
  }

  private visit(): void {
    this.remainingVisits -= 1;
    if (this.remainingVisits < 0) throw new VisitBudgetExceeded();
  }
}

/**
 * The reference kustomize writes for a matched image: `newName` replaces the name; `newTag` and
 * `digest` replace the original tag and digest (kustomize's imagetag filter). With neither, the
 * original tag is kept, which this file cannot know: the result is then the bare name.
 */
export function kustomizedReference(fields: KustomizationImageFields): string {
  let reference = (fields.newName ?? fields.name).value;
  if (fields.newTag !== undefined) reference += `:${fields.newTag.value}`;
  if (fields.digest !== undefined) reference += `@${fields.digest.value}`;
  return reference;
}

function effectivePolicy(image: ReadValue, explicit: string | undefined, explicitTemplated: boolean): PullPolicy | undefined {
  if (explicit !== undefined && isPullPolicy(explicit)) return explicit;
  // What a template engine will write is unknown, and so is the policy the API server derives from it.
  if (explicitTemplated || image.templated) return undefined;
  return defaultPullPolicy(image.value);
}

function isKustomization(apiVersion: string | undefined, kind: string): boolean {
  if (kind !== 'Kustomization' && kind !== 'Component') return false;
  return apiVersion === undefined || apiVersion.startsWith(KUSTOMIZE_API_GROUP);
}

function valueAt(node: YNode | undefined, keys: readonly string[]): YNode | undefined {
  let current = node;
  for (const key of keys) current = getValue(current, key);
  return current;
}

function firstVisit(visited: Set<YNode>, node: YNode): boolean {
  if (visited.has(node)) return false;
  visited.add(node);
  return true;
}

/**
 * A scalar's decoded value. Helm and similar engines write `{{ … }}`, which YAML may even read as
 * a flow mapping: any value whose text holds `{{` is taken as a template and kept as written.
 */
function readValue(node: YNode, text: string): ReadValue | undefined {
  if (node.type === 'scalar') return { value: node.value, templated: node.value.includes('{{'), valueStart: node.valueStart };
  const source = text.slice(node.start, node.end);
  return source.includes('{{') ? { value: source, templated: true, valueStart: undefined } : undefined;
}

/** A kustomization field as kustomize reads it: empty and null values are unset. */
function scalarField(pair: YPair | undefined): ScalarField | undefined {
  if (pair === undefined || pair.value.type !== 'scalar' || pair.value.value === '') return undefined;
  const scalar: YScalar = pair.value;
  return { start: scalar.start, end: scalar.end, value: scalar.value, valueStart: scalar.valueStart };
}

function spanOf(node: YNode, valueStart: number | undefined): ImageSite['value'] {
  return { start: node.start, end: node.end, valueStart };
}
