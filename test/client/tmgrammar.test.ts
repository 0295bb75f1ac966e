// The TextMate grammar's scope tests (test/grammar-tm/*.lifetime, `npm run test:grammar`),
// run here too so that `npm test` covers them.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

it('the TextMate grammar gives each token its scope (vscode-tmgrammar-test)', () => {
  const bin = resolve(ROOT, 'node_modules/vscode-tmgrammar-test/dist/unit.js');
  const r = spawnSync(process.execPath, [bin, '-g', 'grammar/lifetime.tmLanguage.json', 'test/grammar-tm/*.lifetime'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/statements\.lifetime run successfuly/);
});
