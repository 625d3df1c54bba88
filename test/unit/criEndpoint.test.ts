// CRI endpoints: parsing what users write, the canonical spelling, crictl's detection order with
// an injected environment and file system, and the ssh command line of a forward.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  detectEndpoints,
  formatEndpoint,
  parseEndpoint,
  type CriEndpoint,
  type DetectionHost,
  type EndpointDetection,
} from '../../client/src/cri/endpoints';
import { sshArguments } from '../../client/src/cri/sshTunnel';

const expectedForms = 'expected unix:///path/to.sock, tcp://host:port or ssh://[user@]host[:port]/path/to.sock';

describe('parseEndpoint accepts', () => {
  const cases: readonly { text: string; endpoint: CriEndpoint; canonical: string }[] = [
    {
      text: 'unix:///run/containerd/containerd.sock',
      endpoint: { kind: 'unix', socketPath: '/run/containerd/containerd.sock' },
      canonical: 'unix:///run/containerd/containerd.sock',
    },
    // The kubelet's fallback: a bare path is a unix socket.
    { text: '/run/crio/crio.sock', endpoint: { kind: 'unix', socketPath: '/run/crio/crio.sock' }, canonical: 'unix:///run/crio/crio.sock' },
    { text: 'UNIX:///run/x.sock', endpoint: { kind: 'unix', socketPath: '/run/x.sock' }, canonical: 'unix:///run/x.sock' },
    { text: '  unix:///run/x.sock\n', endpoint: { kind: 'unix', socketPath: '/run/x.sock' }, canonical: 'unix:///run/x.sock' },
    {
      text: 'unix:///run/my%20runtime/x.sock',
      endpoint: { kind: 'unix', socketPath: '/run/my runtime/x.sock' },
      canonical: 'unix:///run/my runtime/x.sock',
    },
    { text: 'tcp://127.0.0.1:10010', endpoint: { kind: 'tcp', host: '127.0.0.1', port: 10010 }, canonical: 'tcp://127.0.0.1:10010' },
    { text: 'tcp://[::1]:10010', endpoint: { kind: 'tcp', host: '::1', port: 10010 }, canonical: 'tcp://[::1]:10010' },
    { text: 'tcp://node-1.example.com:65535/', endpoint: { kind: 'tcp', host: 'node-1.example.com', port: 65535 }, canonical: 'tcp://node-1.example.com:65535' },
    {
      text: 'ssh://root@node-1:2222/run/containerd/containerd.sock',
      endpoint: { kind: 'ssh', user: 'root', host: 'node-1', port: 2222, socketPath: '/run/containerd/containerd.sock' },
      canonical: 'ssh://root@node-1:2222/run/containerd/containerd.sock',
    },
    {
      text: 'ssh://my_node_alias/run/crio/crio.sock',
      endpoint: { kind: 'ssh', user: undefined, host: 'my_node_alias', port: undefined, socketPath: '/run/crio/crio.sock' },
      canonical: 'ssh://my_node_alias/run/crio/crio.sock',
    },
    {
      text: 'SSH://core.user@[fd00::1]:22/run/containerd/containerd.sock',
      endpoint: { kind: 'ssh', user: 'core.user', host: 'fd00::1', port: 22, socketPath: '/run/containerd/containerd.sock' },
      canonical: 'ssh://core.user@[fd00::1]:22/run/containerd/containerd.sock',
    },
  ];
  for (const { text, endpoint, canonical } of cases) {
    test(JSON.stringify(text), () => {
      assert.deepEqual(parseEndpoint(text), { ok: true, endpoint });
      assert.equal(formatEndpoint(endpoint), canonical);
      assert.deepEqual(parseEndpoint(canonical), { ok: true, endpoint }, 'the canonical form reads back the same');
    });
  }
});

describe('parseEndpoint refuses, saying why', () => {
  const cases: readonly [text: string, message: string][] = [
    ['', `the endpoint is empty; ${expectedForms}`],
    ['   ', `the endpoint is empty; ${expectedForms}`],
    ['unix://run/containerd.sock', 'unix://run/containerd.sock: a unix endpoint needs an absolute path, as in unix:///run/containerd/containerd.sock'],
    ['unix://', 'unix://: a unix endpoint needs an absolute path, as in unix:///run/containerd/containerd.sock'],
    ['unix:///run/%zz.sock', 'unix:///run/%zz.sock: the path has a malformed percent escape'],
    ['tcp://127.0.0.1', 'tcp://127.0.0.1: a tcp endpoint needs a port, as in tcp://127.0.0.1:10010'],
    ['tcp://127.0.0.1:0', 'tcp://127.0.0.1:0: "0" is not a port number (1-65535)'],
    ['tcp://127.0.0.1:65536', 'tcp://127.0.0.1:65536: "65536" is not a port number (1-65535)'],
    ['tcp://127.0.0.1:http', 'tcp://127.0.0.1:http: "http" is not a port number (1-65535)'],
    ['tcp://::1:10010', 'tcp://::1:10010: the host is missing or malformed'],
    ['tcp://user@host:1', 'tcp://user@host:1: a tcp endpoint is only host:port, as in tcp://127.0.0.1:10010'],
    ['tcp://host:1/path', 'tcp://host:1/path: a tcp endpoint is only host:port, as in tcp://127.0.0.1:10010'],
    ['ssh://node-1', 'ssh://node-1: an ssh endpoint needs the socket\'s absolute path on the node, as in ssh://user@node/run/containerd/containerd.sock'],
    ['ssh://root:secret@node-1/run/x.sock', 'ssh://root:secret@node-1/run/x.sock: passwords are not accepted in an endpoint; ssh authenticates with your keys or ssh-agent'],
    // Both would reach ssh's command line as options if they were let through.
    ['ssh://-oProxyCommand=touch%20x/run/x.sock', 'ssh://-oProxyCommand=touch%20x/run/x.sock: "-oProxyCommand=touch%20x" is not a host name or IP address'],
    ['ssh://-oUser@node-1/run/x.sock', 'ssh://-oUser@node-1/run/x.sock: "-oUser" is not a user name ssh would accept here'],
    ['ssh://node-1:22/run/a:b.sock', 'ssh://node-1:22/run/a:b.sock: ssh cannot forward a socket whose path contains ":"'],
    ['ssh://node-1/run/x.sock?timeout=1', 'ssh://node-1/run/x.sock?timeout=1: an ssh endpoint cannot have a query or a fragment'],
    ['ssh://@node-1/run/x.sock', 'ssh://@node-1/run/x.sock: "" is not a user name ssh would accept here'],
    ['npipe:////./pipe/containerd-containerd', `npipe:////./pipe/containerd-containerd: Windows named pipes are not supported; ${expectedForms}`],
    ['http://localhost:10010', `http://localhost:10010: the scheme http:// is not supported; ${expectedForms}`],
    ['localhost:10010', `localhost:10010 is not an endpoint; ${expectedForms}`],
    ['run/containerd/containerd.sock', `run/containerd/containerd.sock is not an endpoint; ${expectedForms}`],
  ];
  for (const [text, message] of cases) {
    test(JSON.stringify(text), () => assert.deepEqual(parseEndpoint(text), { ok: false, message }));
  }
});

/** A machine with the given environment, files and existing sockets. */
function host(setup: {
  env?: Record<string, string>;
  files?: Record<string, string | NodeJS.ErrnoException>;
  sockets?: readonly string[];
}): DetectionHost {
  return {
    env: setup.env ?? {},
    readFile: (path) => {
      const content = setup.files?.[path];
      if (content instanceof Error) throw content;
      return content;
    },
    exists: (path) => setup.sockets?.includes(path) ?? false,
  };
}

function permissionDenied(): NodeJS.ErrnoException {
  return Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
}

const containerdSocket = '/run/containerd/containerd.sock';
const crioSocket = '/run/crio/crio.sock';
const dockerdSocket = '/var/run/cri-dockerd.sock';

function unix(socketPath: string, source: string): { endpoint: CriEndpoint; source: string } {
  return { endpoint: { kind: 'unix', socketPath }, source };
}

describe('detectEndpoints follows crictl', () => {
  const cases: readonly { name: string; machine: DetectionHost; expected: EndpointDetection }[] = [
    { name: 'nothing configured and no socket', machine: host({}), expected: { runtime: undefined, image: undefined, problems: [] } },
    {
      name: 'the first default socket that exists: containerd',
      machine: host({ sockets: [dockerdSocket, crioSocket, containerdSocket] }),
      expected: {
        runtime: unix(containerdSocket, "containerd's default socket"),
        image: unix(containerdSocket, "containerd's default socket"),
        problems: [],
      },
    },
    {
      name: 'the first default socket that exists: CRI-O before cri-dockerd',
      machine: host({ sockets: [dockerdSocket, crioSocket] }),
      expected: { runtime: unix(crioSocket, "CRI-O's default socket"), image: unix(crioSocket, "CRI-O's default socket"), problems: [] },
    },
    {
      name: 'CONTAINER_RUNTIME_ENDPOINT wins over crictl.yaml and default sockets, and serves images too',
      machine: host({
        env: { CONTAINER_RUNTIME_ENDPOINT: 'unix:///custom/runtime.sock' },
        files: { '/etc/crictl.yaml': 'runtime-endpoint: unix:///from/config.sock\n' },
        sockets: [containerdSocket],
      }),
      expected: {
        runtime: unix('/custom/runtime.sock', 'CONTAINER_RUNTIME_ENDPOINT'),
        image: unix('/custom/runtime.sock', 'CONTAINER_RUNTIME_ENDPOINT'),
        problems: [],
      },
    },
    {
      name: 'IMAGE_SERVICE_ENDPOINT apart from a default runtime socket',
      machine: host({ env: { IMAGE_SERVICE_ENDPOINT: 'tcp://127.0.0.1:10010' }, sockets: [containerdSocket] }),
      expected: {
        runtime: unix(containerdSocket, "containerd's default socket"),
        image: { endpoint: { kind: 'tcp', host: '127.0.0.1', port: 10010 }, source: 'IMAGE_SERVICE_ENDPOINT' },
        problems: [],
      },
    },
    {
      name: 'crictl.yaml runtime and image endpoints; the environment overrides only what it sets',
      machine: host({
        env: { CONTAINER_RUNTIME_ENDPOINT: 'ssh://root@node-1/run/containerd/containerd.sock' },
        files: {
          '/etc/crictl.yaml': 'runtime-endpoint: unix:///from/config.sock\nimage-endpoint: unix:///images.sock\ntimeout: 2\ndebug: false\n',
        },
      }),
      expected: {
        runtime: {
          endpoint: { kind: 'ssh', user: 'root', host: 'node-1', port: undefined, socketPath: containerdSocket },
          source: 'CONTAINER_RUNTIME_ENDPOINT',
        },
        image: unix('/images.sock', '/etc/crictl.yaml (image-endpoint)'),
        problems: [],
      },
    },
    {
      name: 'CRI_CONFIG_FILE names another crictl.yaml',
      machine: host({
        env: { CRI_CONFIG_FILE: '/home/me/crictl.yaml' },
        files: { '/etc/crictl.yaml': 'runtime-endpoint: unix:///ignored.sock\n', '/home/me/crictl.yaml': 'runtime-endpoint: /mine.sock\n' },
      }),
      expected: {
        runtime: unix('/mine.sock', '/home/me/crictl.yaml (runtime-endpoint)'),
        image: unix('/mine.sock', '/home/me/crictl.yaml (runtime-endpoint)'),
        problems: [],
      },
    },
    {
      name: 'blank settings count as unset',
      machine: host({ env: { CONTAINER_RUNTIME_ENDPOINT: '  ' }, files: { '/etc/crictl.yaml': 'runtime-endpoint: ""\n' }, sockets: [crioSocket] }),
      expected: { runtime: unix(crioSocket, "CRI-O's default socket"), image: unix(crioSocket, "CRI-O's default socket"), problems: [] },
    },
    {
      name: 'an empty crictl.yaml',
      machine: host({ files: { '/etc/crictl.yaml': '# nothing yet\n' }, sockets: [containerdSocket] }),
      expected: {
        runtime: unix(containerdSocket, "containerd's default socket"),
        image: unix(containerdSocket, "containerd's default socket"),
        problems: [],
      },
    },
    {
      name: 'a configured endpoint that does not parse is reported, and no default takes its place',
      machine: host({ env: { CONTAINER_RUNTIME_ENDPOINT: 'containerd' }, sockets: [containerdSocket] }),
      expected: {
        runtime: undefined,
        image: undefined,
        problems: [`CONTAINER_RUNTIME_ENDPOINT: containerd is not an endpoint; ${expectedForms}`],
      },
    },
    {
      name: 'a crictl.yaml with an option crictl does not know is ignored, as crictl ignores it',
      machine: host({ files: { '/etc/crictl.yaml': 'runtime-endpoint: unix:///x.sock\nruntime_endpoint: typo\n' }, sockets: [containerdSocket] }),
      expected: {
        runtime: unix(containerdSocket, "containerd's default socket"),
        image: unix(containerdSocket, "containerd's default socket"),
        problems: ['/etc/crictl.yaml: unknown option "runtime_endpoint", so crictl ignores the file, and so do we'],
      },
    },
    {
      name: 'an endpoint in crictl.yaml that is not a string',
      machine: host({ files: { '/etc/crictl.yaml': 'runtime-endpoint: 42\nimage-endpoint: unix:///images.sock\n' } }),
      expected: {
        runtime: undefined,
        image: unix('/images.sock', '/etc/crictl.yaml (image-endpoint)'),
        problems: ['/etc/crictl.yaml: runtime-endpoint is not a string; ignored'],
      },
    },
  ];
  for (const { name, machine, expected } of cases) {
    test(name, () => assert.deepEqual(detectEndpoints(machine), expected));
  }

  test('a crictl.yaml that is not YAML, not a mapping, or not readable is reported and ignored', () => {
    const broken: readonly [content: string | NodeJS.ErrnoException, problem: RegExp][] = [
      ['runtime-endpoint: [unclosed\n', /^\/etc\/crictl\.yaml: not valid YAML \(.+\); ignored$/],
      ['- unix:///x.sock\n', /^\/etc\/crictl\.yaml: not a mapping of crictl options; ignored$/],
      [permissionDenied(), /^\/etc\/crictl\.yaml: cannot be read \(EACCES\); ignored$/],
    ];
    for (const [content, problem] of broken) {
      const detection = detectEndpoints(host({ files: { '/etc/crictl.yaml': content }, sockets: [containerdSocket] }));
      assert.deepEqual(detection.runtime, unix(containerdSocket, "containerd's default socket"));
      assert.equal(detection.problems.length, 1);
      assert.match(detection.problems[0] ?? '', problem);
    }
  });
});

describe('sshArguments', () => {
  test('a forward with user and port: options first, then -- and the destination', () => {
    assert.deepEqual(
      sshArguments(
        { kind: 'ssh', user: 'root', host: 'node-1', port: 2222, socketPath: '/run/containerd/containerd.sock' },
        '/tmp/kube-images-ssh-abc/cri.sock',
        { extraArguments: ['-i', '/keys/id'], readyTimeoutMs: 7_500 },
      ),
      [
        '-N',
        '-o', 'BatchMode=yes',
        '-o', 'ExitOnForwardFailure=yes',
        '-o', 'StreamLocalBindUnlink=yes',
        '-o', 'ControlMaster=no',
        '-o', 'ControlPath=none',
        '-o', 'ConnectTimeout=8',
        '-o', 'ServerAliveInterval=15',
        '-o', 'ServerAliveCountMax=3',
        '-L', '/tmp/kube-images-ssh-abc/cri.sock:/run/containerd/containerd.sock',
        '-p', '2222',
        '-i', '/keys/id',
        '--',
        'root@node-1',
      ],
    );
  });

  test('without user and port, ssh decides them from its config', () => {
    const args = sshArguments({ kind: 'ssh', user: undefined, host: 'fd00::1', port: undefined, socketPath: '/run/crio/crio.sock' }, '/tmp/l.sock');
    assert.deepEqual(args.slice(-3), ['/tmp/l.sock:/run/crio/crio.sock', '--', 'fd00::1']);
    assert.equal(args.includes('-p'), false);
    assert.equal(args[args.indexOf('-o', args.indexOf('ControlPath=none')) + 1], 'ConnectTimeout=20');
  });
});
