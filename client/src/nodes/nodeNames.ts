// Images and containers named the way people know them: short ids as crictl prints them, and
// containers by the Kubernetes name and pod the kubelet labels them with, so a refusal can say
// "in use by container nginx (pod default/web-0, running)".
import type { CriContainer, CriPodSandbox } from '../cri/criClient';

const POD_NAME_LABEL = 'io.kubernetes.pod.name';
const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';

/** `namespace/name` of the container's pod, from its labels or its sandbox; undefined when neither says. */
export function podOf(container: CriContainer, sandboxes: ReadonlyMap<string, CriPodSandbox> | undefined): string | undefined {
  const name = container.labels[POD_NAME_LABEL] ?? sandboxes?.get(container.podSandboxId)?.name;
  if (name === undefined || name === '') return undefined;
  const namespace = container.labels[POD_NAMESPACE_LABEL] ?? sandboxes?.get(container.podSandboxId)?.namespace;
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

/** `nginx (pod default/web-0, running)`, falling back to the short id for a nameless container. */
export function describeContainer(container: CriContainer, sandboxes?: ReadonlyMap<string, CriPodSandbox>): string {
  const name = container.name === '' ? shortContainerId(container.id) : container.name;
  const pod = podOf(container, sandboxes);
  return `${name} (${pod === undefined ? '' : `pod ${pod}, `}${container.state})`;
}

/** The 13 characters crictl prints for a container id. */
export function shortContainerId(id: string): string {
  return id.slice(0, 13);
}

export function sandboxesById(sandboxes: readonly CriPodSandbox[]): ReadonlyMap<string, CriPodSandbox> {
  return new Map(sandboxes.map((sandbox) => [sandbox.id, sandbox]));
}

/** The 12 hex digits docker and crictl show for an image id. */
export function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
