// The docker credential helper protocol (docker/docker-credential-helpers client/client.go):
// `docker-credential-<name> get` with the server URL on stdin answers
// `{"ServerURL","Username","Secret"}` on stdout; a Username of `<token>` makes the Secret an
// identity token; a non-zero exit that prints "credentials not found in native keychain" means the
// store has nothing for that server. Helpers are run with execFile, never through a shell. A
// warning may quote the first line of a failing helper's own error message, never its answer.
import { execFile } from 'node:child_process';
import type { RegistryCredential } from '../types';
import { goJsonField, isJsonObject } from './credentialFiles';

export const HELPER_PROGRAM_PREFIX = 'docker-credential-';
const TOKEN_USERNAME = '<token>';
const NOT_FOUND_MESSAGE = 'credentials not found';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_REUSE_MS = 10_000;
/** Far above any real answer; a helper writing more than this is misbehaving. */
const MAX_OUTPUT_BYTES = 1024 * 1024;
/** How much of a failing helper's message a warning quotes. */
const MAX_QUOTED_MESSAGE = 200;

export interface ProgramRunOptions {
  readonly input: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** How a program run ended; every way is a value, so callers need no error-code archaeology. */
export type ProgramOutcome =
  | { readonly kind: 'exited'; readonly exitCode: number; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'killedBySignal'; readonly signal: string }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'notExecutable' }
  | { readonly kind: 'timedOut' }
  | { readonly kind: 'outputTooLarge' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'couldNotStart'; readonly code: string };

/** Runs a program without a shell, writing `input` to its stdin. */
export type RunProgram = (program: string, args: readonly string[], options: ProgramRunOptions) => Promise<ProgramOutcome>;

export const runProgram: RunProgram = (program, args, options) =>
  new Promise((resolve) => {
    const child = execFile(
      program,
      args,
      {
        env: options.env,
        encoding: 'utf8',
        shell: false,
        windowsHide: true,
        timeout: options.timeoutMs,
        // SIGKILL, because a helper stuck on a keychain prompt may not honour SIGTERM.
        killSignal: 'SIGKILL',
        signal: options.signal,
        maxBuffer: MAX_OUTPUT_BYTES,
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ kind: 'exited', exitCode: 0, stdout, stderr });
        if (options.signal.aborted) return resolve({ kind: 'aborted' });
        const code: unknown = error.code;
        if (code === 'ENOENT') return resolve({ kind: 'notFound' });
        if (code === 'EACCES') return resolve({ kind: 'notExecutable' });
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return resolve({ kind: 'outputTooLarge' });
        if (typeof code === 'number') return resolve({ kind: 'exited', exitCode: code, stdout, stderr });
        // `killed` is set only when execFile itself killed the child, which here means the timeout.
        if (error.killed === true) return resolve({ kind: 'timedOut' });
        if (typeof error.signal === 'string') return resolve({ kind: 'killedBySignal', signal: error.signal });
        resolve({ kind: 'couldNotStart', code: typeof code === 'string' ? code : 'unknown error' });
      },
    );
    // A helper may exit without reading its input; the broken pipe is not an error of ours.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  });

export type HelperAnswer =
  | { readonly kind: 'found'; readonly credential: RegistryCredential }
  | { readonly kind: 'notFound' }
  /** `reason` completes "the helper …": it names what went wrong and never quotes a secret. */
  | { readonly kind: 'failed'; readonly reason: string };

export interface CredentialHelperClientOptions {
  readonly runProgram?: RunProgram;
  /** The environment helpers run in; their PATH is where they are looked for. */
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** How long an answer is reused for the same helper and server (default 10 s). */
  readonly reuseMs?: number;
  readonly now?: () => number;
}

interface SharedQuestion {
  readonly answer: Promise<HelperAnswer>;
  readonly stop: AbortController;
  /** Callers still waiting who could abandon the question; the run stops when all of them have. */
  abandonable: number;
  /** Callers waiting without a signal: they keep the run alive. */
  committed: number;
  answeredAt: number | undefined;
}

/**
 * Asks credential helpers, sharing one run among all callers asking the same helper about the
 * same server at once (pinning a file resolves many images of one registry concurrently), and
 * reusing the answer for a short while. The run is stopped when every caller has given up.
 */
export class CredentialHelperClient {
  private readonly questions = new Map<string, SharedQuestion>();
  private readonly run: RunProgram;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;
  private readonly reuseMs: number;
  private readonly now: () => number;

  constructor(options: CredentialHelperClientOptions = {}) {
    this.run = options.runProgram ?? runProgram;
    this.env = options.env ?? process.env;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.reuseMs = options.reuseMs ?? DEFAULT_REUSE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Asks `docker-credential-<helperName>` for `serverUrl`; rejects only when `signal` aborts. */
  async get(helperName: string, serverUrl: string, signal?: AbortSignal): Promise<HelperAnswer> {
    signal?.throwIfAborted();
    this.forgetExpired();
    const key = JSON.stringify([helperName, serverUrl]);
    let question = this.questions.get(key);
    if (question === undefined) {
      question = this.ask(key, helperName, serverUrl);
      this.questions.set(key, question);
    }
    return this.waitFor(key, question, signal);
  }

  /** Drops every reused answer, e.g. after the user changed their credentials. */
  forget(): void {
    for (const [key, question] of this.questions) {
      if (question.answeredAt !== undefined) this.questions.delete(key);
    }
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [key, question] of this.questions) {
      if (question.answeredAt !== undefined && now - question.answeredAt >= this.reuseMs) this.questions.delete(key);
    }
  }

  private ask(key: string, helperName: string, serverUrl: string): SharedQuestion {
    const stop = new AbortController();
    const question: SharedQuestion = {
      answer: askHelper(this.run, helperName, serverUrl, { env: this.env, timeoutMs: this.timeoutMs, signal: stop.signal }),
      stop,
      abandonable: 0,
      committed: 0,
      answeredAt: undefined,
    };
    question.answer.then(
      () => {
        question.answeredAt = this.now();
      },
      // Stopped (every caller has gone) or a runner that threw: nothing worth reusing.
      () => {
        if (this.questions.get(key) === question) this.questions.delete(key);
      },
    );
    return question;
  }

  private waitFor(key: string, question: SharedQuestion, signal: AbortSignal | undefined): Promise<HelperAnswer> {
    if (signal === undefined) {
      question.committed += 1;
      return question.answer;
    }
    question.abandonable += 1;
    return new Promise((resolve, reject) => {
      const abandon = (): void => {
        question.abandonable -= 1;
        if (question.abandonable === 0 && question.committed === 0 && question.answeredAt === undefined) {
          question.stop.abort();
          if (this.questions.get(key) === question) this.questions.delete(key);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', abandon, { once: true });
      question.answer.then(
        (answer) => {
          signal.removeEventListener('abort', abandon);
          resolve(answer);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', abandon);
          reject(error);
        },
      );
    });
  }
}

/** Whether `name` can follow `docker-credential-` without naming a path of its own. */
export function isValidHelperName(name: string): boolean {
  return name !== '' && !/[/\\]/.test(name);
}

/** One run of the `get` verb, its outcome read as the docker-credential-helpers client reads it. */
export async function askHelper(
  run: RunProgram,
  helperName: string,
  serverUrl: string,
  options: { readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number; readonly signal: AbortSignal },
): Promise<HelperAnswer> {
  if (!isValidHelperName(helperName)) {
    return { kind: 'failed', reason: 'is not a valid helper name: it is empty or contains a path separator' };
  }
  const outcome = await run(HELPER_PROGRAM_PREFIX + helperName, ['get'], { input: serverUrl, ...options });
  switch (outcome.kind) {
    case 'exited':
      return outcome.exitCode === 0 ? readAnswer(outcome.stdout) : readRefusal(outcome.exitCode, outcome.stdout, outcome.stderr);
    case 'aborted':
      throw options.signal.reason;
    case 'notFound':
      return { kind: 'failed', reason: 'is not on PATH (install it, or remove it from the docker config file)' };
    case 'notExecutable':
      return { kind: 'failed', reason: 'cannot be run: permission denied' };
    case 'timedOut':
      return { kind: 'failed', reason: `did not answer within ${formatSeconds(options.timeoutMs)} and was stopped` };
    case 'outputTooLarge':
      return { kind: 'failed', reason: `wrote more than ${MAX_OUTPUT_BYTES} bytes and was stopped` };
    case 'killedBySignal':
      return { kind: 'failed', reason: `was killed by ${outcome.signal}` };
    case 'couldNotStart':
      return { kind: 'failed', reason: `could not be started (${outcome.code})` };
  }
}

function readAnswer(stdout: string): HelperAnswer {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    // Never quote the output: it may be a secret that is merely badly formatted.
    return { kind: 'failed', reason: 'answered with something other than JSON' };
  }
  if (!isJsonObject(value)) return { kind: 'failed', reason: 'answered with JSON that is not an object' };
  const username = goJsonField(value, 'Username') ?? '';
  const secret = goJsonField(value, 'Secret') ?? '';
  if (typeof username !== 'string' || typeof secret !== 'string') {
    return { kind: 'failed', reason: 'answered with a Username or Secret that is not a string' };
  }
  if (username === TOKEN_USERNAME) return secret === '' ? { kind: 'notFound' } : { kind: 'found', credential: { kind: 'identityToken', token: secret } };
  if (username === '' && secret === '') return { kind: 'notFound' };
  return { kind: 'found', credential: { kind: 'basic', username, password: secret } };
}

function readRefusal(exitCode: number, stdout: string, stderr: string): HelperAnswer {
  // Helpers built on docker-credential-helpers print their error to stdout; others use stderr.
  const message = stdout.trim() !== '' ? stdout.trim() : stderr.trim();
  if (message.toLowerCase().includes(NOT_FOUND_MESSAGE)) return { kind: 'notFound' };
  const firstLine = message.split('\n', 1)[0]!.trim();
  const quoted = firstLine.length > MAX_QUOTED_MESSAGE ? `${firstLine.slice(0, MAX_QUOTED_MESSAGE)}…` : firstLine;
  return { kind: 'failed', reason: `failed with exit code ${exitCode}${quoted === '' ? '' : `: ${quoted}`}` };
}

function formatSeconds(milliseconds: number): string {
  return milliseconds % 1000 === 0 ? `${milliseconds / 1000} s` : `${milliseconds} ms`;
}
