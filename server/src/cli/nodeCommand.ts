/**
 * What `images`, `pull`, `rm` and `gc` share: finding the node (the endpoint given, else the one
 * crictl would use), its stored image history, failure messages, and plain-text tables.
 */
import { detectEndpoints, parseEndpoint, systemDetectionHost } from '../../../client/src/cri/endpoints';
import { CriError } from '../../../client/src/cri/errors';
import { defaultHistoryDirectory, FileHistoryStorage } from '../../../client/src/nodes/fileHistoryStorage';
import { ImageHistoryStore } from '../../../client/src/nodes/imageHistoryStore';
import { NodeSession, type NodeSnapshot } from '../../../client/src/nodes/nodeSession';
import { detectedNodeTarget, nodeTarget } from '../../../client/src/nodes/nodeTargets';
import { updateImageHistory, type ImageHistory } from '../../../client/src/cri/gc/imageHistory';
import { ExitStatus } from './check';

export interface NodeCommandEnvironment {
  /** The environment endpoints are detected from and the history folder is found with. */
  readonly env: NodeJS.ProcessEnv;
  readonly writeOutput: (text: string) => void;
  readonly writeError: (text: string) => void;
  readonly now?: () => number;
}

/** Tells the user how to point the CLI at another runtime, completing messages such as "no container runtime at …". */
const ENDPOINT_HINT = 'pass --endpoint (unix://, tcp:// or ssh://)';

/** A session on the endpoint given, else the one crictl would find; undefined once it has said why there is none. */
export function openNodeSession(endpointText: string | undefined, environment: NodeCommandEnvironment): NodeSession | undefined {
  if (endpointText !== undefined) {
    const parsed = parseEndpoint(endpointText);
    if (!parsed.ok) {
      environment.writeError(`kube-images: --endpoint ${parsed.message}\n`);
      return undefined;
    }
    return new NodeSession(nodeTarget(parsed.endpoint, undefined, '--endpoint'), { endpointHint: ENDPOINT_HINT });
  }
  const detected = detectedNodeTarget(detectEndpoints({ ...systemDetectionHost, env: environment.env }));
  for (const problem of detected.problems) environment.writeError(`kube-images: ${problem}\n`);
  const [target] = detected.targets;
  if (target === undefined) {
    environment.writeError(
      'kube-images: no container runtime endpoint found: none is configured (CONTAINER_RUNTIME_ENDPOINT, /etc/crictl.yaml) ' +
        'and none of the default sockets of containerd, CRI-O or cri-dockerd exists — pass --endpoint\n',
    );
    return undefined;
  }
  return new NodeSession(target, { endpointHint: ENDPOINT_HINT });
}

/**
 * Reports a failure to stderr. The runtime refusing what was asked (a pull the registry denied,
 * an unknown image) is exit status 1; not reaching the runtime at all is 2, like bad usage.
 */
export function reportNodeFailure(error: unknown, environment: NodeCommandEnvironment): ExitStatus {
  if (error instanceof CriError) {
    environment.writeError(`kube-images: ${error.message}\n`);
    return error.kind === 'runtime' ? ExitStatus.ErrorsFound : ExitStatus.NoVerdict;
  }
  throw error;
}

/** The CLI's image history: one file per node, read, updated with this listing, and saved. */
export async function observeHistory(
  session: NodeSession,
  snapshot: NodeSnapshot,
  environment: NodeCommandEnvironment,
): Promise<{ readonly history: ImageHistory; readonly location: string }> {
  const storage = new FileHistoryStorage(defaultHistoryDirectory(environment.env));
  const store = new ImageHistoryStore(storage, { saveIntervalMs: 0 });
  const location = storage.pathOf(session.target.key);
  try {
    const history = await store.observe(session.target.key, snapshot);
    const problem = store.problem(session.target.key);
    if (problem !== undefined) environment.writeError(`kube-images: ${location}: ${problem}\n`);
    return { history, location };
  } catch (error) {
    // Without a usable state folder the run still works, as a first run: it knows only this listing.
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    environment.writeError(`kube-images: the image history at ${location} cannot be used (${reason}); judging from this listing alone\n`);
    return { history: updateImageHistory(undefined, snapshot.images, snapshot.containers, snapshot.takenAt), location: `${location} (not readable or not writable)` };
  }
}

/** Columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd() + '\n').join('');
}
