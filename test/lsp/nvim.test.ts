// A real editor nobody here wrote: Neovim 0.7 (Debian 12's `neovim`) starts the server over
// stdio, opens a sample with a known lint, and prints the diagnostics and a hover it got.
// Skipped, with one line saying so, where nvim is not installed.

import { spawnSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import { REPO, ensureServerBuilt, fixtureFile } from './helpers';

const hasNvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasNvim) console.log('nvim not installed: skipping');

beforeAll(() => {
  if (hasNvim) ensureServerBuilt();
});

it.skipIf(!hasNvim)('Neovim gets the lint diagnostics and a hover from the server', () => {
  const r = spawnSync('bash', ['-c', "timeout 30 nvim --headless --clean -c 'luafile test/lsp/nvim/diagnostics.lua' </dev/null"], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 40_000,
  });
  const out = r.stdout;
  expect(out, `stderr: ${r.stderr}`).toContain('DONE');
  const text = fixtureFile('unplug-deadlock.lifetime');
  const waitLine = text.split('\n').findIndex((l) => l.trim().startsWith('wait job')) + 1;
  const diags = out.split('\n').filter((l) => l.startsWith('DIAG '));
  expect(diags).toEqual([`DIAG wait-in-enter ${waitLine} lifetime`]);
  expect(out).toMatch(/^HOVER \*\*unplug\*\* — drm_dev_unplug/m);
  expect(r.status).toBe(0);
});
