// `npm run bench`: every benchmark of the project, each printing its table.
// Not a test: figures depend on the machine; targets are shown beside them.
import { benchCore } from './core';
import { benchDap } from './dap';
import { benchExplore } from './explore';
import { benchLsp } from './lsp';
import { printTable } from './table';

async function main(): Promise<void> {
  const only = process.argv[2];
  const suites: [string, string, () => Promise<import('./table').BenchRow[]> | import('./table').BenchRow[]][] = [
    ['core', 'Core: parser and runtime', benchCore],
    ['lsp', 'Language server', benchLsp],
    ['dap', 'Debug adapter', benchDap],
    ['explore', 'Explorer vs Spin', benchExplore],
  ];
  for (const [key, title, fn] of suites) {
    if (only && only !== key) continue;
    printTable(title, await fn());
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
