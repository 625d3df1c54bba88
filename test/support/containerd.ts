// A private, real containerd (Debian's 1.6 with its CRI plugin) for integration tests: its own
// root, state and socket in a temp folder, configured as /work/shared/ENVIRONMENT.md found this
// sandbox needs, driven over CRI gRPC like the kubelet does, and torn down so that no process,
// mount or file of it survives.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, terminate, waitUntil } from './system';

const protoPath = join(__dirname, '..', '..', '..', 'test', 'support', 'cri-harness.proto');
const criNamespace = 'k8s.io';
const testPodNamespace = 'kube-images-test';
const defaultDeadlineMs = 15_000;

// Shapes of the CRI messages as @grpc/proto-loader decodes them with the options below
// (camelCase fields, enums as names, 64-bit integers as strings, defaults filled in).
export interface CriVersion {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface CriImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: string;
  pinned: boolean;
}

export interface CriContainer {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number } | null;
  image: { image: string } | null;
  imageRef: string;
  state: 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
  labels: Record<string, string>;
}

export interface CriPodSandbox {
  id: string;
  metadata: { name: string; uid: string; namespace: string; attempt: number } | null;
  state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  labels: Record<string, string>;
}

export interface CriAuth {
  username?: string;
  password?: string;
  identityToken?: string;
  registryToken?: string;
  serverAddress?: string;
}

/** A pod sandbox config in proto-loader's input form; kept to pass again to CreateContainer. */
export type PodSandboxConfig = Record<string, unknown>;

/** A CRI client over the test-only proto: the calls the harness needs, each with a deadline. */
export class CriHarnessClient {
  private static definition: protoLoader.PackageDefinition | undefined;
  private readonly client: grpc.Client;

  constructor(readonly endpoint: string) {
    this.client = new grpc.Client(endpoint, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
    });
  }

  version(): Promise<CriVersion> {
    return this.call('RuntimeService', 'Version', { version: 'v1' });
  }

  async pullImage(image: string, auth?: CriAuth): Promise<string> {
    const response = await this.call<{ imageRef: string }>('ImageService', 'PullImage', {
      image: { image },
      ...(auth ? { auth } : {}),
    });
    return response.imageRef;
  }

  async listImages(): Promise<CriImage[]> {
    return (await this.call<{ images: CriImage[] }>('ImageService', 'ListImages', {})).images;
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    return (await this.call<{ podSandboxId: string }>('RuntimeService', 'RunPodSandbox', { config })).podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.call('RuntimeService', 'StopPodSandbox', { podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.call('RuntimeService', 'RemovePodSandbox', { podSandboxId });
  }

  async listPodSandbox(): Promise<CriPodSandbox[]> {
    return (await this.call<{ items: CriPodSandbox[] }>('RuntimeService', 'ListPodSandbox', {})).items;
  }

  async createContainer(podSandboxId: string, config: Record<string, unknown>, sandboxConfig: PodSandboxConfig): Promise<string> {
    const response = await this.call<{ containerId: string }>('RuntimeService', 'CreateContainer', {
      podSandboxId,
      config,
      sandboxConfig,
    });
    return response.containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.call('RuntimeService', 'StartContainer', { containerId });
  }

  async stopContainer(containerId: string, timeoutSeconds = 0): Promise<void> {
    await this.call('RuntimeService', 'StopContainer', { containerId, timeout: timeoutSeconds });
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.call('RuntimeService', 'RemoveContainer', { containerId });
  }

  async listContainers(): Promise<CriContainer[]> {
    return (await this.call<{ containers: CriContainer[] }>('RuntimeService', 'ListContainers', {})).containers;
  }

  close(): void {
    this.client.close();
  }

  private call<Response>(
    service: 'RuntimeService' | 'ImageService',
    method: string,
    request: object,
    deadlineMs = defaultDeadlineMs,
  ): Promise<Response> {
    const definition = (CriHarnessClient.definition ??= protoLoader.loadSync(protoPath, {
      keepCase: false,
      longs: String,
      enums: String,
      defaults: true,
    }));
    const methodDefinition = (definition[`runtime.v1.${service}`] as protoLoader.ServiceDefinition)[method];
    if (methodDefinition === undefined) throw new Error(`cri-harness.proto has no ${service}.${method}`);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        methodDefinition.path,
        methodDefinition.requestSerialize,
        methodDefinition.responseDeserialize as (bytes: Buffer) => Response,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + deadlineMs },
        (error, response) => {
          if (error) reject(new Error(`CRI ${method}: ${error.message}`, { cause: error }));
          else resolve(response as Response);
        },
      );
    });
  }
}

export interface StartContainerdOptions {
  /**
   * The pause image (`sandbox_image`). containerd pulls it without credentials on the first
   * RunPodSandbox, so it must live in an anonymous registry or be pulled beforehand.
   */
  readonly sandboxImage: string;
  /** Registry hosts (`HOST:PORT`) that containerd may reach over plain HTTP. */
  readonly insecureRegistries?: readonly string[];
}

export interface RunningPod {
  readonly id: string;
  readonly name: string;
  readonly config: PodSandboxConfig;
}

/** What of a containerd instance is still on the machine; all empty after a clean teardown. */
export interface Leftovers {
  /** Live processes: containerd, its shims, and the first processes of its sandboxes and containers. */
  readonly processes: readonly { pid: number; what: string }[];
  readonly mounts: readonly string[];
  /** Shim sockets, which live outside the folder (containerd 1.6 keeps them in /run/containerd/s). */
  readonly shimSockets: readonly string[];
  readonly directoryExists: boolean;
}

export interface PrivateContainerd {
  /** `unix://` endpoint of the CRI socket, as the product's endpoint settings spell it. */
  readonly endpoint: string;
  readonly socketPath: string;
  readonly directory: string;
  /** The current CRI client; replaced by `restart()`. */
  readonly cri: CriHarnessClient;
  /** Lets containerd pull from a plain-HTTP registry; read at every pull, so it works while running. */
  addInsecureRegistry(host: string): void;
  /** Runs a pod sandbox in the host network namespace (no CNI needed). */
  runPod(name?: string): Promise<RunningPod>;
  /**
   * Creates and starts a container of `image` in `pod`, so that image is in use. Returns its id.
   * The image must have been pulled first, as the kubelet does before CreateContainer.
   */
  runContainer(pod: RunningPod, image: string, name?: string): Promise<string>;
  /** Runs `ctr` against this instance in the CRI namespace and returns its output. */
  ctr(...args: string[]): Promise<string>;
  /** Stops containerd and starts it again on the same state, leaving pods and containers running. */
  restart(): Promise<void>;
  leftovers(): Leftovers;
  /** Removes pods, stops containerd, kills and unmounts whatever remains, and deletes the folder. */
  stop(): Promise<void>;
}

export async function startContainerd(options: StartContainerdOptions): Promise<PrivateContainerd> {
  const directory = mkdtempSync(join(tmpdir(), 'kube-images-containerd-'));
  const socketPath = join(directory, 'containerd.sock');
  const endpoint = `unix://${socketPath}`;
  const stateDirectory = join(directory, 'state');
  const hostsDirectory = join(directory, 'certs.d');
  const configPath = join(directory, 'config.toml');
  const logPath = join(directory, 'containerd.log');
  mkdirSync(hostsDirectory);
  writeFileSync(configPath, containerdConfig(directory, socketPath, hostsDirectory, options.sandboxImage));

  const addInsecureRegistry = (host: string): void => {
    mkdirSync(join(hostsDirectory, host), { recursive: true });
    writeFileSync(
      join(hostsDirectory, host, 'hosts.toml'),
      [`server = "http://${host}"`, '', `[host."http://${host}"]`, '  capabilities = ["pull", "resolve"]', ''].join('\n'),
    );
  };
  for (const host of options.insecureRegistries ?? []) addInsecureRegistry(host);

  // Sandboxes and containers with the pids of their first processes, read while they run: the
  // state folder that records them is gone by the time `leftovers()` is asked.
  const workloads = new Map<string, { pid: number; what: string }>();
  let child: ChildProcess | undefined;
  let cri: CriHarnessClient | undefined;

  const launch = async (): Promise<void> => {
    const logFd = openSync(logPath, 'a');
    const daemon = spawn('containerd', ['--config', configPath], { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    child = daemon;
    let spawnError: Error | undefined;
    daemon.once('error', (error) => (spawnError = error));
    const client = new CriHarnessClient(endpoint);
    cri = client;
    await waitUntil('containerd to answer CRI Version', () => (existsSync(socketPath) ? client.version() : undefined), {
      timeoutMs: 30_000,
      abandon: () => {
        if (spawnError) return spawnError.message;
        if (daemon.exitCode !== null || daemon.signalCode !== null) {
          return `containerd exited (${daemon.exitCode ?? daemon.signalCode}): ${tail(logPath)}`;
        }
        return undefined;
      },
    });
  };

  const currentCri = (): CriHarnessClient => {
    if (!cri) throw new Error('containerd is not running');
    return cri;
  };

  const shutdown = async (): Promise<void> => {
    cri?.close();
    if (child) await terminate(child);
  };

  const recordWorkloadPid = (id: string, what: string): void => {
    const pidFile = join(stateDirectory, 'io.containerd.runtime.v2.task', criNamespace, id, 'init.pid');
    // containerd writes the pid without a trailing newline.
    workloads.set(id, { pid: Number.parseInt(readFileSync(pidFile, 'utf8'), 10), what });
  };

  const leftovers = (): Leftovers => {
    const processes = [
      ...processesMentioning(directory),
      ...[...workloads.values()].filter(({ pid }) => isAlive(pid)),
    ];
    return {
      processes,
      mounts: mountsUnder(directory),
      shimSockets: [...workloads.keys()].map((id) => shimSocketPath(socketPath, id)).filter((path) => existsSync(path)),
      directoryExists: existsSync(directory),
    };
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      const problems: string[] = [];
      if (cri && child && child.exitCode === null && child.signalCode === null) {
        // Pods go through CRI first: that stops their processes and unmounts their file systems.
        try {
          for (const pod of await cri.listPodSandbox()) {
            await cri.stopPodSandbox(pod.id);
            await cri.removePodSandbox(pod.id);
          }
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
        }
      }
      await shutdown();
      await removeRemains(directory, socketPath, workloads);
      if (problems.length > 0) throw new Error(`containerd teardown: ${problems.join('; ')}`);
    })());

  try {
    await launch();
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return {
    endpoint,
    socketPath,
    directory,
    get cri(): CriHarnessClient {
      return currentCri();
    },
    addInsecureRegistry,
    runPod: async (name = `pod-${randomUUID().slice(0, 8)}`) => {
      const uid = randomUUID();
      const config: PodSandboxConfig = {
        metadata: { name, uid, namespace: testPodNamespace, attempt: 0 },
        logDirectory: join(directory, 'pod-logs', name),
        labels: {
          'io.kubernetes.pod.name': name,
          'io.kubernetes.pod.namespace': testPodNamespace,
          'io.kubernetes.pod.uid': uid,
        },
        linux: { securityContext: { namespaceOptions: { network: 'NODE' } } },
      };
      const id = await currentCri().runPodSandbox(config);
      recordWorkloadPid(id, `sandbox ${name}`);
      return { id, name, config };
    },
    runContainer: async (pod, image, name = `container-${randomUUID().slice(0, 8)}`) => {
      const config = {
        metadata: { name, attempt: 0 },
        image: { image },
        logPath: `${name}.log`,
        labels: { ...(pod.config['labels'] as Record<string, string>), 'io.kubernetes.container.name': name },
        linux: { securityContext: { namespaceOptions: { network: 'NODE' } } },
      };
      const id = await currentCri().createContainer(pod.id, config, pod.config);
      await currentCri().startContainer(id);
      recordWorkloadPid(id, `container ${name} of ${pod.name}`);
      return id;
    },
    ctr: (...args) => run('ctr', ['--address', socketPath, '--namespace', criNamespace, ...args]),
    restart: async () => {
      await shutdown();
      await launch();
    },
    leftovers,
    stop,
  };
}

function containerdConfig(directory: string, socketPath: string, hostsDirectory: string, sandboxImage: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return [
    'version = 2',
    `root = ${toml(join(directory, 'root'))}`,
    `state = ${toml(join(directory, 'state'))}`,
    // containerd's TMPDIR, where it mounts snapshots while unpacking layers.
    `temp = ${toml(join(directory, 'tmp'))}`,
    // Snapshotters that cannot work here only add start-up noise.
    'disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]',
    '',
    '[grpc]',
    `  address = ${toml(socketPath)}`,
    '',
    // Defaults outside the temp folder would be shared with a system containerd.
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${toml(join(directory, 'opt'))}`,
    '',
    `[${cri}]`,
    `  sandbox_image = ${toml(sandboxImage)}`,
    // This sandbox has no usable cgroups, no AppArmor, and may not lower OOM scores.
    '  disable_cgroup = true',
    '  disable_apparmor = true',
    '  restrict_oom_score_adj = true',
    `  [${cri}.containerd]`,
    // overlayfs is not available here.
    '    snapshotter = "native"',
    '    default_runtime_name = "runc"',
    `    [${cri}.containerd.runtimes.runc]`,
    '      runtime_type = "io.containerd.runc.v2"',
    `      [${cri}.containerd.runtimes.runc.options]`,
    `        Root = ${toml(join(directory, 'state', 'runc'))}`,
    `  [${cri}.cni]`,
    `    bin_dir = ${toml(join(directory, 'cni', 'bin'))}`,
    `    conf_dir = ${toml(join(directory, 'cni', 'conf'))}`,
    `  [${cri}.registry]`,
    `    config_path = ${toml(hostsDirectory)}`,
    '',
  ].join('\n');
}

function toml(value: string): string {
  return JSON.stringify(value);
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Live processes whose command line names the folder: containerd itself and its shims. */
function processesMentioning(directory: string): { pid: number; what: string }[] {
  const found: { pid: number; what: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    if (commandLine.includes(directory) && isAlive(pid)) found.push({ pid, what: commandLine });
  }
  return found;
}

/** True for a process that exists and is not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function mountsUnder(directory: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined)
    // mountinfo escapes spaces and similar characters as octal sequences.
    .map((mountPoint) => mountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((mountPoint) => mountPoint.startsWith(`${directory}/`));
}

/**
 * Where containerd 1.6 puts the socket of the shim it starts for a task: a hash of its own
 * address, the namespace and the task id, under a fixed folder shared by every instance.
 */
function shimSocketPath(containerdSocket: string, taskId: string): string {
  const hash = createHash('sha256').update(join(containerdSocket, criNamespace, taskId)).digest('hex');
  return join('/run/containerd/s', hash);
}

/**
 * Last line of defence after containerd has stopped: SIGKILL for shims and for the first
 * processes of sandboxes and containers (PID 1 of their namespaces ignores SIGTERM), the
 * sockets of killed shims, a lazy unmount of what they left mounted, then the folder itself.
 */
async function removeRemains(
  directory: string,
  containerdSocket: string,
  workloads: ReadonlyMap<string, { pid: number }>,
): Promise<void> {
  const taskRoot = join(directory, 'state', 'io.containerd.runtime.v2.task', criNamespace);
  const tasks = new Map([...workloads].map(([id, { pid }]) => [id, pid]));
  for (const id of existsSync(taskRoot) ? readdirSync(taskRoot) : []) {
    try {
      tasks.set(id, Number.parseInt(readFileSync(join(taskRoot, id, 'init.pid'), 'utf8'), 10));
    } catch {
      // A task folder without a pid file never started a process.
    }
  }
  const victims = new Set([...tasks.values(), ...processesMentioning(directory).map(({ pid }) => pid)]);
  for (const pid of victims) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone between the check and the signal.
    }
  }
  await waitUntil('killed containerd processes to disappear', () =>
    [...victims].some(isAlive) ? undefined : true,
  );
  // A shim removes its socket when it shuts down cleanly, never when killed.
  for (const id of tasks.keys()) rmSync(shimSocketPath(containerdSocket, id), { force: true });
  for (const mountPoint of mountsUnder(directory).sort((a, b) => b.length - a.length)) {
    await run('umount', ['-l', mountPoint]);
  }
  rmSync(directory, { recursive: true, force: true });
}
