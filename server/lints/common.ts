// Helpers more than one lint rule uses: how a statement reads in a message, ranges, and
// the edits several quick fixes share.

import type { Block, DriverDecl, Ident, Range, Stmt, WaitStmt } from '../../grammar/ast';
import { type CodeDecl, type Model, named, stmtsOf, targetOf } from './model';
import { INDENT_UNIT, type TextEdit } from './text';
import { type QuickFix } from './types';

/** A statement as written, on one line, for messages and fix titles. */
export function show(m: Model, s: Stmt): string {
  return m.src.slice(s.range).replace(/\s+/g, ' ').trim();
}

/** A range from the start of `from` to the end of `to` (a declaration's header). */
export function span(from: Range, to: Range): Range {
  return { start: from.start, end: to.end };
}

export function addTimeout(m: Model, s: WaitStmt): QuickFix {
  return { title: 'Add `timeout 100ms`', edits: [m.src.insert(s.target.range.end.offset, ' timeout 100ms')] };
}

export function optionIs(d: DriverDecl, name: string, value: boolean): boolean {
  return (d.options ?? []).some((o) => o?.name?.name === name && o.value === value);
}

export function rmmods(m: Model, module: Ident): boolean {
  return named(module) && m.anyStmt((s) => s.kind === 'rmmod' && s.target?.name === module.name);
}

/** Edits that make option `name` of driver `d` read `yes`, wherever the driver has (or lacks) its block. */
export function setOption(m: Model, d: DriverDecl, name: string): TextEdit[] {
  const src = m.src;
  const options = (d.options ?? []).filter((o) => o && named(o.name));
  const same = options.filter((o) => o.name.name === name);
  if (same.length) return same.filter((o) => !o.value).map((o) => src.edit(o.valueRange.start.offset, o.valueRange.end.offset, 'yes'));
  const ind = src.indentAt(d.range.start.offset);
  const eol = src.eol;
  const line = `${name}: yes`;
  if (options.length) {
    const last = options[options.length - 1];
    const sep = src.startsLine(last.range.start.offset) ? eol + src.indentAt(last.range.start.offset) : ' ';
    return [src.insert(last.range.end.offset, sep + line)];
  }
  const open = src.findCode('{', d.device.range.end.offset, d.range.end.offset);
  const close = open < 0 ? -1 : src.findCode('}', open + 1, d.range.end.offset);
  if (close >= 0) return [src.edit(open + 1, close, `${eol}${ind}${INDENT_UNIT}${line}${eol}${ind}`)];
  return [src.insert(d.device.range.end.offset, ` {${eol}${ind}${INDENT_UNIT}${line}${eol}${ind}}`)];
}

/** Edits that put `lines` (statements) first in `block`, formatted like its first statement. */
export function insertFirst(m: Model, block: Block, lines: string[]): TextEdit[] {
  const src = m.src;
  const eol = src.eol;
  const first = block.stmts[0];
  const brace = block.range.start.offset;
  if (first && src.startsLine(first.range.start.offset)) {
    const ind = src.indentAt(first.range.start.offset);
    return [src.insert(first.range.start.offset, lines.map((l) => l + eol + ind).join(''))];
  }
  const closeAt = block.range.end.offset - 1;
  if (!first && src.text[brace] === '{' && src.text[closeAt] === '}') {
    const ind = src.indentAt(brace);
    return [src.edit(brace + 1, closeAt, lines.map((l) => eol + ind + INDENT_UNIT + l).join('') + eol + ind)];
  }
  return [src.insert(brace + 1, lines.map((l) => ' ' + l).join('') + (first ? '' : ' '))];
}

/** Whether some thread can unbind driver `d`'s device: `unbind`/`hotunplug` of it, or `rmmod` of its module. */
export function canUnbind(m: Model, d: DriverDecl): boolean {
  return m.anyStmt(
    (s) =>
      ((s.kind === 'unbind' || s.kind === 'hotunplug') && s.target?.name === d.device?.name) ||
      (s.kind === 'rmmod' && s.target?.name === d.module?.name),
  );
}

/** Whether `on remove` of driver `d` (none: the default remove) has a statement that satisfies `pred`. */
export function removeDoes(m: Model, d: DriverDecl, pred: (s: Stmt) => boolean): boolean {
  const h = m.handler('remove', d.name.name);
  return !!h && stmtsOf(h.body).some(pred);
}

/** How a message names driver `d`'s remove: its `on remove`, or the default one. */
export function removeName(m: Model, d: DriverDecl): string {
  return m.handler('remove', d.name.name) ? `\`on remove ${d.name.name}\`` : `the default remove of \`${d.name.name}\``;
}

/**
 * Edits that put `lines` first in `on remove d`. Without one, they write the handler after
 * the declaration `after`; it replaces the default remove, so it keeps what the default
 * does (language.md §4, §9): unplug each drm device of the device, then unregister each cdev.
 */
export function addToRemove(m: Model, d: DriverDecl, lines: string[], after: Range): TextEdit[] {
  const h = m.handler('remove', d.name.name);
  if (h) return insertFirst(m, h.body, lines);
  const src = m.src;
  const eol = src.eol;
  const ind = src.indentAt(after.start.offset);
  const body = [
    ...lines,
    ...m.drmsOfDevice(d.device.name).map((x) => `unplug ${x.name.name}`),
    ...m.cdevsOfDevice(d.device.name).map((x) => `unregister ${x.name.name}`),
  ];
  const text = `${eol}${eol}${ind}on remove ${d.name.name} {${body.map((l) => eol + ind + INDENT_UNIT + l).join('')}${eol}${ind}}`;
  const end = after.end.offset;
  return [src.insert(src.endsLine(end) ? src.lineEnd(end) : end, text)];
}

/** Whether driver code (not a thread's own body), outside the body `except`, has a statement of kind `kind` on `name`. */
export function driverCodeDoes(m: Model, kind: Stmt['kind'], name: string, except?: CodeDecl): boolean {
  return m.sites.some((x) => x.owner !== except && x.stmt.kind === kind && targetOf(x.stmt)?.name === name && m.isDriverCode(x));
}

/**
 * Whether `s` stops the timer or work `name` for good as a teardown must: `cancel` that
 * waits (`cancel_work_sync`, `timer_delete_sync`) or `disable`. `cancel … nosync` does not
 * wait for a callback already running, which then goes on after remove.
 */
export function stopsCallback(s: Stmt, name: string): boolean {
  return ((s.kind === 'cancel' && !s.nosync) || s.kind === 'disable') && s.target?.name === name;
}

/** A sentence for a remove whose only cancel of `name` is `cancel … nosync` (else ''). */
export function nosyncNote(m: Model, d: DriverDecl, name: string, fn: string): string {
  const only = removeDoes(m, d, (s) => s.kind === 'cancel' && s.nosync && s.target?.name === name);
  return only ? ` (\`cancel ${name} nosync\` is ${fn}, which does not wait for a callback already running)` : '';
}
