// The running half of `npm run demo` (scripts/demo.mjs starts it once everything is installed
// and the VSIX is built): a sandbox node, the sample workspace, and a private code-server with the
// packaged extension installed. It runs until SIGTERM, SIGINT or the loss of its parent, then
// stops everything and checks that nothing is left behind.
//
//   node out/test/support/demoSession.js VSIX
//
// Everything it creates lives under the folder in KUBE_IMAGES_DEMO_ROOT, which is also TMPDIR,
// so every temp folder of the harness lands there, and every process it starts inherits that
// variable: a process still carrying it after the stop is a leftover, whoever started it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer, type RunningCodeServer } from './codeServer';
import { startSandboxNode, type SandboxNode } from './sandboxNode';
import { SANDBOX_MANIFESTS, writeSandboxWorkspace } from './sandboxWorkspace';
import { waitUntil } from './system';

const ROOT_VARIABLE = 'KUBE_IMAGES_DEMO_ROOT';

interface Started {
  node?: SandboxNode;
  codeServer?: RunningCodeServer;
}

async function main(): Promise<number> {
  const root = process.env[ROOT_VARIABLE];
  const vsix = process.argv[2];
  if (root === undefined || vsix === undefined || !existsSync(vsix)) {
    console.error(`usage: ${ROOT_VARIABLE}=DIR node demoSession.js VSIX (started by scripts/demo.mjs)`);
    return 2;
  }
  process.env['TMPDIR'] = root;

  const started: Started = {};
  const startup = start(root, vsix, started);
  let stopping: Promise<number> | undefined;
  // A stop asked for during start-up waits for it: what is still starting would otherwise be missed.
  const stop = (): Promise<number> => (stopping ??= startup.catch(() => undefined).then(() => stopAll(root, started)));
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (): void => void stop().then(resolve);
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // The front process went away without telling us (killed): nobody is left to stop the demo.
    process.on('disconnect', onSignal);
  });
  try {
    console.log(await startup);
  } catch (error) {
    console.error(`demo: could not start: ${error instanceof Error ? error.message : String(error)}`);
    return Math.max(1, await stop());
  }
  return stopped;
}

/** Starts the parts one by one, recording each in `started` as soon as it runs; returns the banner. */
async function start(root: string, vsix: string, started: Started): Promise<string> {
  console.log('demo: starting the sandbox node (containerd, two registries, a pod)…');
  const node = (started.node = await startSandboxNode());
  const workspace = writeSandboxWorkspace(join(root, 'workspace'), node);
  const dockerConfig = join(root, 'docker');
  mkdirSync(dockerConfig);
  console.log('demo: starting code-server with the packaged extension…');
  const port = process.env['KUBE_IMAGES_DEMO_PORT'];
  const codeServer = (started.codeServer = await startCodeServer({
    workspace,
    trusted: true,
    extensions: [vsix],
    ...(port === undefined ? {} : { port: Number(port) }),
    // An empty docker config: the demo uses no credentials of this machine's account.
    env: { DOCKER_CONFIG: dockerConfig },
    settings: {
      'kubeImages.endpoints': [{ name: 'sandbox-node', endpoint: node.containerd.endpoint }],
      'workbench.colorTheme': 'Default Dark Modern',
      // The registries and containerd listen on loopback ports; code-server would offer to forward each.
      'remote.autoForwardPorts': false,
    },
  }));
  return banner(codeServer, node, workspace);
}

/** Stops what was started, newest first, and reports what is left; 0 when nothing is. */
async function stopAll(root: string, started: Started): Promise<number> {
  console.log('\ndemo: stopping code-server, the pod, containerd and the registries…');
  const problems: string[] = [];
  for (const part of [started.codeServer, started.node]) {
    try {
      await part?.stop();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  problems.push(...(await leftoversOf(root, started.node)));
  rmSync(root, { recursive: true, force: true });
  if (problems.length === 0) {
    console.log('demo: stopped; nothing is left behind (no process, mount, socket or folder).');
    return 0;
  }
  console.error(`demo: stopped, but:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  return 1;
}

function banner(codeServer: RunningCodeServer, node: SandboxNode, workspace: string): string {
  const { images, registry, privateRegistry, credentials } = node;
  const short = (reference: string): string => reference.slice(reference.indexOf('/') + 1);
  return `
Kubernetes Images demo is running.

  Open  ${codeServer.url}/?folder=${encodeURI(workspace)}

  Sandbox node   containerd at ${node.containerd.endpoint}
                 pod "${node.podName}" runs ${short(images.web.reference)} (in use); ${short(images.api.reference)} and ${short(images.debug.reference)} are pulled, unused
  Registry       ${registry.host} (anonymous): ${[images.web, images.api, images.worker, images.debug, images.pause].map((image) => short(image.reference)).join(', ')}
  Registry       ${privateRegistry.host} (Basic auth, user ${credentials.username}, password ${credentials.password}): ${short(images.billing.reference)}

  Try: open ${SANDBOX_MANIFESTS.shop} (squiggles, hover an image, the inlay hints, the light bulb's
  "Pin to digest"), examples/apps/web.yaml, the Kubernetes Images view in the activity bar, and
  Help > Get Started > "Get started with Kubernetes Images".

Press Ctrl-C to stop everything.
`;
}

/** Whatever of the demo is still on the machine after its parts were stopped, one line each. */
async function leftoversOf(root: string, node: SandboxNode | undefined): Promise<string[]> {
  // A language server notices its extension host is gone within a few seconds, so allow for that.
  const processes = await waitUntil('the demo processes to exit', () => (processesOf(root).length === 0 ? [] : undefined), { timeoutMs: 15_000, intervalMs: 200 }).catch(() =>
    processesOf(root),
  );
  const problems = processes.map(({ pid, what }) => `process ${pid} is still running: ${what}`);
  if (node !== undefined) {
    const runtime = node.leftovers();
    problems.push(...runtime.processes.map(({ pid, what }) => `containerd left process ${pid}: ${what}`));
    problems.push(...runtime.mounts.map((mount) => `containerd left a mount: ${mount}`));
    problems.push(...runtime.shimSockets.map((socket) => `containerd left a shim socket: ${socket}`));
    if (runtime.directoryExists) problems.push('containerd left its folder');
  }
  return problems;
}

/** Live processes (other than this one) whose environment names the demo's root folder. */
function processesOf(root: string): { pid: number; what: string }[] {
  const marker = `${ROOT_VARIABLE}=${root}`;
  const found: { pid: number; what: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Zombies have exited; they only wait for their parent to collect the status.
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      found.push({ pid, what: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // The process exited while we looked.
    }
  }
  return found;
}

void main().then((code) => process.exit(code));
