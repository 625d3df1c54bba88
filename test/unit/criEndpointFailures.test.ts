// What a user reads when a CRI endpoint fails: gRPC failures as grpc-js reports them and ssh's
// own words (samples copied from OpenSSH 9.2 and grpc-js 1.14 output), mapped to messages that
// say what to do. The real failures are exercised in test/integration/criClient.test.ts.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import type { CriEndpoint, SshEndpoint } from '../../client/src/cri/endpoints';
import { describeCallFailure, explainSshFailure, type CriErrorKind, type SocketFacts } from '../../client/src/cri/errors';

const containerd: CriEndpoint = { kind: 'unix', socketPath: '/run/containerd/containerd.sock' };
const tcp: CriEndpoint = { kind: 'tcp', host: 'node-1', port: 10010 };
const node: SshEndpoint = { kind: 'ssh', user: 'core', host: 'node-1', port: 2222, socketPath: '/run/containerd/containerd.sock' };
const hint = 'set kubeImages.endpoints';
const ways = 'run with sudo, or connect through an ssh:// endpoint as a user who may open it';

function noConnection(errno: string, address: string): string {
  return `No connection established. Last error: Error: connect ${errno} ${address}. Resolution note: `;
}

describe('describeCallFailure', () => {
  const cases: readonly {
    name: string;
    endpoint: CriEndpoint;
    code: status;
    details: string;
    facts?: SocketFacts;
    diagnostics?: readonly string[];
    kind: CriErrorKind;
    message: string;
  }[] = [
    {
      name: 'no socket',
      endpoint: containerd,
      code: status.UNAVAILABLE,
      details: noConnection('ENOENT', '/run/containerd/containerd.sock'),
      kind: 'socket-missing',
      message: `no container runtime at /run/containerd/containerd.sock — is containerd running? If it listens elsewhere, ${hint}`,
    },
    {
      name: 'a socket of an unknown runtime',
      endpoint: { kind: 'unix', socketPath: '/var/run/my-runtime.sock' },
      code: status.UNAVAILABLE,
      details: noConnection('ENOENT', '/var/run/my-runtime.sock'),
      kind: 'socket-missing',
      message: `no container runtime at /var/run/my-runtime.sock — is the container runtime running? If it listens elsewhere, ${hint}`,
    },
    {
      name: 'permission denied, socket open to group root',
      endpoint: containerd,
      code: status.UNAVAILABLE,
      details: noConnection('EACCES', '/run/containerd/containerd.sock'),
      facts: { readable: true, isSocket: true, owner: 'root', group: 'root', mode: 0o140660 },
      kind: 'permission-denied',
      message: `permission denied on /run/containerd/containerd.sock: the socket is owned by root:root mode 660, so only root and group root may connect — ${ways}`,
    },
    {
      name: 'permission denied, socket open to a group one can join',
      endpoint: containerd,
      code: status.UNAVAILABLE,
      details: noConnection('EACCES', '/run/containerd/containerd.sock'),
      facts: { readable: true, isSocket: true, owner: 'root', group: 'containerd', mode: 0o140660 },
      kind: 'permission-denied',
      message:
        'permission denied on /run/containerd/containerd.sock: the socket is owned by root:containerd mode 660 — join group containerd ' +
        `(sudo usermod -aG containerd "$USER", then log in again), ${ways}`,
    },
    {
      name: 'permission denied, socket open to its owner only',
      endpoint: containerd,
      code: status.UNAVAILABLE,
      details: noConnection('EACCES', '/run/containerd/containerd.sock'),
      facts: { readable: true, isSocket: true, owner: '0', group: '0', mode: 0o140600 },
      kind: 'permission-denied',
      message: `permission denied on /run/containerd/containerd.sock: the socket is owned by 0:0 mode 600, so only 0 may connect — ${ways}`,
    },
    {
      name: 'permission denied on a folder above the socket',
      endpoint: containerd,
      code: status.UNAVAILABLE,
      details: noConnection('EACCES', '/run/containerd/containerd.sock'),
      facts: { readable: false, code: 'EACCES' },
      kind: 'permission-denied',
      message: `permission denied on /run/containerd/containerd.sock: a folder on the way to it is not open to you — ${ways}`,
    },
    {
      name: 'a stale socket',
      endpoint: containerd,
      code: status.UNAVAILABLE,
      details: noConnection('ECONNREFUSED', '/run/containerd/containerd.sock'),
      kind: 'connection-refused',
      message:
        'nothing answers on /run/containerd/containerd.sock: the socket file is there but no runtime listens on it ' +
        '(it stopped, or is restarting) — start containerd',
    },
    {
      name: 'a path that is not a socket, which Linux refuses like a stale socket',
      endpoint: containerd,
      code: status.UNAVAILABLE,
      details: noConnection('ECONNREFUSED', '/run/containerd/containerd.sock'),
      facts: { readable: true, isSocket: false, owner: 'root', group: 'root', mode: 0o100644 },
      kind: 'unavailable',
      message: `/run/containerd/containerd.sock is not a socket — ${hint}`,
    },
    {
      name: 'a dropped connection',
      endpoint: containerd,
      code: status.UNAVAILABLE,
      details: 'Connection dropped',
      kind: 'unavailable',
      message: 'the connection to /run/containerd/containerd.sock failed: Connection dropped',
    },
    {
      name: 'a closed TCP port',
      endpoint: tcp,
      code: status.UNAVAILABLE,
      details: noConnection('ECONNREFUSED', '10.0.0.1:10010'),
      kind: 'connection-refused',
      message: `nothing listens on node-1:10010 — is the runtime running and serving CRI on TCP? Otherwise ${hint}`,
    },
    {
      name: 'an unknown TCP host',
      endpoint: tcp,
      code: status.UNAVAILABLE,
      details: 'Name resolution failed for target dns:node-1:10010: getaddrinfo ENOTFOUND node-1',
      kind: 'unavailable',
      message: `cannot resolve the host name node-1 — check the endpoint, or ${hint}`,
    },
    {
      name: 'a deadline',
      endpoint: tcp,
      code: status.DEADLINE_EXCEEDED,
      details: 'Deadline exceeded after 120.001s',
      kind: 'deadline-exceeded',
      message: 'tcp://node-1:10010 did not answer ListImages within 120 s — the runtime may be overloaded or hung; try again',
    },
    {
      name: 'a runtime without CRI v1',
      endpoint: containerd,
      code: status.UNIMPLEMENTED,
      details: 'unknown service runtime.v1.ImageService',
      kind: 'not-cri-v1',
      message:
        'unix:///run/containerd/containerd.sock does not serve the CRI v1 API (ListImages: unknown service runtime.v1.ImageService) — ' +
        'it is not a Kubernetes container runtime, it predates CRI v1, or it is a containerd whose CRI plugin is disabled ' +
        '(disabled_plugins = ["cri"] in /etc/containerd/config.toml, as Docker installs it)',
    },
    {
      name: "the runtime's own error",
      endpoint: containerd,
      code: status.NOT_FOUND,
      details: 'an image with tag "x" was not found',
      kind: 'runtime',
      message: 'ListImages failed on unix:///run/containerd/containerd.sock: an image with tag "x" was not found',
    },
    {
      name: "the runtime's error without details",
      endpoint: containerd,
      code: status.INTERNAL,
      details: '',
      kind: 'runtime',
      message: 'ListImages failed on unix:///run/containerd/containerd.sock: INTERNAL',
    },
    {
      name: 'ssh could not open the socket on the node',
      endpoint: node,
      code: status.UNAVAILABLE,
      details: 'No connection established. Last error: read ECONNRESET',
      diagnostics: ['channel 2: open failed: connect failed: open failed'],
      kind: 'ssh',
      message:
        'ssh reached core@node-1:2222 but could not open /run/containerd/containerd.sock there: no runtime listens on it, ' +
        "core may not open it (it usually takes root or the socket's group), or the ssh server does not allow forwarding " +
        'unix sockets (AllowStreamLocalForwarding in its sshd_config)',
    },
    {
      name: 'a connection through ssh that broke otherwise',
      endpoint: node,
      code: status.UNAVAILABLE,
      details: 'Connection dropped',
      kind: 'unavailable',
      message: 'the connection to /run/containerd/containerd.sock on core@node-1:2222 through ssh failed: Connection dropped',
    },
  ];
  for (const { name, endpoint, code, details, facts, diagnostics, kind, message } of cases) {
    test(name, () => {
      const error = describeCallFailure(
        { code, details },
        { endpoint, method: 'ListImages', timeoutMs: 120_000, endpointHint: hint, sshDiagnostics: diagnostics ?? [] },
        facts,
      );
      assert.deepEqual({ kind: error.kind, message: error.message, grpcCode: error.grpcCode }, { kind, message, grpcCode: code });
    });
  }
});

describe('explainSshFailure', () => {
  const cases: readonly [name: string, stderr: string, message: string][] = [
    [
      'a changed host key',
      [
        '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
        '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
        '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
        'Host key for [node-1]:2222 has changed and you have requested strict checking.',
        'Host key verification failed.',
      ].join('\n'),
      'the host key of node-1 differs from the one in your known_hosts — if the node was reinstalled, remove the old key ' +
        '(ssh-keygen -R node-1) and connect once with ssh in a terminal to record the new one',
    ],
    [
      'an unknown host key',
      'Host key verification failed.\n',
      'ssh does not know the host key of node-1 and cannot ask from here — connect once in a terminal (ssh -p 2222 core@node-1) to check and record it',
    ],
    [
      'no accepted key',
      'core@node-1: Permission denied (publickey,keyboard-interactive).\n',
      'ssh could not log in to core@node-1:2222: the server accepted none of your keys (it allows publickey,keyboard-interactive) — ' +
        'load your key into ssh-agent or set IdentityFile for this host in ~/.ssh/config; passwords are not supported',
    ],
    ['no server', 'ssh: connect to host node-1 port 2222: Connection refused\n', 'no ssh server answers on node-1:2222 (connection refused)'],
    ['an unknown host', 'ssh: Could not resolve hostname node-1: Name or service not known\n', 'cannot resolve the host name node-1'],
    ['no answer', 'ssh: connect to host node-1 port 2222: Connection timed out\n', 'node-1:2222 did not answer (connection timed out)'],
    ['no route', 'ssh: connect to host node-1 port 2222: No route to host\n', 'node-1:2222 is unreachable from here'],
    [
      'anything else: its last line',
      'unix_listener: cannot bind to path /tmp/x/cri.sock: No such file or directory\nCould not request local forwarding.\n',
      'ssh to core@node-1:2222 exited (code 255): Could not request local forwarding.',
    ],
    ['nothing said', '', 'ssh to core@node-1:2222 exited (code 255)'],
  ];
  for (const [name, stderr, message] of cases) {
    test(name, () => assert.equal(explainSshFailure(node, stderr, 'exited (code 255)'), message));
  }
});
