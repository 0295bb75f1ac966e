// The formatter and the incremental parser, in-process, over every sample and conformance
// scenario and random perturbations of them: formatting is idempotent and keeps every
// token and comment; incremental parsing gives exactly the tree of a whole-file parse.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioCorpus } from '../shared';
import { lex, parse } from '../../grammar/index';
import { compileText } from '../../server/compiled';
import { formatText } from '../../server/format';
import { IncrementalParser, chunkStarts } from '../../server/incremental';
import { generateScenario } from '../../bench/lsp';

const FILES = scenarioCorpus();

const fmt = (text: string) => formatText(compileText('file:///x.lifetime', 1, text));

/** Tokens and comments, in order, without positions: what formatting must keep. */
function words(text: string): string[] {
  const l = lex(text);
  return [...l.tokens.map((t) => ({ o: t.startOffset, s: t.image })), ...l.comments.map((c) => ({ o: c.range.start.offset, s: c.text.replace(/\s+/g, ' ') }))]
    .sort((a, b) => a.o - b.o)
    .map((x) => x.s);
}

/** Replaces every run of whitespace between tokens by another run (keeping line comments ended). */
function perturb(text: string, pick: (i: number) => number): string {
  const l = lex(text);
  const items = [...l.tokens.map((t) => ({ s: t.startOffset, e: t.startOffset + t.image.length, line: false })), ...l.comments.map((c) => ({ s: c.range.start.offset, e: c.range.end.offset, line: !c.block }))].sort((a, b) => a.s - b.s);
  const gaps = [' ', '\n', '   ', '\n\n\n', '\t', ' \n  '];
  let out = '';
  let at = 0;
  items.forEach((it, i) => {
    if (i > 0) {
      let gap = gaps[pick(i) % gaps.length]!;
      if (items[i - 1]!.line && !gap.includes('\n')) gap = '\n';
      out += gap;
    } else out += text.slice(0, it.s);
    out += text.slice(it.s, it.e);
    at = it.e;
  });
  return out + text.slice(at);
}

describe('formatter', () => {
  it('finds scenarios to check', () => {
    expect(FILES.length).toBeGreaterThan(3);
  });

  it.each(FILES.map((f) => [f.name, f.text] as const))('%s: idempotent, keeps every token and comment', (_name, text) => {
    const once = fmt(text);
    expect(once).toBeDefined();
    expect(fmt(once!)).toBe(once);
    expect(words(once!)).toEqual(words(text));
  });

  it('formats any re-spacing of a sample to an idempotent layout with the same tokens', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FILES), fc.array(fc.nat(), { minLength: 1, maxLength: 50 }), (f, seeds) => {
        const messy = perturb(f.text, (i) => seeds[i % seeds.length]!);
        const once = fmt(messy);
        expect(once).toBeDefined();
        expect(fmt(once!)).toBe(once);
        expect(words(once!)).toEqual(words(f.text));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps CRLF line endings', () => {
    const text = 'module nova\r\ndevice gpu0\r\n\r\n\r\nthread t {\r\n    log "x"\r\n}\r\n';
    expect(fmt(text)).toBe('module nova\r\ndevice gpu0\r\n\r\nthread t {\r\n  log "x"\r\n}\r\n');
  });
});

describe('incremental parsing', () => {
  it('cuts at each top-level declaration outside braces, comments and strings', () => {
    const text = 'scenario "s"\nmodule a\nthread t {\n  log "}\nthread"\n}\n/* module x\nthread y */\ndevice d\n';
    const starts = chunkStarts(text).map((s) => text.slice(s.offset).split('\n')[0]);
    // The string ends at its line (unterminated), so `thread` at column 0 on the next line
    // starts a declaration even though the brace of `thread t` is still open.
    expect(starts).toEqual(['scenario "s"', 'module a', 'thread t {', 'thread"', 'device d']);
    const indented = 'thread t {\n  log "x"\n  thread u\n}\nmodule m\n';
    expect(chunkStarts(indented).map((s) => indented.slice(s.offset).split('\n')[0])).toEqual(['thread t {', 'module m']);
  });

  it('gives the same tree as a whole-file parse, after any sequence of edits', () => {
    const base = [...FILES.map((f) => f.text), generateScenario(300)];
    fc.assert(
      fc.property(
        fc.constantFrom(...base),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat({ max: 30 }), fc.constantFrom('', ' ', '\n', 'x', '{', '}', '// c\n', 'module m\n', '"', '/*', '*/', 'thread q {\n}\n')), {
          minLength: 1,
          maxLength: 12,
        }),
        (text, edits) => {
          const p = new IncrementalParser();
          expect(JSON.stringify(p.parse(text))).toBe(JSON.stringify(parse(text)));
          let t = text;
          for (const [where, del, ins] of edits) {
            const at = Math.floor(where * t.length);
            t = t.slice(0, at) + ins + t.slice(Math.min(t.length, at + (del % 4)));
            expect(JSON.stringify(p.parse(t))).toBe(JSON.stringify(parse(t)));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reuses the declarations an edit did not touch', () => {
    const text = generateScenario(2_000);
    const p = new IncrementalParser();
    p.parse(text);
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.trim() === 'submit job');
    lines[at] = '      submit job // edited';
    p.parse(lines.join('\n'));
    const chunks = chunkStarts(text).length;
    expect(p.reused).toBe(chunks - 1);
  });

  it('reparses only the broken declaration when an edit leaves a syntax error, and only it again when fixed', () => {
    const text = generateScenario(2_000);
    const p = new IncrementalParser();
    p.parse(text);
    const chunks = chunkStarts(text).length;
    const lines = text.split('\n');
    for (const [i, broken] of [
      [lines.findIndex((l) => l.trim() === 'submit job'), '      submit'],
      [lines.findIndex((l) => /^ {2}sleep \d+us$/.test(l)), '  sleep 10'],
      [lines.findIndex((l) => l.trim() === 'close f'), '  close f {'],
      [lines.findIndex((l) => l.trim() === 'put card0'), '  put card0 }'],
    ] as const) {
      const old = lines[i]!;
      lines[i] = broken;
      const r = p.parse(lines.join('\n'));
      expect(r.diagnostics.length, broken).toBeGreaterThan(0);
      expect(p.reused, broken).toBe(chunks - 1);
      expect(JSON.stringify(r)).toBe(JSON.stringify(parse(lines.join('\n'))));
      lines[i] = old;
      expect(p.parse(lines.join('\n')).diagnostics).toEqual([]);
      expect(p.reused).toBe(chunks - 1);
    }
  });

  it('keeps a block left open to its own declaration: the next one parses as if nothing were wrong', () => {
    const ok = 'module m\ndevice d\ndriver x in m binds d\ndrm c on d\nthread a {\n  get c\n  put c\n}\nthread b {\n  get c\n  put c\n}\n';
    const broken = ok.replace('  put c\n}\nthread b', '  put c\nthread b');
    const r = parse(broken);
    expect(r.diagnostics.map((d) => [d.range.start.line, d.message])).toEqual([[8, 'expected a statement such as `open`, `wait`, `unplug`… or `}` but found the keyword `thread`']]);
    expect(JSON.stringify(r.file.decls[5])).toBe(JSON.stringify(parse(ok).file.decls[5]).replace(/"line":(\d+)/g, (_, n) => `"line":${Number(n) - 1}`).replace(/"offset":(\d+)/g, (_, n) => `"offset":${Number(n) - 2}`));
    // A declaration written over two lines is not cut in two.
    expect(parse('module m\ndevice d\ndrm c\non d\n').diagnostics).toEqual([]);
  });
});
