// Standalone entry of the explorer-vs-Spin benchmark (bench/explore.ts):
//   node bench/spin/run.mjs [--max-n 6] [--repeat 3] [--plain-up-to 4] [--no-spin]
import { benchExplore } from '../explore';
import { printTable } from '../table';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  const rows = await benchExplore({
    maxN: num('--max-n'), repeat: num('--repeat'), plainUpToN: num('--plain-up-to'), noSpin: process.argv.includes('--no-spin'),
  });
  printTable('Explorer vs Spin: summary', rows);
  if (rows.some((r) => r.ok === false)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 2;
});
