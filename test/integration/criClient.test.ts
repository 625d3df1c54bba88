// The CRI client against real runtimes: a private containerd (pull, list, inspect, remove, file
// system usage, containers and sandboxes, restart, permissions), the same containerd through a
// real sshd on loopback, and real gRPC servers that fail in the ways a misconfigured endpoint does.
import { after, before, describe, test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { CriClient, type CriClientOptions } from '../../client/src/cri/criClient';
import { parseEndpoint, type CriEndpoint } from '../../client/src/cri/endpoints';
import { CriError, type CriErrorKind } from '../../client/src/cri/errors';
import { RuntimeServiceService } from '../../client/src/cri/generated/runtime';
import { startContainerd, type PrivateContainerd } from '../support/containerd';
import { buildDataImage, buildSleeperImage } from '../support/ociImage';
import { startRegistry, type LoopbackRegistry } from '../support/registry';
import { startSshd, sshdRequirements, type LoopbackSshd } from '../support/sshd';
import { containerdRequirements, freeLoopbackPort, missingRequirements, run, waitUntil } from '../support/system';

const criClientModule = join(__dirname, '..', '..', 'client', 'src', 'cri', 'criClient.js');

function endpoint(text: string): CriEndpoint {
  const parsed = parseEndpoint(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.endpoint;
}

/** Runs `body` with a client that is closed afterwards, whatever happens. */
async function withClient<T>(
  target: string,
  body: (client: CriClient) => Promise<T>,
  options?: CriClientOptions,
): Promise<T> {
  const client = new CriClient(endpoint(target), options);
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

function criError(kind: CriErrorKind, message: RegExp | string): object {
  return { name: 'CriError', kind, message };
}

function temporaryFolder(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), 'kube-images-cri-test-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** A gRPC server on a unix socket that knows no CRI service, or only a Version that never answers. */
async function startGrpcServer(socketPath: string, options: { hangingVersion?: () => void } = {}): Promise<grpc.Server> {
  const server = new grpc.Server();
  if (options.hangingVersion) {
    const onCall = options.hangingVersion;
    server.addService(RuntimeServiceService, {
      version: () => onCall(),
      status: () => undefined,
      listContainers: () => undefined,
      listPodSandbox: () => undefined,
    });
  }
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
  );
  return server;
}

describe('CRI client failures that need no runtime', () => {
  test('a missing socket says that no runtime is there and how to point elsewhere', async (t) => {
    const socketPath = join(temporaryFolder(t), 'containerd.sock');
    await withClient(
      `unix://${socketPath}`,
      (client) =>
        assert.rejects(
          client.version(),
          criError(
            'socket-missing',
            `no container runtime at ${socketPath} — is containerd running? If it listens elsewhere, set kubeImages.endpoints`,
          ),
        ),
      { endpointHint: 'set kubeImages.endpoints' },
    );
    await withClient(`unix://${socketPath}`, async (client) => {
      const failure: unknown = await client.listImages().then(() => undefined, (error: unknown) => error);
      assert.ok(failure instanceof CriError);
      assert.equal(failure.grpcCode, grpc.status.UNAVAILABLE);
    });
  });

  test('a socket file that nothing listens on is a refused connection', async (t) => {
    const socketPath = join(temporaryFolder(t), 'crio.sock');
    // A process killed while listening leaves its socket file behind, as a crashed runtime does.
    const listener = spawnSync(process.execPath, [
      '-e',
      "require('node:net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))",
      socketPath,
    ]);
    assert.equal(listener.signal, 'SIGKILL');
    assert.ok(statSync(socketPath).isSocket());
    await withClient(`unix://${socketPath}`, (client) =>
      assert.rejects(
        client.listImages(),
        criError('connection-refused', `nothing answers on ${socketPath}: the socket file is there but no runtime listens on it (it stopped, or is restarting) — start CRI-O`),
      ),
    );
  });

  test('a path that is not a socket says so', async (t) => {
    const path = join(temporaryFolder(t), 'containerd.sock');
    writeFileSync(path, '');
    await withClient(
      `unix://${path}`,
      (client) => assert.rejects(client.version(), criError('unavailable', `${path} is not a socket — pass --endpoint`)),
      { endpointHint: 'pass --endpoint' },
    );
  });

  test('a closed TCP port is a refused connection', async () => {
    const port = await freeLoopbackPort();
    await withClient(`tcp://127.0.0.1:${port}`, (client) =>
      assert.rejects(client.version(), criError('connection-refused', new RegExp(`^nothing listens on 127\\.0\\.0\\.1:${port} — `))),
    );
  });

  test('a gRPC server without the CRI v1 services is reported as not a CRI v1 runtime', async (t) => {
    const socketPath = join(temporaryFolder(t), 'other.sock');
    const server = await startGrpcServer(socketPath);
    t.after(() => server.forceShutdown());
    await withClient(`unix://${socketPath}`, async (client) => {
      await assert.rejects(client.version(), criError('not-cri-v1', /does not serve the CRI v1 API \(Version: .*disabled_plugins = \["cri"\]/));
      await assert.rejects(client.listImages(), criError('not-cri-v1', /\(ListImages: /));
    });
  });

  test('a runtime that does not answer fails at the deadline, and a pending call can be cancelled', async (t) => {
    const socketPath = join(temporaryFolder(t), 'hung.sock');
    let calls = 0;
    const server = await startGrpcServer(socketPath, { hangingVersion: () => void calls++ });
    t.after(() => server.forceShutdown());
    await withClient(
      `unix://${socketPath}`,
      async (client) => {
        await assert.rejects(
          client.version(),
          criError('deadline-exceeded', `unix://${socketPath} did not answer Version within 250 ms — the runtime may be overloaded or hung; try again`),
        );
        await assert.rejects(client.version({ timeoutMs: 1_000 }), criError('deadline-exceeded', /within 1 s/));

        const controller = new AbortController();
        const pending = client.version({ signal: controller.signal, timeoutMs: Infinity });
        // Cancel only once the server holds the call, so the cancellation is of a call in flight.
        await waitUntil('the server to receive the third call', () => (calls === 3 ? true : undefined));
        controller.abort();
        await assert.rejects(pending, criError('cancelled', `Version on unix://${socketPath} was cancelled`));

        const aborted = new AbortController();
        aborted.abort();
        await assert.rejects(client.version({ signal: aborted.signal }), criError('cancelled', /was cancelled/));
        assert.equal(calls, 3, 'a call whose signal was already aborted is never sent');
      },
      { timeoutMs: 250 },
    );
  });
});

describe('CRI client against a private containerd', { skip: missingRequirements(containerdRequirements) }, () => {
  let registry: LoopbackRegistry;
  let privateRegistry: LoopbackRegistry;
  let containerd: PrivateContainerd;
  let client: CriClient;
  const pause = buildSleeperImage({ variant: 'cri-client-pause' });
  const app = buildSleeperImage({ variant: 'cri-client-app' });
  const data = buildDataImage('cri-client data');
  const privateImage = buildDataImage('cri-client private', { format: 'docker' });

  before(async () => {
    registry = await startRegistry();
    privateRegistry = await startRegistry({ auth: 'basic', credentials: { username: 'puller', password: 'pa55word' } });
    await registry.push(pause, 'pause', '1');
    await registry.push(app, 'app', '1');
    await registry.push(app, 'app', 'also');
    await registry.push(data, 'data', '1');
    await privateRegistry.push(privateImage, 'team/private', '1');
    containerd = await startContainerd({ sandboxImage: registry.reference('pause', '1'), insecureRegistries: [registry.host] });
    containerd.addInsecureRegistry(privateRegistry.host);
    client = new CriClient(endpoint(containerd.endpoint));
  });

  after(async () => {
    await client?.close();
    await containerd?.stop();
    await privateRegistry?.stop();
    await registry?.stop();
  });

  test('version and status', async () => {
    const version = await client.version();
    assert.equal(version.runtimeName, 'containerd');
    assert.equal(version.runtimeApiVersion, 'v1');
    const containerdVersion = (await run('containerd', ['--version'])).split(' ')[2];
    assert.equal(version.runtimeVersion, containerdVersion);

    const status = await client.status();
    const conditions = new Map(status.conditions.map((condition) => [condition.type, condition]));
    assert.equal(conditions.get('RuntimeReady')?.status, true);
    // No CNI is configured here, and containerd says so.
    assert.equal(conditions.get('NetworkReady')?.status, false);
    assert.deepEqual(status.info, {});
    const verbose = await client.status({ verbose: true });
    const config = JSON.parse(verbose.info['config'] ?? 'null') as { containerd: { snapshotter: string } };
    assert.equal(config.containerd.snapshotter, 'native');
  });

  test('pull anonymously, then list exactly what ctr lists', async () => {
    assert.equal(await client.pullImage(registry.reference('app', '1')), app.config.digest);
    assert.equal(await client.pullImage(registry.reference('app', 'also')), app.config.digest);
    // PullImage has no deadline unless asked for one, however short the others are.
    const hurried = await withClient(containerd.endpoint, (impatient) => impatient.pullImage(registry.reference('data', '1')), {
      timeoutMs: 1,
    });
    assert.equal(hurried, data.config.digest);

    const images = await client.listImages();
    const listedApp = images.find((image) => image.id === app.config.digest);
    assert.deepEqual(
      { ...listedApp, repoTags: [...(listedApp?.repoTags ?? [])].sort() },
      {
        id: app.config.digest,
        repoTags: [registry.reference('app', '1'), registry.reference('app', 'also')].sort(),
        repoDigests: [registry.reference('app', app.manifest.digest)],
        size: listedApp?.size,
        uid: undefined,
        username: '',
        pinned: false,
      },
    );
    // containerd counts the compressed layers and the config toward an image's size.
    const blobBytes = app.manifest.bytes.length + app.config.bytes.length + app.layers.reduce((sum, layer) => sum + layer.size, 0);
    assert.ok((listedApp?.size ?? 0) >= blobBytes - app.manifest.bytes.length, `size ${listedApp?.size} for ${blobBytes} bytes of blobs`);

    // containerd keeps one image record per tag, per digest reference and per id.
    const ctrNames = (await containerd.ctr('images', 'ls', '--quiet')).trim().split('\n').sort();
    const criNames = images.flatMap((image) => [...image.repoTags, ...image.repoDigests, image.id]).sort();
    assert.deepEqual(criNames, ctrNames);
  });

  test('pull with Basic credentials, as username/password and as a docker-config auth string', async () => {
    const reference = privateRegistry.reference('team/private', '1');
    await assert.rejects(client.pullImage(reference), criError('runtime', /^PullImage failed on unix:\/\/.*401 Unauthorized/));
    await assert.rejects(
      client.pullImage(reference, { username: 'puller', password: 'wrong' }),
      criError('runtime', /401 Unauthorized/),
    );
    assert.equal(await client.pullImage(reference, { username: 'puller', password: 'pa55word' }), privateImage.config.digest);
    await client.removeImage(reference);
    const auth = Buffer.from('puller:pa55word').toString('base64');
    assert.equal(await client.pullImage(reference, { auth }), privateImage.config.digest);
  });

  test('image status, verbose with the image config, and for an image the node does not hold', async () => {
    const status = await client.imageStatus(registry.reference('app', '1'), { verbose: true });
    assert.equal(status.image?.id, app.config.digest);
    const info = JSON.parse(status.info['info'] ?? 'null') as { imageSpec: { config: { Entrypoint: string[] } } };
    const builtConfig = JSON.parse(app.config.bytes.toString('utf8')) as { config: { Entrypoint: string[] } };
    assert.deepEqual(info.imageSpec.config.Entrypoint, builtConfig.config.Entrypoint);

    const brief = await client.imageStatus(app.config.digest);
    assert.equal(brief.image?.id, app.config.digest);
    assert.deepEqual(brief.info, {});

    assert.deepEqual(await client.imageStatus(registry.reference('never-pulled', '1')), { image: undefined, info: {} });
  });

  test('containers in every state and pod sandboxes, with their images', async () => {
    const pod = await containerd.runPod('cri-client');
    const runningId = await containerd.runContainer(pod, registry.reference('app', '1'), 'runner');
    const exitedId = await containerd.runContainer(pod, registry.reference('app', 'also'), 'quitter');
    await containerd.cri.stopContainer(exitedId);

    const containers = await client.listContainers();
    const summary = containers
      .filter((container) => container.podSandboxId === pod.id)
      .map(({ id, name, attempt, image, imageRef, state, labels }) => ({
        id,
        name,
        attempt,
        image,
        imageRef,
        state,
        containerName: labels['io.kubernetes.container.name'],
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(summary, [
      {
        id: exitedId,
        name: 'quitter',
        attempt: 0,
        image: registry.reference('app', 'also'),
        imageRef: app.config.digest,
        state: 'exited',
        containerName: 'quitter',
      },
      {
        id: runningId,
        name: 'runner',
        attempt: 0,
        image: registry.reference('app', '1'),
        imageRef: app.config.digest,
        state: 'running',
        containerName: 'runner',
      },
    ]);
    const running = containers.find((container) => container.id === runningId);
    assert.ok(running !== undefined && Math.abs(running.createdAtMs - Date.now()) < 60_000);

    const sandboxes = await client.listPodSandbox();
    assert.deepEqual(
      sandboxes.map(({ id, name, namespace, uid, state }) => ({ id, name, namespace, uid, state })),
      [{ id: pod.id, name: 'cri-client', namespace: 'kube-images-test', uid: (pod.config['metadata'] as { uid: string }).uid, state: 'ready' }],
    );
  });

  test('remove an image with all its tags; removing it again succeeds', async () => {
    const reference = registry.reference('data', '1');
    await client.removeImage(reference);
    assert.equal((await client.listImages()).find((image) => image.id === data.config.digest), undefined);
    assert.doesNotMatch(await containerd.ctr('images', 'ls', '--quiet'), new RegExp(data.config.digest));
    await client.removeImage(reference);
  });

  test('a pull can be cancelled, or given a deadline, while the registry hangs', async () => {
    const proxy = await registry.openFaultProxy();
    containerd.addInsecureRegistry(proxy.host);
    proxy.inject({ fault: { kind: 'hang' } });

    const controller = new AbortController();
    const pull = client.pullImage(`${proxy.host}/data:1`, undefined, { signal: controller.signal });
    await waitUntil('containerd to reach the hanging registry', () =>
      proxy.requests.some((request) => request.outcome === 'hang') ? true : undefined,
    );
    controller.abort();
    await assert.rejects(pull, criError('cancelled', /^PullImage on unix:\/\/.* was cancelled$/));

    await assert.rejects(
      client.pullImage(`${proxy.host}/data:1`, undefined, { timeoutMs: 500 }),
      criError('deadline-exceeded', /did not answer PullImage within 500 ms/),
    );
    await proxy.close();
  });

  // Root may open any socket, so the client runs as `nobody` in a child process to meet the
  // permission problem a normal user meets.
  const canRunAsNobody =
    process.getuid?.() === 0 &&
    spawnSync(process.execPath, ['-e', `require(${JSON.stringify(criClientModule)})`], { uid: 65534, gid: 65534, cwd: tmpdir() })
      .status === 0;

  test('a socket this user may not open: the message names its owner, group and mode', { skip: !canRunAsNobody && 'needs root and a checkout that nobody can read' }, async (t) => {
    const socketPath = containerd.socketPath;
    const original = statSync(socketPath);
    const folderMode = statSync(containerd.directory).mode & 0o777;
    t.after(() => {
      chownSync(socketPath, original.uid, original.gid);
      chmodSync(socketPath, original.mode & 0o777);
      chmodSync(containerd.directory, folderMode);
    });
    const ways = 'run with sudo, or connect through an ssh:// endpoint as a user who may open it';

    const asNobody = (): { kind: string; message: string } => {
      const script = `
        const { CriClient } = require(process.argv[1]);
        const client = new CriClient({ kind: 'unix', socketPath: process.argv[2] });
        client.version().then(
          () => console.log(JSON.stringify({ kind: 'none', message: 'connected' })),
          (error) => console.log(JSON.stringify({ kind: error.kind, message: error.message })),
        ).finally(() => client.close());`;
      const result = spawnSync(process.execPath, ['-e', script, criClientModule, socketPath], {
        uid: 65534,
        gid: 65534,
        cwd: tmpdir(),
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout) as { kind: string; message: string };
    };

    // containerd's temp folder is private, so nobody cannot even see the socket.
    assert.deepEqual(asNobody(), {
      kind: 'permission-denied',
      message: `permission denied on ${socketPath}: a folder on the way to it is not open to you — ${ways}`,
    });

    chmodSync(containerd.directory, 0o711);
    const daemonGroup = (await run('getent', ['group', '1'])).split(':')[0];
    const cases: readonly { owner: [number, number]; mode: number; expected: string }[] = [
      { owner: [0, 0], mode: 0o660, expected: `the socket is owned by root:root mode 660, so only root and group root may connect — ${ways}` },
      { owner: [0, 0], mode: 0o600, expected: `the socket is owned by root:root mode 600, so only root may connect — ${ways}` },
      {
        owner: [0, 1],
        mode: 0o660,
        expected: `the socket is owned by root:${daemonGroup} mode 660 — join group ${daemonGroup} (sudo usermod -aG ${daemonGroup} "$USER", then log in again), ${ways}`,
      },
    ];
    for (const { owner, mode, expected } of cases) {
      chownSync(socketPath, ...owner);
      chmodSync(socketPath, mode);
      assert.deepEqual(asNobody(), { kind: 'permission-denied', message: `permission denied on ${socketPath}: ${expected}` });
    }

    // The same user is let in once the socket allows it, which shows the denial was the socket's.
    chmodSync(socketPath, 0o666);
    assert.deepEqual(asNobody(), { kind: 'none', message: 'connected' });
  });

  test('image file system usage', async () => {
    // containerd measures its snapshotter's folder every 10 s; until the first pass after the
    // pulls above, it reports nothing used.
    const usage = await waitUntil(
      'containerd to measure the pulled images',
      async () => {
        const answer = await client.imageFsInfo();
        return (answer.imageFilesystems[0]?.usedBytes ?? 0) > 0 ? answer : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.equal(usage.imageFilesystems.length, 1);
    const [filesystem] = usage.imageFilesystems;
    assert.ok(filesystem?.mountpoint.startsWith(`${containerd.directory}/`), filesystem?.mountpoint);
    assert.ok(statSync(filesystem.mountpoint).isDirectory());
    assert.ok((filesystem.inodesUsed ?? 0) > 0);
    assert.ok(filesystem.timestampMs <= Date.now() && filesystem.timestampMs > Date.now() - 60_000, String(filesystem.timestampMs));
    assert.deepEqual(usage.containerFilesystems, []);
  });

  test('a runtime restarted mid-session is reached again by the same client', async () => {
    const before = (await client.listImages()).map((image) => image.id).sort();
    await containerd.restart();
    assert.deepEqual((await client.listImages()).map((image) => image.id).sort(), before);
    assert.equal((await client.version()).runtimeName, 'containerd');
  });
});

/** Process ids of ssh clients forwarding to the given loopback port. */
function sshClientsTo(port: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv[0] === 'ssh' && argv.includes('-L') && argv.includes(String(port));
      } catch {
        return false;
      }
    })
    .map(Number);
}

function sshTunnelFolders(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('kube-images-ssh-'));
}

describe(
  'CRI client through ssh:// to a real sshd',
  { skip: missingRequirements({ programs: [...containerdRequirements.programs, ...sshdRequirements.programs], root: true }) },
  () => {
    let registry: LoopbackRegistry;
    let containerd: PrivateContainerd;
    let sshd: LoopbackSshd;
    const pause = buildSleeperImage({ variant: 'cri-ssh-pause' });
    const data = buildDataImage('cri-ssh data');

    before(async () => {
      registry = await startRegistry();
      await registry.push(pause, 'pause', '1');
      await registry.push(data, 'data', '1');
      containerd = await startContainerd({ sandboxImage: registry.reference('pause', '1'), insecureRegistries: [registry.host] });
      await containerd.cri.pullImage(registry.reference('data', '1'));
      sshd = await startSshd();
    });

    after(async () => {
      await sshd?.stop();
      await containerd?.stop();
      await registry?.stop();
    });

    const sshOptions = (overrides?: { knownHostsFile?: string; identityFile?: string }): CriClientOptions => ({
      ssh: { extraArguments: sshd.clientArguments(overrides), readyTimeoutMs: 10_000 },
    });

    test('lists what the socket lists directly, survives a dropped tunnel and a runtime restart, and closes cleanly', async () => {
      const foldersBefore = sshTunnelFolders();
      const client = new CriClient(endpoint(sshd.endpoint('root', containerd.socketPath)), sshOptions());
      try {
        const direct = (await containerd.cri.listImages()).map((image) => image.id).sort();
        assert.ok(direct.includes(data.config.digest));
        assert.deepEqual((await client.listImages()).map((image) => image.id).sort(), direct);
        assert.equal((await client.version()).runtimeName, 'containerd');

        const [folder, ...others] = sshTunnelFolders().filter((name) => !foldersBefore.includes(name));
        assert.deepEqual(others, []);
        assert.equal(statSync(join(tmpdir(), folder ?? 'missing')).mode & 0o777, 0o700);

        // The connection drops: ssh dies. The next call starts a new ssh on the same local socket.
        const [pid, ...morePids] = sshClientsTo(sshd.port);
        assert.deepEqual(morePids, []);
        process.kill(pid ?? 0, 'SIGKILL');
        // Gone from /proc only once reaped, which is when this process learns that ssh exited.
        await waitUntil('the killed ssh to be reaped', () => (existsSync(`/proc/${pid}`) ? undefined : true));
        assert.deepEqual((await client.listImages()).map((image) => image.id).sort(), direct);
        const [newPid] = sshClientsTo(sshd.port);
        assert.ok(newPid !== undefined && newPid !== pid);

        await containerd.restart();
        assert.deepEqual((await client.listImages()).map((image) => image.id).sort(), direct);

        await client.close();
        assert.deepEqual(sshClientsTo(sshd.port), []);
        assert.equal(existsSync(join(tmpdir(), folder ?? 'missing')), false);
        await assert.rejects(client.version(), criError('cancelled', /is closed/));
      } finally {
        await client.close();
      }
    });

    test('ssh failures say what to do', async (t) => {
      const emptyKnownHosts = join(temporaryFolder(t), 'known_hosts');
      const strangerKey = join(temporaryFolder(t), 'stranger');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
      const closedPort = await freeLoopbackPort();
      const noForwarding = await startSshd({ allowStreamLocalForwarding: false });
      t.after(() => noForwarding.stop());

      const cases: readonly { name: string; target: string; options: CriClientOptions; kind: CriErrorKind; message: RegExp }[] = [
        {
          name: 'unknown host key',
          target: sshd.endpoint('root', containerd.socketPath),
          options: sshOptions({ knownHostsFile: emptyKnownHosts }),
          kind: 'ssh',
          message: new RegExp(
            `^ssh does not know the host key of 127\\.0\\.0\\.1 and cannot ask from here — connect once in a terminal \\(ssh -p ${sshd.port} root@127\\.0\\.0\\.1\\) to check and record it$`,
          ),
        },
        {
          name: 'a key the server does not accept',
          target: sshd.endpoint('root', containerd.socketPath),
          options: sshOptions({ identityFile: strangerKey }),
          kind: 'ssh',
          message: new RegExp(
            `^ssh could not log in to root@127\\.0\\.0\\.1:${sshd.port}: the server accepted none of your keys \\(it allows publickey\\) — .*passwords are not supported$`,
          ),
        },
        {
          name: 'no ssh server on the port',
          target: `ssh://root@127.0.0.1:${closedPort}${containerd.socketPath}`,
          options: sshOptions(),
          kind: 'ssh',
          message: new RegExp(`^no ssh server answers on 127\\.0\\.0\\.1:${closedPort} \\(connection refused\\)$`),
        },
        {
          name: 'no socket at that path on the node',
          target: sshd.endpoint('root', '/run/no-such-runtime.sock'),
          options: sshOptions(),
          kind: 'ssh',
          message: new RegExp(`^ssh reached root@127\\.0\\.0\\.1:${sshd.port} but could not open /run/no-such-runtime\\.sock there: `),
        },
        {
          name: 'a user who may not open the socket',
          target: sshd.endpoint('nobody', containerd.socketPath),
          options: sshOptions(),
          kind: 'ssh',
          message: /but could not open .* there: no runtime listens on it, nobody may not open it \(/,
        },
        {
          name: 'a server that forbids socket forwarding',
          target: noForwarding.endpoint('root', containerd.socketPath),
          options: { ssh: { extraArguments: noForwarding.clientArguments(), readyTimeoutMs: 10_000 } },
          kind: 'ssh',
          message: /but could not open .* there: .*or the ssh server does not allow forwarding unix sockets \(AllowStreamLocalForwarding/,
        },
      ];
      for (const { name, target, options, kind, message } of cases) {
        await t.test(name, () => withClient(target, (client) => assert.rejects(client.listImages(), criError(kind, message)), options));
      }
    });
  },
);
