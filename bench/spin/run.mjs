// Builds the CLI (for the end-to-end column) and this benchmark, then runs it:
//   node bench/spin/run.mjs [--max-n 6] [--repeat 3] [--plain-up-to 4] [--no-spin]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
await build({
  entryPoints: [join(root, 'bench/spin/main.ts')],
  outfile: join(root, 'dist/bench-explore.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
});
try {
  execFileSync(process.execPath, [join(root, 'dist/bench-explore.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
} catch (e) {
  process.exitCode = e.status ?? 2; // the table says what was missed
}
