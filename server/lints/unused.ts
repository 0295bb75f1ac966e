// The `unused` lint (tools.md §3) and its quick fix.

import type { Ident, NamedDecl, Range } from '../../grammar/ast';
import { named, targetOf } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';

const UNUSED_KINDS: ReadonlySet<NamedDecl['kind']> = new Set(['module', 'device', 'drm', 'revocable', 'ptimer', 'fence', 'data', 'work', 'mutex']);

export const unused: Rule = (m) => {
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
      case 'ptimer':
        add(d.revocable);
        break;
      case 'data':
        if (d.owner) add(d.owner);
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
