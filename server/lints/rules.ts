// The eleven lint rules of tools.md §3. Each is a pure function of the scenario model;
// the rules are lexical (what the text says), not a run: the runtime finds the faults,
// these point at the code shapes that lead to them before anything runs.

import type { Block, DriverDecl, GuardStmt, HandlerDecl, Ident, NamedDecl, OpenStmt, Range, Stmt, WaitStmt } from '../../grammar/ast';
import { type Model, type StmtSite, named, stmtsOf, targetOf } from './model';
import { INDENT_UNIT, type TextEdit } from './text';
import { type LintDiagnostic, type QuickFix, type Rule, diag } from './types';
import { unbalancedRef } from './refs';

/** A statement as written, on one line, for messages and fix titles. */
function show(m: Model, s: Stmt): string {
  return m.src.slice(s.range).replace(/\s+/g, ' ').trim();
}

/** A range from the start of `from` to the end of `to` (a declaration's header). */
function span(from: Range, to: Range): Range {
  return { start: from.start, end: to.end };
}

/** Statements whose own target ident was lost in recovery are skipped (brief: empty names). */
function hasUsableTarget(s: Stmt): boolean {
  const t = targetOf(s);
  return t === undefined || named(t);
}

// ---------------------------------------------------------------- sleep-in-atomic

const sleepInAtomic: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const site of m.sites) {
    const s = site.stmt;
    if (!m.sleeps(s) || !hasUsableTarget(s)) continue;
    // An `access` else block runs after the revocable was revoked, outside the RCU section.
    const guards = site.frames.filter((f) => f.stmt.kind === 'access' && !f.inElse);
    if (guards.length === 0) continue;
    const outer = guards[0].stmt;
    const inner = guards[guards.length - 1].stmt as GuardStmt;
    const text = show(m, s);
    // Moving it after the outermost guard is the first place that is outside every RCU section.
    const end = outer.range.end.offset;
    const at = m.src.endsLine(end) ? m.src.lineEnd(end) : end;
    const fix: QuickFix = {
      title: `Move \`${text}\` after the access block`,
      edits: [m.src.deleteNode(s.range), m.src.insert(at, m.src.eol + m.src.indentAt(outer.range.start.offset) + m.src.slice(s.range))],
    };
    out.push(
      diag(
        'sleep-in-atomic',
        s.range,
        `\`${text}\` can sleep inside \`access ${inner.target.name}\`: a Revocable guard is an RCU read-side section (rcu_read_lock), where sleeping is forbidden and would also stall the revoke's synchronize_rcu`,
        [fix],
      ),
    );
  }
  return out;
};

// ---------------------------------------------------------------- wait-in-enter, poll-without-timeout

function addTimeout(m: Model, s: WaitStmt): QuickFix {
  return { title: 'Add `timeout 100ms`', edits: [m.src.insert(s.target.range.end.offset, ' timeout 100ms')] };
}

const waitInEnter: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const site of m.sites) {
    const s = site.stmt;
    if (s.kind !== 'wait' || s.timeout || !named(s.target)) continue;
    // The else block runs when the device is already unplugged: no SRCU section there.
    if (!site.frames.some((f) => f.stmt.kind === 'enter' && !f.inElse)) continue;
    out.push(
      diag(
        'wait-in-enter',
        s.range,
        `wait without timeout inside drm_dev_enter: drm_dev_unplug's synchronize_srcu waits for this section, and only the unplugged GPU could signal \`${s.target.name}\` — hot-unplug deadlocks`,
        [addTimeout(m, s)],
      ),
    );
  }
  return out;
};

const pollWithoutTimeout: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const { stmt: s } of m.sites) {
    if (s.kind !== 'poll' || s.timeout || !named(s.target)) continue;
    out.push(
      diag(
        'poll-without-timeout',
        s.range,
        `\`poll ${s.target.name}\` busy-waits on the hardware without a timeout: once the GPU is gone \`${s.target.name}\` never completes and the CPU spins forever (bound it, as read_poll_timeout does)`,
        [addTimeout(m, s)],
      ),
    );
  }
  return out;
};

// ---------------------------------------------------------------- unguarded-mmio

const unguardedMmio: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const site of m.sites) {
    const s = site.stmt;
    if ((s.kind !== 'read' && s.kind !== 'write') || !named(s.target)) continue;
    const r = m.revocableOf(s.target);
    if (!r) continue;
    // Only the body of `access r` holds the guard; its else block runs once r is revoked.
    if (site.frames.some((f) => f.stmt.kind === 'access' && !f.inElse && f.stmt.target.name === r)) continue;
    const via = r === s.target.name ? '' : ` (timer \`${s.target.name}\` is in \`${r}\`)`;
    out.push(
      diag(
        'unguarded-mmio',
        s.range,
        `\`${show(m, s)}\` does MMIO on \`${r}\`${via} outside \`access ${r}\`: the devres release at unbind unmaps the BAR, so hardware access must go through Revocable::try_access`,
        [wrapInAccess(m, s, r)],
      ),
    );
  }
  return out;
};

function wrapInAccess(m: Model, s: Stmt, r: string): QuickFix {
  const src = m.src;
  const title = `Wrap in \`access ${r}\``;
  const text = src.slice(s.range);
  if (!src.ownsLines(s.range)) return { title, edits: [src.edit(s.range.start.offset, s.range.end.offset, `access ${r} { ${text} }`)] };
  const ind = src.indentAt(s.range.start.offset);
  const start = src.lineStart(s.range.start.offset);
  const end = src.lineEnd(s.range.end.offset);
  // The statement's trailing comment stays with the statement.
  const rest = src.text.slice(s.range.end.offset, end);
  const eol = src.eol;
  return { title, edits: [src.edit(start, end, `${ind}access ${r} {${eol}${ind}${INDENT_UNIT}${text}${rest}${eol}${ind}}`)] };
}

// ---------------------------------------------------------------- driver options

function optionIs(d: DriverDecl, name: string, value: boolean): boolean {
  return (d.options ?? []).some((o) => o?.name?.name === name && o.value === value);
}

function rmmods(m: Model, module: Ident): boolean {
  return named(module) && m.anyStmt((s) => s.kind === 'rmmod' && s.target?.name === module.name);
}

/** Edits that make option `name` of driver `d` read `yes`, wherever the driver has (or lacks) its block. */
function setOption(m: Model, d: DriverDecl, name: string): TextEdit[] {
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

const missingFopsOwner: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const d of m.drivers) {
    if (!named(d.name) || !named(d.module) || !named(d.device) || !optionIs(d, 'fops_owner', false)) continue;
    if (!rmmods(m, d.module)) continue;
    const opened = m.sites.find(({ stmt: s }) => s.kind === 'open' && m.get(s.target, 'drm')?.device?.name === d.device.name);
    if (!opened) continue;
    const drm = (opened.stmt as OpenStmt).target.name;
    out.push(
      diag(
        'missing-fops-owner',
        d.range,
        `driver \`${d.name.name}\` has \`fops_owner: no\`: an open file of \`${drm}\` does not pin module \`${d.module.name}\`, so \`rmmod ${d.module.name}\` can free the code that the file's ioctl and close still call`,
        [{ title: 'Set `fops_owner: yes`', edits: setOption(m, d, 'fops_owner') }],
      ),
    );
  }
  return out;
};

const releaseWithoutModuleRef: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const h of m.handlers) {
    if (h.event !== 'release' || !named(h.target)) continue;
    const x = m.get(h.target, 'drm');
    if (!x || !named(x.device)) continue;
    const d = m
      .driversOfDevice(x.device.name)
      .find((d) => named(d.module) && !optionIs(d, 'drm_holds_module', true) && rmmods(m, d.module));
    if (!d) continue;
    out.push(
      diag(
        'release-without-module-ref',
        span(h.range, h.target.range),
        `\`on release ${x.name.name}\` is code of module \`${d.module.name}\`, but \`${x.name.name}\` holds no reference on it (drm_holds_module: no): the last drm_dev_put can come after \`rmmod ${d.module.name}\` and run unloaded code`,
        [{ title: 'Set `drm_holds_module: yes`', edits: setOption(m, d, 'drm_holds_module') }],
      ),
    );
  }
  return out;
};

// ---------------------------------------------------------------- remove handlers

/** Edits that put `lines` (statements) first in `block`, formatted like its first statement. */
function insertFirst(m: Model, block: Block, lines: string[]): TextEdit[] {
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

const unplugWithoutRemove: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  const devices = new Set<string>();
  for (const { stmt: s } of m.sites) {
    if ((s.kind === 'hotunplug' || s.kind === 'unbind') && m.get(s.target, 'device')) devices.add(s.target.name);
  }
  for (const dev of devices) {
    const drms = m.drmsOfDevice(dev);
    if (drms.length === 0) continue;
    for (const d of m.driversOfDevice(dev)) {
      // No handler is the default remove, which unplugs every drm of the device.
      const h = m.handler('remove', d.name.name);
      if (!h || !named(h.target)) continue;
      const unplugged = new Set(stmtsOf(h.body).flatMap((s) => (s.kind === 'unplug' && named(s.target) ? [s.target.name] : [])));
      const missing = drms.filter((x) => !unplugged.has(x.name.name)).map((x) => x.name.name);
      if (missing.length === 0) continue;
      const list = missing.map((x) => `\`${x}\``).join(', ');
      out.push(
        diag(
          'unplug-without-remove',
          span(h.range, h.target.range),
          `\`on remove ${d.name.name}\` does not unplug ${list}: without drm_dev_unplug, drm_dev_enter keeps succeeding after \`${dev}\` is unbound, so userspace paths reach unmapped hardware and the freed device`,
          [{ title: `Add ${missing.map((x) => `\`unplug ${x}\``).join(', ')}`, edits: insertFirst(m, h.body, missing.map((x) => `unplug ${x}`)) }],
        ),
      );
    }
  }
  return out;
};

// ---------------------------------------------------------------- devm-data-in-uapi

function uapiContext(site: StmtSite): string | undefined {
  if (site.frames.some((f) => f.stmt.kind === 'ioctl')) return 'an ioctl';
  const o = site.owner;
  if (o.kind === 'work') return `work item \`${o.name.name}\``;
  if (o.kind === 'handler' && (o.event === 'close' || o.event === 'release')) return `\`on ${o.event}\``;
  return undefined;
}

const devmDataInUapi: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const site of m.sites) {
    const s = site.stmt;
    if (s.kind !== 'use') continue;
    const d = m.get(s.target, 'data');
    if (!d || d.managed !== 'devm' || !named(d.owner)) continue;
    const where = uapiContext(site);
    if (!where) continue;
    const drms = m.drmsOfDevice(d.owner.name);
    // With several drm devices (or none) the right owner is the author's call: no fix.
    const fixes: QuickFix[] =
      drms.length === 1
        ? [
            {
              title: `Make \`${d.name.name}\` drmm on \`${drms[0].name.name}\``,
              edits: [m.src.edit(d.name.range.end.offset, d.owner.range.end.offset, ` drmm on ${drms[0].name.name}`)],
            },
          ]
        : [];
    out.push(
      diag(
        'devm-data-in-uapi',
        s.range,
        `\`${d.name.name}\` is devm data of \`${d.owner.name}\`, freed at unbind, but ${where} uses it and can run after unbind while userspace still holds the drm device — tie it to the drm_device's lifetime with drmm`,
        fixes,
      ),
    );
  }
  return out;
};

// ---------------------------------------------------------------- work-not-cancelled

const workNotCancelled: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const w of m.works) {
    if (!named(w.name) || !named(w.driver)) continue;
    const d = m.get(w.driver, 'driver');
    if (!d || !named(d.device) || !named(d.module)) continue;
    const queued = m.sites.some((x) => x.stmt.kind === 'queue' && x.stmt.target?.name === w.name.name && m.isDriverCode(x));
    if (!queued) continue;
    const teardown = m.anyStmt(
      (s) =>
        ((s.kind === 'unbind' || s.kind === 'hotunplug') && s.target?.name === d.device.name) ||
        (s.kind === 'rmmod' && s.target?.name === d.module.name),
    );
    if (!teardown) continue;
    const h = m.handler('remove', d.name.name);
    const fenced = h && stmtsOf(h.body).some((s) => (s.kind === 'cancel' || s.kind === 'flush') && s.target?.name === w.name.name);
    if (fenced) continue;
    out.push(
      diag(
        'work-not-cancelled',
        span(w.range, w.driver.range),
        `work \`${w.name.name}\` is queued by driver code, but ${h ? `\`on remove ${d.name.name}\`` : `the default remove of \`${d.name.name}\``} neither cancels nor flushes it: it can run after unbind freed the driver's state, or after \`rmmod ${d.module.name}\` freed its code`,
        [{ title: `Add \`cancel ${w.name.name}\` to \`on remove ${d.name.name}\``, edits: cancelInRemove(m, w.name.name, d, h, w.range) }],
      ),
    );
  }
  return out;
};

function cancelInRemove(m: Model, work: string, d: DriverDecl, h: HandlerDecl | undefined, after: Range): TextEdit[] {
  if (h) return insertFirst(m, h.body, [`cancel ${work}`]);
  // A new handler replaces the default remove, so it must keep the default's unplugs.
  const src = m.src;
  const eol = src.eol;
  const ind = src.indentAt(after.start.offset);
  const body = [`cancel ${work}`, ...m.drmsOfDevice(d.device.name).map((x) => `unplug ${x.name.name}`)];
  const text = `${eol}${eol}${ind}on remove ${d.name.name} {${body.map((l) => eol + ind + INDENT_UNIT + l).join('')}${eol}${ind}}`;
  const end = after.end.offset;
  return [src.insert(src.endsLine(end) ? src.lineEnd(end) : end, text)];
}

// ---------------------------------------------------------------- unused

const UNUSED_KINDS: ReadonlySet<NamedDecl['kind']> = new Set(['module', 'device', 'drm', 'revocable', 'timer', 'fence', 'data', 'work', 'mutex']);

const unused: Rule = (m) => {
  // Every place that names a declaration, by name. File names (`open f`, `close f`,
  // `ioctl f`) are local to their body and never name a declaration.
  const refs = new Map<string, Range[]>();
  const add = (id: Ident | undefined) => {
    if (!named(id)) return;
    const list = refs.get(id.name);
    if (list) list.push(id.range);
    else refs.set(id.name, [id.range]);
  };
  for (const d of m.file.decls ?? []) {
    switch (d?.kind) {
      case 'driver':
        add(d.module);
        add(d.device);
        break;
      case 'drm':
      case 'revocable':
      case 'fence':
        add(d.device);
        break;
      case 'timer':
        add(d.revocable);
        break;
      case 'data':
        add(d.owner);
        break;
      case 'work':
        add(d.driver);
        break;
      case 'handler':
        add(d.target);
        break;
      case 'expect':
        add(d.thread);
        break;
      default:
        break;
    }
  }
  for (const { stmt: s } of m.sites) if (s.kind !== 'close') add(targetOf(s));

  const out: LintDiagnostic[] = [];
  for (const d of m.file.decls ?? []) {
    if (!d || d.kind === 'handler' || d.kind === 'expect' || !UNUSED_KINDS.has(d.kind) || !named(d.name)) continue;
    if (m.decls.get(d.name.name) !== d) continue; // a duplicate: the static error says enough
    // A name used only inside its own declaration (a work that only re-queues itself) is unused.
    const inside = (r: Range) => r.start.offset >= d.range.start.offset && r.end.offset <= d.range.end.offset;
    if ((refs.get(d.name.name) ?? []).some((r) => !inside(r))) continue;
    out.push(
      diag('unused', d.name.range, `${d.kind} \`${d.name.name}\` is declared but nothing uses it`, [
        { title: `Remove \`${d.kind} ${d.name.name}\``, edits: [m.src.deleteNode(d.range)] },
      ]),
    );
  }
  return out;
};

export const RULES: readonly Rule[] = [
  sleepInAtomic,
  waitInEnter,
  pollWithoutTimeout,
  unguardedMmio,
  missingFopsOwner,
  releaseWithoutModuleRef,
  unbalancedRef,
  unplugWithoutRemove,
  devmDataInUapi,
  workNotCancelled,
  unused,
];
