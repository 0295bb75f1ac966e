// Coverage (tools.md §1 `unreached`): after a complete search, the statements no schedule
// started and the `else` blocks never entered, each maximal run as one entry; absent after
// an incomplete search; the same with reductions on and off (equivalence.test.ts compares
// it on every conformance file, sample and random scenario).

import { describe, expect, it } from 'vitest';
import { explore, exploreJson } from '../../debug-adapter/explorer/explore';
import { program } from './helpers';

const PRELUDE = `
module m
device d
driver drv in m binds d
drm card on d
revocable bar on d
fence job on d
`;

function unreached(text: string) {
  const p = program(PRELUDE + text);
  const r = explore(p);
  // the plain search says the same
  expect(explore(p, { reduction: false }).unreached).toEqual(r.unreached);
  return r.unreached;
}

/** 1-based line of the n-th (from 1) line of `text` containing `s`, counted in PRELUDE + text. */
function lineOf(text: string, s: string): number {
  const lines = (PRELUDE + text).split('\n');
  const k = lines.findIndex((l) => l.includes(s));
  if (k < 0) throw new Error(`no line with ${s}`);
  return k + 1;
}

describe('unreached statements', () => {
  it('a clean, fully covered file: an empty list', () => {
    const text = `
thread app {
  open f on card
  ioctl f {
    enter card {
      access bar { write bar }
      submit job
      wait job timeout 1ms
    } else {
      log "unplugged"
    }
  }
  close f
}
thread admin { hotunplug d }
expect explore clean
`;
    const r = unreached(text);
    expect(r).toEqual([]);
  });

  it('an else that no schedule enters (nothing ever unplugs card): one entry from the else keyword', () => {
    const text = `
thread app {
  open f on card
  ioctl f {
    enter card {
      log "inside"
    } else {
      log "unplugged"
      log "still unplugged"
    }
  }
  close f
}
`;
    const r = unreached(text);
    const line = lineOf(text, '} else {');
    expect(r).toEqual([{ line, column: 7, endLine: line + 3, endColumn: 6, what: 'else' }]);
  });

  it('the dead else of a fixed twin: revoke waits for the enter section, so access never fails inside it', () => {
    const text = `
on remove drv { unplug card }
thread app {
  open f on card
  ioctl f {
    enter card {
      access bar { write bar } else { log "bar revoked" }
    } else {
      log "unplugged"
    }
  }
  close f
}
thread admin { unbind d }
`;
    const r = unreached(text);
    const line = lineOf(text, 'access bar');
    expect(r).toEqual([{ line, column: 32, endLine: line, endColumn: 58, what: 'else' }]);
  });

  it('a thread stuck forever on a wait: the statements after it, named after the wait', () => {
    const text = `
thread app {
  log "start"
  wait job
  log "after"
  log "after that"
}
expect explore deadlock in app
`;
    const p = program(PRELUDE + text);
    const r = explore(p);
    expect(r.faults.map((f) => f.kind)).toEqual(['deadlock']);
    const w = lineOf(text, 'wait job');
    expect(r.unreached).toEqual([
      { line: w + 1, column: 3, endLine: w + 2, endColumn: 19, what: 'log', blockedAt: { line: w, column: 3, what: 'wait' } },
    ]);
    // the list never changes the verdict
    expect(exploreJson('a.lifetime', p, r).met).toBe(true);
  });

  it('stuck inside a block: the run after the block is named after the wait inside it', () => {
    const text = `
thread app {
  open f on card
  ioctl f {
    enter card {
      wait job
      log "inside"
    }
  }
  close f
}
`;
    const r = unreached(text)!;
    const w = lineOf(text, 'wait job');
    expect(r.map((u) => [u.line, u.what, u.blockedAt?.line])).toEqual([
      [w + 1, 'log', w],
      [lineOf(text, 'close f'), 'close', w],
    ]);
  });

  it('named after the wait even when other schedules oops before they reach it', () => {
    const text = `
data st devm on d
thread app {
  use st
  wait job
  log "after"
}
thread admin { unbind d }
`;
    const r = unreached(text)!;
    expect(r).toEqual([
      { line: lineOf(text, 'log "after"'), column: 3, endLine: lineOf(text, 'log "after"'), endColumn: 14, what: 'log', blockedAt: { line: lineOf(text, 'wait job'), column: 3, what: 'wait' } },
    ]);
  });

  it('not named after a wait when some schedules oops inside the statement before the run instead', () => {
    const text = `
data st devm on d
thread app {
  repeat 1 {
    use st
    wait job
  }
  log "after"
}
thread admin { unbind d }
`;
    const r = unreached(text)!;
    expect(r).toEqual([{ line: lineOf(text, 'log "after"'), column: 3, endLine: lineOf(text, 'log "after"'), endColumn: 14, what: 'log' }]);
  });

  it('a handler that never runs: its body is one entry', () => {
    const text = `
on remove drv {
  log "removing"
  unplug card
}
thread app { log "hello" }
`;
    const r = unreached(text);
    const l = lineOf(text, 'log "removing"');
    expect(r).toEqual([{ line: l, column: 3, endLine: l + 1, endColumn: 14, what: 'log' }]);
  });

  it('work that is never queued (a typo queues the other one)', () => {
    const text = `
work reset in drv { log "reset" }
work retire in drv { log "retire" }
thread app { queue reset  flush reset }
`;
    const r = unreached(text)!;
    expect(r.map((u) => [u.line, u.what])).toEqual([[lineOf(text, 'work retire'), 'log']]);
  });

  it('uses of a file whose open failed are skipped (EBADF): not reached', () => {
    const text = `
thread app {
  unplug card
  open f on card
  ioctl f { log "x" }
  close f
}
`;
    const r = unreached(text);
    const l = lineOf(text, 'ioctl f');
    expect(r).toEqual([{ line: l, column: 3, endLine: l + 1, endColumn: 10, what: 'ioctl' }]);
  });

  it('an ioctl refused with ENODEV was reached, its body was not', () => {
    const text = `
thread app {
  open f on card
  unplug card
  ioctl f {
    log "in the driver"
  }
  close f
}
`;
    const r = unreached(text);
    const l = lineOf(text, 'in the driver');
    expect(r).toEqual([{ line: l, column: 5, endLine: l, endColumn: 24, what: 'log' }]);
  });

  it('a statement that faults because its module is gone was reached', () => {
    const text = `
thread app {
  open f on card
  ioctl f {
    rmmod m force
    log "after"
  }
}
`;
    const p = program(PRELUDE + text);
    const r = explore(p);
    expect(r.faults.map((f) => [f.kind, f.line])).toContainEqual(['code-after-unload', lineOf(text, 'log "after"')]);
    expect(r.unreached).toEqual([]);
  });

  it('identical threads (symmetry): each copy of a dead else is reported', () => {
    const text = `
fence job2 on d
thread u1 { enter card { submit job } else { log "gone" } }
thread u2 { enter card { submit job2 } else { log "gone" } }
`;
    const r = unreached(text)!;
    expect(r.map((u) => [u.line, u.what])).toEqual([
      [lineOf(text, 'thread u1'), 'else'],
      [lineOf(text, 'thread u2'), 'else'],
    ]);
  });

  it('after an incomplete search the list is absent, not empty', () => {
    const p = program(PRELUDE + 'thread a { log "a" log "b" }\nthread b { log "c" log "d" }\n');
    const r = explore(p, { maxStates: 2 });
    expect(r.complete).toBe(false);
    expect(r.unreached).toBeUndefined();
    expect('unreached' in exploreJson('a.lifetime', p, r)).toBe(false);
    expect(exploreJson('a.lifetime', p, explore(p)).unreached).toEqual([]);
  });
});
