// The GC plan as a read-only Markdown document the user reads before confirming: what goes and
// why, what stays and why, the target against what would be freed, and the notes that qualify
// the plan (capacity source, history shorter than MinAge).
import type { GcKeep, GcRemoval } from '../../cri/gc/gcPlan';
import type { GcPolicy } from '../../cri/gc/gcPolicy';
import { formatBytes, formatDuration } from '../../cri/gc/humanUnits';
import type { NodeGcPlan } from '../../nodes/nodeGcPlan';
import { shortImageId } from '../../nodes/nodeNames';
import { escapeMarkdown } from './explorerTooltips';

const KEEP_REASON_WORDS: Readonly<Record<GcKeep['reason'], string>> = {
  'in-use': 'in use',
  pinned: 'pinned',
  'too-young': 'younger than MinAge',
  'used-since-pass-began': 'used since the pass began',
  'not-needed': 'not needed',
  'not-evaluated': 'not judged',
};

export function gcPreviewMarkdown(nodeName: string, { plan, notes }: NodeGcPlan, policy: GcPolicy): string {
  const usage = plan.usagePercent === undefined ? 'unknown' : `${plan.usagePercent} %`;
  const lines = [
    `# Image garbage collection on ${escapeMarkdown(nodeName)}`,
    '',
    escapeMarkdown(plan.summary),
    '',
    ...notes.map((note) => `> ${escapeMarkdown(note)}\n>`),
    '',
    '| Target | Would free | Usage | High / low threshold | MinAge | MaxAge |',
    '|---|---|---|---|---|---|',
    `| ${formatBytes(plan.target.bytes)} | ${formatBytes(plan.freed)} | ${usage} | ${policy.highThresholdPercent} % / ${policy.lowThresholdPercent} % | ${formatDuration(policy.minAgeMs)} | ${policy.maxAgeMs === 0 ? 'off' : formatDuration(policy.maxAgeMs)} |`,
    '',
    ...(plan.shortfall === undefined ? [] : [`**Short of the target**: ${escapeMarkdown(plan.shortfall.message)} ${escapeMarkdown(plan.shortfall.detail)}`, '']),
    `## Remove (${plan.remove.length}, ${formatBytes(plan.freed)})`,
    '',
    ...table(plan.remove, (image) => (image.reason === 'age' ? 'age (MaxAge)' : 'space')),
    '',
    `## Keep (${plan.keep.length})`,
    '',
    ...table(plan.keep, (image) => KEEP_REASON_WORDS[image.reason]),
    '',
    'Nothing has been removed yet. Each image is checked again just before its removal: one a container has started using since this plan stays.',
    '',
  ];
  return lines.join('\n');
}

function table<T extends GcRemoval | GcKeep>(images: readonly T[], reasonOf: (image: T) => string): string[] {
  if (images.length === 0) return ['_None._'];
  return [
    '| Image | Tags | Size | Reason | Why |',
    '|---|---|---|---|---|',
    ...images.map(
      (image) =>
        `| \`${shortImageId(image.id)}\` | ${image.repoTags.length === 0 ? '_none_' : image.repoTags.map((tag) => `\`${tag}\``).join(', ')} | ${formatBytes(image.size)} | ${reasonOf(image)} | ${escapeMarkdown(image.detail)} |`,
    ),
  ];
}
