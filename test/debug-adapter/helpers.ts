// Helpers for the debug adapter tests: a DebugClient on the stdio bin, launching with
// breakpoints and filters set in the proper configuration sequence, and reading the
// variables view as a plain tree (so two stops can be compared).

import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compile } from '../../grammar';
import { lower, type Program } from '../../debug-adapter/runtime/program';
import { ADAPTER_BIN, ROOT } from './build';

export const FIXTURES = resolve(__dirname, 'fixtures');
export const fixture = (name: string): string => resolve(FIXTURES, name);
export const CONFORMANCE = resolve(ROOT, '../shared/conformance');
export const HAVE_CONFORMANCE = existsSync(CONFORMANCE);
export const conformance = (name: string): string => resolve(CONFORMANCE, name);

/** Generous: DebugClient's 5 s default is too short on a busy machine. */
export const T = 30_000;
export const WAIT = 20_000;

export interface Client extends DebugClient {
  outputs: DebugProtocol.OutputEvent['body'][];
  states: unknown[];
}

export async function client(): Promise<Client> {
  const dc = new DebugClient('node', ADAPTER_BIN, 'lifetime', { cwd: ROOT }) as Client;
  dc.defaultTimeout = WAIT;
  dc.outputs = [];
  dc.states = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => dc.outputs.push(e.body));
  dc.on('lifetime/state', (e: DebugProtocol.Event) => dc.states.push(e.body));
  await dc.start();
  return dc;
}

export function consoleText(dc: Client): string {
  return dc.outputs.map((o) => o.output).join('');
}

export interface LaunchOptions {
  breakpoints?: DebugProtocol.SourceBreakpoint[];
  filters?: string[];
}

/**
 * initialize → (initialized) → breakpoints, filters, configurationDone + launch; resolves with
 * the first stop, or null when the run terminated without stopping.
 */
export async function launch(dc: Client, args: Record<string, unknown>, o: LaunchOptions = {}): Promise<DebugProtocol.StoppedEvent['body'] | null> {
  const initialized = dc.waitForEvent('initialized', WAIT);
  await dc.initializeRequest();
  await initialized;
  if (o.breakpoints) await dc.setBreakpointsRequest({ source: { path: String(args.program) }, breakpoints: o.breakpoints });
  if (o.filters) await dc.setExceptionBreakpointsRequest({ filters: o.filters });
  const first = firstOf(dc);
  await Promise.all([dc.configurationDoneRequest(), dc.launchRequest(args as DebugProtocol.LaunchRequestArguments)]);
  return first;
}

/** The next stop, or null if the session terminates first. */
export function firstOf(dc: Client): Promise<DebugProtocol.StoppedEvent['body'] | null> {
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('neither stopped nor terminated')), WAIT);
    const onStop = (e: DebugProtocol.StoppedEvent) => { done(); res(e.body); };
    const onTerm = () => { done(); res(null); };
    const done = () => {
      clearTimeout(timer);
      dc.removeListener('stopped', onStop);
      dc.removeListener('terminated', onTerm);
    };
    dc.on('stopped', onStop);
    dc.on('terminated', onTerm);
  });
}

/** Sends a request that resumes, and waits for the stop (or termination) it causes. */
export async function act(dc: Client, req: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent['body'] | null> {
  const next = firstOf(dc);
  await req();
  return next;
}

export const stepIn = (dc: Client, threadId: number) => act(dc, () => dc.stepInRequest({ threadId }));
export const next = (dc: Client, threadId: number) => act(dc, () => dc.nextRequest({ threadId }));
export const stepOut = (dc: Client, threadId: number) => act(dc, () => dc.stepOutRequest({ threadId }));
export const cont = (dc: Client, threadId = 1) => act(dc, () => dc.continueRequest({ threadId }));
export const stepBack = (dc: Client, threadId: number) => act(dc, () => dc.stepBackRequest({ threadId }));
export const reverseContinue = (dc: Client, threadId = 1) => act(dc, () => dc.reverseContinueRequest({ threadId }));

export async function frames(dc: Client, threadId: number): Promise<{ name: string; line: number; column: number }[]> {
  const r = await dc.stackTraceRequest({ threadId });
  return r.body.stackFrames.map((f) => ({ name: f.name, line: f.line, column: f.column }));
}

export async function threadId(dc: Client, name: string): Promise<number> {
  const r = await dc.threadsRequest();
  const t = r.body.threads.find((x) => x.name === name);
  if (!t) throw new Error(`no thread ${name}: ${r.body.threads.map((x) => x.name).join(', ')}`);
  return t.id;
}

export type Tree = { [name: string]: string | { value: string; children: Tree } };

/** The value at a path of a variables tree (`v(t, 'card0', 'refcount')`); throws naming the path when it is not there. */
export const v = (t: Tree, ...path: string[]): string => {
  let node: Tree | string | { value: string; children: Tree } = t;
  for (const p of path) {
    const n: Tree | string | { value: string; children: Tree } | undefined = typeof node === 'string' ? undefined : 'children' in node && typeof node.children === 'object' && !(p in node) ? (node.children as Tree)[p] : (node as Tree)[p];
    if (n === undefined) throw new Error(`no ${path.join('.')} in ${JSON.stringify(t, null, 1)}`);
    node = n;
  }
  return typeof node === 'string' ? node : (node as { value: string }).value;
};

export async function tree(dc: Client, ref: number, depth = 3): Promise<Tree> {
  const v = await dc.variablesRequest({ variablesReference: ref });
  const out: Tree = {};
  for (const x of v.body.variables) {
    out[x.name] = x.variablesReference && depth > 0 ? { value: x.value, children: await tree(dc, x.variablesReference, depth - 1) } : x.value;
  }
  return out;
}

export async function scopes(dc: Client, threadId: number): Promise<{ lifetimes: number; thread: number }> {
  const st = await dc.stackTraceRequest({ threadId });
  const sc = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
  const ref = (n: string) => sc.body.scopes.find((s) => s.name === n)?.variablesReference ?? 0;
  return { lifetimes: ref('Lifetimes'), thread: ref('Thread') };
}

/** The whole Lifetimes scope and the thread's scope, expanded. */
export async function snapshot(dc: Client, threadId: number): Promise<{ lifetimes: Tree; thread: Tree }> {
  const s = await scopes(dc, threadId);
  return { lifetimes: await tree(dc, s.lifetimes), thread: await tree(dc, s.thread) };
}

export async function evaluate(dc: Client, expression: string): Promise<string> {
  const r = await dc.evaluateRequest({ expression, context: 'watch' });
  return r.body.result;
}

/** A launch that must fail: the error message. */
export async function launchError(dc: Client, args: Record<string, unknown>): Promise<string> {
  const initialized = dc.waitForEvent('initialized', WAIT);
  await dc.initializeRequest();
  await initialized;
  await dc.configurationDoneRequest();
  try {
    await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('launch succeeded');
}

export function programOf(path: string): Program {
  const a = compile(readFileSync(path, 'utf8'));
  if (a.diagnostics.some((d) => d.severity === 'error')) throw new Error(`${path} has errors`);
  return lower(a.file);
}

/** 1-based line of the first line holding `needle` (its nth occurrence). */
export function lineOf(path: string, needle: string, nth = 0): number {
  const lines = readFileSync(path, 'utf8').split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes(needle)) {
      if (seen === nth) return i + 1;
      seen++;
    }
  }
  throw new Error(`${needle} not in ${path}`);
}
