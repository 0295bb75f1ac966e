// The timeline of version-2 scenarios (language.md §9): lanes for kernel timers, IRQs,
// krefs, spinlocks, completions, cdevs and sysfs attributes, lanes for the callback threads
// (`timer/<t>`, `irq/<i>` beside `kworker/<w>`), each object's state over the run, and each
// fault on the lane of the object it concerns. Every sample of samples/v2, bug and fixed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../grammar';
import { explore } from '../../debug-adapter/explorer/explore';
import type { Program } from '../../debug-adapter/runtime/program';
import { runDefault } from '../../debug-adapter/runtime/schedule';
import { recordRun, renderTimelineSvg, sampleObjects, TimelineRecorder, timelineLanes, toneOf, type Timeline } from '../../debug-adapter/timeline';
import { threadDetail } from '../../client/logic/stateTimeline';
import { REPO } from '../shared';
import { program } from './helpers';

const V2 = join(REPO, 'samples/v2');
const SAMPLES = readdirSync(V2).filter((f) => f.endsWith('.lifetime')).sort();
const load = (f: string): Program => program(readFileSync(join(V2, f), 'utf8'));

const lane = (tl: Pick<Timeline, 'lanes'>, kind: string, name: string) => tl.lanes.findIndex((l) => l.kind === kind && l.name === name);
/** The distinct "count state [holders | readers]" a lane goes through, in order. */
function history(tl: Timeline, kind: string, name: string, withPeople = false): string[] {
  const i = lane(tl, kind, name);
  expect(i, `${kind} ${name} has a lane`).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (const s of tl.samples) {
    const o = s.objects[i];
    let v = `${o.count ?? ''} ${o.state}`.trim();
    if (withPeople) v += ` [${o.holders.join(', ')} | ${o.readers.join(', ')}]`;
    if (out[out.length - 1] !== v) out.push(v);
  }
  return out;
}

/** The lanes a file's version-2 declarations must have: the object's, and its callback thread's. */
function expectedLanes(text: string): string[] {
  const out: string[] = [];
  const thread = { work: 'kworker', timer: 'timer', irq: 'irq' } as const;
  for (const d of compile(text).file.decls) {
    switch (d.kind) {
      case 'timer': case 'irq': case 'work':
        out.push(`${d.kind}:${d.name.name}`, `thread:${thread[d.kind]}/${d.name.name}`);
        break;
      case 'kref': case 'spinlock': case 'completion': case 'cdev': case 'attr':
        out.push(`${d.kind}:${d.name.name}`);
        break;
      default: break;
    }
  }
  return out;
}

/** Where each bug sample's faults are drawn (run mode; hci_qca's only schedule with a fault comes from explore). */
const FAULT_LANES: Record<string, [kind: string, thread: string, lane: string][]> = {
  'bug-dmabuf-release-after-rmmod.lifetime': [['code-after-unload', 'importer', 'module:exporter']],
  'bug-ene-ir-timer-after-remove.lifetime': [['use-after-free', 'timer/tx_sim', 'data:dev']],
  'bug-gpio-ir-recv-sleep-in-irq.lifetime': [['sleep-in-atomic', 'irq/ir_edge', 'mutex:gpio_bus_lock']],
  'bug-hci-qca-timers-vs-workqueue.lifetime': [['use-after-free', 'kworker/ws_tx_vote_off', 'data:qca']],
  'bug-misdn-netjet-flush-under-spinlock.lifetime': [['sleep-in-atomic', 'admin', 'work:dch_work']],
  'bug-sdca-devm-irq-after-teardown.lifetime': [['use-after-free', 'irq/jack', 'data:card_ctls'], ['deadlock', 'admin', 'irq:jack']],
  'bug-uio-file-outlives-unregister.lifetime': [['use-after-free', 'app', 'data:info']],
  'bug-usb-port-disable-attr-deadlock.lifetime': [['deadlock', 'admin', 'attr:port_disable']],
};

/** A bug sample's timeline: the default run, or the first witness explore finds when the run is clean. */
function bugTimeline(f: string): Timeline {
  const p = load(f);
  if (runDefault(p).s.faults.length) return recordRun(p, { file: f });
  const w = explore(p).faults[0];
  expect(w, `${f}: explore finds a fault`).toBeDefined();
  return recordRun(p, { file: f, schedule: w.schedule });
}

describe('version-2 samples: the lanes, and each fault on the lane of the object it concerns', () => {
  for (const f of SAMPLES) {
    it(f, () => {
      const text = readFileSync(join(V2, f), 'utf8');
      const p = load(f);
      const lanes = timelineLanes(p).map((l) => `${l.kind}:${l.name}`);
      // a lane for each timer, irq, kref, spinlock, completion, cdev, attr, work and callback thread
      const want = expectedLanes(text);
      expect(want.length).toBeGreaterThan(0);
      for (const l of want) expect(lanes, f).toContain(l);
      // threads last, callback threads after the declared ones (KernelState.threads' order)
      const firstThread = lanes.findIndex((l) => l.startsWith('thread:'));
      expect(lanes.slice(firstThread).every((l) => l.startsWith('thread:'))).toBe(true);
      expect(lanes.slice(firstThread, firstThread + p.threads.length)).toEqual(p.threads.map((t) => `thread:${t.name}`));
      if (f.startsWith('fixed-')) {
        const tl = recordRun(p);
        for (const s of tl.samples) expect(s.objects).toHaveLength(tl.lanes.length);
        expect(tl.faults).toEqual([]);
        return;
      }
      expect(Object.keys(FAULT_LANES), 'each bug sample has its fault lanes here').toContain(f);
      const tl = bugTimeline(f);
      for (const s of tl.samples) expect(s.objects).toHaveLength(tl.lanes.length);
      const got = tl.faults.map((x) => [x.kind, x.thread, `${tl.lanes[x.lane]?.kind}:${tl.lanes[x.lane]?.name}`]);
      expect(got).toEqual(FAULT_LANES[f]);
    });
  }
});

describe('version-2 objects over a run', () => {
  it('a timer: idle, armed with its fire time, its callback running on timer/<t>', () => {
    const tl = recordRun(load('bug-ene-ir-timer-after-remove.lifetime'));
    expect(history(tl, 'timer', 'tx_sim')).toEqual(['idle', 'armed, fires at 5ms', 'running']);
    expect(history(tl, 'thread', 'timer/tx_sim')).toEqual(['idle', 'running', 'oops']);
    expect(tl.lanes[lane(tl, 'thread', 'timer/tx_sim')].detail).toBe('callback of timer tx_sim, atomic');
    // the cdev: registered, a file open on it, deleted by remove
    expect(history(tl, 'cdev', 'lirc0', true)).toEqual(['registered [ | ]', 'registered [app: file f | ]', 'registered [ | ]', 'deleted [ | ]']);
    expect(history(tl, 'data', 'dev')).toEqual(['live', 'freed']);
    expect(tl.lanes[lane(tl, 'data', 'dev')].detail).toBe('kzalloc, freed by free');
  });

  it('a timer shut down: `disable` leaves it shut down', () => {
    const tl = recordRun(load('fixed-ene-ir-timer-shutdown.lifetime'));
    const h = history(tl, 'timer', 'tx_sim');
    expect(h[0]).toBe('idle');
    expect(h[h.length - 1]).toBe('shut down');
    expect(toneOf('timer', 'shut down')).toBe('dead');
  });

  it('a self-re-arming timer: each fire time, then cancelled', () => {
    const tl = recordRun(load('bug-hci-qca-timers-vs-workqueue.lifetime'));
    expect(history(tl, 'timer', 'wake_retrans')).toEqual([
      'idle', 'armed, fires at 1ms', 'running', 'armed, fires at 2ms', 'running', 'armed, fires at 3ms', 'running', 'armed, fires at 4ms', 'idle',
    ]);
    expect(history(tl, 'completion', 'acked', true)).toEqual(['not done [ | ]', 'not done [ | admin: waits]', 'done [ | admin: waits]', 'done [ | ]']);
  });

  it('an IRQ: requested, raised, handler running on irq/<i>, freed while it runs, and who waits in free_irq', () => {
    const tl = recordRun(load('bug-sdca-devm-irq-after-teardown.lifetime'));
    expect(history(tl, 'irq', 'jack', true)).toEqual([
      'requested [ | ]', 'raised [ | ]', 'handler running [ | ]', 'handler running (freed) [ | admin: free_irq]',
    ]);
    expect(tl.lanes[lane(tl, 'irq', 'jack')].detail).toBe('irq on codec0, threaded, devm');
    expect(history(tl, 'thread', 'irq/jack')).toEqual(['idle', 'running', 'oops']);
    const fixed = recordRun(load('fixed-sdca-irq-freed-in-remove.lifetime'));
    const h = history(fixed, 'irq', 'jack');
    expect(h[h.length - 1]).toBe('freed');
  });

  it('a hard IRQ raised twice runs its handler twice on irq/<i>', () => {
    const tl = recordRun(load('bug-gpio-ir-recv-sleep-in-irq.lifetime'));
    expect(history(tl, 'irq', 'ir_edge')).toEqual(['requested', 'raised', 'handler running', 'requested', 'raised', 'handler running', 'requested']);
    expect(tl.lanes[lane(tl, 'thread', 'irq/ir_edge')].detail).toBe('handler of irq ir_edge, hard IRQ, atomic');
  });

  it('a kref: its count and its holders, the initial reference and a thread\'s get', () => {
    const tl = recordRun(load('bug-dmabuf-release-after-rmmod.lifetime'));
    expect(history(tl, 'kref', 'buf', true)).toEqual([
      '1 live [initial (devm) | ]', '2 live [initial (devm), importer: kref_get | ]', '1 live [importer: kref_get | ]', '0 releasing [ | ]',
    ]);
    expect(history(tl, 'thread', 'importer', true)).toContain('running [buf (get) | ]');
  });

  it('a spinlock: its holder, and the holder\'s lane says it holds it', () => {
    const tl = recordRun(load('bug-misdn-netjet-flush-under-spinlock.lifetime'));
    expect(history(tl, 'spinlock', 'card_lock', true)).toEqual(['free [ | ]', 'held [admin | ]', 'free [ | ]']);
    expect(history(tl, 'thread', 'admin', true)).toContain('running [card_lock (spinlock) | ]');
  });

  it('an attribute: a thread inside show, then the unbind draining it', () => {
    const tl = recordRun(load('bug-usb-port-disable-attr-deadlock.lifetime'));
    expect(history(tl, 'attr', 'port_disable', true)).toEqual([
      'present [ | ]', 'present [ | reader: show]', 'draining [ | reader: show, admin: drains (unbind)]',
    ]);
    expect(history(tl, 'thread', 'reader', true)).toContain('running [ | in show port_disable]');
    const fixed = recordRun(load('fixed-usb-port-disable-break-protection.lifetime'));
    const h = history(fixed, 'attr', 'port_disable');
    expect(h[h.length - 1]).toBe('removed');
  });

  it('a cdev: files open on it outlive cdev_del, and pin its driver\'s module', () => {
    const tl = recordRun(load('bug-uio-file-outlives-unregister.lifetime'));
    expect(history(tl, 'cdev', 'uio0', true)).toEqual(['registered [ | ]', 'registered [app: file f | ]', 'deleted [app: file f | ]']);
    expect(history(tl, 'module', 'target_core_user', true)).toContain('1 live [app: file f (fops owner) | ]');
    expect(history(tl, 'thread', 'app', true)).toContain('running [file f on uio0 | ]');
  });
});

const SPIN = `module m
device d
driver drv in m binds d
spinlock s
timer t in drv { lock s
  unlock s }
thread a { lock s
  arm t
  sleep 1ms
  unlock s }
thread b { sleep 500us
  lock s
  unlock s }
thread c { sleep 600us
  cancel t }
`;

describe('version-2 waits on the timeline', () => {
  it('a thread that spins for a spinlock or in a sync timer cancel is spinning, not blocked', () => {
    const tl = recordRun(program(SPIN));
    expect(history(tl, 'thread', 'b', true)).toContain('spinning [ | spins for spinlock s]');
    expect(history(tl, 'spinlock', 's', true)).toContain('held [a | b: spins, timer/t: spins]');
    expect(history(tl, 'thread', 'timer/t', true)).toContain('spinning [ | spins for spinlock s]');
    expect(history(tl, 'thread', 'c')).toContain('spinning');
    expect(history(tl, 'timer', 't', true)).toContain('running [ | c: cancel]');
  });

  it('a work item queued again while it runs (version 2\'s re-queue), then disabled', () => {
    const tl = recordRun(program(`module m
device d
driver drv in m binds d
work w in drv { sleep 1ms }
thread a { queue w
  sleep 500us
  queue w
  sleep 2ms
  disable w }
`));
    expect(history(tl, 'work', 'w')).toEqual(['idle', 'pending', 'running', 'running, pending again', 'pending', 'running', 'idle', 'disabled']);
  });

  it('a replayed witness (explore semantics) shows an armed timer without a fire time', () => {
    const p = load('bug-ene-ir-timer-after-remove.lifetime');
    const w = explore(p).faults.find((x) => x.kind === 'use-after-free')!;
    const tl = recordRun(p, { schedule: w.schedule });
    expect(history(tl, 'timer', 'tx_sim')).toContain('armed, fires');
    expect(history(tl, 'timer', 'tx_sim').some((v) => /fires at/.test(v))).toBe(false);
  });
});

describe('faults that name no object: the statement table\'s lane of their statement', () => {
  // A fault from a stop's state may come without objects: the recorder, which knows the
  // program, draws it where grammar/statements.ts says its statement belongs.
  const p = load('bug-uio-file-outlives-unregister.lifetime');
  const text = readFileSync(join(V2, 'bug-uio-file-outlives-unregister.lifetime'), 'utf8');
  const at = (needle: string) => {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes(needle));
    return { line: i + 1, column: lines[i].indexOf(needle) + 1 };
  };
  const drawn = (where: { line: number; column: number }, thread: string) => {
    const rec = new TimelineRecorder(p);
    const k = runDefault(p);
    rec.addState({
      step: 1, time_ns: 0, objects: sampleObjects(p, k.s), ended: false,
      faults: [{ kind: 'use-after-free', thread, message: 'm', time_ns: 0, ...where }],
    });
    const tl = rec.timeline();
    return `${tl.lanes[tl.faults[0].lane]?.kind}:${tl.lanes[tl.faults[0].lane]?.name}`;
  };

  it('`unregister c` on the cdev (target), `ioctl f` on the cdev its file was opened on (file), `sleep` on its thread', () => {
    expect(drawn(at('unregister uio0'), 'admin')).toBe('cdev:uio0');
    expect(drawn(at('ioctl f'), 'app')).toBe('cdev:uio0');
    expect(drawn(at('sleep'), 'late')).toBe('thread:late');
  });
});

describe('the SVG of a version-2 run', () => {
  it('draws the new lanes with their own tones, the callback threads among the threads', () => {
    const svg = renderTimelineSvg(recordRun(load('bug-sdca-devm-irq-after-teardown.lifetime')));
    expect(svg).toMatch(/<text class="lane-name" x="12" y="\d+">jack<\/text>/);
    expect(svg).toMatch(/<text class="lane-name" x="12" y="\d+">irq\/jack<\/text>/);
    expect(svg).toMatch(/class="seg tone-live" data-lane="jack" data-state="requested"/);
    expect(svg).toMatch(/class="seg tone-busy" data-lane="jack" data-state="handler running \(freed\)"/);
    expect(svg.indexOf('>THREADS<')).toBeLessThan(svg.indexOf('>irq/jack<'));
  });
});

describe('the Lifetimes view without a timeline in the events (states at the stops)', () => {
  it('says what a callback thread runs: kworker, timer callback, irq handler', () => {
    expect(['app', 'kworker/w', 'timer/t', 'irq/i'].map(threadDetail)).toEqual(['thread', 'kworker', 'timer callback', 'irq handler']);
  });
});
