// Bundles the TypeScript sources into dist/ with esbuild: one CommonJS file per entry
// point, so each bin runs with plain `node` and the extension loads without node_modules.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = {
  cli: 'cli/main.ts',
  server: 'server/main.ts',
  adapter: 'debug-adapter/main.ts',
  extension: 'client/extension.ts',
  bench: 'bench/main.ts',
};

const jobs = Object.entries(entries)
  .filter(([, src]) => existsSync(src))
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
