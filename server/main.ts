// Entry point of `lifetime-language-server` (bin/lifetime-language-server.js → dist/server.js).
//
// The same bundle is also the background exploration worker: loaded in a worker_thread
// with the worker role it runs the exploration loop instead (server/background.ts).

import { setFlagsFromString } from 'node:v8';
import { createConnection, IPCMessageReader, IPCMessageWriter, ProposedFeatures, StreamMessageWriter } from 'vscode-languageserver/node';
import { exploreWorkerMain, isExploreWorker } from './background';
import { checkWorkerMain, isCheckWorker } from './checker';
import { JsonWorker, isJsonWorker, jsonWorkerMain } from './jsonWorker';
import { LifecycleGate } from './lifecycle';
import { LifetimeServer, SERVER_NAME, SERVER_VERSION } from './server';
import { TolerantMessageReader } from './transport';

const USAGE = `usage: ${SERVER_NAME} [--stdio]

Speaks the Language Server Protocol over stdin/stdout for .lifetime files
(also --node-ipc when started by an editor that uses Node IPC).
  --version   print the version
  --help      this text`;

export function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${SERVER_NAME} ${SERVER_VERSION}\n`);
    return;
  }
  // A long-running server whose checks allocate a whole file's analysis each time: let the
  // heap grow by 50% between full GCs instead of V8's default (up to 4x), so garbage does
  // not pile up (50,000 lines: peak ~190 MB instead of ~320 MB, at about the same latency;
  // docs/language-server.md). Set before the big allocations start.
  setFlagsFromString('--heap-growing-percent=50');
  const ipc = argv.includes('--node-ipc');
  // stderr is only for people: if the client closed it, say nothing rather than fail (an
  // EPIPE reported from a write would otherwise come back as an uncaught error, reported
  // on stderr again, and so on).
  let stderrOk = true;
  process.stderr.on('error', () => {
    stderrOk = false;
  });
  const toStderr = (...a: unknown[]) => {
    if (!stderrOk) return;
    try {
      process.stderr.write(`${a.map(String).join(' ')}\n`);
    } catch {
      stderrOk = false;
    }
  };
  // stdout carries the protocol: anything a library prints goes to stderr instead.
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;

  let shutdown = false;
  const problem = (m: string) => toStderr(`${SERVER_NAME}: ${m}`);
  const workerFile = typeof __filename === 'string' && __filename.endsWith('.js') ? __filename : undefined;
  const writer = ipc ? new IPCMessageWriter(process) : new StreamMessageWriter(process.stdout);
  const bodies = workerFile ? new JsonWorker(workerFile, problem) : undefined;
  const reader = new LifecycleGate(ipc ? new IPCMessageReader(process) : new TolerantMessageReader(process.stdin, problem, bodies), writer);
  const connection = createConnection(ProposedFeatures.all, reader, writer);
  connection.onShutdown(() => {
    shutdown = true;
  });
  // The client went away (stdin closed, or stdout broken): nothing more to serve.
  reader.onClose(() => process.exit(shutdown ? 0 : 1));
  if (!ipc) process.stdout.on('error', () => process.exit(shutdown ? 0 : 1));
  writer.onError(([e]) => problem(`cannot write to the client: ${e.message}`));
  // A bug must not end the session: report it and go on serving.
  process.on('uncaughtException', (e) => problem(`internal error: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => problem(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

  new LifetimeServer(connection, { workerFile }).listen();
}

if (isExploreWorker()) exploreWorkerMain();
else if (isCheckWorker()) checkWorkerMain();
else if (isJsonWorker()) jsonWorkerMain();
