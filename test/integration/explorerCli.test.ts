// `kube-images images|pull|rm|gc` against a private containerd and loopback registries: the
// built `dist/cli.js` in a child process, as a terminal runs it (build first: `npm run build`).
// Plus the node operations the CLI and the explorer share where a CLI run cannot reach: a
// container that starts between a GC plan and its execution.
import { after, before, describe, test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GC_POLICY } from '../../client/src/cri/gc/gcPolicy';
import { emptyImageHistory } from '../../client/src/cri/gc/imageHistory';
import { executeRemovalPlan } from '../../client/src/nodes/gcExecution';
import { planNodeGc } from '../../client/src/nodes/nodeGcPlan';
import { NodeSession } from '../../client/src/nodes/nodeSession';
import { nodeTarget } from '../../client/src/nodes/nodeTargets';
import { parseEndpoint } from '../../client/src/cri/endpoints';
import type { GcReport } from '../../server/src/cli/gc';
import type { ImagesReport } from '../../server/src/cli/images';
import { startContainerd, type PrivateContainerd } from '../support/containerd';
import { buildDataImage, buildSleeperImage } from '../support/ociImage';
import { startRegistry, type LoopbackRegistry } from '../support/registry';
import { containerdRequirements, missingRequirements, registryRequirements } from '../support/system';

const repoRoot = join(__dirname, '..', '..', '..');
const cli = join(repoRoot, 'dist', 'cli.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI without blocking this process, whose in-process helpers must keep answering. */
function kubeImages(args: readonly string[], env: NodeJS.ProcessEnv, options: { uid?: number; gid?: number; cliPath?: string } = {}): Promise<Run> {
  const { cliPath = cli, ...identity } = options;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cliPath, ...args], { env, cwd: tmpdir(), ...identity }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ status: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

function temporaryFolder(t: TestContext | undefined, prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  t?.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

const skip = missingRequirements(containerdRequirements) ?? missingRequirements(registryRequirements);

describe('kube-images images, pull, rm and gc on a real containerd', { skip }, () => {
  let registry: LoopbackRegistry;
  let privateRegistry: LoopbackRegistry;
  let containerd: PrivateContainerd;
  /** A clean environment: no endpoint variables, HOME and XDG_STATE_HOME in a temp folder. */
  let env: NodeJS.ProcessEnv;
  let home: string;
  let appContainer: string;
  const pause = buildSleeperImage({ variant: 'explorer-cli-pause' });
  const app = buildSleeperImage({ variant: 'explorer-cli-app' });
  const spare = buildSleeperImage({ variant: 'explorer-cli-spare' });
  const data = buildDataImage('explorer-cli data');
  const privateImage = buildDataImage('explorer-cli private');

  before(async () => {
    registry = await startRegistry();
    privateRegistry = await startRegistry({ auth: 'basic', credentials: { username: 'puller', password: 'pa55word' } });
    await registry.push(pause, 'pause', '1');
    await registry.push(app, 'app', '1');
    await registry.push(app, 'app', '2');
    await registry.push(spare, 'spare', '1');
    await registry.push(data, 'data', '1');
    await privateRegistry.push(privateImage, 'team/private', '1');
    containerd = await startContainerd({ sandboxImage: registry.reference('pause', '1'), insecureRegistries: [registry.host, privateRegistry.host] });
    await containerd.cri.pullImage(registry.reference('app', '1'));
    await containerd.cri.pullImage(registry.reference('app', '2'));
    await containerd.cri.pullImage(registry.reference('spare', '1'));
    const pod = await containerd.runPod('explorer-cli');
    appContainer = await containerd.runContainer(pod, registry.reference('app', '1'), 'app');
    home = temporaryFolder(undefined, 'kube-images-cli-home-');
    env = { PATH: process.env['PATH'], HOME: home, XDG_STATE_HOME: join(home, 'state') };
  });

  after(async () => {
    await containerd?.stop();
    await privateRegistry?.stop();
    await registry?.stop();
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
  });

  /** What ctr lists: every name containerd keeps an image record under (tags, digest references, ids). */
  async function ctrNames(): Promise<string[]> {
    return (await containerd.ctr('images', 'ls', '--quiet')).trim().split('\n').filter((line) => line !== '').sort();
  }

  async function imagesJson(): Promise<ImagesReport> {
    const run = await kubeImages(['images', '--endpoint', containerd.endpoint, '--format', 'json'], env);
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as ImagesReport;
  }

  test('images lists exactly what ctr lists, with the containers using each image and the image filesystem', async () => {
    const report = await imagesJson();
    assert.equal(report.node.runtimeName, 'containerd');
    assert.match(report.node.runtimeVersion, /^1\.\d+\.\d+/);
    assert.deepEqual(report.images.flatMap((image) => [...image.repoTags, ...image.repoDigests, image.id]).sort(), await ctrNames());

    const appImage = report.images.find((image) => image.id === app.config.digest);
    assert.deepEqual(
      { ...appImage, repoTags: [...(appImage?.repoTags ?? [])].sort() },
      {
        id: app.config.digest,
        repoTags: [registry.reference('app', '1'), registry.reference('app', '2')],
        repoDigests: [registry.reference('app', app.manifest.digest)],
        size: appImage?.size,
        pinned: false,
        inUseBy: [appContainer],
      },
    );
    assert.deepEqual(report.images.find((image) => image.id === spare.config.digest)?.inUseBy, []);
    assert.equal(report.imageFs.length, 1);
    assert.ok(report.imageFs[0].mountpoint.startsWith(containerd.directory), report.imageFs[0].mountpoint);

    const table = await kubeImages(['images', '--endpoint', containerd.endpoint], env);
    assert.equal(table.status, 0, table.stderr);
    const appRows = table.stdout.split('\n').filter((line) => line.startsWith(`${registry.host}/app `));
    assert.deepEqual(
      appRows.map((line) => line.split(/\s{2,}/).slice(1, 3)),
      [['1', app.config.digest.slice('sha256:'.length, 'sha256:'.length + 12)], ['2', app.config.digest.slice('sha256:'.length, 'sha256:'.length + 12)]],
    );
    assert.ok(appRows.every((line) => line.includes('1 container')), table.stdout);
  });

  test('without --endpoint, the runtime is found as crictl finds it', async () => {
    const run = await kubeImages(['images', '--format', 'json'], { ...env, CONTAINER_RUNTIME_ENDPOINT: containerd.endpoint });
    assert.equal(run.status, 0, run.stderr);
    assert.ok((JSON.parse(run.stdout) as ImagesReport).images.some((image) => image.id === app.config.digest));
  });

  test('pull anonymously, normalized as the kubelet does', async () => {
    const run = await kubeImages(['pull', '--endpoint', containerd.endpoint, registry.reference('data', '1')], env);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `Pulled ${registry.reference('data', '1')} anonymously: ${data.config.digest}\n`);
    assert.ok((await ctrNames()).includes(registry.reference('data', '1')));

    // No tag means :latest, which this registry does not have: the registry's refusal is exit status 1.
    const untagged = await kubeImages(['pull', '--endpoint', containerd.endpoint, `${registry.host}/data`], env);
    assert.equal(untagged.status, 1);
    assert.match(untagged.stderr, new RegExp(`^kube-images: PullImage failed on ${containerd.endpoint}: .*${registry.host}/data:latest.*not found`));

    const invalid = await kubeImages(['pull', '--endpoint', containerd.endpoint, 'Foo/Bar'], env);
    assert.equal(invalid.status, 2);
    assert.match(invalid.stderr, /^kube-images: Foo\/Bar: .*lowercase/);
  });

  test('pull with Basic credentials from a docker config in HOME', async (t) => {
    const reference = privateRegistry.reference('team/private', '1');
    const anonymous = await kubeImages(['pull', '--endpoint', containerd.endpoint, reference], env);
    assert.equal(anonymous.status, 1);
    assert.match(anonymous.stderr, /401 Unauthorized/);

    const withConfig = temporaryFolder(t, 'kube-images-cli-docker-home-');
    mkdirSync(join(withConfig, '.docker'));
    const auth = Buffer.from('puller:pa55word').toString('base64');
    writeFileSync(join(withConfig, '.docker', 'config.json'), JSON.stringify({ auths: { [privateRegistry.host]: { auth } } }));
    const run = await kubeImages(['pull', '--endpoint', containerd.endpoint, reference], { ...env, HOME: withConfig });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `Pulled ${reference} with the password of puller: ${privateImage.config.digest}\n`);

    // containerd asks the registry again for an image it holds, so a wrong password fails even now.
    writeFileSync(join(withConfig, '.docker', 'config.json'), JSON.stringify({ auths: { [privateRegistry.host]: { username: 'puller', password: 'wrong' } } }));
    const wrong = await kubeImages(['pull', '--endpoint', containerd.endpoint, reference], { ...env, HOME: withConfig });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /401 Unauthorized.*\(tried the one credential found for 127\.0\.0\.1:\d+\)\n$/);
  });

  test('rm refuses an image a container uses, naming the container, and removes it with --force', async (t) => {
    const pod = await containerd.runPod('explorer-cli-rm');
    await containerd.runContainer(pod, registry.reference('spare', '1'), 'spare-user');
    t.after(async () => {
      await containerd.cri.stopPodSandbox(pod.id);
      await containerd.cri.removePodSandbox(pod.id);
    });
    const reference = registry.reference('spare', '1');
    const refused = await kubeImages(['rm', '--endpoint', containerd.endpoint, reference], env);
    assert.equal(refused.status, 1);
    assert.equal(refused.stdout, '');
    assert.match(
      refused.stderr,
      new RegExp(`^kube-images: kept image ${spare.config.digest.slice(7, 19)} \\([^)]*\\) with its tag ${reference}: it is in use by container spare-user \\(pod kube-images-test/explorer-cli-rm, running\\); the runtime would delete it from under them; pass --force to remove it anyway\\n$`),
    );
    assert.ok((await ctrNames()).includes(reference), 'the refused image is still there');

    const forced = await kubeImages(['rm', '--endpoint', containerd.endpoint, '--force', reference], env);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /^Removed image [0-9a-f]{12} \(.*\) with its tag .*, although it is in use by container spare-user .* \(--force\)\n$/);
    assert.ok(!(await ctrNames()).some((name) => name.includes(spare.config.digest) || name === reference));
  });

  test('rm removes an unused image with every tag, and reports names the node does not hold', async () => {
    await containerd.cri.pullImage(registry.reference('data', '1'));
    const run = await kubeImages(['rm', '--endpoint', containerd.endpoint, registry.reference('data', '1'), `${registry.host}/nothing:1`], env);
    assert.equal(run.status, 1);
    assert.match(run.stdout, new RegExp(`^Removed image ${data.config.digest.slice(7, 19)} \\(.+\\) with its tag ${registry.reference('data', '1')}\\n$`));
    assert.equal(run.stderr, `kube-images: ${registry.host}/nothing:1: no such image on the node\n`);
    assert.ok(!(await ctrNames()).some((name) => name.includes(data.config.digest)));
  });

  test('gc --dry-run: nothing below the high threshold; with thresholds of 0, every unused image once MinAge allows', async (t) => {
    await containerd.cri.pullImage(registry.reference('data', '1'));
    await containerd.cri.pullImage(registry.reference('spare', '1'));
    const stateHome = temporaryFolder(t, 'kube-images-cli-state-');
    const gcEnv = { ...env, XDG_STATE_HOME: stateHome };
    const gc = async (...flags: string[]): Promise<{ run: Run; report: GcReport }> => {
      const run = await kubeImages(['gc', '--endpoint', containerd.endpoint, '--dry-run', '--format', 'json', ...flags], gcEnv);
      return { run, report: JSON.parse(run.stdout) as GcReport };
    };
    // The images in use, from the runtime's own container list rather than from the code under test.
    const inUse = new Set((await containerd.cri.listContainers()).map((container) => container.imageRef));
    const listed = (await containerd.cri.listImages()).map((image) => image.id);
    const namesBefore = await ctrNames();
    const unused = listed.filter((id) => !inUse.has(id)).sort();
    assert.ok(unused.includes(data.config.digest) && unused.includes(spare.config.digest) && inUse.has(app.config.digest));

    // The filesystem holding the temp folder is far from 99 % full.
    const below = await gc('--high', '99', '--low', '99');
    assert.equal(below.run.status, 0, below.run.stderr);
    assert.deepEqual(below.report.target, { bytes: 0 });
    assert.deepEqual(below.report.remove, []);
    assert.equal(below.report.freed, 0);
    assert.deepEqual(
      below.report.keep.map(({ id, reason }) => ({ id, reason })).sort((a, b) => a.id.localeCompare(b.id)),
      listed.map((id) => ({ id, reason: inUse.has(id) ? 'in-use' : 'not-needed' })).sort((a, b) => a.id.localeCompare(b.id)),
    );
    assert.match(below.report.notes[0], /^Capacity .* measured on the filesystem holding /);

    // This node's history began with the run above, less than MinAge ago: every image is too young.
    const young = await gc('--high', '0', '--low', '0');
    assert.equal(young.run.status, 1, 'a target that cannot be reached is exit status 1');
    assert.ok(young.report.target.bytes > 0);
    assert.deepEqual(young.report.remove, []);
    assert.deepEqual(young.report.keep.filter((image) => image.reason === 'too-young').map((image) => image.id).sort(), unused);
    assert.ok(young.report.notes.some((note) => note.includes('less than MinAge (2m)')), young.report.notes.join('\n'));

    const planned = await gc('--high', '0', '--low', '0', '--min-age', '0');
    assert.deepEqual(planned.report.remove.map((image) => image.id).sort(), unused);
    assert.ok(planned.report.remove.every((image) => image.reason === 'space'));
    assert.equal(planned.report.freed, planned.report.remove.reduce((sum, image) => sum + image.size, 0));
    assert.deepEqual(planned.report.keep.map(({ id, reason }) => ({ id, reason })), [...inUse].filter((id) => listed.includes(id)).map((id) => ({ id, reason: 'in-use' })));
    assert.deepEqual(await ctrNames(), namesBefore, 'a dry run removes nothing');

    const table = await kubeImages(['gc', '--endpoint', containerd.endpoint, '--dry-run', '--high', '0', '--low', '0', '--min-age', '0'], gcEnv);
    assert.match(table.stdout, /^ACTION +IMAGE ID +SIZE +REASON +TAGS$/m);
    assert.match(table.stdout, new RegExp(`^remove +${data.config.digest.slice(7, 19)} .* space +${registry.reference('data', '1').replace(/\./g, '\\.')}$`, 'm'));
    assert.match(table.stdout, /^Target: .* Would free: /m);
  });

  test('the race: a container that starts between the plan and its execution keeps its image', async (t) => {
    await containerd.cri.pullImage(registry.reference('data', '1'));
    await containerd.cri.pullImage(registry.reference('spare', '1'));
    const parsed = parseEndpoint(containerd.endpoint);
    assert.ok(parsed.ok);
    const session = new NodeSession(nodeTarget(parsed.endpoint, 'test', 'test'));
    t.after(() => session.close());
    const snapshot = await session.snapshot();
    const { plan } = planNodeGc({
      snapshot,
      history: emptyImageHistory(snapshot.takenAt - 3_600_000),
      policy: { ...DEFAULT_GC_POLICY, highThresholdPercent: 0, lowThresholdPercent: 0, minAgeMs: 0 },
      // A full filesystem: the space pass wants more than every unused image together.
      filesystem: { kind: 'measured', capacityBytes: 10 ** 12, availableBytes: 0, mountpoint: 'a full disk' },
      historyLocation: 'memory',
    });
    assert.ok(plan.remove.some((image) => image.id === spare.config.digest) && plan.remove.some((image) => image.id === data.config.digest));

    const pod = await containerd.runPod('explorer-cli-race');
    t.after(async () => {
      await containerd.cri.stopPodSandbox(pod.id);
      await containerd.cri.removePodSandbox(pod.id);
    });
    const latecomer = await containerd.runContainer(pod, registry.reference('spare', '1'), 'latecomer');

    const run = await executeRemovalPlan(session, plan);
    const outcomeOf = (id: string): string | undefined =>
      run.results.find((result) => (result.outcome === 'removed' || result.outcome === 'refused' ? result.image.id : result.id) === id)?.outcome;
    assert.equal(outcomeOf(spare.config.digest), 'refused');
    const refusal = run.results.find((result) => result.outcome === 'refused');
    assert.ok(refusal?.outcome === 'refused' && refusal.refusal.reason === 'in-use');
    assert.deepEqual(refusal.refusal.containers.map((container) => container.id), [latecomer]);
    assert.equal(outcomeOf(data.config.digest), 'removed');
    assert.equal(run.keptSincePlan, 1);
    assert.match(run.summary, /1 image was kept because it came into use or became pinned after the plan\./);
    const names = await ctrNames();
    assert.ok(names.includes(registry.reference('spare', '1')), 'the image the latecomer uses is still there');
    assert.ok(!names.includes(registry.reference('data', '1')));
  });

  test('gc removes what it planned, keeps images in use, and reports freed bytes against the target', async (t) => {
    await containerd.cri.pullImage(registry.reference('data', '1'));
    const stateHome = temporaryFolder(t, 'kube-images-cli-state-');
    const run = await kubeImages(['gc', '--endpoint', containerd.endpoint, '--high', '0', '--low', '0', '--min-age', '0', '--format', 'json'], { ...env, XDG_STATE_HOME: stateHome });
    const report = JSON.parse(run.stdout) as GcReport;
    // The target is everything used on the host's filesystem, more than images can free.
    assert.equal(run.status, 1);
    assert.ok(report.remove.some((image) => image.id === data.config.digest));
    assert.equal(report.freed, report.remove.reduce((sum, image) => sum + image.size, 0));
    assert.deepEqual(report.failed, []);
    assert.match(report.summary, /Freed .* of the .* wanted — short of the target, removing \d+ images?\./);
    const remaining = await containerd.cri.listImages();
    const inUse = new Set((await containerd.cri.listContainers()).map((container) => container.imageRef));
    assert.deepEqual(remaining.map((image) => image.id).filter((id) => !inUse.has(id)), [], 'only images in use remain');
    assert.ok(remaining.some((image) => image.id === app.config.digest));
  });

  test('a missing socket and a socket this user may not open say so, with exit status 2', async (t) => {
    const missing = join(temporaryFolder(t, 'kube-images-cli-missing-'), 'containerd.sock');
    const run = await kubeImages(['images', '--endpoint', `unix://${missing}`], env);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, `kube-images: no container runtime at ${missing} — is containerd running? If it listens elsewhere, pass --endpoint (unix://, tcp:// or ssh://)\n`);

    // Switching to another user needs root; under CI the tests run as root, so there this must run.
    if (process.getuid?.() !== 0) {
      if (process.env['CI']) assert.fail('CI must run the non-root permission check, which needs the tests to run as root');
      t.skip('needs root to run the CLI as another user');
      return;
    }
    // The bundle needs nothing but Node's own modules: a copy nobody can read works wherever the checkout lives.
    const copyFolder = temporaryFolder(t, 'kube-images-cli-nobody-');
    chmodSync(copyFolder, 0o755);
    const nobodyCli = join(copyFolder, 'cli.js');
    copyFileSync(cli, nobodyCli);
    chmodSync(nobodyCli, 0o644);
    assert.equal(spawnSync(process.execPath, [nobodyCli, '--version'], { uid: 65534, gid: 65534, cwd: tmpdir() }).status, 0, 'nobody can run the copied CLI');
    const folderMode = statSync(containerd.directory).mode & 0o777;
    t.after(() => chmodSync(containerd.directory, folderMode));
    // Let nobody reach the socket's folder, so the refusal is the socket's own (root:root 660).
    chmodSync(containerd.directory, 0o711);
    const socketMode = statSync(containerd.socketPath).mode & 0o777;
    t.after(() => chmodSync(containerd.socketPath, socketMode));
    chmodSync(containerd.socketPath, 0o660);
    const denied = await kubeImages(['images', '--endpoint', containerd.endpoint], { PATH: env['PATH'], HOME: '/nonexistent' }, { uid: 65534, gid: 65534, cliPath: nobodyCli });
    assert.equal(denied.status, 2);
    assert.equal(
      denied.stderr,
      `kube-images: permission denied on ${containerd.socketPath}: the socket is owned by root:root mode 660, so only root and group root may connect — run with sudo, or connect through an ssh:// endpoint as a user who may open it\n`,
    );
  });
});
