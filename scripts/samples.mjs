// `npm run samples`: runs every scenario of samples/ and samples/v2/ (the version-2 ones)
// with `lifetime run`, one verdict a line.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../samples/', import.meta.url).pathname;
const bin = new URL('../bin/lifetime.js', import.meta.url).pathname;
let failed = 0;
const list = (sub) => readdirSync(join(dir, sub)).filter((n) => n.endsWith('.lifetime')).sort().map((n) => join(sub, n));
const files = [...list(''), ...list('v2')];
const width = Math.max(...files.map((f) => f.length)) + 1;
for (const f of files) {
  const r = spawnSync(process.execPath, [bin, 'run', join(dir, f), '--json'], { encoding: 'utf8' });
  if (r.status === 2) {
    failed++;
    console.log(`${f}: ${r.stderr.trim() || 'static errors'}`);
    continue;
  }
  const j = JSON.parse(r.stdout);
  const kinds = [...new Set(j.faults.map((x) => `${x.kind} in ${x.thread}`))];
  if (!j.met) failed++;
  console.log(`${j.met ? 'ok  ' : 'FAIL'} ${f.padEnd(width)} ${kinds.length ? kinds.join(', ') : 'clean'} (${j.steps} steps)`);
}
console.log(`\nDetails: node bin/lifetime.js run samples/FILE   (add --json for machine output)`);
process.exitCode = failed ? 1 : 0;
