/**
 * `kube-images gc`: image garbage collection as the kubelet carries it out (FACTS.md §4), planned
 * on a listing of the node and then executed, each image checked again just before its removal
 * (a container may have started using it since the plan), carrying on past failures. `--dry-run`
 * prints the plan only.
 */
import { formatBytes } from '../../../client/src/cri/gc/humanUnits';
import type { GcKeep, GcRemoval } from '../../../client/src/cri/gc/gcPlan';
import { executeRemovalPlan } from '../../../client/src/nodes/gcExecution';
import { measureImageFilesystem } from '../../../client/src/nodes/imageFilesystemCapacity';
import { describeRefusal } from '../../../client/src/nodes/imageRemoval';
import { planNodeGc, type GcFilesystem, type NodeGcPlan } from '../../../client/src/nodes/nodeGcPlan';
import { shortImageId } from '../../../client/src/nodes/nodeNames';
import { ExitStatus } from './check';
import type { GcOptions } from './nodeArgs';
import { formatTable, observeHistory, openNodeSession, reportNodeFailure, type NodeCommandEnvironment } from './nodeCommand';

interface ReportedImage {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly size: number;
  readonly reason: string;
  readonly detail: string;
}

/** The JSON output: the plan with `--dry-run`, else what was done. */
export interface GcReport {
  readonly target: { readonly bytes: number };
  /** Planned removals with `--dry-run`; else the images removed. */
  readonly remove: readonly ReportedImage[];
  /** Every other image, with why it stays; an image found in use at removal time is here as `in-use`. */
  readonly keep: readonly ReportedImage[];
  /** Bytes the removals free (`--dry-run`) or freed. */
  readonly freed: number;
  readonly summary: string;
  /** What qualifies the plan: where capacity came from, how much history MinAge was judged on. */
  readonly notes: readonly string[];
  /** Removals the runtime failed; always empty with `--dry-run`. */
  readonly failed: readonly { readonly id: string; readonly message: string }[];
}

export async function runGc(options: GcOptions, environment: NodeCommandEnvironment): Promise<ExitStatus> {
  const session = openNodeSession(options.endpoint, environment);
  if (session === undefined) return ExitStatus.NoVerdict;
  try {
    const snapshot = await session.snapshot(undefined, environment.now);
    const { history, location } = await observeHistory(session, snapshot, environment);
    const measured = await measureImageFilesystem(session.target, snapshot);
    const filesystem: GcFilesystem = measured.known
      ? { kind: 'measured', capacityBytes: measured.capacityBytes, availableBytes: measured.availableBytes, mountpoint: measured.mountpoint }
      : options.capacityBytes !== undefined
        ? { kind: 'entered', capacityBytes: options.capacityBytes }
        : { kind: 'unknown', reason: `${measured.reason}; pass --capacity SIZE to run it` };
    const planned = planNodeGc({ snapshot, history, policy: options.policy, filesystem, historyLocation: location });
    const { plan } = planned;
    if (plan.error !== undefined && plan.status === 'invalid-filesystem') environment.writeError(`kube-images: ${plan.error.message}\n`);

    let report: GcReport;
    if (options.dryRun || plan.remove.length === 0) {
      report = planReport(planned);
    } else {
      const run = await executeRemovalPlan(session, plan);
      const removedIds = new Set(run.results.flatMap((result) => (result.outcome === 'removed' ? [result.image.id] : [])));
      const keptSincePlan = run.results.flatMap((result) =>
        result.outcome === 'refused'
          ? [reported(result.image, result.refusal.reason, `Planned for removal, but by the time of its removal ${describeRefusal(result.refusal)}.`)]
          : [],
      );
      report = {
        ...planReport(planned),
        remove: plan.remove.filter((image) => removedIds.has(image.id)).map(fromPlan),
        keep: [...keptSincePlan, ...plan.keep.map(fromPlan)],
        freed: run.freed,
        summary: `${plan.summary} ${run.summary}`,
        failed: run.results.flatMap((result) => (result.outcome === 'failed' ? [{ id: result.id, message: result.error.message }] : [])),
      };
    }
    environment.writeOutput(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : gcTable(report, options.dryRun));
    const reachedTarget = report.freed >= report.target.bytes && plan.status !== 'shortfall';
    return reachedTarget && report.failed.length === 0 && plan.error === undefined ? ExitStatus.NoErrors : ExitStatus.ErrorsFound;
  } catch (error) {
    return reportNodeFailure(error, environment);
  } finally {
    await session.close();
  }
}

function planReport({ plan, notes }: NodeGcPlan): GcReport {
  return {
    target: { bytes: plan.target.bytes },
    remove: plan.remove.map(fromPlan),
    keep: plan.keep.map(fromPlan),
    freed: plan.freed,
    summary: plan.summary,
    notes,
    failed: [],
  };
}

function fromPlan(image: GcRemoval | GcKeep): ReportedImage {
  return { id: image.id, repoTags: image.repoTags, size: image.size, reason: image.reason, detail: image.detail };
}

function reported(image: { id: string; repoTags: readonly string[]; size: number }, reason: string, detail: string): ReportedImage {
  return { id: image.id, repoTags: image.repoTags, size: image.size, reason, detail };
}

function gcTable(report: GcReport, dryRun: boolean): string {
  const rows = (action: string, images: readonly ReportedImage[]): string[][] =>
    images.map((image) => [action, shortImageId(image.id), formatBytes(image.size), image.reason, image.repoTags.join(', ') || '<none>']);
  const table = formatTable([['ACTION', 'IMAGE ID', 'SIZE', 'REASON', 'TAGS'], ...rows(dryRun ? 'remove' : 'removed', report.remove), ...rows('keep', report.keep)]);
  const failures = report.failed.map((failure) => `Failed to remove ${shortImageId(failure.id)}: ${failure.message}\n`).join('');
  const totals = `Target: ${formatBytes(report.target.bytes)}. ${dryRun ? 'Would free' : 'Freed'}: ${formatBytes(report.freed)}.\n`;
  return `${report.summary}\n${report.notes.map((note) => `Note: ${note}\n`).join('')}\n${table}${failures}\n${totals}`;
}
