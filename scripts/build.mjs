// Bundles the TypeScript sources into dist/ with esbuild: one CommonJS file per entry
// point, so each bin runs with plain `node` and the extension loads without node_modules.
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const entries = {
  cli: 'cli/main.ts',
  server: 'server/main.ts',
  adapter: 'debug-adapter/main.ts',
  extension: 'client/extension.ts',
  // the extension's own bundles, loaded only when needed (not at activation):
  'language-client': 'client/languageClient.ts',
  'inline-adapter': 'client/inlineAdapter.ts',
  'explore-worker': 'client/exploreWorker.ts',
  bench: 'bench/main.ts',
};

// `node scripts/build.mjs cli server` builds only those entries (all by default).
const only = process.argv.slice(2);
const jobs = Object.entries(entries)
  .filter(([name, src]) => existsSync(src) && (only.length === 0 || only.includes(name)))
  .map(([name, src]) =>
    build({
      entryPoints: [src],
      outfile: `dist/${name}.js`,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: true,
      // `vscode` is provided by the editor at run time.
      external: ['vscode'],
      logLevel: 'warning',
    }),
  );
await Promise.all(jobs);

// The TextMate grammar's statement keyword lists come from the statement table
// (grammar/tmgrammar.ts); test/grammar/tmgenerated.test.ts fails when they are stale.
if (only.length === 0 || only.includes('tmgrammar')) {
  const out = 'dist/tmgrammar.cjs';
  await build({ entryPoints: ['grammar/tmgrammar.ts'], outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });
  const { withTableKeywords } = createRequire(import.meta.url)(`../${out}`);
  const grammar = 'grammar/lifetime.tmLanguage.json';
  const before = readFileSync(grammar, 'utf8');
  const after = withTableKeywords(before);
  if (after !== before) writeFileSync(grammar, after);
}
