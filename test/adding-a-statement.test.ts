// The worked example of docs/architecture.md "Adding a statement": a patch that adds
// `trylock m` (mutex_trylock) is applied to a scratch copy of the source tree and
// type-checked, so the claim "at most four source files, each one the compiler points at"
// stays true as the code moves. Without its per-object module's entry, `tsc` must fail.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const PATCH = join(ROOT, 'test/fixtures/add-statement-trylock.patch');
const TREE = ['grammar', 'server', 'debug-adapter', 'cli', 'client', 'test', 'bench', 'scripts', 'kernel', 'tsconfig.json', 'package.json'];
const scratches: string[] = [];

/** A copy of the source tree (node_modules linked), with `patch` applied. */
function scratchWith(patch: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifetime-add-stmt-'));
  scratches.push(dir);
  for (const p of TREE) cpSync(join(ROOT, p), join(dir, p), { recursive: true, filter: (s) => !s.includes('node_modules') });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'change.patch'), patch);
  execFileSync('git', ['apply', 'change.patch'], { cwd: dir });
  return dir;
}

function tsc(dir: string): { ok: boolean; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: dir, encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

/** The files a patch changes. */
function filesOf(patch: string): string[] {
  return [...patch.matchAll(/^diff --git a\/(\S+) b\//gm)].map((m) => m[1]);
}

afterAll(() => {
  for (const d of scratches) rmSync(d, { recursive: true, force: true });
});

describe('adding a statement kind (the worked example)', () => {
  const patch = readFileSync(PATCH, 'utf8');

  it('touches at most four source files', () => {
    const files = filesOf(patch);
    expect(files.length).toBeGreaterThan(0);
    expect(files.length).toBeLessThanOrEqual(4);
  });

  it('type-checks once applied to a copy of the tree', () => {
    const r = tsc(scratchWith(patch));
    expect(r.out).toBe('');
    expect(r.ok).toBe(true);
  }, 300_000);

  it('fails to type-check when the statement is left out of its object module', () => {
    // the same patch without the hunk of runtime/stmts/mutex.ts
    const parts = patch.split(/^(?=diff --git )/m);
    const without = parts.filter((p) => !p.startsWith('diff --git a/debug-adapter/runtime/stmts/')).join('');
    expect(without).not.toBe(patch);
    const r = tsc(scratchWith(without));
    expect(r.ok).toBe(false);
    expect(r.out).toContain('debug-adapter/runtime/stmts/index.ts');
    expect(r.out).toContain('trylock');
  }, 300_000);
});
