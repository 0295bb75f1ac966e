// Lint rules of tools.md §3 as a whole (each rule's cases: test/server/lints/<code>.test.ts):
// every code has its files, ordering, line endings, robustness; then the conformance
// scenarios against a hand-derived table.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../grammar/index';
import { LINT_CODES, type LintDiagnostic, lint } from '../../server/lints';
import { applyFix, fixProblems } from './fixtures/lints/helpers';
import { unmark } from './lints/marks';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function lintText(text: string): LintDiagnostic[] {
  return lint(compile(text), text);
}

/** Every fix must parse, have no static errors, and remove its diagnostic. */
function checkFixes(text: string, diags: LintDiagnostic[]): void {
  expect(fixProblems(text, diags)).toEqual([]);
}

const NOVA = `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
`;

describe('lint rules', () => {
  // The cases of each rule: test/server/lints/<code>.test.ts.
  it('every code has its rule file and its test file, with a firing case and a near miss', () => {
    for (const code of LINT_CODES) {
      expect(fs.existsSync(path.join(repoRoot, 'server/lints', `${code}.ts`)), code).toBe(true);
      const t = fs.readFileSync(path.join(repoRoot, 'test/server/lints', `${code}.test.ts`), 'utf8');
      const cases = t.split('check(`').slice(1).map((c) => unmark(c.slice(0, c.indexOf('`'))).marks);
      expect(cases.some((m) => m.length > 0), code).toBe(true);
      expect(cases.some((m) => m.length === 0), code).toBe(true);
    }
  });

  it('sorts by position', () => {
    const text = `${NOVA}revocable bar0 on gpu0\nfence job on gpu0\nmutex m\nthread t { get card0 }\n`;
    const offs = lintText(text).map((d) => d.range.start.offset);
    expect(offs.length).toBeGreaterThan(2);
    expect(offs).toEqual([...offs].sort((a, b) => a - b));
  });

  it('keeps CRLF line endings in its edits', () => {
    const text = `${NOVA}on remove nova_drm {\n  log "remove"\n}\nthread admin { unbind gpu0 }\n`.replace(/\n/g, '\r\n');
    const d = lintText(text).find((x) => x.code === 'unplug-without-remove')!;
    const fixed = applyFix(text, d.fixes[0]);
    expect(fixed).not.toMatch(/[^\r]\n/);
    expect(compile(fixed).diagnostics).toEqual([]);
  });

  it('never throws on broken input, and skips recovered nodes', () => {
    const samples = [
      '',
      'thread t {',
      'thread t { access bar0 { sleep',
      'driver x in binds { fops_owner: }',
      'on remove { unplug }\nthread t { get put wait poll read }',
      'work w in { queue }\non release { use }',
      'thread t { repeat { get card0 } enter { } else',
    ];
    for (const s of samples) expect(() => lintText(s)).not.toThrow();
    // Truncations of a real scenario: every prefix parses to something partial.
    const full = `${NOVA}work retire in nova_drm { log "retire" }\non remove nova_drm { unplug card0 }\nthread app { open f on card0 ioctl f { queue retire } close f }\nthread admin { rmmod nova }\n`;
    for (let i = 0; i <= full.length; i += 7) {
      const t = full.slice(0, i);
      const ds = lintText(t);
      for (const d of ds) expect(d.range.start.offset).toBeLessThanOrEqual(t.length);
    }
  });

  it('a rule that throws on a malformed tree yields nothing, the others still report', () => {
    const text = `${NOVA}revocable bar0 on gpu0\nthread t { access bar0 { sleep 1ms } }\nthread u { get card0 }\n`;
    const file = structuredClone(compile(text).file);
    // Break one statement behind the types' back: a sleep without a range.
    const t = file.decls.find((d) => d.kind === 'thread')!;
    (t as unknown as { body: unknown }).body = { stmts: [null, { kind: 'access', target: { name: 'bar0' }, body: { stmts: [{ kind: 'sleep' }] } }] };
    let ds: LintDiagnostic[] = [];
    expect(() => (ds = lint({ file }, text))).not.toThrow();
    expect(ds.map((d) => d.code)).toEqual(['unbalanced-ref']);
  });
});

// ---------------------------------------------------------------- conformance

const confDir = path.resolve(repoRoot, '../shared/conformance');
const haveConf = fs.existsSync(confDir);
if (!haveConf) console.log(`lints: no conformance directory at ${confDir}; skipping those cases`);

/**
 * Expected lints of each conformance scenario (`code@line`), derived by hand from the rules.
 * No file has an `unused` declaration: every module/device is bound by a driver, every drm,
 * revocable, fence, data, work and mutex is named by some statement or timer.
 */
const CONFORMANCE: Record<string, string[]> = {
  // fops owner is the default: the open file pins nova; no handlers, no refs taken by hand.
  '01-open-file-pins-module.lifetime': [],
  // `on release card0` with drm_holds_module defaulting to no, and admin rmmods nova.
  // importer's get/put balance.
  '02-drm-outlives-module.lifetime': ['release-without-module-ref@8'],
  // the fix: drm_holds_module: yes; the unbind uses the default remove (it unplugs).
  '03-two-step-unload.lifetime': [],
  // `wait job` inside `enter card0` without timeout; remove does unplug card0.
  '04-unplug-deadlock.lifetime': ['wait-in-enter@18'],
  // failing the fence in remove fixes run mode, but the wait still has no timeout.
  '05-fail-fences-before-unplug.lifetime': ['wait-in-enter@19'],
  // the wait has a timeout.
  '06-wait-with-timeout.lifetime': [],
  // the timer read is inside `access bar0`; gpu0 has no drm device to unplug. 07 and 08
  // keep the version-1 `timer ptimer on bar0` on purpose (issue 10): deprecated-ptimer.
  '07-revoked-bar-read.lifetime': ['deprecated-ptimer@7'],
  // `sleep 1ms` inside `access bar0`.
  '08-sleep-in-revocable.lifetime': ['deprecated-ptimer@7', 'sleep-in-atomic@12'],
  // `poll job` without timeout (poll does not sleep, so no sleep-in-atomic in the access).
  '09-poll-without-timeout.lifetime': ['poll-without-timeout@12'],
  // the poll has a timeout.
  '10-poll-with-timeout.lifetime': [],
  // fops_owner: no, app opens card0 on gpu0, admin rmmods nova.
  '11-missing-fops-owner.lifetime': ['missing-fops-owner@5'],
  // remove does not unplug card0 and admin unbinds gpu0; `write bar0` is only inside
  // `enter card0`, which is no Revocable guard.
  '12-remove-forgets-unplug.lifetime': ['unplug-without-remove@9', 'unguarded-mmio@18'],
  // get, put, put: the second put has nothing to drop.
  '13-one-put-too-many.lifetime': ['unbalanced-ref@11'],
  // the lock-order deadlock is beyond the lexical rules: remove unplugs, no wait in enter.
  '14-lock-vs-unplug.lifetime': [],
  // get without put.
  '15-leaked-reference.lifetime': ['unbalanced-ref@9'],
  // an ioctl queues retire, nova_drm has only the default remove, admin rmmods nova.
  '16-work-after-unload.lifetime': ['work-not-cancelled@8'],
  // remove cancels retire (and unplugs card0).
  '17-remove-cancels-work.lifetime': [],
  // devm data `dsi` used from `on close`.
  '18-devm-state-in-close.lifetime': ['devm-data-in-uapi@10'],
  // the same data, drmm on card0.
  '19-drmm-state-in-close.lifetime': [],
  // ---- version 2 (v2/)
  // `lock cfg_lock` (a mutex) in a timer callback; probe arms it from a thread body, and remove disables it.
  'v2/20-timer-callback-sleeps.lifetime': ['sleep-in-atomic@12'],
  // the mutex in the hard handler; the threaded one may sleep.
  'v2/21-hard-irq-sleeps.lifetime': ['sleep-in-atomic@13'],
  // `wait … timeout` still sleeps, between `lock stats_lock` and `unlock stats_lock`.
  'v2/22-sleep-under-spinlock.lifetime': ['sleep-in-atomic@17'],
  // spinning is no sleep: the AA deadlock is the runtime's to find.
  'v2/23-spinlock-aa-deadlock.lifetime': [],
  // `cancel blink` spins; the timer is armed from a thread body, not driver code.
  'v2/24-timer-cancel-in-own-callback.lifetime': [],
  // an ioctl arms blink, the default remove leaves it, admin rmmods.
  'v2/25-timer-after-rmmod.lifetime': ['timer-not-cancelled@11'],
  // devm priv in both timer callbacks (no drm device: no fix); the devm irq's handler is
  // not flagged (the devres release frees it before priv).
  'v2/26-timers-stopped-in-remove.lifetime': ['devm-data-in-uapi@14', 'devm-data-in-uapi@19'],
  // a non-devm irq, default remove, unbind; devm priv in its handler.
  'v2/27-irq-after-unbind.lifetime': ['irq-not-freed@11', 'devm-data-in-uapi@12'],
  // remove frees the irq; devm priv in a non-devm handler stays flagged (lexical, as for works).
  'v2/28-free-irq-in-remove.lifetime': ['devm-data-in-uapi@12'],
  // a mutex in an attribute block is fine (process context): the deadlock is the runtime's.
  'v2/29-attr-show-vs-unbind-lock.lifetime': [],
  'v2/30-unbind-from-own-attr.lifetime': [],
  // devm port in a cdev ioctl; remove unregisters the cdev.
  'v2/31-cdev-ioctl-after-unbind.lifetime': ['devm-data-in-uapi@20'],
  // krefs: the importer's get/put balance.
  'v2/32-kref-release-after-rmmod.lifetime': [],
  // `use buf` in remove is no uAPI path; the double free is the runtime's.
  'v2/33-devm-kfree-double-free.lifetime': [],
  // flush counts as a teardown for work-not-cancelled; devm state in the work.
  'v2/34-requeueing-work-vs-flush.lifetime': ['devm-data-in-uapi@14'],
  // `cancel report nosync` under the spinlock does not wait: no sleep-in-atomic.
  'v2/35-requeueing-work-disabled.lifetime': ['devm-data-in-uapi@16', 'devm-data-in-uapi@21'],
  'v2/36-completion-orders-teardown.lifetime': ['devm-data-in-uapi@13'],
  // the version-1 form, on purpose.
  'v2/37-deprecated-ptimer-form.lifetime': ['deprecated-ptimer@10'],
  // an ioctl arms ping; remove unregisters and frees but does not cancel it.
  'v2/38-kfree-in-remove-late-timer.lifetime': ['timer-not-cancelled@13'],
};

describe('conformance scenarios', () => {
  it.skipIf(!haveConf)('the table lists every conformance file', () => {
    const v2 = path.join(confDir, 'v2');
    const files = [
      ...fs.readdirSync(confDir).filter((f) => f.endsWith('.lifetime')),
      ...(fs.existsSync(v2) ? fs.readdirSync(v2).filter((f) => f.endsWith('.lifetime')).map((f) => `v2/${f}`) : []),
    ];
    expect(files.sort()).toEqual(Object.keys(CONFORMANCE).sort());
  });

  for (const [file, expected] of Object.entries(CONFORMANCE)) {
    it.skipIf(!haveConf)(file, () => {
      const text = fs.readFileSync(path.join(confDir, file), 'utf8');
      const a = compile(text);
      expect(a.diagnostics).toEqual([]);
      const diags = lint(a, text);
      expect(diags.map((d) => `${d.code}@${d.range.start.line}`)).toEqual(expected);
      checkFixes(text, diags);
    });
  }
});
