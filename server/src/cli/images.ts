/**
 * `kube-images images`: the images on a node's runtime, with the containers that use each (in
 * any state, as the kubelet counts them) and whether the runtime pinned them.
 */
import { formatBytes } from '../../../client/src/cri/gc/humanUnits';
import { findImagesInUse } from '../../../client/src/cri/gc/imagesInUse';
import { shortImageId } from '../../../client/src/nodes/nodeNames';
import type { NodeSnapshot } from '../../../client/src/nodes/nodeSession';
import { ExitStatus } from './check';
import type { ImagesOptions } from './nodeArgs';
import { formatTable, observeHistory, openNodeSession, reportNodeFailure, type NodeCommandEnvironment } from './nodeCommand';

/** The JSON output, exactly. */
export interface ImagesReport {
  readonly node: { readonly runtimeName: string; readonly runtimeVersion: string };
  readonly images: readonly {
    readonly id: string;
    readonly repoTags: readonly string[];
    readonly repoDigests: readonly string[];
    readonly size: number;
    readonly pinned: boolean;
    /** Ids of the containers using the image, in every state. */
    readonly inUseBy: readonly string[];
  }[];
  /** `usedBytes` is null when the runtime does not report it. */
  readonly imageFs: readonly { readonly mountpoint: string; readonly usedBytes: number | null }[];
}

export async function runImages(options: ImagesOptions, environment: NodeCommandEnvironment): Promise<ExitStatus> {
  const session = openNodeSession(options.endpoint, environment);
  if (session === undefined) return ExitStatus.NoVerdict;
  try {
    const snapshot = await session.snapshot(undefined, environment.now);
    // Every listing is an observation for `gc`'s MinAge and last-use order, as the kubelet's detection is.
    await observeHistory(session, snapshot, environment);
    const report = imagesReport(snapshot);
    environment.writeOutput(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : imagesTable(report));
    return ExitStatus.NoErrors;
  } catch (error) {
    return reportNodeFailure(error, environment);
  } finally {
    await session.close();
  }
}

export function imagesReport(snapshot: NodeSnapshot): ImagesReport {
  const inUse = findImagesInUse(snapshot.images, snapshot.containers);
  return {
    node: { runtimeName: snapshot.version.runtimeName, runtimeVersion: snapshot.version.runtimeVersion },
    images: snapshot.images.map((image) => ({
      id: image.id,
      repoTags: image.repoTags,
      repoDigests: image.repoDigests,
      size: image.size,
      pinned: image.pinned,
      inUseBy: inUse.get(image.id) ?? [],
    })),
    imageFs: snapshot.imageFilesystems.map((filesystem) => ({ mountpoint: filesystem.mountpoint, usedBytes: filesystem.usedBytes ?? null })),
  };
}

/** One row per tag, as crictl prints them (a dangling image gets one `<none>` row), sorted by name. */
function imagesTable(report: ImagesReport): string {
  const rows = report.images.flatMap((image) => {
    const used = image.inUseBy.length === 0 ? '' : `${image.inUseBy.length} container${image.inUseBy.length === 1 ? '' : 's'}`;
    const columns = (name: string, tag: string): string[] => [name, tag, shortImageId(image.id), formatBytes(image.size), used, image.pinned ? 'pinned' : ''];
    return image.repoTags.length === 0 ? [columns('<none>', '<none>')] : image.repoTags.map((tag) => columns(...splitTag(tag)));
  });
  rows.sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]) || compare(a[2], b[2]));
  const filesystems = report.imageFs
    .map((filesystem) => `${filesystem.mountpoint}: ${filesystem.usedBytes === null ? 'usage not reported' : `${formatBytes(filesystem.usedBytes)} used`}`)
    .join('; ');
  const count = report.images.length;
  return (
    formatTable([['IMAGE', 'TAG', 'IMAGE ID', 'SIZE', 'IN USE BY', 'PINNED'], ...rows]) +
    `\n${report.node.runtimeName} ${report.node.runtimeVersion}: ${count} image${count === 1 ? '' : 's'}${filesystems === '' ? '' : `; image filesystem ${filesystems}`}\n`
  );
}

/** `registry/repo:tag` → [`registry/repo`, `tag`]; the tag follows the last colon after the last slash. */
function splitTag(reference: string): [string, string] {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, '<none>'];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
