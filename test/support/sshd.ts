// A private OpenSSH server on loopback for ssh:// endpoint tests, as /work/shared/ENVIRONMENT.md
// describes: its own host key, a throwaway client key, key-only logins, unix socket forwarding
// allowed. It runs in the foreground (-D) as our child, so stopping it is killing one process.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, run, terminate, waitUntil, type SystemRequirements } from './system';

export const sshdPath = '/usr/sbin/sshd';

/** What the sshd harness starts: the server and the client tools, as root (sshd must be). */
export const sshdRequirements: SystemRequirements = {
  programs: [sshdPath, 'ssh', 'ssh-keygen'],
  root: true,
};

export interface StartSshdOptions {
  /** `AllowStreamLocalForwarding` in sshd_config; `yes` by default. */
  readonly allowStreamLocalForwarding?: boolean;
}

export interface LoopbackSshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The throwaway private key whose public half the server accepts for every user. */
  readonly identityFile: string;
  /** A known_hosts file that holds this server's host key. */
  readonly knownHostsFile: string;
  /**
   * ssh options that make a client use only this server's key and known_hosts and ignore the
   * machine's ssh configuration and agent: pass them as `extraArguments`.
   */
  clientArguments(options?: { knownHostsFile?: string; identityFile?: string }): string[];
  /** `ssh://USER@127.0.0.1:PORT/SOCKET`. */
  endpoint(user: string, socketPath: string): string;
  /** Kills the server (and with it every session) and removes its folder. */
  stop(): Promise<void>;
}

export async function startSshd(options: StartSshdOptions = {}): Promise<LoopbackSshd> {
  const directory = mkdtempSync(join(tmpdir(), 'kube-images-sshd-'));
  const hostKey = join(directory, 'host_ed25519');
  const identityFile = join(directory, 'client_ed25519');
  const authorizedKeys = join(directory, 'authorized_keys');
  const knownHostsFile = join(directory, 'known_hosts');
  const configPath = join(directory, 'sshd_config');
  const logPath = join(directory, 'sshd.log');
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (child) await terminate(child);
    rmSync(directory, { recursive: true, force: true });
  };

  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kube-images-test-host', '-f', hostKey]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kube-images-test-client', '-f', identityFile]);
    // sshd reads authorized_keys as the user logging in, who may be someone other than root.
    writeFileSync(authorizedKeys, readFileSync(`${identityFile}.pub`), { mode: 0o644 });
    chmodSync(directory, 0o711);
    const port = await freeLoopbackPort();
    const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
    writeFileSync(
      configPath,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        // The key files live in a temp folder that sshd's ownership checks would refuse.
        'StrictModes no',
        `AllowStreamLocalForwarding ${options.allowStreamLocalForwarding === false ? 'no' : 'yes'}`,
        'UsePAM no',
        `PidFile ${join(directory, 'sshd.pid')}`,
        '',
      ].join('\n'),
    );
    // sshd's privilege separation needs this folder to exist.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    const logFd = openSync(logPath, 'a');
    const daemon = spawn(sshdPath, ['-D', '-f', configPath, '-E', logPath], { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    child = daemon;
    let spawnError: Error | undefined;
    daemon.once('error', (error) => (spawnError = error));
    await waitUntil('sshd to accept connections', () => acceptsTcp(port), {
      abandon: () => {
        if (spawnError) return spawnError.message;
        if (daemon.exitCode !== null || daemon.signalCode !== null) {
          return `sshd exited (${daemon.exitCode ?? daemon.signalCode}): ${readFileSync(logPath, 'utf8').trim()}`;
        }
        return undefined;
      },
    });

    return {
      host: '127.0.0.1',
      port,
      identityFile,
      knownHostsFile,
      clientArguments: (overrides = {}) => [
        '-F', 'none',
        '-o', 'IdentitiesOnly=yes',
        '-o', 'IdentityAgent=none',
        '-i', overrides.identityFile ?? identityFile,
        '-o', `UserKnownHostsFile=${overrides.knownHostsFile ?? knownHostsFile}`,
        '-o', 'GlobalKnownHostsFile=/dev/null',
      ],
      endpoint: (user, socketPath) => `ssh://${user}@127.0.0.1:${port}${socketPath}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves `true` once something accepts TCP connections on the loopback port, else `undefined`. */
function acceptsTcp(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
  });
}
