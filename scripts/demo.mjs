// `npm run demo`: the whole product on a sandbox node, in a browser. As root on Debian 12 with
// Node 20, after `npm ci`:
//
//   1. installs what is missing (scripts/install-system-deps.sh: containerd, runc, docker-registry…;
//      scripts/install-code-server.sh: code-server 4.100.3 and Chromium's dependencies),
//   2. compiles the test harness the sandbox is made of and packages the extension (a VSIX),
//   3. starts the sandbox (test/support/demoSession.ts): a private containerd with a running pod,
//      two loopback registries seeded with images, a sample workspace of manifests with real
//      mistakes, and code-server with the VSIX installed, then prints the URL to open.
//
// Ctrl-C (or SIGTERM) stops everything it started and checks that nothing is left behind.
// KUBE_IMAGES_DEMO_PORT picks code-server's port (default: any free one).
//
// The session runs in its own process group: a terminal's Ctrl-C reaches every process of the
// foreground group at once, and containerd or code-server quitting on their own would skip the
// orderly stop (pods first) that leaves nothing behind. This process relays the signal instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function step(description, program, args) {
  console.log(`demo: ${description}`);
  const result = spawnSync(program, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error(`demo: ${description} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
    process.exit(1);
  }
}

if (process.getuid?.() !== 0) {
  console.error('demo: run as root: it installs Debian packages and runs a private containerd');
  process.exit(1);
}
step('installing the system packages that are missing', 'bash', [join(root, 'scripts', 'install-system-deps.sh')]);
step('installing code-server and Chromium if missing', 'bash', [join(root, 'scripts', 'install-code-server.sh')]);
step('compiling the sandbox harness (tsc -b)', 'npm', ['run', '--silent', 'compile-tests']);

const demoRoot = mkdtempSync(join(tmpdir(), 'kube-images-demo-'));
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(demoRoot, `${name}-${version}.vsix`);
step('packaging the extension', process.execPath, [join(root, 'scripts', 'package.mjs'), '--out', vsix]);

const session = spawn(process.execPath, [join(root, 'out', 'test', 'support', 'demoSession.js'), vsix], {
  cwd: root,
  detached: true,
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  env: { ...process.env, KUBE_IMAGES_DEMO_ROOT: demoRoot },
});
const relay = () => {
  if (session.exitCode === null && session.signalCode === null) session.kill('SIGTERM');
};
process.on('SIGINT', relay);
process.on('SIGTERM', relay);
process.on('SIGHUP', relay);
session.once('exit', (code, signal) => {
  // The session removes the folder itself; this covers a session that could not.
  if (existsSync(demoRoot)) rmSync(demoRoot, { recursive: true, force: true });
  process.exit(code ?? (signal === null ? 1 : 128));
});
