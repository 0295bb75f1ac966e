// A compact, readable rendering of a parsed file for fixture tests: one line per
// declaration, statement or option, indented by nesting, with names at their start
// positions and each node's `line:col-line:col` range.

import type { Block, Decl, Diagnostic, FileNode, Ident, Position, Range, Stmt } from '../../grammar/ast';

const pos = (p: Position): string => `${p.line}:${p.column}`;
const rng = (r: Range): string => `${pos(r.start)}-${pos(r.end)}`;
const id = (i: Ident): string => `${i.name === '' ? '<missing>' : i.name}@${pos(i.range.start)}`;

function block(b: Block, depth: number, out: string[]): void {
  out.push(`${'  '.repeat(depth)}{ ${rng(b.range)}`);
  for (const s of b.stmts) stmt(s, depth + 1, out);
}

function stmt(s: Stmt, depth: number, out: string[]): void {
  const ind = '  '.repeat(depth);
  const at = `[${rng(s.range)} kw ${rng(s.keywordRange)}]`;
  switch (s.kind) {
    case 'open':
      out.push(`${ind}open ${id(s.file)} on ${id(s.target)} ${at}`);
      return;
    case 'ioctl':
      out.push(`${ind}ioctl ${id(s.file)} ${at}`);
      block(s.body, depth + 1, out);
      return;
    case 'enter':
    case 'access':
      out.push(`${ind}${s.kind} ${id(s.target)} ${at}`);
      block(s.body, depth + 1, out);
      if (s.elseBody) {
        out.push(`${ind}else`);
        block(s.elseBody, depth + 1, out);
      }
      return;
    case 'rmmod':
      out.push(`${ind}rmmod ${id(s.target)}${s.force ? ' force' : ''} ${at}`);
      return;
    case 'wait':
    case 'poll':
      out.push(`${ind}${s.kind} ${id(s.target)}${s.timeout ? ` timeout ${s.timeout.text}=${s.timeout.ns}ns@${pos(s.timeout.range.start)}` : ''} ${at}`);
      return;
    case 'signal':
      out.push(`${ind}signal ${id(s.target)}${s.error ? ' error' : ''} ${at}`);
      return;
    case 'cancel':
      out.push(`${ind}cancel ${id(s.target)}${s.nosync ? ' nosync' : ''} ${at}`);
      return;
    case 'queue':
    case 'arm':
      out.push(`${ind}${s.kind} ${id(s.target)}${s.after ? ` after ${s.after.text}=${s.after.ns}ns@${pos(s.after.range.start)}` : ''} ${at}`);
      return;
    case 'sleep':
      out.push(`${ind}sleep ${s.duration.text}=${s.duration.ns}ns@${rng(s.duration.range)} ${at}`);
      return;
    case 'repeat':
      out.push(`${ind}repeat ${s.count.text}=${s.count.value}@${rng(s.count.range)} ${at}`);
      block(s.body, depth + 1, out);
      return;
    case 'log':
      out.push(`${ind}log ${JSON.stringify(s.text.value)}@${rng(s.text.range)} ${at}`);
      return;
    default:
      out.push(`${ind}${s.kind} ${id(s.target)} ${at}`);
  }
}

function decl(d: Decl, out: string[]): void {
  const at = `[${rng(d.range)}]`;
  switch (d.kind) {
    case 'module':
    case 'device':
    case 'mutex':
    case 'spinlock':
    case 'completion':
      out.push(`${d.kind} ${id(d.name)} ${at}`);
      return;
    case 'driver':
      out.push(`driver ${id(d.name)} in ${id(d.module)} binds ${id(d.device)} ${at}`);
      for (const o of d.options) out.push(`  option ${id(o.name)}: ${o.value ? 'yes' : 'no'}@${rng(o.valueRange)} [${rng(o.range)}]`);
      return;
    case 'drm':
    case 'revocable':
      out.push(`${d.kind} ${id(d.name)} on ${id(d.device)} ${at}`);
      return;
    case 'ptimer':
      out.push(`${d.deprecatedForm ? 'timer' : 'ptimer'}@${rng(d.keywordRange)} ${id(d.name)} on ${id(d.revocable)} ${at}`);
      return;
    case 'fence':
      out.push(`fence ${id(d.name)} on ${id(d.device)}${d.takes ? ` takes ${d.takes.text}=${d.takes.ns}ns@${rng(d.takes.range)}` : ''} ${at}`);
      return;
    case 'data':
      out.push(d.owner ? `data ${id(d.name)} ${d.managed} on ${id(d.owner)} ${at}` : `data ${id(d.name)} ${at}`);
      return;
    case 'work':
      out.push(`work ${id(d.name)} in ${id(d.driver)} ${at}`);
      block(d.body, 1, out);
      return;
    case 'cdev':
      out.push(`cdev ${id(d.name)} on ${id(d.device)} ${at}`);
      return;
    case 'timer':
      out.push(`timer ${id(d.name)} in ${id(d.driver)} ${at}`);
      block(d.body, 1, out);
      return;
    case 'irq':
      out.push(`irq ${id(d.name)} on ${id(d.device)}${d.threaded ? ' threaded' : ''}${d.devm ? ' devm' : ''} ${at}`);
      block(d.body, 1, out);
      return;
    case 'kref':
      out.push(`kref ${id(d.name)} in ${id(d.driver)}${d.devm ? ' devm' : ''} ${at}`);
      return;
    case 'attr':
      out.push(`attr ${id(d.name)} on ${id(d.device)} ${at}`);
      block(d.body, 1, out);
      return;
    case 'handler':
      out.push(`on ${d.event}@${pos(d.eventRange.start)} ${id(d.target)} ${at}`);
      block(d.body, 1, out);
      return;
    case 'thread':
      out.push(`thread ${id(d.name)}${d.description ? ` ${JSON.stringify(d.description.value)}@${rng(d.description.range)}` : ''} ${at}`);
      block(d.body, 1, out);
      return;
    case 'expect':
      out.push(`expect ${d.mode} ${d.outcome || '<missing>'}@${rng(d.outcomeRange)}${d.thread ? ` in ${d.callback ? `${d.callback.prefix}@${rng(d.callback.range)}/` : ''}${id(d.thread)}` : ''} ${at}`);
      return;
    default: {
      const unhandled: never = d;
      void unhandled;
    }
  }
}

export function summarize(file: FileNode): string[] {
  const out: string[] = [`file [${rng(file.range)}]`];
  if (file.scenario) out.push(`scenario ${JSON.stringify(file.scenario.value)}@${rng(file.scenario.range)}`);
  for (const d of file.decls) decl(d, out);
  return out;
}

export function summarizeDiagnostics(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${rng(d.range)} ${d.severity} ${d.code}: ${d.message}`);
}
