// Lowering a scenario for the kernel backend, and the turns the model's run gives it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lower } from '../../debug-adapter/runtime/program';
import { HDR, lowerForKernel, OPS, programWords, STMT_WORDS } from '../../kernel/bytecode';
import { traceModel } from '../../kernel/turns';
import { load, refused } from './helpers';

const SAMPLES = join(__dirname, '../../samples');
const turnsOf = (text: string, schedule?: string[]) => {
  const file = load(text);
  const l = lowerForKernel(file);
  return traceModel(lower(file), l, schedule);
};

const DEADLOCK = `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
fence job on gpu0 takes 5ms
on remove nova_drm {
  unplug card0
}
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
thread hotplug {
  sleep 1ms
  hotunplug gpu0
}
expect deadlock
`;

const NOT_REPLAYABLE = `module m
device d
driver x in m binds d
revocable bar0 on d
thread a {
  access bar0 {
    read bar0
    read bar0
  }
}
thread b {
  write bar0
}
`;

describe('lowerForKernel', () => {
  it('lays out the program as lt_abi.h says: header, tables, blocks, statements, turns', () => {
    const file = load(DEADLOCK);
    const l = lowerForKernel(file);
    const words = programWords(l, [{ tid: 0, phase: 'RUN', line: 10, column: 3, arg: -1 }]);
    const h = (n: (typeof HDR)[number]) => words[HDR.indexOf(n)];
    expect(h('NTHREAD')).toBe(2);
    expect(h('NFENCE')).toBe(1);
    expect(h('NDRM')).toBe(1);
    expect(h('FOPS_OWNER')).toBe(1);
    expect(h('REMOVE_BLOCK')).toBeGreaterThanOrEqual(0);
    expect(h('CLOSE_BLOCK')).toBe(-1);
    expect(h('NTURN')).toBe(1);
    const tables = h('NTHREAD') + 3 * h('NWORK') + 2 * h('NKREF') + h('NPTIMER') + h('NDATA') + 2 * h('NBLOCK') + h('NBLOCKWORDS');
    expect(words.length).toBe(HDR.length + tables + STMT_WORDS * h('NSTMT') + 5);
    // the `wait job` statement: opcode, line, column, fence 0, no timeout
    const stmts = words.slice(HDR.length + tables, HDR.length + tables + STMT_WORDS * h('NSTMT'));
    const wait = [...Array(h('NSTMT')).keys()].map((i) => stmts.slice(i * STMT_WORDS, (i + 1) * STMT_WORDS)).find((s) => s[0] === OPS.indexOf('WAIT'))!;
    expect([...wait.slice(0, 5)]).toEqual([OPS.indexOf('WAIT'), 14, 7, 0, 0]);
  });

  it('refuses a second module with its line and column', () => {
    const e = refused('module a\nmodule b\ndevice d\ndriver x in a binds d\nthread t { log "x" }\n');
    expect([e.line, e.column]).toEqual([2, 1]);
    expect(e.message).toMatch(/second module/);
  });

  it('refuses a syscall statement in kernel context (an open inside an ioctl)', () => {
    const e = refused('module m\ndevice d\ndriver x in m binds d\ndrm c on d\nthread t {\n  open f on c\n  ioctl f {\n    open g on c\n  }\n}\n');
    expect([e.line, e.column]).toEqual([8, 5]);
    expect(e.message).toMatch(/`open`.*not covered/);
  });

  it('refuses an unbind inside a handler', () => {
    const e = refused('module m\ndevice d\ndriver x in m binds d\nwork w in x {\n  unbind d\n}\nthread t { queue w }\n');
    expect([e.line, e.column]).toEqual([5, 3]);
  });
});

describe('traceModel', () => {
  it('turns the default run into the statement starts, blocking ones marked, and their ends', () => {
    const t = turnsOf(DEADLOCK);
    // the remove handler's unplug is a statement of hotplug's unbind: a turn of its own
    expect(t.turns.map((x) => `${x.thread}:${x.phase}@${x.line}`)).toEqual([
      'app:RUN@10', 'hotplug:BLOCK@20', 'app:RUN@11', 'app:RUN@12', 'app:RUN@13', 'app:BLOCK@14', 'hotplug:COMPLETE@20',
      'hotplug:RUN@21', 'hotplug:BLOCK@7',
    ]);
    expect(t.turns.filter((x) => x.phase === 'BLOCK').map((x) => x.line)).toContain(14);
    expect(t.notReplayable).toBeNull();
  });

  it('marks the step that oopses in the model, so the turn is handed on before it', () => {
    const t = turnsOf(readFileSync(join(SAMPLES, 'bug-vc4-devm.lifetime'), 'utf8'));
    expect(t.kernel.s.faults.map((f) => f.kind)).toEqual(['use-after-free']);
    expect(t.turns[t.turns.length - 1].phase).toBe('OOPS');
  });

  it('adds the timeouts and fence completions of the clock as event turns', () => {
    const t = turnsOf(DEADLOCK.replace('wait job', 'wait job timeout 100ms').replace('expect deadlock', 'expect clean'));
    expect(t.turns.map((x) => x.thread)).toContain('timeout:app');
    const c = turnsOf('module m\ndevice d\ndriver x in m binds d\nfence q on d\nthread t {\n  submit q\n  wait q\n}\n');
    expect(c.turns.map((x) => `${x.thread}:${x.phase}`)).toEqual(['t:RUN', 't:BLOCK', 'complete:q:FENCE', 't:COMPLETE']);
  });

  it('leaves out a sleep inside access (no turn there) but keeps one in a handler', () => {
    const t = turnsOf(readFileSync(join(SAMPLES, 'bug-chrdev-open-vs-teardown.lifetime'), 'utf8'));
    // the release handler's sleep (line 28) holds teardown in the callback while opener opens
    expect(t.turns.map((x) => `${x.thread}:${x.phase}@${x.line}`).slice(-4)).toEqual([
      'teardown:BLOCK@28', 'opener:COMPLETE@37', 'opener:OOPS@38', 'teardown:COMPLETE@28',
    ]);
    const a = turnsOf('module m\ndevice d\ndriver x in m binds d\nrevocable r on d\nthread w {\n  access r {\n    sleep 1ms\n  }\n}\n');
    expect(a.turns.map((x) => x.line)).toEqual([6]);
  });

  it('says a run is not replayable when a thread would wait for its turn inside access', () => {
    const t = turnsOf(NOT_REPLAYABLE);
    expect(t.notReplayable).toMatchObject({ thread: 'a', line: 7, column: 5 });
    expect(t.notReplayable!.why).toMatch(/inside an access block .*; b steps just before it/);
  });

  it('moves a step inside access back across other threads\' steps on other objects', () => {
    const t = turnsOf(readFileSync(join(SAMPLES, 'revocable-vs-drm-dev-enter.lifetime'), 'utf8'));
    expect(t.notReplayable).toBeNull();
    // rust_ioctl's access, submit and poll now come before c_ioctl's open (card0, not job_rust)
    expect(t.turns.slice(0, 5).map((x) => `${x.thread}@${x.line}`)).toEqual(['rust_ioctl@25', 'rust_ioctl@26', 'rust_ioctl@27', 'c_ioctl@34', 'hotplug@45']);
    expect(t.kernel.s.faults.map((f) => f.kind)).toEqual(['deadlock']);
  });

  it('replays an explore witness, events included', () => {
    const t = turnsOf(DEADLOCK.replace('expect deadlock', 'expect explore deadlock'), ['app', 'app', 'app', 'app', 'app', 'hotplug', 'hotplug', 'hotplug']);
    expect(t.turns[0].thread).toBe('app');
    expect(t.kernel.s.faults.map((f) => f.kind)).toEqual(['deadlock']);
  });
});
