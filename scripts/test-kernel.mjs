// npm run test:kernel [-- --all | --faulty] [-- --kernel TREE] [-- --write] [-- FILTER…]
// Runs scenarios on the real kernel (lifetime kernel, as a subprocess) and checks that each
// agrees with the model: by default the samples that have faults, their fixed twins and
// every replayable explore witness of the faulty ones; with --all also every version-1
// conformance file and every other sample; with --faulty only the default runs of the
// samples that have faults. --kernel TREE runs on a built kernel tree (the KASAN + lockdep
// kernel of `lifetime kernel --build-debug-kernel`) instead of Debian's stock kernel.
// Version 2: the default set also runs every version-2 sample (samples/v2) in the default
// schedule; --all adds conformance/v2 and the witnesses of the version-2 samples with
// faults. A version-2 file with a construct the backend does not cover must be refused
// with its line and column (a row "refused at L:C"), never skipped; --v2 runs only those.
// --write puts the table into docs/kernel.md (the debug kernel's table with --kernel).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const all = args.includes('--all');
const faultyOnly = args.includes('--faulty');
const write = args.includes('--write');
const kAt = args.indexOf('--kernel');
const tree = kAt >= 0 ? args[kAt + 1] : null;
if (kAt >= 0 && (!tree || tree.startsWith('--'))) { console.error('test:kernel: --kernel needs a kernel tree'); process.exit(2); }
const filters = args.filter((a, i) => !a.startsWith('--') && !(kAt >= 0 && i === kAt + 1));
const cli = join(repo, 'bin', 'lifetime.js');
spawnSync('node', [join(repo, 'scripts/build.mjs'), 'cli'], { stdio: 'inherit' });

const samples = readdirSync(join(repo, 'samples')).filter((f) => f.endsWith('.lifetime')).sort().map((f) => join(repo, 'samples', f));
const confDir = resolve(repo, '../shared/conformance');
const conformance = existsSync(confDir) ? readdirSync(confDir).filter((f) => f.endsWith('.lifetime')).sort().map((f) => join(confDir, f)) : [];
const lifetimes = (d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.lifetime')).sort().map((f) => join(d, f)) : []);
const samplesV2 = lifetimes(join(repo, 'samples', 'v2'));
const conformanceV2 = lifetimes(join(confDir, 'v2'));
const v2Only = args.includes('--v2');
const isV2 = (f) => f.includes('/v2/');

function json(cmd) {
  const r = spawnSync('node', [cli, ...cmd, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  try { return { code: r.status, out: JSON.parse(r.stdout), err: r.stderr }; } catch { return { code: r.status, out: null, err: r.stderr }; }
}

const explored = new Map();
const exploreOf = (f) => {
  if (!explored.has(f)) explored.set(f, json(['explore', f]).out);
  return explored.get(f);
};
const hasFaults = (f) => (exploreOf(f)?.faults?.length ?? 0) > 0;
const twinOf = (f) => {
  const n = basename(f);
  if (!n.startsWith('bug-')) return null;
  const stem = n.slice(4).replace(/\.lifetime$/, '').split('-')[0];
  return samples.find((s) => basename(s).startsWith(`fixed-${stem}`)) ?? null;
};

/**
 * Disagreements explained in docs/kernel.md ("Disagreements"): reported as such, not as
 * failures. Keyed by the row's name.
 */
const EXPLAINED = new Map([
  ['samples/bug-dvb-fd-outlives-device.lifetime (witness: use-after-free in app at line 30)',
    'open of a drm device released without drm_dev_unplug: DRM finds no minor (ENODEV), the spec says use-after-free'],
  ...['', ' (witness: use-after-free in irq/jack at line 37)'].map((w) => [`samples/v2/bug-sdca-devm-irq-after-teardown.lifetime${w}`,
    'an oopsed IRQ thread dies and genirq cleans up after it (irq_thread_dtor), so free_irq returns; the model keeps an oopsed handler running (language.md §9 simplification), so its free_irq waits: deadlock']),
]);

/**
 * Disagreements found and NOT yet explained, each an open item of docs/kernel.md ("Open
 * disagreements"): reported as KNOWN on every run, in the summary and the table, so they
 * stay visible; they do not fail the run, but the summary never counts them as agreement.
 * A new disagreement fails the run.
 */
const KNOWN = new Map([
  ['samples/v2/bug-sdca-devm-irq-after-teardown.lifetime (witness: deadlock in admin at line 47)',
    'the devres free_irq has no turn (a sourceless step): the kernel frees the IRQ before the model\'s irq/jack starts, or races it (docs/kernel.md, item 14)'],
]);
let known = 0;

/** Runs: [label, file, schedule?] */
const runs = [];
const faulty = samples.filter(hasFaults);
// scenarios of the kernel backend's own (the module count's MODULE_REF_BASE mapping)
const own = readdirSync(join(repo, 'test/kernel/scenarios')).filter((f) => f.endsWith('.lifetime')).sort().map((f) => join(repo, 'test/kernel/scenarios', f));
const chosen = v2Only ? [...samplesV2, ...(all ? conformanceV2 : [])]
  : all ? [...conformance, ...samples, ...own, ...conformanceV2, ...samplesV2]
    : faultyOnly ? faulty : [...new Set([...faulty, ...faulty.map(twinOf).filter(Boolean)]), ...samplesV2];
for (const f of chosen) runs.push({ file: f, witness: null });
// The default set replays the first (shortest) witness of each (kind, thread); --all replays
// the witness of every fault site (kind, thread, statement) that explore reports (for
// version 2: only with --all, and only of files the backend covers).
// (a file whose default run is refused has that one row: its witnesses are refused alike)
const refusedFiles = new Set();
const witnessed = faultyOnly ? [] : [...(v2Only ? [] : faulty), ...(all ? samplesV2.filter(hasFaults) : [])];
for (const f of witnessed) {
  const seen = new Set();
  const pairs = new Set();
  for (const fault of exploreOf(f).faults) {
    const key = JSON.stringify(fault.schedule);
    const pair = `${fault.kind} in ${fault.thread}`;
    if (seen.has(key) || (!all && pairs.has(pair))) continue;
    seen.add(key);
    pairs.add(pair);
    runs.push({ file: f, witness: fault.schedule, of: `${pair} at line ${fault.line}` });
  }
}
const todo = runs.filter((r) => !filters.length || filters.some((x) => r.file.includes(x)));
if (args.includes('--list')) {
  for (const r of todo) console.log(`${basename(r.file)}${r.witness ? ` witness(${r.of}): ${JSON.stringify(r.witness)}` : ''}`);
  console.log(`${todo.length} runs`);
  process.exit(0);
}
function nameOf(r) {
  const dir = r.file.includes('/conformance/') ? 'conformance/' : r.file.includes('/test/kernel/') ? 'test/kernel/scenarios/' : 'samples/';
  return `${dir}${isV2(r.file) ? 'v2/' : ''}${basename(r.file)}${r.witness ? ` (witness: ${r.of})` : ''}`;
}
const tmp = mkdtempSync(join(tmpdir(), 'lifetime-test-kernel-'));
const rows = [];
let failed = 0;
const t0 = Date.now();
for (const [n, r] of todo.entries()) {
  if (r.witness && refusedFiles.has(r.file)) continue;
  const cmd = ['kernel', r.file, ...(tree ? ['--kernel', tree] : [])];
  if (r.witness) {
    const w = join(tmp, `w${n}.json`);
    writeFileSync(w, JSON.stringify(r.witness));
    cmd.push('--schedule', w);
  }
  // LIFETIME_KERNEL_LOGS=DIR keeps each run's serial log
  if (process.env.LIFETIME_KERNEL_LOGS) cmd.push('--log', join(process.env.LIFETIME_KERNEL_LOGS, `${basename(r.file, '.lifetime')}${r.witness ? `-w${n}` : ''}.log`));
  const t = Date.now();
  const res = json(cmd);
  const o = res.out;
  const name = nameOf(r);
  const kinds = (fs) => [...new Set(fs.map((x) => x.kind))].join(', ') || 'clean';
  let row;
  const refusal = /:(\d+):(\d+): not covered by the kernel backend: (.*)/.exec(res.err || '');
  if (!o && res.code === 2 && refusal) {
    // a construct the backend does not cover: refused with its place (never for version 1)
    row = { name, model: '-', kernel: `refused at ${refusal[1]}:${refusal[2]}: ${refusal[3]}`, agree: 'n/a', ok: isV2(r.file) };
    refusedFiles.add(r.file);
  } else if (o?.not_replayable) {
    row = { name, model: kinds(o.model.faults), kernel: `not replayable (step ${o.not_replayable.step})`, agree: 'n/a', ok: r.witness !== null || isV2(r.file) };
  } else if (!o || !o.kernel) {
    row = { name, model: o ? kinds(o.model.faults) : '?', kernel: `error: ${(res.err || '').trim().split('\n').pop()}`, agree: 'no', ok: false };
  } else if (o.agree === null) {
    row = { name, model: kinds(o.model.faults), kernel: `no verdict: ${o.no_verdict}`, agree: 'no', ok: false };
  } else {
    const notObs = o.kernel.not_observable.map((x) => x.kind);
    row = {
      name, model: kinds(o.model.faults),
      kernel: kinds(o.kernel.faults) + (notObs.length ? ` (not observable: ${notObs.join(', ')})` : ''),
      agree: o.agree ? 'yes' : 'NO', ok: o.agree,
    };
  }
  row.secs = ((Date.now() - t) / 1000).toFixed(0);
  if (!row.ok && EXPLAINED.has(name) && row.agree === 'NO') {
    row.ok = true;
    row.agree = `no, explained: ${EXPLAINED.get(name)}`;
  }
  if (!row.ok && KNOWN.has(name) && (row.agree === 'NO' || row.kernel.startsWith('no verdict'))) {
    row.agree = `NO, known and open: ${KNOWN.get(name)}`;
    known++;
  } else if (!row.ok) failed++;
  rows.push(row);
  console.log(`${row.ok ? 'ok  ' : row.agree.startsWith('NO, known') ? 'KNOWN' : 'FAIL'} ${row.name}: model ${row.model}; kernel ${row.kernel} [${row.secs} s]`);
}
const total = ((Date.now() - t0) / 1000).toFixed(0);
// LIFETIME_KERNEL_RESULTS=FILE keeps rows across invocations (a rerun of some files
// replaces their rows); the table lists every row it holds, in the order of the runs
let tableRows = rows;
if (process.env.LIFETIME_KERNEL_RESULTS) {
  const f = process.env.LIFETIME_KERNEL_RESULTS;
  const old = existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : [];
  const byName = new Map(old.map((r) => [r.name, r]));
  for (const r of rows) byName.set(r.name, r);
  const order = runs.map(nameOf);
  tableRows = [...byName.values()].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  writeFileSync(f, JSON.stringify(tableRows, null, 1));
}
const table = ['| file | model | kernel | agree | s |', '|---|---|---|---|---|', ...tableRows.map((r) => `| ${r.name} | ${r.model} | ${r.kernel} | ${r.agree} | ${r.secs} |`)].join('\n');
console.log(`\n${table}\n\nkernel: ${rows.length - failed - known} agreed, ${known} known open disagreements (docs/kernel.md), ${failed} new disagreements, of ${rows.length} runs in ${total} s`);
if (write) {
  const doc = join(repo, 'docs', 'kernel.md');
  const text = readFileSync(doc, 'utf8');
  // --v2 writes the version-2 table, --kernel the debug kernel's, else the main one
  const which = tree ? 'debug-table' : v2Only ? 'v2-table' : 'table';
  const begin = `<!-- ${which}:begin -->`;
  const end = `<!-- ${which}:end -->`;
  const sum = tableRows.reduce((n, r) => n + Number(r.secs), 0);
  const how = `${v2Only ? '--v2 ' : ''}${all ? '--all ' : faultyOnly ? '--faulty ' : ''}${tree ? '--kernel TREE ' : ''}--write`;
  const stamp = `Generated by \`npm run test:kernel -- ${how}\` (${tableRows.length} runs, ${sum} s of runs; s: each run's wall time).`;
  if (!text.includes(begin)) { console.error(`test:kernel: docs/kernel.md has no ${begin}`); process.exit(2); }
  writeFileSync(doc, text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${stamp}\n\n${table}\n${end}`));
}
process.exit(failed ? 1 : 0);
