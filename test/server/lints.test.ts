// Lint rules of tools.md §3: a table of fixtures that must fire (code, severity, position
// of the range start) and near misses that must not; every quick fix is applied and must
// leave a file without static errors and with one diagnostic of that code fewer. Then
// the conformance scenarios against a hand-derived table.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../grammar/index';
import { LINT_CODES, LINT_SEVERITY, type LintCode, type LintDiagnostic, lint } from '../../server/lints';
import { applyFix, fixProblems } from './fixtures/lints/helpers';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function lintText(text: string): LintDiagnostic[] {
  return lint(compile(text), text);
}

function at(d: LintDiagnostic): string {
  return `${d.range.start.line}:${d.range.start.column}`;
}

/** Every fix must parse, have no static errors, and remove its diagnostic. */
function checkFixes(text: string, diags: LintDiagnostic[]): void {
  expect(fixProblems(text, diags)).toEqual([]);
}

interface Case {
  name: string;
  code: LintCode;
  text: string;
  /** `line:col` of each diagnostic of `code`, in order; [] for a near miss */
  expect: string[];
  /** how many fixes each diagnostic offers (default 1 when it fires; unbalanced-ref has none) */
  fixes?: number;
  /** the exact text after the first diagnostic's first fix, when the layout matters */
  fixed?: string;
}

const NOVA = `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
`; // 4 lines: cases start at line 5

const CASES: Case[] = [
  // ------------------------------------------------------------ sleep-in-atomic
  {
    name: 'sleep directly in access',
    code: 'sleep-in-atomic',
    text: `module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
thread t {
  access bar0 {
    read bar0
    sleep 1ms              // not under rcu_read_lock
  }
  log "done"
}
`,
    expect: ['8:5'],
    fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
thread t {
  access bar0 {
    read bar0
  }
  sleep 1ms
  log "done"
}
`,
  },
  {
    name: 'sleeping statements at depth, moved after the outermost access',
    code: 'sleep-in-atomic',
    text: `${NOVA}revocable bar0 on gpu0
mutex m
fence job on gpu0
thread t {
  open f on card0
  ioctl f {
    access bar0 {
      enter card0 {
        lock m
        unlock m
      }
      repeat 2 { wait job timeout 1ms }
    }
  }
  close f
}
`,
    expect: ['13:9', '16:18'],
  },
  {
    name: 'access on one line',
    code: 'sleep-in-atomic',
    text: `${NOVA}revocable bar0 on gpu0
thread t {
  access bar0 { sleep 1ms }
}
`,
    expect: ['7:17'],
    fixed: `${NOVA}revocable bar0 on gpu0
thread t {
  access bar0 { }
  sleep 1ms
}
`,
  },
  {
    name: 'inner access in the else of an outer one still inside the inner body',
    code: 'sleep-in-atomic',
    text: `${NOVA}revocable bar0 on gpu0
revocable bar1 on gpu0
thread t {
  access bar0 {
    read bar0
  } else {
    access bar1 {
      put card0
    }
  }
}
`,
    expect: ['12:7'],
  },
  {
    name: 'near miss: sleep in the else block, after the block, and inside enter',
    code: 'sleep-in-atomic',
    text: `${NOVA}revocable bar0 on gpu0
thread t {
  access bar0 {
    read bar0
  } else {
    sleep 1ms
  }
  sleep 1ms
  enter card0 {
    sleep 1ms
  }
}
`,
    expect: [],
  },
  {
    name: 'near miss: a non-sleeping poll and signal inside access',
    code: 'sleep-in-atomic',
    text: `${NOVA}revocable bar0 on gpu0
fence job on gpu0
thread t {
  access bar0 {
    submit job
    poll job timeout 1ms
    signal job
    get card0
  }
  put card0
}
`,
    expect: [],
  },

  // ------------------------------------------------------------ wait-in-enter
  {
    name: 'wait without timeout in enter inside an ioctl',
    code: 'wait-in-enter',
    text: `${NOVA}fence job on gpu0
thread app {
  open f on card0
  ioctl f {
    enter card0 {
      submit job
      wait job
    }
  }
  close f
}
`,
    expect: ['11:7'],
  },
  {
    name: 'wait nested in repeat and access inside enter',
    code: 'wait-in-enter',
    text: `${NOVA}fence job on gpu0
on remove nova_drm {
  enter card0 {
    repeat 2 {
      wait job
    }
  }
  unplug card0
}
thread t { submit job }
`,
    expect: ['9:7'],
  },
  {
    name: 'near miss: wait with timeout in enter, wait outside enter, wait in else',
    code: 'wait-in-enter',
    text: `${NOVA}fence job on gpu0
thread app {
  enter card0 {
    submit job
    wait job timeout 5ms
  } else {
    wait job
  }
  wait job
}
`,
    expect: [],
  },

  // ------------------------------------------------------------ poll-without-timeout
  {
    name: 'poll without timeout anywhere',
    code: 'poll-without-timeout',
    text: `${NOVA}fence job on gpu0
work w in nova_drm {
  poll job
}
thread app {
  submit job
  poll job   // spins
  queue w
}
`,
    expect: ['7:3', '11:3'],
  },
  {
    name: 'near miss: poll with timeout',
    code: 'poll-without-timeout',
    text: `${NOVA}fence job on gpu0
thread app {
  submit job
  poll job timeout 2ms
}
`,
    expect: [],
  },

  // ------------------------------------------------------------ unguarded-mmio
  {
    name: 'read and write outside access, in the else block, under another revocable',
    code: 'unguarded-mmio',
    text: `${NOVA}revocable bar0 on gpu0
revocable bar1 on gpu0
timer ptimer on bar0
thread t {
  read bar0
  access bar0 {
    log "ok"
  } else {
    write bar0     // else runs once revoked
  }
  access bar1 {
    read ptimer
  }
  enter card0 { write bar1 }
}
`,
    expect: ['9:3', '13:5', '16:5', '18:17'],
    fixed: `${NOVA}revocable bar0 on gpu0
revocable bar1 on gpu0
timer ptimer on bar0
thread t {
  access bar0 {
    read bar0
  }
  access bar0 {
    log "ok"
  } else {
    write bar0     // else runs once revoked
  }
  access bar1 {
    read ptimer
  }
  enter card0 { write bar1 }
}
`,
  },
  {
    name: 'near miss: read inside access of the same revocable; a timer inside access of its revocable',
    code: 'unguarded-mmio',
    text: `${NOVA}revocable bar0 on gpu0
timer ptimer on bar0
thread t {
  access bar0 {
    read bar0
    enter card0 {
      repeat 2 { write bar0 }
    }
    read ptimer
  }
}
`,
    expect: [],
  },

  // ------------------------------------------------------------ missing-fops-owner
  {
    name: 'fops_owner: no with an open file and an rmmod',
    code: 'missing-fops-owner',
    text: `module nova
device gpu0
driver nova_drm in nova binds gpu0 {
  fops_owner: no
}
drm card0 on gpu0
thread app {
  open f on card0
  close f
}
thread admin { rmmod nova }
`,
    expect: ['3:1'],
  },
  {
    name: 'near miss: fops_owner: no but no rmmod',
    code: 'missing-fops-owner',
    text: `module nova
device gpu0
driver nova_drm in nova binds gpu0 { fops_owner: no }
drm card0 on gpu0
thread app {
  open f on card0
  close f
}
thread admin { unbind gpu0 }
`,
    expect: [],
  },
  {
    name: 'near miss: fops_owner: no, rmmod, but files only of another driver',
    code: 'missing-fops-owner',
    text: `module nova
module other
device gpu0
device gpu1
driver nova_drm in nova binds gpu0 { fops_owner: no }
driver other_drm in other binds gpu1
drm card0 on gpu0
drm card1 on gpu1
thread app {
  open f on card1
  close f
  unbind gpu0
}
thread admin { rmmod nova }
`,
    expect: [],
  },
  {
    name: 'near miss: fops_owner: yes written out',
    code: 'missing-fops-owner',
    text: `module nova
device gpu0
driver nova_drm in nova binds gpu0 { fops_owner: yes }
drm card0 on gpu0
thread app {
  open f on card0
  close f
}
thread admin { rmmod nova }
`,
    expect: [],
  },

  // ------------------------------------------------------------ release-without-module-ref
  {
    name: 'release handler, default drm_holds_module, rmmod (no option block)',
    code: 'release-without-module-ref',
    text: `${NOVA}on release card0 {
  log "free"
}
thread admin { rmmod nova }
`,
    expect: ['5:1'],
    fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0 {
  drm_holds_module: yes
}
drm card0 on gpu0
on release card0 {
  log "free"
}
thread admin { rmmod nova }
`,
  },
  {
    name: 'release handler, drm_holds_module: no written out',
    code: 'release-without-module-ref',
    text: `module nova
device gpu0
driver nova_drm in nova binds gpu0 { drm_holds_module: no }
drm card0 on gpu0
on release card0 { log "free" }
thread admin { rmmod nova force }
`,
    expect: ['5:1'],
  },
  {
    name: 'release handler, an option block with another option',
    code: 'release-without-module-ref',
    text: `module nova
device gpu0
driver nova_drm in nova binds gpu0 {
  fops_owner: yes
}
drm card0 on gpu0
on release card0 { log "free" }
thread admin { rmmod nova }
`,
    expect: ['7:1'],
    fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0 {
  fops_owner: yes
  drm_holds_module: yes
}
drm card0 on gpu0
on release card0 { log "free" }
thread admin { rmmod nova }
`,
  },
  {
    name: 'release handler, an empty option block',
    code: 'release-without-module-ref',
    text: `module nova
device gpu0
driver nova_drm in nova binds gpu0 { }
drm card0 on gpu0
on release card0 { log "free" }
thread admin { rmmod nova }
`,
    expect: ['5:1'],
  },
  {
    name: 'near miss: drm_holds_module: yes',
    code: 'release-without-module-ref',
    text: `module nova
device gpu0
driver nova_drm in nova binds gpu0 { drm_holds_module: yes }
drm card0 on gpu0
on release card0 { log "free" }
thread admin { rmmod nova }
`,
    expect: [],
  },
  {
    name: 'near miss: nothing can rmmod the module',
    code: 'release-without-module-ref',
    text: `${NOVA}on release card0 { log "free" }
thread admin { unbind gpu0 }
`,
    expect: [],
  },

  // ------------------------------------------------------------ unbalanced-ref
  {
    name: 'a get never put: reported on the get',
    code: 'unbalanced-ref',
    text: `${NOVA}thread app {
  get card0
  log "forgot drm_dev_put"
}
`,
    expect: ['6:3'],
  },
  {
    name: 'one put too many: reported on the last put',
    code: 'unbalanced-ref',
    text: `${NOVA}thread helper {
  get card0
  put card0
  put card0
}
`,
    expect: ['8:3'],
  },
  {
    name: 'a put on one branch only; a module reference kept; a repeat that puts twice',
    code: 'unbalanced-ref',
    text: `${NOVA}drm card1 on gpu0
thread t {
  get card0
  enter card0 {
    put card0
  } else {
    log "keeps it"
  }
  try_module_get nova
  get card1
  repeat 2 { put card1 }
}
`,
    expect: ['7:3', '13:3', '15:14'],
    fixes: 0,
  },
  {
    name: 'a get inside an ioctl, counted as taken',
    code: 'unbalanced-ref',
    text: `${NOVA}thread t {
  open f on card0
  ioctl f { get card0 }
  close f
}
`,
    expect: ['7:13'],
    fixes: 0,
  },
  {
    name: 'near miss: balanced across both branches, repeats and modules',
    code: 'unbalanced-ref',
    text: `${NOVA}thread t {
  get card0
  enter card0 {
    put card0
  } else {
    put card0
  }
  access card0_bar {
    get card0
    put card0
  }
  repeat 3 { get card0 }
  repeat 3 { put card0 }
  try_module_get nova
  module_put nova
}
revocable card0_bar on gpu0
`,
    expect: [],
  },
  {
    name: 'near miss: references in handlers and work are not the thread\u2019s',
    code: 'unbalanced-ref',
    text: `${NOVA}on close nova_drm { get card0 }
work w in nova_drm { put card0 }
thread t {
  open f on card0
  ioctl f { queue w }
  close f
}
`,
    expect: [],
  },

  // ------------------------------------------------------------ unplug-without-remove
  {
    name: 'remove forgets unplug',
    code: 'unplug-without-remove',
    text: `${NOVA}on remove nova_drm {
  log "remove"
}
thread admin { unbind gpu0 }
`,
    expect: ['5:1'],
    fixed: `${NOVA}on remove nova_drm {
  unplug card0
  log "remove"
}
thread admin { unbind gpu0 }
`,
  },
  {
    name: 'remove unplugs one drm of two; empty remove body on hotunplug',
    code: 'unplug-without-remove',
    text: `module nova
device gpu0
device gpu1
driver nova_drm in nova binds gpu0
driver nova2 in nova binds gpu1
drm card0 on gpu0
drm card1 on gpu0
drm card2 on gpu1
on remove nova_drm { unplug card1 }
on remove nova2 {}
thread admin {
  hotunplug gpu0
  hotunplug gpu1
}
`,
    expect: ['9:1', '10:1'],
  },
  {
    name: 'near miss: remove unplugs (nested); default remove; no drm; no unbind',
    code: 'unplug-without-remove',
    text: `module nova
device gpu0
device gpu1
device gpu2
driver a in nova binds gpu0
driver b in nova binds gpu1
driver c in nova binds gpu2
drm card0 on gpu0
drm card1 on gpu1
revocable bar2 on gpu2
on remove a {
  enter card0 { log "x" } else { log "y" }
  repeat 1 { unplug card0 }
}
on remove c { log "no drm here" }
thread admin {
  unbind gpu0
  unbind gpu1
  hotunplug gpu2
  access bar2 { log "z" }
  open f on card1
  close f
}
`,
    expect: [],
  },
  {
    name: 'near miss: a remove that forgets unplug, but nothing unbinds',
    code: 'unplug-without-remove',
    text: `${NOVA}on remove nova_drm { log "remove" }
thread admin { rmmod nova }
`,
    expect: [],
  },

  // ------------------------------------------------------------ devm-data-in-uapi
  {
    name: 'devm data in close, ioctl, release and work',
    code: 'devm-data-in-uapi',
    text: `${NOVA}data st devm on gpu0
on close nova_drm { use st }
on release card0 { use st }
work w in nova_drm { use st }
thread app {
  open f on card0
  ioctl f {
    use st
    queue w
  }
  close f
}
`,
    expect: ['6:21', '7:20', '8:22', '12:5'],
    fixed: `${NOVA}data st drmm on card0
on close nova_drm { use st }
on release card0 { use st }
work w in nova_drm { use st }
thread app {
  open f on card0
  ioctl f {
    use st
    queue w
  }
  close f
}
`,
  },
  {
    name: 'devm data of a device with two drm devices: no fix',
    code: 'devm-data-in-uapi',
    text: `${NOVA}drm card1 on gpu0
data st devm on gpu0
on close nova_drm { use st }
thread app {
  open f on card1
  close f
}
`,
    expect: ['7:21'],
    fixes: 0,
  },
  {
    name: 'near miss: devm data from a thread body and from remove; drmm data in close',
    code: 'devm-data-in-uapi',
    text: `${NOVA}data st devm on gpu0
data dd drmm on card0
on remove nova_drm {
  use st
  unplug card0
}
on close nova_drm { use dd }
thread app {
  use st
  open f on card0
  close f
}
`,
    expect: [],
  },

  // ------------------------------------------------------------ work-not-cancelled
  {
    name: 'work queued by an ioctl, default remove, rmmod',
    code: 'work-not-cancelled',
    text: `${NOVA}work retire in nova_drm {
  log "retire"
}
thread app {
  open f on card0
  ioctl f { queue retire after 5ms }
  close f
}
thread admin { rmmod nova }
`,
    expect: ['5:1'],
    fixed: `${NOVA}work retire in nova_drm {
  log "retire"
}

on remove nova_drm {
  cancel retire
  unplug card0
}
thread app {
  open f on card0
  ioctl f { queue retire after 5ms }
  close f
}
thread admin { rmmod nova }
`,
  },
  {
    name: 'work queued by a handler and by another work, remove without cancel, hotunplug',
    code: 'work-not-cancelled',
    text: `${NOVA}work a in nova_drm { queue b }
work b in nova_drm { log "b" }
on close nova_drm { queue a }
on remove nova_drm {
  unplug card0
}
thread app {
  open f on card0
  close f
  hotunplug gpu0
}
`,
    expect: ['5:1', '6:1'],
    fixed: `${NOVA}work a in nova_drm { queue b }
work b in nova_drm { log "b" }
on close nova_drm { queue a }
on remove nova_drm {
  cancel a
  unplug card0
}
thread app {
  open f on card0
  close f
  hotunplug gpu0
}
`,
  },
  {
    name: 'near miss: cancelled or flushed in remove; queued only by a thread; no teardown',
    code: 'work-not-cancelled',
    text: `module nova
module other
device gpu0
device gpu1
driver nova_drm in nova binds gpu0
driver other_drm in other binds gpu1
drm card0 on gpu0
drm card1 on gpu1
work a in nova_drm { log "a" }
work b in nova_drm { log "b" }
work c in nova_drm { log "c" }
work d in other_drm { log "d" }
on remove nova_drm {
  cancel a
  flush b
  unplug card0
}
on close other_drm { queue d }
thread app {
  open f on card0
  ioctl f { queue a queue b }
  close f
  queue c
  open g on card1
  close g
}
thread admin { rmmod nova }
`,
    expect: [],
  },

  // ------------------------------------------------------------ unused
  {
    name: 'unused declarations of each kind',
    code: 'unused',
    text: `${NOVA}module spare
device gpu1
revocable bar0 on gpu0
fence job on gpu0
data st devm on gpu0
mutex m
work w in nova_drm {
  log "w"
  queue w                  // only itself
}
drm card1 on gpu0
thread t { open f on card0 close f }
`,
    expect: ['5:8', '6:8', '7:11', '8:7', '9:6', '10:7', '11:6', '15:5'],
    fixed: `${NOVA}device gpu1
revocable bar0 on gpu0
fence job on gpu0
data st devm on gpu0
mutex m
work w in nova_drm {
  log "w"
  queue w                  // only itself
}
drm card1 on gpu0
thread t { open f on card0 close f }
`,
  },
  {
    name: 'near miss: used before declared; a revocable named only by a timer; threads, drivers, handlers',
    code: 'unused',
    text: `thread t {
  lock m
  unlock m
  read ptimer
  submit job
  enter card0 { log "in" }
}
thread idle { log "never referenced" }
on close nova_drm { log "close" }
expect clean
mutex m
timer ptimer on bar0
revocable bar0 on gpu0
fence job on gpu0
${NOVA}`,
    expect: [],
  },
];

describe('lint rules', () => {
  it('covers every code with a firing case and a near miss', () => {
    for (const code of LINT_CODES) {
      expect(CASES.some((c) => c.code === code && c.expect.length > 0), code).toBe(true);
      expect(CASES.some((c) => c.code === code && c.expect.length === 0), code).toBe(true);
    }
  });

  it.each(CASES.map((c) => [`${c.code}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const a = compile(c.text);
    expect(a.diagnostics, 'fixtures must be valid scenarios').toEqual([]);
    const all = lint(a, c.text);
    const mine = all.filter((d) => d.code === c.code);
    expect(mine.map(at)).toEqual(c.expect);
    for (const d of mine) {
      expect(d.severity).toBe(LINT_SEVERITY[c.code]);
      expect(d.message.length).toBeGreaterThan(20);
      expect(d.fixes.length).toBe(c.fixes ?? (c.code === 'unbalanced-ref' ? 0 : 1));
    }
    checkFixes(c.text, all);
    if (c.fixed !== undefined) expect(applyFix(c.text, mine[0].fixes[0])).toBe(c.fixed);
  });

  it('sorts by position', () => {
    const c = CASES.find((x) => x.code === 'unused' && x.expect.length)!;
    const offs = lintText(c.text).map((d) => d.range.start.offset);
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
    const full = CASES.find((x) => x.code === 'work-not-cancelled' && x.expect.length)!.text;
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
  // the timer read is inside `access bar0`; gpu0 has no drm device to unplug.
  '07-revoked-bar-read.lifetime': [],
  // `sleep 1ms` inside `access bar0`.
  '08-sleep-in-revocable.lifetime': ['sleep-in-atomic@12'],
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
};

describe('conformance scenarios', () => {
  it.skipIf(!haveConf)('the table lists every conformance file', () => {
    const files = fs.readdirSync(confDir).filter((f) => f.endsWith('.lifetime'));
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
