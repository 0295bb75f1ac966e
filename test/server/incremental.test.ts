// The editor's incremental check (one IncrementalParser per document: chunks and their
// analysis reused) must say exactly what a from-scratch check of the same text says, as
// `lifetime check` does: the same static errors and lints, the same resolved names. Random
// edits over every sample and conformance file: renames of names (which re-resolve other
// declarations), lines put in or taken out (which move every later position named in a
// message), syntax errors, duplicates, new declarations.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioCorpus } from '../shared';
import { compile, type Analysis } from '../../grammar/index';
import { generateThreads } from '../../bench/lsp';
import { compileText, lintsOf } from '../../server/compiled';
import { IncrementalParser } from '../../server/incremental';
import { lint } from '../../server/lints';


const FILES = scenarioCorpus().map((f) => f.text);

/** What a check reports, positions and texts included; resolved names by where they point. */
function report(a: Analysis, lints: unknown): string {
  const refs = a.symbols.refs.map((r) => [
    r.ident.range.start.offset,
    r.ident.range.start.line,
    r.ident.name,
    r.isDeclaration,
    r.kind,
    r.decl ? r.decl.range.start.offset : null,
  ]);
  return JSON.stringify({ diagnostics: a.diagnostics, refs, lints });
}

function incremental(p: IncrementalParser, text: string): string {
  const c = compileText('file:///x.lifetime', 1, text, p);
  return report(c.analysis!, lintsOf(c));
}

function fresh(text: string): string {
  const a = compile(text);
  return report(a, lint(a, text));
}

type Edit = ['raw', number, number, string] | ['word', number, number] | ['line', number, number];

/** Applies one edit: raw text, a name replaced by another name of the file (or a typo), a line put in or taken out. */
function apply(t: string, e: Edit): string {
  const at = (where: number) => Math.floor(where * t.length);
  switch (e[0]) {
    case 'raw': {
      const i = at(e[1]);
      return t.slice(0, i) + e[3] + t.slice(Math.min(t.length, i + (e[2] % 4)));
    }
    case 'word': {
      const words = [...t.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)];
      if (words.length === 0) return t;
      const w = words[Math.floor(e[1] * words.length) % words.length]!;
      const pool = [...new Set(words.map((x) => x[0])), 'card1', 'gpu', 'nova_drn', 'zz'];
      const by = pool[e[2] % pool.length]!;
      return t.slice(0, w.index) + by + t.slice(w.index! + w[0].length);
    }
    case 'line': {
      const lines = t.split('\n');
      const i = Math.floor(e[1] * lines.length) % lines.length;
      if (e[2] % 3 === 0) lines.splice(i, 1);
      else if (e[2] % 3 === 1) lines.splice(i, 0, '');
      else lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    }
  }
}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(
    fc.constant('raw' as const),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.nat({ max: 30 }),
    fc.constantFrom('', ' ', '\n', 'x', '{', '}', '"', 'module m\n', 'module card0\n', 'thread q {\n  get card0\n}\n', 'on remove nova_drm {\n}\n', '  close g\n'),
  ),
  fc.tuple(fc.constant('word' as const), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat({ max: 1000 })),
  fc.tuple(fc.constant('line' as const), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat({ max: 1000 })),
);

describe('incremental check', () => {
  it('reports what a from-scratch check reports, after any sequence of edits', () => {
    expect(FILES.length).toBeGreaterThan(30);
    fc.assert(
      fc.property(fc.constantFrom(...FILES), fc.array(edit, { minLength: 1, maxLength: 10 }), (text, edits) => {
        const p = new IncrementalParser();
        expect(incremental(p, text)).toBe(fresh(text));
        let t = text;
        for (const e of edits) {
          t = apply(t, e);
          expect(incremental(p, t)).toBe(fresh(t));
        }
      }),
      { numRuns: Number(process.env.INCR_RUNS ?? 300) },
    );
  });

  it('parses a declaration again when the keyword after it changes, as its error names that keyword', () => {
    const p = new IncrementalParser();
    p.parse('module\nfence f on d\n');
    const r = p.parse('module\nmodule x\n');
    expect(r.diagnostics.map((d) => d.message)).toEqual(['expected a name but found the keyword `module`']);
    expect(incremental(p, 'module\ndevice x\n')).toBe(fresh('module\ndevice x\n'));
  });

  it('reuses the analysis of every declaration an edit does not touch, and redoes the ones whose names changed', () => {
    const text = generateThreads(200);
    const p = new IncrementalParser();
    const first = compileText('file:///x.lifetime', 1, text, p);
    const decls = first.analysis!.file.decls.length;
    const lines = text.split('\n');
    const sleep = lines.findIndex((l) => /^ {2}sleep \d+us$/.test(l));
    lines[sleep] = '  sleep 7us';
    compileText('file:///x.lifetime', 2, lines.join('\n'), p);
    expect(p.analysis.reused).toBe(decls - 1);
    // A typo in one thread: only it is analysed again, and the message is check's.
    lines[sleep + 1] = '  put card1';
    const c = compileText('file:///x.lifetime', 3, lines.join('\n'), p);
    expect(p.analysis.reused).toBe(decls - 1);
    expect(c.errors.map((d) => d.message)).toEqual(['unknown name `card1`: nothing declares it (did you mean `card0`?)']);
    // A line put in after the `scenario` line: every declaration moves, yet no message
    // names a place, so none is analysed again.
    lines.splice(1, 0, '');
    compileText('file:///x.lifetime', 4, lines.join('\n'), p);
    expect(p.analysis.reused).toBe(decls);
    // A thread whose message names where `big_lock` is declared (in place of the typo):
    // moving that declaration redoes it, and the message follows.
    lines[sleep + 2] = '  get big_lock';
    compileText('file:///x.lifetime', 5, lines.join('\n'), p);
    lines.splice(1, 0, '// one more line');
    const moved = lines.join('\n');
    expect(incremental(p, moved)).toBe(fresh(moved));
    const c2 = compileText('file:///x.lifetime', 6, moved, p);
    const declared = `(declared at ${lines.findIndex((l) => l.startsWith('mutex big_lock')) + 1}:7)`;
    expect(c2.errors.map((d) => d.message)).toEqual([`\`get\` needs a drm device or a kref, but \`big_lock\` is a mutex ${declared}`]);
    // A message that names a place inside its own declaration (the file's `open`) follows
    // it when the declaration moves.
    const last = lines.findLastIndex((l) => l.trim() === 'get card0');
    lines[last] = '  get f';
    compileText('file:///x.lifetime', 7, lines.join('\n'), p);
    lines.splice(sleep, 0, '  // moves every later thread down');
    const moved2 = lines.join('\n');
    expect(incremental(p, moved2)).toBe(fresh(moved2));
  });
});
