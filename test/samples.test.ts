// The project's samples (samples/*.lifetime): each must compile without errors, meet its
// expectations in run mode and in explore mode (with a complete exploration), and carry
// a header comment that tells where its story comes from, plus at least one `expect`.

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
const files = fs
  .readdirSync(samplesDir)
  .filter((f) => f.endsWith('.lifetime'))
  .sort();

/** Commit ids of the real-bug table of kernel-lifetimes.md. */
const TABLE_COMMITS = ['68faa679b8be', '5b28dde51d0c', '0fc044b2b5e2', '6eda15642989', 'a26084328ac4', 'ba268514ea14', '22b5c0b63f32'];

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
  it('has at least ten samples', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
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
        const citesCommit = TABLE_COMMITS.some((c) => source.includes(c));
        const quotesMail = /seed mail,?\s*"[^"]{10,}"/.test(source);
        expect(citesCommit || quotesMail, `${file}: the Source names neither a table commit nor a quoted line of the seed mail`).toBe(true);
        expect(text).toMatch(/^expect\b/m);
      });

      const twin = /Fixed twin: ([a-z0-9-]+)/.exec(header(read(file)).text);
      if (file.startsWith('bug-') || twin) {
        it('names an existing fixed twin', () => {
          expect(twin, `${file}: a bug sample names its fixed twin ("Fixed twin: <name>")`).not.toBeNull();
          expect(files).toContain(`${twin![1]}.lifetime`);
        });
      }
    });
  }
});
