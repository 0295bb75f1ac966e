// Builds dist/adapter.js (what bin/lifetime-debug-adapter.js runs) once per test file, with
// the options of scripts/build.mjs but for the adapter entry alone: the tests must not
// depend on the other bundles (extension, language server) building at that moment. Test
// files run in parallel workers, so each output is written to a temporary file and renamed
// into place: a concurrent reader sees the old bundle or the new one, never half of one.

import { build } from 'esbuild';
import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const ADAPTER_BIN = resolve(ROOT, 'bin/lifetime-debug-adapter.js');

let built: Promise<void> | null = null;

export function buildAdapter(): Promise<void> {
  built ??= build({
    entryPoints: [resolve(ROOT, 'debug-adapter/main.ts')],
    outfile: resolve(ROOT, 'dist/adapter.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode'],
    logLevel: 'warning',
    write: false,
  }).then((r) => {
    for (const f of r.outputFiles) {
      mkdirSync(dirname(f.path), { recursive: true });
      const tmp = `${f.path}.${process.pid}.tmp`;
      writeFileSync(tmp, f.contents);
      renameSync(tmp, f.path);
    }
  });
  return built;
}
