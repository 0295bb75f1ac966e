// Child processes of the extension: the bundled CLI (bin/lifetime.js) and the explore
// worker (dist/explore-worker.js), each with the editor's own Node (process.execPath, with
// ELECTRON_RUN_AS_NODE so that a desktop VS Code's Electron binary behaves as node).

import { fork, spawn, type ChildProcess } from 'node:child_process';
import type * as vscode from 'vscode';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  cancelled: boolean;
}

const nodeEnv = (): NodeJS.ProcessEnv => ({ ...process.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' });

/** Runs `node script args…`, streaming its output; cancelling kills it. */
export function runNode(
  script: string,
  args: string[],
  opts: { cwd?: string; token?: vscode.CancellationToken; onStdout?: (s: string) => void; onStderr?: (s: string) => void },
): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let cancelled = false;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [script, ...args], { cwd: opts.cwd, env: nodeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: null, stdout, stderr: `cannot start node: ${(e as Error).message}`, cancelled });
      return;
    }
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      opts.onStdout?.(d);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      opts.onStderr?.(d);
    });
    const sub = opts.token?.onCancellationRequested(() => {
      cancelled = true;
      child.kill();
    });
    child.on('error', (e) => {
      stderr += `${e.message}\n`;
    });
    child.on('close', (code) => {
      sub?.dispose();
      resolve({ code, stdout, stderr, cancelled });
    });
  });
}

/** Forks a worker script with an IPC channel, sends it one job, and collects its messages. */
export function runWorker<M extends { type: string }>(
  script: string,
  job: unknown,
  opts: { maxOldSpaceMb?: number; token?: vscode.CancellationToken; onMessage: (m: M) => void },
): Promise<{ code: number | null; cancelled: boolean; stderr: string }> {
  return new Promise((resolve) => {
    let cancelled = false;
    let stderr = '';
    const execArgv = opts.maxOldSpaceMb ? [`--max-old-space-size=${Math.round(opts.maxOldSpaceMb * 1.25 + 256)}`] : [];
    let child: ChildProcess;
    try {
      child = fork(script, [], { env: nodeEnv(), execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    } catch (e) {
      resolve({ code: null, cancelled, stderr: `cannot start the worker: ${(e as Error).message}` });
      return;
    }
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 10_000) stderr += d;
    });
    child.on('message', (m) => opts.onMessage(m as M));
    const sub = opts.token?.onCancellationRequested(() => {
      cancelled = true;
      child.kill();
    });
    child.on('error', (e) => {
      stderr += `${e.message}\n`;
    });
    child.on('close', (code) => {
      sub?.dispose();
      resolve({ code, cancelled, stderr });
    });
    child.send(job as object);
  });
}
