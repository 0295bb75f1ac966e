// Positions over every sample (issue 11, "wrong positions"): each inlay hint sits on the
// line of the statement the run's timeline gives its changes to (the devres release of an
// `unbind` belongs to the `unbind`, not to remove()'s last statement), and each exploration
// diagnostic, each of its related-information entries and each `expect` its message cites
// sits on a line holding that statement or that `expect`.

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { STMT_KINDS } from '../../grammar/ast';
import { LspClient, REPO, ensureServerBuilt } from './helpers';

// samples/*.lifetime and the version-2 ones in samples/v2, as paths under samples/
const samples = ['', 'v2/'].flatMap((sub) => readdirSync(join(REPO, 'samples', sub)).filter((f) => f.endsWith('.lifetime')).sort().map((f) => sub + f));

interface RunEvent {
  line: number;
  thread: string;
  kind: string;
  text: string;
}

const c = new LspClient();
beforeAll(async () => {
  ensureServerBuilt();
  await c.initialize({ explore: { enabled: true, maxStates: 200_000, timeMs: 5_000 } });
});
afterAll(async () => {
  expect(await c.shutdown()).toBe(0);
});

const startsStatement = (line: string, character: number) => {
  const word = /^[a-z_]+/.exec(line.slice(character))?.[0];
  return word !== undefined && (STMT_KINDS as readonly string[]).includes(word);
};

describe.each(samples)('%s', (file) => {
  const text = readFileSync(join(REPO, 'samples', file), 'utf8');
  const lines = text.split('\n');
  const uri = `file:///positions/${file.replace('/', '-')}`;

  it('puts each inlay hint on the line of the statement whose changes it shows', async () => {
    const report = JSON.parse(execFileSync(process.execPath, [join(REPO, 'bin/lifetime.js'), 'run', '--json', join(REPO, 'samples', file)], { encoding: 'utf8' }).toString()) as {
      events: RunEvent[];
    };
    await c.open(uri, text);
    const hints = await c.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } });
    for (const h of hints) {
      const line = h.position.line + 1;
      expect(startsStatement(lines[h.position.line]!, lines[h.position.line]!.search(/\S/)), `hint "${h.label}" on line ${line}: ${lines[line - 1]}`).toBe(true);
      for (const [, name] of String(h.label).matchAll(/([A-Za-z_][A-Za-z0-9_]*)=\d+/g)) {
        const here = report.events.filter((e) => e.line === line && new RegExp(`\\b${name}\\b`).test(e.text));
        expect(here.length, `hint "${h.label}" on line ${line} (${lines[line - 1]!.trim()}): the timeline has no event there about ${name}`).toBeGreaterThan(0);
      }
    }
  });

  it('puts each exploration diagnostic, its related information and its `expect` on the right lines', async () => {
    await c.diagnostics(uri, () => true);
    const deadline = Date.now() + 30_000;
    while (!c.logs.some((l) => l.includes(`exploration of ${uri} v1:`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(c.logs.some((l) => l.includes(`exploration of ${uri} v1:`))).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const last = c.published.filter((p) => p.uri === uri && p.version === 1).pop()!;
    for (const d of last.diagnostics.filter((x) => x.source === 'lifetime-explore')) {
      const at = lines[d.range.start.line]!;
      // an unreached `else` block's hint starts at its `else` keyword
      const elseHint = d.code === 'unreached' && /^else\b/.test(at.slice(d.range.start.character));
      expect(startsStatement(at, d.range.start.character) || elseHint || /^(work|thread|on)\b/.test(at.slice(d.range.start.character)), `${d.code} at ${d.range.start.line + 1}: ${at}`).toBe(true);
      for (const r of d.relatedInformation ?? []) {
        const l = lines[r.location.range.start.line]!;
        expect(startsStatement(l, r.location.range.start.character), `${r.message} at ${r.location.range.start.line + 1}:${r.location.range.start.character + 1}: ${l}`).toBe(true);
      }
      const cited = /expected by `expect` at line (\d+)/.exec(d.message);
      if (cited) {
        const l = lines[Number(cited[1]) - 1]!;
        expect(l, d.message).toMatch(new RegExp(`^expect\\b.*\\b${d.code}\\b`));
        const thread = /in (\w+)/.exec(l.replace(/\/\/.*/, ''))?.[1];
        if (thread && d.code !== 'deadlock') expect(d.message).toContain(`thread ${thread};`);
      }
    }
  });
});
