// Formatting and rename of version 2's forms (language.md §9), over the protocol against the
// real server: timer, irq, kref, spinlock, completion, cdev and attr declarations, their
// statements, and callback thread names (`expect … in timer/t`, `irq/i`, `kworker/w`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { LspClient, applyEdits, ensureServerBuilt, positionAt } from './helpers';

const c = new LspClient();
let n = 0;
async function openDoc(text: string): Promise<string> {
  const uri = `file:///v2-editor-${++n}.lifetime`;
  await c.open(uri, text);
  return uri;
}

beforeAll(async () => {
  ensureServerBuilt();
  await c.initialize();
});
afterAll(async () => {
  expect(await c.shutdown()).toBe(0);
});

describe('formatting version 2', () => {
  const MESSY = `scenario "v2 forms" module m   device d
driver drv in m binds d
data priv   data st devm on d
timer t in drv { use priv   arm t after 1ms }
irq i on d threaded devm { use priv
      complete c }
irq hard on d {}
kref o in drv devm    kref plain in drv
spinlock s completion c
cdev node on d attr a on d {    use st }
work w in drv { log "w" }
on remove drv { disable t cancel t nosync
  disable w  cancel w nosync free_irq i
  unregister node free priv }
on release o { log "released" }
thread app "all of it" { open f on node ioctl f { arm t after 2ms raise i }
  close f lock s unlock s get o put o use o
  wait c timeout 1ms show a cancel t raise hard }
expect run use-after-free in timer / t
expect explore deadlock in irq/ i
expect explore sleep-in-atomic in kworker /w
`;
  const CANONICAL = `scenario "v2 forms"
module m
device d
driver drv in m binds d
data priv
data st devm on d
timer t in drv {
  use priv
  arm t after 1ms
}
irq i on d threaded devm {
  use priv
  complete c
}
irq hard on d {}
kref o in drv devm
kref plain in drv
spinlock s
completion c
cdev node on d
attr a on d {
  use st
}
work w in drv {
  log "w"
}
on remove drv {
  disable t
  cancel t nosync
  disable w
  cancel w nosync
  free_irq i
  unregister node
  free priv
}
on release o {
  log "released"
}
thread app "all of it" {
  open f on node
  ioctl f {
    arm t after 2ms
    raise i
  }
  close f
  lock s
  unlock s
  get o
  put o
  use o
  wait c timeout 1ms
  show a
  cancel t
  raise hard
}
expect run use-after-free in timer/t
expect explore deadlock in irq/i
expect explore sleep-in-atomic in kworker/w
`;
  const format = async (text: string) => {
    const uri = await openDoc(text);
    return c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  };

  it('lays out every version-2 declaration and statement canonically, callback thread names without spaces', async () => {
    const edits = await format(MESSY);
    expect(applyEdits(MESSY, edits)).toBe(CANONICAL);
  });

  it('is idempotent: the canonical text needs no edit', async () => {
    expect(await format(CANONICAL)).toEqual([]);
  });
});

describe('rename of version-2 names', () => {
  interface Names { timer: string; irq: string; kref: string; spinlock: string; completion: string; cdev: string; attr: string }
  const N: Names = { timer: 'watchdog', irq: 'gpu_irq', kref: 'buf', spinlock: 'lk', completion: 'ready', cdev: 'node0', attr: 'stats' };
  // The names also appear in comments and strings, which rename must leave alone.
  const TEXT = (x: Names) => `scenario "watchdog, gpu_irq, buf, lk, ready, node0, stats"
module m
device d
driver drv in m binds d
data priv
// watchdog re-arms itself; gpu_irq is threaded; buf is a kref
timer ${x.timer} in drv {
  use priv
  arm ${x.timer} after 1ms
}
irq ${x.irq} on d threaded {
  lock ${x.spinlock}
  unlock ${x.spinlock}
  complete ${x.completion}
}
kref ${x.kref} in drv devm
spinlock ${x.spinlock} /* lk guards priv */
completion ${x.completion}
cdev ${x.cdev} on d
attr ${x.attr} on d {
  log "stats show"
}
on remove drv {
  disable ${x.timer}
  cancel ${x.timer} nosync
  free_irq ${x.irq}
  unregister ${x.cdev}
}
on release ${x.kref} {
  log "buf released"
}
thread app {
  open f on ${x.cdev}
  ioctl f {
    arm ${x.timer} after 2ms
  }
  close f
  get ${x.kref}
  use ${x.kref}
  put ${x.kref}
  wait ${x.completion} timeout 1ms
  show ${x.attr}
  cancel ${x.timer}
}
thread hw "raises gpu_irq" {
  raise ${x.irq}
}
expect run use-after-free in timer/${x.timer}
expect explore deadlock in irq/${x.irq}
`;
  const text = TEXT(N);
  let uri: string;
  beforeAll(async () => {
    uri = await openDoc(text);
  });

  /** The position of the nth occurrence of `needle`, plus `delta` characters. */
  const at = (needle: string, nth = 0, delta = 0) => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
    expect(i, needle).toBeGreaterThanOrEqual(0);
    return positionAt(text, i + delta);
  };
  const rename = async (position: { line: number; character: number }, newName: string) => {
    const edit = await c.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position, newName });
    return applyEdits(text, edit.changes![uri]!);
  };

  const cases: [kind: keyof Names, where: string, delta: number, newName: string][] = [
    ['timer', `arm ${N.timer}`, 4, 'heartbeat'],
    ['irq', `raise ${N.irq}`, 6, 'hpd_irq'],
    ['kref', `put ${N.kref}`, 4, 'dmabuf'],
    ['spinlock', `lock ${N.spinlock}`, 5, 'hw_lock'],
    ['completion', `wait ${N.completion}`, 5, 'acked'],
    ['cdev', `unregister ${N.cdev}`, 11, 'lirc0'],
    ['attr', `show ${N.attr}`, 5, 'port_disable'],
  ];
  for (const [kind, where, delta, newName] of cases) {
    it(`renames a ${kind} everywhere it is used, and nothing in comments or strings`, async () => {
      expect(await rename(at(where, 0, delta), newName)).toBe(TEXT({ ...N, [kind]: newName }));
    });
  }

  it('renames a timer and an irq from their callback thread names in `expect … in timer/t` / `irq/i`', async () => {
    const prep = await c.request<{ placeholder: string }>('textDocument/prepareRename', { textDocument: { uri }, position: at(`timer/${N.timer}`, 0, 6) });
    expect(prep.placeholder).toBe(N.timer);
    expect(await rename(at(`timer/${N.timer}`, 0, 6), 'heartbeat')).toBe(TEXT({ ...N, timer: 'heartbeat' }));
    expect(await rename(at(`irq/${N.irq}`, 0, 4), 'hpd_irq')).toBe(TEXT({ ...N, irq: 'hpd_irq' }));
  });

  it('refuses to rename the prefix of a callback thread name (a keyword)', async () => {
    await expect(c.request('textDocument/prepareRename', { textDocument: { uri }, position: at('timer/') })).rejects.toThrow(/keyword/);
  });

  it('renames a work item in `expect … in kworker/w`', async () => {
    const W = (w: string) => `module m\ndevice d\ndriver drv in m binds d\nwork ${w} in drv {\n  log "retire"\n}\nthread t {\n  queue ${w}\n  flush ${w}\n}\nexpect clean\nexpect explore deadlock in kworker/${w}\n`;
    const u = await openDoc(W('retire'));
    const t = W('retire');
    const pos = positionAt(t, t.indexOf('kworker/retire') + 8);
    const edit = await c.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: u }, position: pos, newName: 'reaper' });
    expect(applyEdits(t, edit.changes![u]!)).toBe(W('reaper'));
  });
});
