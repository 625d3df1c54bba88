/**
 * The server never stops because of what it is sent: every handler runs behind `guard`, which
 * logs a failure to the client's console and answers with a neutral result instead.
 */
import type { Connection } from 'vscode-languageserver/node';

export function guard<P extends unknown[], R>(
  connection: Connection,
  name: string,
  fallback: R,
  handler: (...params: P) => R | Promise<R>,
): (...params: P) => Promise<R> {
  return async (...params: P) => {
    try {
      return await handler(...params);
    } catch (error) {
      logError(connection, `${name} failed`, error);
      return fallback;
    }
  };
}

export function logError(connection: Connection, context: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  connection.console.error(`${context}: ${detail}`);
}
