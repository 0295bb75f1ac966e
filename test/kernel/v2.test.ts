// Version 2 on the kernel backend: what each construct is lowered to, what is refused (with
// its line and column, and why), and where the turnstile cannot follow the model (a turn
// inside a timer callback or under a spinlock).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lower } from '../../debug-adapter/runtime/program';
import { CB_DEVM, CB_KINDS, CB_THREADED, HDR, lowerForKernel, NotCovered, OPS, STMT_WORDS, TARGETS, type Lowered } from '../../kernel/bytecode';
import { classify } from '../../kernel/classify';
import { traceModel } from '../../kernel/turns';
import { load, refused } from './helpers';

const PRE = 'module m\ndevice d\ndriver x in m binds d\n';
const h = (l: Lowered, n: (typeof HDR)[number]) => l.header[HDR.indexOf(n)];
/** The statement at line:col as [op name, a, b, target kind name, sleeps]. */
const stmtAt = (l: Lowered, line: number, col: number) => {
  const info = l.byPos.get(`${line}:${col}`)!;
  const w = l.stmts.slice(info.index * STMT_WORDS, (info.index + 1) * STMT_WORDS);
  return [OPS[w[0]], w[3], w[4], TARGETS[w[5]] ?? w[5], w[7]];
};

describe('lowerForKernel, version 2', () => {
  it('puts work items and timers in one callback table, in declaration order, with their kind', () => {
    const l = lowerForKernel(load(`${PRE}work w in x { log "w" }\ntimer t in x {\n  log "t"\n}\nthread a {\n  arm t after 1ms\n  queue w\n  cancel t nosync\n  cancel t\n  disable t\n  cancel w nosync\n}\n`));
    expect(h(l, 'NWORK')).toBe(2);
    expect([l.works[1], l.works[4]]).toEqual([CB_KINDS.indexOf('WORK'), CB_KINDS.indexOf('TIMER')]);
    expect(l.callbackNames).toEqual(['kworker/w', 'timer/t']);
    expect(stmtAt(l, 9, 3)).toEqual(['ARM', 1, -1, 'TIMER', 0]);
    expect(stmtAt(l, 10, 3)).toEqual(['QUEUE', 0, -1, 'WORK', 0]);
    expect(stmtAt(l, 11, 3)).toEqual(['CANCEL', 1, 1, 'TIMER', 0]);
    // del_timer_sync spins: not a sleeping statement, unlike cancel_work_sync
    expect(stmtAt(l, 12, 3)).toEqual(['CANCEL', 1, 0, 'TIMER', 0]);
    // timer_shutdown_sync: Debian's 6.1.y exports it (backported from 6.2)
    expect(stmtAt(l, 13, 3)).toEqual(['DISABLE', 1, -1, 'TIMER', 0]);
    expect(stmtAt(l, 14, 3)).toEqual(['CANCEL', 0, 1, 'WORK', 0]);
    // a timer callback is atomic context: its statements take no turn that waits
    expect(l.byPos.get('6:3')!.atomic).toBe(true);
  });

  it('lowers IRQs as callbacks with their flags; a hard handler is atomic, a threaded one is not', () => {
    const l = lowerForKernel(load(`${PRE}irq h on d devm {\n  log "hard"\n}\nirq th on d threaded {\n  log "thread"\n}\nthread a {\n  raise h\n  free_irq th\n}\n`));
    expect(l.works.slice(1, 3)).toEqual([CB_KINDS.indexOf('IRQ'), CB_DEVM]);
    expect(l.works.slice(4, 6)).toEqual([CB_KINDS.indexOf('IRQ'), CB_THREADED]);
    expect(l.callbackNames).toEqual(['irq/h', 'irq/th']);
    expect(l.byPos.get('5:3')!.atomic).toBe(true);
    expect(l.byPos.get('8:3')!.atomic).toBe(false);
    expect(stmtAt(l, 11, 3)).toEqual(['RAISE', 0, -1, 'IRQ', 0]);
    expect(stmtAt(l, 12, 3)).toEqual(['FREE_IRQ', 1, -1, 'IRQ', 1]);
  });

  it('lowers a sysfs attribute (its show block) and `show` as a syscall of a thread; refuses an unbind inside show', () => {
    const l = lowerForKernel(load(`${PRE}mutex mu\nattr a on d {\n  lock mu\n  unlock mu\n}\nthread r {\n  show a\n}\n`));
    expect(h(l, 'NATTR')).toBe(1);
    expect(l.attrs[0]).toBeGreaterThanOrEqual(0);
    expect(stmtAt(l, 10, 3)).toEqual(['SHOW', 0, -1, -1, 0]);
    const e = refused(`${PRE}attr a on d {\n  unbind d\n}\nthread r {\n  show a\n}\n`);
    expect([e.line, e.column]).toEqual([5, 3]);
    expect(e.message).toMatch(/`unbind` in an attribute's show is not covered/);
  });

  it('refuses `disable` of a work item, naming disable_work_sync and the Linux version that has it', () => {
    const e = refused(`${PRE}work w in x { log "w" }\nthread a {\n  queue w\n  disable w\n}\n`);
    expect([e.line, e.column]).toEqual([7, 3]);
    expect(e.message).toMatch(/disable_work_sync\(\), which Linux 6\.1 does not have \(added in Linux 6\.10\)/);
  });

  it('lowers krefs (release block, devm), spinlocks, completions, cdevs and kzalloc data by target kind', () => {
    const l = lowerForKernel(load(`${PRE}kref o in x devm\nkref p in x\nspinlock s\nmutex mu\ncompletion c\ncdev n on d\ndata q\non release o {\n  log "release"\n}\nthread a {\n  get o\n  put o\n  use o\n  open f on n\n  ioctl f {\n    lock s\n    unlock s\n    lock mu\n    unlock mu\n  }\n  close f\n  complete c\n  wait c timeout 1ms\n  use q\n  free q\n  unregister n\n}\n`));
    expect([h(l, 'NKREF'), h(l, 'NSPIN'), h(l, 'NCOMP'), h(l, 'NCDEV'), h(l, 'NMUTEX')]).toEqual([2, 1, 1, 1, 1]);
    expect(l.krefs[0]).toBeGreaterThanOrEqual(0);
    expect([l.krefs[1], l.krefs[2], l.krefs[3]]).toEqual([1, -1, 0]);
    expect(l.data).toEqual([2]);
    expect(stmtAt(l, 15, 3)).toEqual(['GET', 0, -1, 'KREF', 0]);
    expect(stmtAt(l, 16, 3)).toEqual(['PUT', 0, -1, 'KREF', 0]);
    expect(stmtAt(l, 17, 3)).toEqual(['USE', 0, -1, 'KREF', 0]);
    // a cdev's open: the node /dev/lt_cdev0 (1 + its index; 0 is the drm card)
    expect(stmtAt(l, 18, 3).slice(0, 3)).toEqual(['OPEN', 0, 1]);
    expect(stmtAt(l, 20, 5)).toEqual(['LOCK', 0, -1, 'SPIN', 0]);
    expect(stmtAt(l, 22, 5)).toEqual(['LOCK', 0, -1, 'MUTEX', 1]);
    expect(stmtAt(l, 26, 3)).toEqual(['COMPLETE', 0, -1, 'COMP', 0]);
    expect(stmtAt(l, 27, 3)).toEqual(['WAIT', 0, 1, 'COMP', 1]);
    expect(stmtAt(l, 28, 3)).toEqual(['USE', 0, -1, 'DATA', 0]);
    expect(stmtAt(l, 29, 3)).toEqual(['FREE', 0, -1, 'DATA', 0]);
    expect(stmtAt(l, 30, 3)).toEqual(['UNREGISTER', 0, -1, 'CDEV', 1]);
  });

  it('refuses a spinlock held across a thread\'s top-level statements (each is a syscall)', () => {
    const e = refused(`${PRE}spinlock s\nthread a {\n  lock s\n  unlock s\n}\n`);
    expect([e.line, e.column]).toEqual([6, 3]);
    expect(e.message).toMatch(/spinlock at a thread's top level/);
  });

  it('refuses `free` of devm data (the real double kfree would corrupt the slab)', () => {
    const e = refused(`${PRE}data q devm on d\nthread a {\n  free q\n}\n`);
    expect([e.line, e.column]).toEqual([6, 3]);
    expect(e.message).toMatch(/`free` of devm data/);
  });

  it('lowers every version-2 sample and conformance file, or refuses it with its line and column', () => {
    const dirs = [join(__dirname, '../../samples/v2'), join(__dirname, '../../../shared/conformance/v2')];
    let lowered = 0;
    for (const dir of dirs) {
      let names: string[] = [];
      try { names = require('node:fs').readdirSync(dir).filter((f: string) => f.endsWith('.lifetime')); } catch { continue; }
      for (const n of names) {
        const text = readFileSync(join(dir, n), 'utf8');
        const file = load(text);
        let e: unknown = null;
        try { lowerForKernel(file); lowered++; } catch (x) { e = x; }
        if (e) expect(e, n).toBeInstanceOf(NotCovered);
      }
    }
    expect(lowered).toBeGreaterThanOrEqual(25);
  });
});

describe('traceModel, version 2', () => {
  const TIMER = `${PRE}timer t in x {\n  log "one"\n  log "two"\n}\nthread a {\n  arm t\n  log "a1"\n  log "a2"\n}\n`;
  it('gives a timer callback a start turn and consecutive statement turns in the default run', () => {
    const file = load(TIMER);
    const t = traceModel(lower(file), lowerForKernel(file));
    expect(t.notReplayable).toBeNull();
    const cb = t.turns.filter((x) => x.thread === 'timer/t');
    expect(cb.map((x) => x.phase)).toEqual(['START', 'RUN', 'RUN']);
    expect(cb[1].atomic).toMatch(/timer callback \(softirq context\)/);
  });

  it('says a witness is not replayable when another thread steps inside a timer callback', () => {
    // (a's `use q` names the callback's object: the steps do not commute)
    const file = load(`${PRE}data q\ntimer t in x {\n  log "one"\n  use q\n}\nthread a {\n  arm t\n  use q\n}\n`);
    const t = traceModel(lower(file), lowerForKernel(file), ['a', 'timer/t', 'timer/t', 'a', 'timer/t']);
    expect(t.notReplayable).toMatchObject({ thread: 'timer/t', line: 7, column: 3 });
    expect(t.notReplayable!.why).toMatch(/timer\/t runs a timer callback \(softirq context\) and may not sleep there; a steps just before it/);
  });

  it('goes on after a witness with the thread in atomic context first, so a hard IRQ handler is not interrupted by a turn', () => {
    const file = load(`${PRE}mutex mu\nirq e on d {\n  lock mu\n  unlock mu\n}\nthread r {\n  raise e\n  sleep 1ms\n  raise e\n}\n`);
    // the witness stops inside the handler; declaration order would step r next
    const t = traceModel(lower(file), lowerForKernel(file), ['r', 'r', 'irq/e', 'irq/e']);
    expect(t.notReplayable).toBeNull();
    expect(t.kernel.s.faults.map((f) => f.kind)).toContain('sleep-in-atomic');
  });

  it('says so under a spinlock too', () => {
    const text = `${PRE}spinlock s\ncdev n on d\nthread a {\n  open f on n\n  ioctl f {\n    lock s\n    log "in"\n  unlock s\n  }\n}\nthread b {\n  log "b"\n}\n`;
    const file = load(text);
    const t = traceModel(lower(file), lowerForKernel(file), ['a', 'a', 'a', 'b', 'a', 'a']);
    expect(t.notReplayable).toMatchObject({ thread: 'a', line: 10, column: 5 });
    expect(t.notReplayable!.why).toMatch(/holds spinlock s/);
  });
});

describe('classify, version 2', () => {
  const log = (name: string) => readFileSync(join(__dirname, 'logs', name), 'utf8');
  it('reads a soft lockup in a spinning del_timer_sync as a deadlock, not a hang (language.md §9)', () => {
    const c = classify(log('conformance-24.log'), ['probe']);
    expect(c.faults.map((f) => f.kind)).toEqual(['deadlock']);
  });
  it('still reads a spinning poll (lt_poll_spin) as a hang', () => {
    const c = classify(log('conformance-24.log').replace(/RIP: 0010:_raw_spin_unlock_irqrestore\+0x19\/0x40/, 'RIP: 0010:lt_poll_spin+0x9/0x20 [lt_core]'), ['probe']);
    expect(c.faults.map((f) => f.kind)).toEqual(['hang']);
  });
});
