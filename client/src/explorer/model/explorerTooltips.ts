// Markdown tooltips of the explorer's items, made on hover (VS Code resolves them lazily), so a
// node with thousands of images costs nothing until the user points at one.
import { formatBytes, formatDuration } from '../../cri/gc/humanUnits';
import { formatEndpoint } from '../../cri/endpoints';
import { describeContainer, sandboxesById } from '../../nodes/nodeNames';
import type { ContainerItem, ExplorerItem, ExplorerNode, ImageItem } from './explorerTree';

export function tooltipOf(item: ExplorerItem): string {
  switch (item.kind) {
    case 'node':
      return nodeTooltip(item.node);
    case 'group':
      return `**${escapeMarkdown(item.name)}**\n\n${escapeMarkdown(item.description ?? '')}`;
    case 'image':
      return imageTooltip(item);
    case 'container':
      return containerTooltip(item);
    case 'message':
      return escapeMarkdown(item.message);
  }
}

function nodeTooltip(node: ExplorerNode): string {
  const { target, state } = node;
  const endpoints =
    formatEndpoint(target.runtimeEndpoint) === formatEndpoint(target.imageEndpoint)
      ? code(formatEndpoint(target.runtimeEndpoint))
      : `${code(formatEndpoint(target.runtimeEndpoint))}, images at ${code(formatEndpoint(target.imageEndpoint))}`;
  const header = `**${escapeMarkdown(target.name)}**  \n${endpoints} (from ${escapeMarkdown(target.source)})`;
  switch (state.kind) {
    case 'loading':
      return `${header}\n\nListing…`;
    case 'failed':
      return `${header}\n\n$(error) ${escapeMarkdown(state.message)}`;
    case 'listed': {
      const { snapshot, history } = state;
      const { version } = snapshot;
      const conditions = snapshot.conditions.map(
        (condition) =>
          `| ${escapeMarkdown(condition.type)} | ${condition.status ? '$(check) true' : '$(x) false'} | ${escapeMarkdown([condition.reason, condition.message].filter((text) => text !== '').join(': '))} |`,
      );
      const filesystems = snapshot.imageFilesystems.map(
        (filesystem) => `Image filesystem ${code(filesystem.mountpoint)}: ${filesystem.usedBytes === undefined ? 'usage not reported' : `${formatBytes(filesystem.usedBytes)} used`}`,
      );
      const containers = snapshot.containers.length;
      const running = snapshot.containers.filter((container) => container.state === 'running').length;
      const tracked = history === undefined ? [] : [`Image use tracked for ${formatDuration(snapshot.takenAt - history.trackingSince)} (the runtime keeps no history; this editor does)`];
      return [
        header,
        `${escapeMarkdown(version.runtimeName)} ${escapeMarkdown(version.runtimeVersion)} · CRI ${escapeMarkdown(version.runtimeApiVersion)}`,
        ['| Condition | Status | Detail |', '|---|---|---|', ...conditions].join('\n'),
        [
          ...filesystems,
          `${snapshot.images.length} image${snapshot.images.length === 1 ? '' : 's'} · ${containers} container${containers === 1 ? '' : 's'} (${running} running) · ${snapshot.podSandboxes.length} pod sandbox${snapshot.podSandboxes.length === 1 ? '' : 'es'}`,
          ...tracked,
        ].join('  \n'),
      ].join('\n\n');
    }
  }
}

function imageTooltip(item: ImageItem): string {
  const { entry, node } = item;
  const { image } = entry;
  const now = node.state.kind === 'listed' ? node.state.snapshot.takenAt : undefined;
  const sandboxes = node.state.kind === 'listed' ? sandboxesById(node.state.snapshot.podSandboxes) : undefined;
  const ago = (time: number | undefined): string => (time === undefined || now === undefined ? 'unknown' : time >= now ? 'now' : `${formatDuration(now - time)} ago`);
  const lines = [
    entry.tags.length === 0 ? '**Dangling**: no tag names this image' : `**${entry.tags.length === 1 ? 'Tag' : 'Tags'}**: ${entry.tags.map(code).join(', ')}`,
    `**Id**: ${code(image.id)}`,
    ...(image.repoDigests.length === 0 ? [] : [`**${image.repoDigests.length === 1 ? 'Digest' : 'Digests'}**: ${image.repoDigests.map(code).join(', ')}`]),
    `**Size**: ${formatBytes(image.size)} (${image.size} bytes)`,
    ...(image.pinned ? ['**Pinned** by the runtime: the kubelet never garbage-collects it, and Remove refuses it'] : []),
    `**First seen**: ${ago(entry.firstDetected)} · **Last used**: ${entry.users.length > 0 ? 'now' : entry.lastUsed === undefined ? 'not seen in use' : ago(entry.lastUsed)}`,
  ];
  const users =
    entry.users.length === 0
      ? 'Used by no container, in any state.'
      : `**In use by** (every state counts, as for the kubelet; Remove refuses it):\n\n${entry.users.map((container) => `- ${escapeMarkdown(describeContainer(container, sandboxes))}`).join('\n')}`;
  return `${lines.join('  \n')}\n\n${users}`;
}

function containerTooltip(item: ContainerItem): string {
  const { container, pod } = item;
  return [
    `**${escapeMarkdown(container.name === '' ? container.id : container.name)}** (${container.state})`,
    `**Id**: ${code(container.id)}`,
    ...(pod === undefined ? [] : [`**Pod**: ${escapeMarkdown(pod)}`]),
    `**Image**: ${code(container.image)}${container.imageRef !== '' && container.imageRef !== container.image ? ` → ${code(container.imageRef)}` : ''}`,
    `**Created**: ${new Date(container.createdAtMs).toISOString()}`,
  ].join('  \n');
}

/** A code span; names and ids never hold a backtick, but a stray one must not break the tooltip. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** Escapes Markdown's punctuation and VS Code's `$(icon)` syntax in text from the runtime or the user. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$~]/g, (character) => `\\${character}`);
}
