// The `unused` lint (tools.md §3) and its quick fix.

import type { Decl, Ident, NamedDecl } from '../../grammar/ast';
import { type Model, named, targetOf } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';

const UNUSED_KINDS: ReadonlySet<NamedDecl['kind']> = new Set(['module', 'device', 'drm', 'revocable', 'ptimer', 'fence', 'data', 'work', 'mutex']);

/**
 * The names a declaration's own text uses (its fields and its statements' targets). File
 * names (`open f`, `close f`, `ioctl f`) are local to their body and never name a
 * declaration. Kept per declaration node, as the model's sites are (model.ts).
 */
const USES = new WeakMap<Decl, Set<string>>();

function usesOf(m: Model, d: Decl): Set<string> {
  let uses = USES.get(d);
  if (uses) return uses;
  uses = new Set();
  const u = uses;
  const add = (id: Ident | undefined) => {
    if (named(id)) u.add(id.name);
  };
  switch (d.kind) {
    case 'driver':
      add(d.module);
      add(d.device);
      break;
    case 'drm':
    case 'revocable':
    case 'fence':
      add(d.device);
      break;
    case 'ptimer':
      add(d.revocable);
      break;
    case 'timer':
    case 'kref':
      add(d.driver);
      break;
    case 'irq':
    case 'cdev':
    case 'attr':
      add(d.device);
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
  if (d.kind === 'thread' || d.kind === 'handler' || d.kind === 'work' || d.kind === 'timer' || d.kind === 'irq' || d.kind === 'attr') {
    for (const s of m.sitesOf(d)) if (s.stmt.kind !== 'close') add(targetOf(s.stmt));
  }
  USES.set(d, uses);
  return uses;
}

export const unused: Rule = (m) => {
  const decls = (m.file.decls ?? []).filter((d): d is Decl => !!d);
  // A name used only inside its own declaration (a work that only re-queues itself) is
  // unused: only the uses of the other declarations count.
  const usedElsewhere = (d: Decl, name: string) => decls.some((o) => o !== d && usesOf(m, o).has(name));
  const out: LintDiagnostic[] = [];
  for (const d of m.file.decls ?? []) {
    if (!d || d.kind === 'handler' || d.kind === 'expect' || !UNUSED_KINDS.has(d.kind) || !named(d.name)) continue;
    if (m.decls.get(d.name.name) !== d) continue; // a duplicate: the static error says enough
    if (usedElsewhere(d, d.name.name)) continue;
    const whole = { start: { ...d.range.start }, end: { ...d.range.end } };
    const title = `Remove \`${d.kind} ${d.name.name}\``;
    out.push(diag('unused', d.name.range, `${d.kind} \`${d.name.name}\` is declared but nothing uses it`, () => [{ title, edits: [m.src.deleteNode(whole)] }]));
  }
  return out;
};
