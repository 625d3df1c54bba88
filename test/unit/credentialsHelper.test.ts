// The credential helper protocol as read from a program's outcome, and the client that shares
// one helper run among concurrent callers. Programs here are fakes that return outcomes; the real
// helper executable is exercised in test/integration/credentialHelpers.test.ts.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  askHelper,
  CredentialHelperClient,
  isValidHelperName,
  type HelperAnswer,
  type ProgramOutcome,
  type ProgramRunOptions,
  type RunProgram,
} from '../../server/src/registry/credentials/credentialHelper';

const options = { env: {}, timeoutMs: 10_000, signal: new AbortController().signal };
const exited = (exitCode: number, stdout: string, stderr = ''): ProgramOutcome => ({ kind: 'exited', exitCode, stdout, stderr });

describe('reading what a helper answered', () => {
  const cases: { name: string; outcome: ProgramOutcome; expected: HelperAnswer }[] = [
    {
      name: 'username and secret',
      outcome: exited(0, '{"ServerURL":"registry.example.com","Username":"alice","Secret":"pw"}\n'),
      expected: { kind: 'found', credential: { kind: 'basic', username: 'alice', password: 'pw' } },
    },
    {
      name: '<token> means an identity token',
      outcome: exited(0, '{"ServerURL":"registry.example.com","Username":"<token>","Secret":"refresh"}'),
      expected: { kind: 'found', credential: { kind: 'identityToken', token: 'refresh' } },
    },
    {
      name: 'field names ignore case, as Go decodes them',
      outcome: exited(0, '{"username":"alice","secret":"pw"}'),
      expected: { kind: 'found', credential: { kind: 'basic', username: 'alice', password: 'pw' } },
    },
    { name: 'empty username and secret are nothing', outcome: exited(0, '{"ServerURL":"x","Username":"","Secret":""}'), expected: { kind: 'notFound' } },
    {
      name: 'the standard not-found refusal',
      outcome: exited(1, 'credentials not found in native keychain\n'),
      expected: { kind: 'notFound' },
    },
    { name: 'a not-found refusal on stderr', outcome: exited(1, '', 'error: Credentials not found for this server\n'), expected: { kind: 'notFound' } },
    {
      name: 'another refusal quotes the first line of the message',
      outcome: exited(3, 'the keychain is locked\nsecond line\n'),
      expected: { kind: 'failed', reason: 'failed with exit code 3: the keychain is locked' },
    },
    {
      name: 'a long message is cut',
      outcome: exited(1, `${'x'.repeat(250)}\n`),
      expected: { kind: 'failed', reason: `failed with exit code 1: ${'x'.repeat(200)}…` },
    },
    { name: 'a silent failure', outcome: exited(2, ''), expected: { kind: 'failed', reason: 'failed with exit code 2' } },
    { name: 'output that is not JSON is not quoted', outcome: exited(0, 'Secret=hunter2'), expected: { kind: 'failed', reason: 'answered with something other than JSON' } },
    { name: 'JSON that is not an object', outcome: exited(0, '["hunter2"]'), expected: { kind: 'failed', reason: 'answered with JSON that is not an object' } },
    {
      name: 'fields that are not strings',
      outcome: exited(0, '{"Username":"alice","Secret":42}'),
      expected: { kind: 'failed', reason: 'answered with a Username or Secret that is not a string' },
    },
    {
      name: 'not on PATH',
      outcome: { kind: 'notFound' },
      expected: { kind: 'failed', reason: 'is not on PATH (install it, or remove it from the docker config file)' },
    },
    { name: 'not executable', outcome: { kind: 'notExecutable' }, expected: { kind: 'failed', reason: 'cannot be run: permission denied' } },
    { name: 'too slow', outcome: { kind: 'timedOut' }, expected: { kind: 'failed', reason: 'did not answer within 10 s and was stopped' } },
    { name: 'crashed', outcome: { kind: 'killedBySignal', signal: 'SIGSEGV' }, expected: { kind: 'failed', reason: 'was killed by SIGSEGV' } },
    { name: 'too much output', outcome: { kind: 'outputTooLarge' }, expected: { kind: 'failed', reason: 'wrote more than 1048576 bytes and was stopped' } },
    { name: 'could not start', outcome: { kind: 'couldNotStart', code: 'E2BIG' }, expected: { kind: 'failed', reason: 'could not be started (E2BIG)' } },
  ];
  for (const { name, outcome, expected } of cases) {
    test(name, async () => {
      const calls: [string, readonly string[], string][] = [];
      const run: RunProgram = async (program, args, runOptions) => {
        calls.push([program, args, runOptions.input]);
        return outcome;
      };
      assert.deepEqual(await askHelper(run, 'test', 'registry.example.com', options), expected);
      assert.deepEqual(calls, [['docker-credential-test', ['get'], 'registry.example.com']]);
    });
  }

  test('a timeout under a second is said in milliseconds', async () => {
    const answer = await askHelper(async () => ({ kind: 'timedOut' }), 'test', 'x', { ...options, timeoutMs: 250 });
    assert.deepEqual(answer, { kind: 'failed', reason: 'did not answer within 250 ms and was stopped' });
  });

  test('a helper name that would be a path is refused without running anything', async () => {
    for (const name of ['../../tmp/evil', 'a/b', 'a\\b', '']) {
      assert.equal(isValidHelperName(name), false, name);
      const answer = await askHelper(async () => assert.fail('must not run'), name, 'x', options);
      assert.deepEqual(answer, { kind: 'failed', reason: 'is not a valid helper name: it is empty or contains a path separator' });
    }
    assert.equal(isValidHelperName('ecr-login'), true);
  });
});

/** A program whose runs the test finishes by hand, one at a time. */
function controllableProgram() {
  const runs: { program: string; input: string; options: ProgramRunOptions; finish: (outcome: ProgramOutcome) => void }[] = [];
  const run: RunProgram = (program, _args, runOptions) =>
    new Promise((resolve) => {
      const entry = { program, input: runOptions.input, options: runOptions, finish: resolve };
      runs.push(entry);
      runOptions.signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
    });
  return { runs, run };
}
const found = exited(0, '{"Username":"alice","Secret":"pw"}');
const foundAnswer: HelperAnswer = { kind: 'found', credential: { kind: 'basic', username: 'alice', password: 'pw' } };

describe('sharing helper runs', () => {
  test('concurrent questions about one server share one run; other servers get their own', async () => {
    const program = controllableProgram();
    const client = new CredentialHelperClient({ runProgram: program.run, env: { PATH: '/bin' } });
    const answers = Promise.all([
      client.get('test', 'registry.example.com'),
      client.get('test', 'registry.example.com'),
      client.get('test', 'other.example.com'),
    ]);
    assert.deepEqual(
      program.runs.map(({ program: name, input }) => [name, input]),
      [
        ['docker-credential-test', 'registry.example.com'],
        ['docker-credential-test', 'other.example.com'],
      ],
    );
    assert.deepEqual(program.runs[0]!.options.env, { PATH: '/bin' });
    for (const run of program.runs) run.finish(found);
    assert.deepEqual(await answers, [foundAnswer, foundAnswer, foundAnswer]);
  });

  test('an answer is reused for reuseMs, then asked again; forget() drops it at once', async () => {
    let now = 1_000;
    const program = controllableProgram();
    const client = new CredentialHelperClient({ runProgram: program.run, reuseMs: 500, now: () => now });
    const first = client.get('test', 'registry.example.com');
    program.runs[0]!.finish(found);
    assert.deepEqual(await first, foundAnswer);
    now += 499;
    assert.deepEqual(await client.get('test', 'registry.example.com'), foundAnswer);
    assert.equal(program.runs.length, 1);
    now += 1;
    const third = client.get('test', 'registry.example.com');
    assert.equal(program.runs.length, 2);
    program.runs[1]!.finish(exited(1, 'credentials not found in native keychain'));
    assert.deepEqual(await third, { kind: 'notFound' });
    client.forget();
    const fourth = client.get('test', 'registry.example.com');
    assert.equal(program.runs.length, 3);
    program.runs[2]!.finish(found);
    assert.deepEqual(await fourth, foundAnswer);
  });

  test('a caller that aborts is released at once; the run goes on while another caller waits', async () => {
    const program = controllableProgram();
    const client = new CredentialHelperClient({ runProgram: program.run });
    const impatient = new AbortController();
    const abandoned = client.get('test', 'registry.example.com', impatient.signal);
    const patient = client.get('test', 'registry.example.com', new AbortController().signal);
    impatient.abort(new Error('user cancelled'));
    await assert.rejects(abandoned, /user cancelled/);
    assert.equal(program.runs[0]!.options.signal.aborted, false);
    program.runs[0]!.finish(found);
    assert.deepEqual(await patient, foundAnswer);
  });

  test('when every caller has aborted, the run is stopped and the next question starts afresh', async () => {
    const program = controllableProgram();
    const client = new CredentialHelperClient({ runProgram: program.run });
    const first = new AbortController();
    const second = new AbortController();
    const answers = [client.get('test', 'registry.example.com', first.signal), client.get('test', 'registry.example.com', second.signal)];
    first.abort(new Error('first gone'));
    assert.equal(program.runs[0]!.options.signal.aborted, false);
    second.abort(new Error('second gone'));
    assert.equal(program.runs[0]!.options.signal.aborted, true);
    await assert.rejects(answers[0]!, /first gone/);
    await assert.rejects(answers[1]!, /second gone/);
    const again = client.get('test', 'registry.example.com');
    assert.equal(program.runs.length, 2);
    program.runs[1]!.finish(found);
    assert.deepEqual(await again, foundAnswer);
  });

  test('a caller without a signal keeps the run alive', async () => {
    const program = controllableProgram();
    const client = new CredentialHelperClient({ runProgram: program.run });
    const committed = client.get('test', 'registry.example.com');
    const controller = new AbortController();
    const abandoned = client.get('test', 'registry.example.com', controller.signal);
    controller.abort(new Error('gone'));
    await assert.rejects(abandoned, /gone/);
    assert.equal(program.runs[0]!.options.signal.aborted, false);
    program.runs[0]!.finish(found);
    assert.deepEqual(await committed, foundAnswer);
  });

  test('an already aborted signal rejects without running anything', async () => {
    const program = controllableProgram();
    const client = new CredentialHelperClient({ runProgram: program.run });
    await assert.rejects(client.get('test', 'registry.example.com', AbortSignal.abort(new Error('too late'))), /too late/);
    assert.equal(program.runs.length, 0);
  });

  test('timeout and environment reach the program', async () => {
    const program = controllableProgram();
    const client = new CredentialHelperClient({ runProgram: program.run, timeoutMs: 1234, env: { PATH: '/x' } });
    const answer = client.get('test', 'registry.example.com');
    assert.equal(program.runs[0]!.options.timeoutMs, 1234);
    assert.deepEqual(program.runs[0]!.options.env, { PATH: '/x' });
    program.runs[0]!.finish({ kind: 'timedOut' });
    assert.deepEqual(await answer, { kind: 'failed', reason: 'did not answer within 1234 ms and was stopped' });
  });
});
