// Runs the extension-host test suite (test/e2e/suite) inside a real code-server, in headless
// Chromium. The workbench calls `codeAutomationExit(code)` when the suite's `run()` settles:
// 0 = passed, 1 = failed. Mocha's report only exists in the browser console, so we collect it.
import { chromium, type ConsoleMessage } from 'playwright-core';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, extensionTestUrl, startCodeServer, type CodeServerOptions } from './codeServer';

export const repositoryRoot = join(__dirname, '..', '..', '..');
export const suiteEntry = join(repositoryRoot, 'out', 'test', 'e2e', 'suite', 'index.js');

export interface SuiteRun {
  readonly exitCode: number;
  /** The browser console: mocha's spec report and the extension host's messages. */
  readonly console: readonly string[];
  readonly codeServerOutput: string;
}

export async function runSuiteInCodeServer(options: CodeServerOptions & { timeoutMs?: number }): Promise<SuiteRun> {
  const server = await startCodeServer(options);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const console: string[] = [];
  try {
    const page = await browser.newPage();
    const pending: Promise<void>[] = [];
    page.on('console', (message) => pending.push(formatConsoleMessage(message).then((line) => void console.push(line))));
    const exitCode = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the suite did not finish within ${options.timeoutMs ?? 180_000} ms`)), options.timeoutMs ?? 180_000);
      void page
        .exposeFunction('codeAutomationExit', (code: number) => {
          clearTimeout(timer);
          resolve(code);
        })
        .then(() => page.goto(extensionTestUrl(server, options.workspace, repositoryRoot, suiteEntry)))
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
    await Promise.all(pending);
    return { exitCode, console, codeServerOutput: server.output() };
  } finally {
    await browser.close();
    await server.stop();
  }
}

/**
 * The extension host forwards `console.log` to the page as a format string with arguments
 * (`%c INFO color: … %s`); substitute them so the report reads like mocha's own output.
 */
async function formatConsoleMessage(message: ConsoleMessage): Promise<string> {
  const values = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => undefined)));
  if (values.length === 0) return message.text();
  // The host wraps the original call: console.log('%c INFO', css, originalFormat, ...originalArgs).
  const parts: string[] = [];
  while (values.length > 0) {
    const value = values.shift();
    if (typeof value !== 'string') {
      parts.push(String(value));
      continue;
    }
    parts.push(value.replace(/%[csdifoO]/g, (directive) => (directive === '%c' ? (values.shift(), '') : String(values.shift()))));
  }
  return parts.join(' ').replace(/^\s*INFO\s*/, '');
}
