/**
 * `kube-images pull REF`: pulls an image onto the node as the kubelet would, with docker's
 * credentials for its registry (config.json, credential helpers, DOCKER_AUTH_CONFIG) when there
 * are any, else anonymously.
 */
import { normalizePullReference, pullImage } from '../../../client/src/nodes/imagePull';
import { createCredentialSource } from '../registry/credentials/credentialStore';
import { ExitStatus } from './check';
import type { PullOptions } from './nodeArgs';
import { openNodeSession, reportNodeFailure, type NodeCommandEnvironment } from './nodeCommand';

export async function runPull(options: PullOptions, environment: NodeCommandEnvironment): Promise<ExitStatus> {
  // A reference the kubelet would reject as InvalidImageName is a mistake on the command line.
  const reference = normalizePullReference(options.reference);
  if (!reference.ok) {
    environment.writeError(`kube-images: ${reference.message}\n`);
    return ExitStatus.NoVerdict;
  }
  const session = openNodeSession(options.endpoint, environment);
  if (session === undefined) return ExitStatus.NoVerdict;
  try {
    const outcome = await pullImage(session, options.reference, createCredentialSource({ env: environment.env }));
    for (const warning of outcome.warnings) environment.writeError(`kube-images: ${warning}\n`);
    environment.writeOutput(`Pulled ${outcome.reference} ${outcome.authentication}: ${outcome.imageRef}\n`);
    return ExitStatus.NoErrors;
  } catch (error) {
    return reportNodeFailure(error, environment);
  } finally {
    await session.close();
  }
}
