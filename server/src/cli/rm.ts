/**
 * `kube-images rm REF...`: removes images, each with every tag it has (CRI RemoveImage works on
 * whole images). An image a container uses (in any state) or the runtime pinned is refused,
 * judged just before its removal, unless `--force`: containerd would remove it from under the
 * container.
 */
import type { CriImage } from '../../../client/src/cri/criClient';
import { formatBytes } from '../../../client/src/cri/gc/humanUnits';
import { describeRefusal, removeImagesChecked, type RemovalResult } from '../../../client/src/nodes/imageRemoval';
import { shortImageId } from '../../../client/src/nodes/nodeNames';
import { ExitStatus } from './check';
import type { RemoveOptions } from './nodeArgs';
import { openNodeSession, reportNodeFailure, type NodeCommandEnvironment } from './nodeCommand';

export async function runRemove(options: RemoveOptions, environment: NodeCommandEnvironment): Promise<ExitStatus> {
  const session = openNodeSession(options.endpoint, environment);
  if (session === undefined) return ExitStatus.NoVerdict;
  try {
    // The runtime resolves each REF as it would for RemoveImage: tags, digest references, ids and id prefixes.
    const ids: string[] = [];
    let missing = 0;
    for (const reference of options.references) {
      const { image } = await session.images.imageStatus(reference);
      if (image === undefined) {
        environment.writeError(`kube-images: ${reference}: no such image on the node\n`);
        missing++;
      } else if (!ids.includes(image.id)) {
        ids.push(image.id);
      }
    }
    const results = await removeImagesChecked(session, ids, { force: options.force });
    for (const result of results) report(result, environment);
    const complete = missing === 0 && results.every((result) => result.outcome === 'removed' || result.outcome === 'gone');
    return complete ? ExitStatus.NoErrors : ExitStatus.ErrorsFound;
  } catch (error) {
    return reportNodeFailure(error, environment);
  } finally {
    await session.close();
  }
}

function report(result: RemovalResult, environment: NodeCommandEnvironment): void {
  switch (result.outcome) {
    case 'removed': {
      const forced = result.overridden === undefined ? '' : `, although ${describeRefusal(result.overridden)} (--force)`;
      environment.writeOutput(`Removed ${describeImage(result.image)}${forced}\n`);
      return;
    }
    case 'refused':
      environment.writeError(`kube-images: kept ${describeImage(result.image)}: ${describeRefusal(result.refusal)}; pass --force to remove it anyway\n`);
      return;
    case 'gone':
      environment.writeOutput(`Image ${shortImageId(result.id)} was already gone\n`);
      return;
    case 'failed':
      environment.writeError(`kube-images: could not remove ${shortImageId(result.id)}: ${result.error.message}\n`);
      return;
  }
}

/** `image 0123456789ab (12.3 MB) with its tags a:1, a:2`: every tag, since they all go. */
function describeImage(image: CriImage): string {
  const tags = image.repoTags.length === 0 ? ', which has no tags' : ` with ${image.repoTags.length === 1 ? 'its tag' : 'its tags'} ${image.repoTags.join(', ')}`;
  return `image ${shortImageId(image.id)} (${formatBytes(image.size)})${tags}`;
}
