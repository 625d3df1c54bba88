// The sample workspace the demo and the UI tests open: the offline examples of `examples/` plus a
// `sandbox/` folder of manifests whose images live in the sandbox node's registries, so pinning
// and the node view have real answers. Registry ports change per run, hence generated files.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxNode } from './sandboxNode';

export const EXAMPLES_DIRECTORY = join(__dirname, '..', '..', '..', 'examples');

/** Paths of the generated manifests, relative to the workspace. */
export const SANDBOX_MANIFESTS = { shop: 'sandbox/shop.yaml', debug: 'sandbox/debug.yaml', billing: 'sandbox/billing.yaml' } as const;

/** Writes the workspace into `directory` (created if missing) and returns it. */
export function writeSandboxWorkspace(directory: string, node: SandboxNode): string {
  mkdirSync(join(directory, 'sandbox'), { recursive: true });
  cpSync(EXAMPLES_DIRECTORY, directory, { recursive: true });
  for (const [name, text] of Object.entries(sandboxManifests(node))) writeFileSync(join(directory, SANDBOX_MANIFESTS[name as keyof typeof SANDBOX_MANIFESTS]), text);
  return directory;
}

/** The text of each generated manifest. */
export function sandboxManifests(node: SandboxNode): Record<keyof typeof SANDBOX_MANIFESTS, string> {
  const { images, registry, privateRegistry, credentials } = node;
  const untagged = images.apiLatest.reference.replace(/:latest$/, '');
  return {
    shop: `# The shop. Its images are in the sandbox registry ${registry.host}:
# "Pin to digest" (the light bulb on an image) writes the digest it answers.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: web
          # \`latest\` names whatever was pushed last; the policy defaults to Always.
          image: ${images.webLatest.reference}
        - name: api
          # No tag: the kubelet pulls :latest, a multi-platform index.
          image: ${untagged}
        - name: worker
          image: ${images.worker.reference}
          # Only Always, IfNotPresent and Never are accepted; case matters.
          imagePullPolicy: ifNotPresent
`,
    debug: `# A debugging pod that relies on what the node already holds.
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: tools
      # Never on a moving tag: each node runs whichever \`dev\` build it pulled last, and a node
      # without one fails the pod with ErrImageNeverPull. The sandbox node has one.
      image: ${images.debug.reference}
      imagePullPolicy: Never
`,
    billing: `# A nightly job. Its image is in a private registry (Basic auth) at ${privateRegistry.host}.
# Pinning it needs credentials: run "Kubernetes Images: Add Registry Credentials"
# with host ${privateRegistry.host}, user ${credentials.username}, password ${credentials.password}.
apiVersion: batch/v1
kind: CronJob
metadata:
  name: billing
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: billing
              image: ${images.billing.reference}
`,
  };
}
