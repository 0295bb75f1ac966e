// The project's samples (samples/*.lifetime and the version-2 ones in samples/v2): each
// must compile without errors, meet its expectations in run mode and in explore mode (with
// a complete exploration), and carry a header comment that tells where its story comes
// from, plus at least one `expect`. A bug sample names a fixed twin that is clean.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../grammar';
import { lower } from '../debug-adapter/runtime/program';
import { runDefault } from '../debug-adapter/runtime/schedule';
import { runJson } from '../debug-adapter/runtime/report';
import { explore, exploreJson } from '../debug-adapter/explorer/explore';

const samplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../samples');
/** Sample paths relative to samples/: the version-1 ones, then `v2/…`. */
const lifetimes = (sub: string) =>
  fs
    .readdirSync(path.join(samplesDir, sub))
    .filter((f) => f.endsWith('.lifetime'))
    .sort()
    .map((f) => (sub ? `${sub}/${f}` : f));
const files = [...lifetimes(''), ...lifetimes('v2')];

/** Commit ids of the real-bug table of kernel-lifetimes.md. */
const TABLE_COMMITS = ['68faa679b8be', '5b28dde51d0c', '0fc044b2b5e2', '6eda15642989', 'a26084328ac4', 'ba268514ea14', '22b5c0b63f32'];
/** Upstream fixes the version-2 samples tell (samples/v2/README.md), checked by their authors. */
const V2_COMMITS = ['29b0589a865b', 'e0d3da982c96', '4e53116437e9', '6510e80a0b81', '57c5f4df0a5a', 'f4d1960764d8'];
/** A lore message id, for a fix whose commit id was not found; the header must say so. */
const LORE_ID_NOT_FOUND = /lore message \S+@\S+[\s\S]*\bcommit id (?:was )?not found/i;

function read(file: string): string {
  return fs.readFileSync(path.join(samplesDir, file), 'utf8');
}

/** The leading `//` comment lines of a file, without the slashes, joined by spaces. */
function header(text: string): { lines: number; text: string } {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('//')) break;
    out.push(line.slice(2).trim());
  }
  return { lines: out.length, text: out.join(' ') };
}

function program(file: string) {
  const text = read(file);
  const analysis = compile(text);
  if (analysis.diagnostics.length) {
    const list = analysis.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code}: ${d.message}`);
    throw new Error(`${file} has static errors:\n${list.join('\n')}`);
  }
  return lower(analysis.file);
}

describe('samples', () => {
  it('has at least ten samples, and the eight version-2 bug/fixed pairs', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files.filter((f) => f.startsWith('v2/bug-')).length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => f.startsWith('v2/fixed-')).length).toBeGreaterThanOrEqual(8);
  });

  for (const file of files) {
    describe(file, () => {
      it('compiles without syntax or static errors', () => {
        expect(compile(read(file)).diagnostics).toEqual([]);
      });

      it('meets its expectations in run mode', () => {
        const p = program(file);
        const r = runJson(file, runDefault(p));
        expect(r.met, JSON.stringify({ faults: r.faults, expectations: r.expectations }, null, 1)).toBe(true);
      });

      it('meets its expectations in explore mode, exploring every schedule', () => {
        const p = program(file);
        const j = exploreJson(file, p, explore(p));
        const why = JSON.stringify({ complete: j.complete, states: j.states, faults: j.faults, expectations: j.expectations }, null, 1);
        expect(j.complete, why).toBe(true);
        expect(j.met, why).toBe(true);
      });

      it('has a header comment naming its source, and an expect line', () => {
        const text = read(file);
        const h = header(text);
        expect(h.lines).toBeGreaterThanOrEqual(3);
        const source = h.text.slice(h.text.indexOf('Source:'));
        expect(h.text).toContain('Source:');
        const citesCommit = [...TABLE_COMMITS, ...V2_COMMITS].some((c) => source.includes(c));
        const quotesMail = /seed mail,?\s*"[^"]{10,}"/.test(source);
        const loreNoId = LORE_ID_NOT_FOUND.test(source);
        expect(citesCommit || quotesMail || loreNoId, `${file}: the Source names no known commit, no quoted line of the seed mail, and no lore message with "commit id was not found"`).toBe(true);
        expect(text).toMatch(/^expect\b/m);
      });

      const twin = /Fixed twin: ([a-z0-9-]+)/.exec(header(read(file)).text);
      const twinFile = twin && path.posix.join(path.posix.dirname(file), `${twin[1]}.lifetime`);
      if (path.basename(file).startsWith('bug-') || twin) {
        it('names an existing fixed twin, which is clean in run and explore mode', () => {
          expect(twin, `${file}: a bug sample names its fixed twin ("Fixed twin: <name>")`).not.toBeNull();
          expect(files).toContain(twinFile);
          const p = program(twinFile!);
          expect(runJson(twinFile!, runDefault(p)).faults).toEqual([]);
          const j = exploreJson(twinFile!, p, explore(p));
          expect(j.complete).toBe(true);
          expect(j.faults).toEqual([]);
        });
      }
    });
  }
});
