// The size of a node's image filesystem. CRI's ImageFsInfo reports only the bytes images use;
// the kubelet takes capacity and available bytes from the host filesystem that holds the
// runtime's mountpoint (FACTS.md §4). We can do the same for a runtime on this machine, and for
// no other: a remote node's capacity is unknown here and must come from the user.
import { statfs } from 'node:fs/promises';
import { formatEndpoint } from '../cri/endpoints';
import { isLocalNode, type NodeTarget } from './nodeTargets';
import type { NodeSnapshot } from './nodeSession';

export type ImageFilesystemCapacity =
  | {
      readonly known: true;
      readonly capacityBytes: number;
      readonly availableBytes: number;
      /** The folder measured: the runtime's first image filesystem. */
      readonly mountpoint: string;
    }
  | { readonly known: false; readonly reason: string };

/** Measures the first image filesystem the runtime reports, as the kubelet does, when the node is this machine. */
export async function measureImageFilesystem(target: NodeTarget, snapshot: Pick<NodeSnapshot, 'imageFilesystems'>): Promise<ImageFilesystemCapacity> {
  if (!isLocalNode(target)) {
    return {
      known: false,
      reason: `${formatEndpoint(target.imageEndpoint)} is another machine: CRI reports only the bytes images use, and the kubelet reads capacity and free space from the node's own filesystem, which cannot be measured from here`,
    };
  }
  const mountpoint = snapshot.imageFilesystems[0]?.mountpoint;
  if (mountpoint === undefined || mountpoint === '') return { known: false, reason: 'the runtime reports no image filesystem' };
  try {
    const stats = await statfs(mountpoint, { bigint: true });
    // Free blocks available to unprivileged users, as cAdvisor reports `Available` to the kubelet.
    return {
      known: true,
      capacityBytes: Number(stats.blocks * stats.bsize),
      availableBytes: Number(stats.bavail * stats.bsize),
      mountpoint,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { known: false, reason: `the image filesystem at ${mountpoint} cannot be measured (${code})` };
  }
}
