// The explorer's tree as plain data: nodes → (groups →) images → the containers using them.
// Built whole from the nodes' latest listings and the user's options; the VS Code view only maps
// each item onto a TreeItem. Item ids are stable across refreshes (node key, group, image id,
// container id), so VS Code keeps selection and expansion.
import type { CriContainer } from '../../cri/criClient';
import type { CriErrorKind } from '../../cri/errors';
import type { ImageHistory } from '../../cri/gc/imageHistory';
import { formatBytes } from '../../cri/gc/humanUnits';
import { podOf, sandboxesById, shortContainerId } from '../../nodes/nodeNames';
import type { NodeSnapshot } from '../../nodes/nodeSession';
import type { NodeTarget } from '../../nodes/nodeTargets';
import { GROUPING_LABELS, SORT_ORDER_LABELS, DEFAULT_EXPLORER_OPTIONS, type ExplorerOptions, type Grouping } from './explorerOptions';
import { imageEntries, splitReference, type ImageEntry } from './imageEntries';
import { imageFilter } from './imageFilter';
import { sortImages } from './imageOrder';

export type NodeState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'failed'; readonly errorKind: CriErrorKind | 'other'; readonly message: string }
  | { readonly kind: 'listed'; readonly snapshot: NodeSnapshot; readonly history: ImageHistory | undefined };

export interface ExplorerNode {
  readonly target: NodeTarget;
  readonly state: NodeState;
}

export interface ExplorerInput {
  readonly nodes: readonly ExplorerNode[];
  /** Endpoint settings or detection that could not be used, each saying why. */
  readonly problems: readonly string[];
  readonly options: ExplorerOptions;
}

/** A codicon (`package`, `error`, `loading~spin`) and an optional theme color id. */
export interface ThemeIconRef {
  readonly id: string;
  readonly color?: string;
}

interface ItemBase {
  readonly id: string;
  readonly label: string;
  readonly description: string | undefined;
  /** Space-separated words the menus' `viewItem =~ /…/` clauses test: the kind first, then states. */
  readonly contextValue: string;
  readonly icon: ThemeIconRef;
  readonly children: readonly ExplorerItem[];
  /** Shown expanded the first time; VS Code remembers the user's choice after that. */
  readonly expanded: boolean;
  /** The node this item belongs to. */
  readonly node: ExplorerNode;
}

export interface NodeItem extends ItemBase {
  readonly kind: 'node';
}

export interface GroupItem extends ItemBase {
  readonly kind: 'group';
  readonly grouping: Exclude<Grouping, 'none'>;
  readonly name: string;
}

export interface ImageItem extends ItemBase {
  readonly kind: 'image';
  readonly entry: ImageEntry;
}

export interface ContainerItem extends ItemBase {
  readonly kind: 'container';
  readonly container: CriContainer;
  /** `namespace/name` of its pod, when known. */
  readonly pod: string | undefined;
}

/** A line of text in place of content: an error under a node, "no image matches". */
export interface MessageItem extends ItemBase {
  readonly kind: 'message';
  readonly message: string;
}

export type ExplorerItem = NodeItem | GroupItem | ImageItem | ContainerItem | MessageItem;

/** Why the tree is empty and the welcome view shows instead. */
export type WelcomeReason =
  /** Nothing configured and no runtime found on this machine. */
  | 'no-endpoint'
  /** Endpoints exist but none answered. */
  | 'unreachable';

export interface ExplorerTree {
  readonly roots: readonly ExplorerItem[];
  /** For the view's message line: what went wrong, the active filter, a non-default order. */
  readonly message: string | undefined;
  readonly welcome: WelcomeReason | undefined;
  /** Images shown and images listed, over every node, for the filter's count. */
  readonly shownImages: number;
  readonly listedImages: number;
}

export function buildExplorerTree(input: ExplorerInput): ExplorerTree {
  const { nodes, options } = input;
  const matches = imageFilter(options.filter);
  let shownImages = 0;
  let listedImages = 0;
  const roots = nodes.map((node): NodeItem => {
    const built = nodeChildren(node, options, matches);
    shownImages += built.shown;
    listedImages += built.listed;
    return nodeItem(node, built.children);
  });
  const everyNodeFailed = nodes.length > 0 && nodes.every((node) => node.state.kind === 'failed');
  const welcome: WelcomeReason | undefined = nodes.length === 0 ? 'no-endpoint' : everyNodeFailed ? 'unreachable' : undefined;

  const parts: string[] = [];
  if (welcome === 'unreachable') {
    parts.push(`No runtime answered: ${nodes.map((node) => `${node.target.name}: ${node.state.kind === 'failed' ? node.state.message : ''}`).join(' · ')}`);
  }
  parts.push(...input.problems);
  if (welcome === undefined) {
    if (matches !== undefined) parts.push(`Filter “${options.filter.trim()}”: ${shownImages} of ${listedImages} image${listedImages === 1 ? '' : 's'}`);
    if (options.sortBy !== DEFAULT_EXPLORER_OPTIONS.sortBy) parts.push(`Sorted by ${SORT_ORDER_LABELS[options.sortBy].toLowerCase()}`);
    if (options.groupBy !== 'none') parts.push(`Grouped by ${GROUPING_LABELS[options.groupBy].toLowerCase()}`);
  }
  return {
    roots: welcome === undefined ? roots : [],
    message: parts.length === 0 ? undefined : parts.join(' · '),
    welcome,
    shownImages,
    listedImages,
  };
}

const ERROR_WORDS: Readonly<Record<CriErrorKind | 'other', string>> = {
  'socket-missing': 'not running',
  'permission-denied': 'permission denied',
  'connection-refused': 'not answering',
  unavailable: 'unreachable',
  'deadline-exceeded': 'timed out',
  cancelled: 'cancelled',
  'not-cri-v1': 'not a CRI v1 runtime',
  ssh: 'ssh failed',
  runtime: 'runtime error',
  other: 'failed',
};

function nodeItem(node: ExplorerNode, children: readonly ExplorerItem[]): NodeItem {
  const { state, target } = node;
  const base = { kind: 'node', id: nodeId(target), label: target.name, node, children } as const;
  switch (state.kind) {
    case 'loading':
      return { ...base, description: 'listing…', contextValue: 'node loading', icon: { id: 'loading~spin' }, expanded: true };
    case 'failed':
      return { ...base, description: ERROR_WORDS[state.errorKind], contextValue: 'node failed', icon: { id: 'error', color: 'errorForeground' }, expanded: true };
    case 'listed': {
      const { snapshot } = state;
      const ready = runtimeReady(snapshot);
      const used = snapshot.imageFilesystems[0]?.usedBytes;
      const description = [
        ...(ready ? [] : ['not ready']),
        `${snapshot.version.runtimeName} ${snapshot.version.runtimeVersion}`,
        `${snapshot.images.length} image${snapshot.images.length === 1 ? '' : 's'}`,
        ...(used === undefined ? [] : [formatBytes(used)]),
      ].join(' · ');
      return {
        ...base,
        description,
        contextValue: `node listed${ready ? ' ready' : ''}`,
        icon: ready ? { id: 'server' } : { id: 'warning', color: 'problemsWarningIcon.foreground' },
        expanded: true,
      };
    }
  }
}

/** The RuntimeReady condition; a runtime that does not report it is not ready, as the kubelet sees it. */
export function runtimeReady(snapshot: Pick<NodeSnapshot, 'conditions'>): boolean {
  return snapshot.conditions.some((condition) => condition.type === 'RuntimeReady' && condition.status);
}

function nodeChildren(
  node: ExplorerNode,
  options: ExplorerOptions,
  matches: ((entry: ImageEntry) => boolean) | undefined,
): { children: ExplorerItem[]; shown: number; listed: number } {
  const { state } = node;
  if (state.kind === 'loading') return { children: [], shown: 0, listed: 0 };
  if (state.kind === 'failed') return { children: [messageItem(node, state.message, 'error')], shown: 0, listed: 0 };
  const all = imageEntries(state.snapshot, state.history);
  const shown = matches === undefined ? all : all.filter(matches);
  if (all.length === 0) return { children: [messageItem(node, 'No images on this node', 'info')], shown: 0, listed: 0 };
  if (shown.length === 0) {
    return { children: [messageItem(node, `No image matches “${options.filter.trim()}”`, 'filter')], shown: 0, listed: all.length };
  }
  const sandboxes = sandboxesById(state.snapshot.podSandboxes);
  const sorted = sortImages(shown, options.sortBy);
  const parentId = nodeId(node.target);
  const children =
    options.groupBy === 'none'
      ? sorted.map((entry) => imageItem(node, entry, parentId, entry.tags, entry.tags.length === 1 ? entry.tags[0]! : entry.tags.join(', '), sandboxes))
      : groupItems(node, sorted, options.groupBy, sandboxes);
  return { children, shown: shown.length, listed: all.length };
}

/**
 * One group per registry or repository an image has a name in; an image named in two appears
 * under both, labelled with the names it has there. Images with no name at all go last, under
 * `<none>`. Groups are in name order; images keep the chosen sort order inside each.
 */
function groupItems(node: ExplorerNode, sorted: readonly ImageEntry[], grouping: Exclude<Grouping, 'none'>, sandboxes: SandboxIndex): GroupItem[] {
  const groups = new Map<string, { entry: ImageEntry; names: string[] }[]>();
  for (const entry of sorted) {
    // Tags name an image; a dangling one is still known by the repository it was pulled from.
    const names = entry.tags.length > 0 ? entry.tags : entry.image.repoDigests;
    const byGroup = new Map<string, string[]>();
    for (const name of names) {
      const parts = splitReference(name);
      const key = grouping === 'registry' ? parts.registry : parts.repository;
      byGroup.set(key, [...(byGroup.get(key) ?? []), grouping === 'registry' ? name : parts.version]);
    }
    if (byGroup.size === 0) byGroup.set(NONE, []);
    for (const [key, groupNames] of byGroup) {
      const members = groups.get(key) ?? [];
      members.push({ entry, names: entry.tags.length > 0 ? groupNames : [] });
      groups.set(key, members);
    }
  }
  const names = [...groups.keys()].sort((a, b) => (a === NONE ? 1 : b === NONE ? -1 : a < b ? -1 : a > b ? 1 : 0));
  const nodePrefix = nodeId(node.target);
  return names.map((name): GroupItem => {
    const members = groups.get(name) ?? [];
    const id = `${nodePrefix}/${grouping}:${name}`;
    const children = members.map(({ entry, names: memberNames }) => {
      const label = grouping === 'repository' ? memberNames.map((version) => (version.includes(':') ? `@${version}` : version)).join(', ') : memberNames.join(', ');
      return imageItem(node, entry, id, memberNames, label, sandboxes);
    });
    const bytes = members.reduce((total, { entry }) => total + entry.image.size, 0);
    return {
      kind: 'group',
      grouping,
      name,
      id,
      label: name,
      description: `${members.length} image${members.length === 1 ? '' : 's'} · ${formatBytes(bytes)}`,
      contextValue: `group ${grouping}`,
      icon: { id: grouping === 'registry' ? 'globe' : 'repo' },
      children,
      expanded: false,
      node,
    };
  });
}

const NONE = '<none>';
type SandboxIndex = ReturnType<typeof sandboxesById>;

function imageItem(node: ExplorerNode, entry: ImageEntry, parentId: string, names: readonly string[], label: string, sandboxes: SandboxIndex): ImageItem {
  const { image, users, dangling } = entry;
  const id = `${parentId}/image:${image.id}`;
  // Strings built directly and shared icons: this runs for every image of every node on every refresh.
  let description = `${entry.shortId} · ${formatBytes(image.size)}`;
  if (users.length > 0) description += ` · in use (${users.length})`;
  if (image.pinned) description += ' · pinned';
  if (dangling) description += ' · dangling';
  let contextValue = users.length > 0 ? 'image inUse' : 'image unused';
  if (image.pinned) contextValue += ' pinned';
  contextValue += dangling ? ' dangling' : ' tagged';
  if (entry.digest !== undefined) contextValue += ' digest';
  return {
    kind: 'image',
    id,
    label: names.length === 0 ? NONE : label,
    description,
    contextValue,
    icon: imageIcon(entry),
    children: users.length === 0 ? NO_CHILDREN : users.map((container) => containerItem(node, container, id, podOf(container, sandboxes))),
    expanded: false,
    node,
    entry,
  };
}

const NO_CHILDREN: readonly ExplorerItem[] = Object.freeze([]);
const IN_USE_ICON: ThemeIconRef = Object.freeze({ id: 'package', color: 'charts.green' });
const PINNED_ICON: ThemeIconRef = Object.freeze({ id: 'pinned' });
const DANGLING_ICON: ThemeIconRef = Object.freeze({ id: 'package', color: 'disabledForeground' });
const IMAGE_ICON: ThemeIconRef = Object.freeze({ id: 'package' });

function imageIcon(entry: ImageEntry): ThemeIconRef {
  if (entry.users.length > 0) return IN_USE_ICON;
  if (entry.image.pinned) return PINNED_ICON;
  if (entry.dangling) return DANGLING_ICON;
  return IMAGE_ICON;
}

function containerItem(node: ExplorerNode, container: CriContainer, parentId: string, pod: string | undefined): ContainerItem {
  return {
    kind: 'container',
    id: `${parentId}/container:${container.id}`,
    label: container.name === '' ? shortContainerId(container.id) : container.name,
    description: [...(pod === undefined ? [] : [`pod ${pod}`]), container.state].join(' · '),
    contextValue: `container ${container.state}`,
    icon: container.state === 'running' ? { id: 'vm-running', color: 'charts.green' } : { id: 'vm-outline' },
    children: [],
    expanded: false,
    node,
    container,
    pod,
  };
}

function messageItem(node: ExplorerNode, message: string, icon: string): MessageItem {
  return {
    kind: 'message',
    id: `${nodeId(node.target)}/message`,
    // Tree labels do not wrap; the first line is the label, the whole message the tooltip.
    label: message.split('\n')[0],
    description: undefined,
    contextValue: 'message',
    icon: { id: icon },
    children: [],
    expanded: false,
    node,
    message,
  };
}

function nodeId(target: NodeTarget): string {
  return `node:${target.key}`;
}
