// `lifetime-debug-adapter`: the debug adapter over stdio (or, for debugging the adapter
// itself, on a TCP port with --server=PORT). The extension runs the same session inline.

import { createServer } from 'node:net';
import { LifetimeDebugSession } from './session';

export { LifetimeDebugSession } from './session';

export function main(argv: string[]): void {
  // stdout carries the protocol: anything printed by mistake must not corrupt it.
  console.log = console.error;
  console.info = console.error;
  // Bad input never takes the adapter down: report and carry on.
  process.on('uncaughtException', (e) => console.error(`lifetime-debug-adapter: ${e?.stack ?? e}`));
  process.on('unhandledRejection', (e) => console.error(`lifetime-debug-adapter: ${(e as Error)?.stack ?? e}`));
  const port = argv.map((a) => /^--server=(\d{2,5})$/.exec(a)).find(Boolean)?.[1];
  if (port) {
    createServer((socket) => {
      const session = new LifetimeDebugSession();
      session.setRunAsServer(true);
      session.start(socket, socket);
    }).listen(Number(port), '127.0.0.1', () => console.error(`lifetime-debug-adapter: listening on 127.0.0.1:${port}`));
    return;
  }
  const session = new LifetimeDebugSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}
