// `npm run bench`: every benchmark of the project, each printing its table.
// Not a test: figures depend on the machine; targets are shown beside them.
//   npm run bench [core|lsp|dap|explore|explore-timers] [-- --max-n N --repeat R --plain-up-to N]
// `explore` runs both explorer suites (Spin's family, then the version-2 timer family);
// `explore-timers` only the latter. The flags apply to the timer family.
import { benchCore } from './core';
import { benchDap } from './dap';
import { benchExplore } from './explore';
import { benchTimerFamily } from './explore-timers';
import { benchLsp } from './lsp';
import { printTable } from './table';

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} needs a whole number, got ${process.argv[i + 1] ?? 'nothing'}`);
  return v;
}

async function main(): Promise<void> {
  const only = process.argv[2]?.startsWith('--') ? undefined : process.argv[2];
  const timers = { maxN: flag('--max-n'), repeat: flag('--repeat'), plainUpToN: flag('--plain-up-to') };
  const suites: [string, string, () => Promise<import('./table').BenchRow[]> | import('./table').BenchRow[]][] = [
    ['core', 'Core: parser and runtime', benchCore],
    ['lsp', 'Language server', benchLsp],
    ['dap', 'Debug adapter', benchDap],
    ['explore', 'Explorer vs Spin', benchExplore],
    ['explore-timers', 'Explorer: version-2 timer family', () => benchTimerFamily(timers)],
  ];
  const known = suites.map(([k]) => k);
  if (only && !known.includes(only)) throw new Error(`unknown benchmark '${only}' (one of: ${known.join(', ')})`);
  for (const [key, title, fn] of suites) {
    // `explore` is the explorer's group: it includes explore-timers
    if (only && only !== key && !(only === 'explore' && key.startsWith('explore-'))) continue;
    printTable(title, await fn());
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
