// Every shared conformance scenario (version 1, and version 2 under v2/) must meet its expectations in each mode it names
// (a bare `expect` names both), through the real CLI: `"met": true` and exit 0.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, HAS_SHARED, conformanceFiles, noteMissingShared } from './shared';

const BIN = join(REPO, 'bin/lifetime.js');

function modesOf(text: string): ('run' | 'explore')[] {
  const modes = new Set<'run' | 'explore'>();
  for (const m of text.matchAll(/^\s*expect\s+(run|explore)?/gm)) {
    if (m[1] === 'run' || !m[1]) modes.add('run');
    if (m[1] === 'explore' || !m[1]) modes.add('explore');
  }
  return [...modes];
}

function cli(args: string[]): { code: number; json: { met: boolean; faults: { kind: string }[]; complete?: boolean } } {
  try {
    const out = execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    return { code: 0, json: JSON.parse(out) };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, json: JSON.parse(err.stdout) };
  }
}

noteMissingShared();

describe.skipIf(!HAS_SHARED)('conformance scenarios', () => {
  const files = conformanceFiles();
  it('are all there', () => {
    expect(files.length).toBeGreaterThanOrEqual(19);
  });
  for (const file of files) {
    const modes = modesOf(readFileSync(file, 'utf8'));
    for (const mode of modes) {
      it(`${basename(file)} meets its ${mode} expectations`, () => {
        const r = cli([mode, file, '--json']);
        expect(r.json.met, JSON.stringify(r.json.faults)).toBe(true);
        expect(r.code).toBe(0);
        if (mode === 'explore') expect(r.json.complete).toBe(true);
      });
    }
  }
});
