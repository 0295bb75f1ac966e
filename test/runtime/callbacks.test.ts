// Version 2 callbacks (language.md §9): kernel timers on timer/<t>, IRQ handlers on
// irq/<i>, and the version-2 rows of the work statements. One test per effect and fault.
import { describe, expect, it } from 'vitest';
import { BASE, eventsOf, exploreSrc, faultOf, kinds, lineOf, run } from './helpers';

describe('kernel timers', () => {
  it('arm fires the callback on timer/<t> at now + D, after the declared threads', () => {
    const src = BASE + `
timer t in drv { log "tick" }
thread a { arm t after 2ms  sleep 3ms }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const tick = eventsOf(r, 'log');
    expect(tick).toHaveLength(1);
    expect(tick[0].thread).toBe('timer/t');
    expect(tick[0].time_ns).toBe(2_000_000);
  });

  it('arm of a pending timer re-times it (mod_timer); the callback runs once', () => {
    const src = BASE + `
timer t in drv { log "tick" }
thread a { arm t after 1ms  arm t after 5ms  sleep 6ms }`;
    const r = run(src);
    const tick = eventsOf(r, 'log');
    expect(tick).toHaveLength(1);
    expect(tick[0].time_ns).toBe(5_000_000);
  });

  it('a sleeping statement in a timer callback is sleep-in-atomic; the same in a work is not', () => {
    const src = BASE + `
mutex mx
timer t in drv { lock mx  unlock mx }
work w in drv { lock mx  unlock mx }
thread a { arm t  queue w }`;
    const r = run(src);
    expect(kinds(r)).toEqual(['sleep-in-atomic']);
    const f = faultOf(r, 'sleep-in-atomic');
    expect(f.thread).toBe('timer/t');
    expect(f.line).toBe(lineOf(src, 'lock mx').line);
  });

  it('a periodic timer re-arms itself from its callback; cancel nosync from it stops it', () => {
    const src = BASE + `
timer t in drv { log "tick"  arm t after 1ms }
thread a { arm t  sleep 2500us  cancel t nosync  sleep 5ms }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log').map((e) => e.time_ns)).toEqual([0, 1_000_000, 2_000_000]);
  });

  it('cancel waits for a running callback (spinning, not sleeping) and leaves it idle', () => {
    const src = BASE + `
revocable bar on d
timer t in drv { repeat 3 { log "tick" }  arm t after 1ms }
thread a { arm t }
thread b { log "x"  log "y"  access bar { cancel t } }`;
    // cancel from inside an RCU section: fine, it spins; the callback's re-arm meanwhile is cancelled too
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'kworker', 'timer/t')).toHaveLength(1);
    expect(eventsOf(r, 'cancel', 'b').map((e) => e.text)).toContain('done waiting');
  });

  it("cancel from the timer's own callback is a deadlock there", () => {
    const src = BASE + `
timer t in drv { cancel t }
thread a { arm t }`;
    const r = run(src);
    expect(kinds(r)).toEqual(['deadlock']);
    expect(faultOf(r, 'deadlock').thread).toBe('timer/t');
  });

  it('disable shuts the timer down: a later arm does nothing', () => {
    const src = BASE + `
timer t in drv { log "tick" }
thread a { disable t  arm t  sleep 1ms }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log')).toHaveLength(0);
    expect(eventsOf(r, 'queue').at(-1)?.text).toMatch(/disabled/);
  });

  it('a timer that fires after rmmod is code-after-unload at its declaration', () => {
    const src = BASE + `
timer t in drv { log "tick" }
thread a { arm t after 1ms  rmmod m }`;
    const r = run(src);
    expect(kinds(r)).toEqual(['code-after-unload']);
    const f = faultOf(r, 'code-after-unload');
    expect(f.thread).toBe('timer/t');
    expect(f.line).toBe(lineOf(src, 'timer t').line);
  });

  it('explore: a pending timer may fire at any later point', () => {
    const src = BASE + `
data st devm on d
timer t in drv { use st }
thread a { arm t after 5ms  unbind d }`;
    // run mode: the unbind comes first, then the timer fires on freed data
    expect(kinds(run(src))).toEqual(['use-after-free']);
    const e = exploreSrc(src);
    expect(e.faults.map((f) => `${f.kind} ${f.thread}`)).toEqual(['use-after-free timer/t']);
    const fixed = src.replace('unbind d', 'disable t  unbind d');
    expect(exploreSrc(fixed).faults).toEqual([]);
  });
});

describe('IRQs', () => {
  it('raise runs the handler on irq/<i> at the time of the raise', () => {
    const src = BASE + `
irq i on d { log "irq" }
thread hw { sleep 1ms  raise i }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const h = eventsOf(r, 'log');
    expect(h.map((e) => [e.thread, e.time_ns])).toEqual([['irq/i', 1_000_000]]);
  });

  it('a raise while the handler is pending does nothing; while it runs, it runs once more', () => {
    const src = BASE + `
irq i on d threaded { log "irq"  sleep 1ms }
thread hw { raise i  raise i  sleep 500us  raise i  raise i  sleep 5ms }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log')).toHaveLength(2);
    const raises = eventsOf(r, 'raise').map((e) => e.text);
    expect(raises.filter((t) => /already pending/.test(t))).toHaveLength(2);
  });

  it('a non-threaded handler is atomic: sleeping there is sleep-in-atomic; threaded is not', () => {
    const src = BASE + `
mutex mx
irq hard on d { lock mx  unlock mx }
irq soft on d threaded { lock mx  unlock mx }
thread hw { raise hard  raise soft }`;
    const r = run(src);
    expect(kinds(r)).toEqual(['sleep-in-atomic']);
    expect(faultOf(r, 'sleep-in-atomic').thread).toBe('irq/hard');
  });

  it('a raise of a device that is gone does nothing', () => {
    const src = BASE + `
irq i on d { log "irq" }
thread hw { hotunplug d  raise i }`;
    const r = run(src);
    expect(eventsOf(r, 'log')).toHaveLength(0);
    expect(eventsOf(r, 'raise')[0].text).toMatch(/device is gone/);
  });

  it('free_irq waits for a pending handler, which still runs; later raises and a second free are events', () => {
    const src = BASE + `
irq i on d { log "irq" }
thread hw { raise i  free_irq i  raise i  free_irq i }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log')).toHaveLength(1);
    expect(eventsOf(r, 'raise')[1].text).toMatch(/freed/);
    expect(eventsOf(r, 'free_irq').at(-1)?.text).toMatch(/already-free/);
  });

  it('free_irq from its own handler is a deadlock there', () => {
    const src = BASE + `
irq i on d threaded { free_irq i }
thread hw { raise i }`;
    const r = run(src);
    expect(kinds(r)).toEqual(['deadlock']);
    expect(faultOf(r, 'deadlock').thread).toBe('irq/i');
  });

  it('the devres release frees a devm IRQ first, waiting for its running handler', () => {
    const src = BASE + `
data st devm on d
irq i on d threaded devm { sleep 1ms  use st }
thread hw { raise i  sleep 2ms  raise i }
thread admin { sleep 500us  unbind d }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const dv = eventsOf(r, 'devres').map((e) => e.text);
    expect(dv[0]).toMatch(/free_irq\(i\)/);
    expect(eventsOf(r, 'raise').at(-1)?.text).toMatch(/freed/);
  });

  it('a non-devm IRQ not freed stays requested after unbind: its handler runs on freed data', () => {
    const src = BASE + `
data st devm on d
irq i on d { use st }
thread hw { sleep 1ms  raise i }
thread admin { unbind d }`;
    const r = run(src);
    expect(kinds(r)).toEqual(['use-after-free']);
    expect(faultOf(r, 'use-after-free').thread).toBe('irq/i');
  });
});

describe('work items, version 2', () => {
  it('a work re-queues itself; flush waits only for the runs as they stood', () => {
    const src = BASE + `
data st devm on d
work w in drv { use st  queue w after 1ms }
on remove drv { flush w }
thread probe { queue w }
thread admin { sleep 2500us  unbind d }`;
    const r = run(src);
    expect(kinds(r)).toEqual(['use-after-free']);
    expect(faultOf(r, 'use-after-free').thread).toBe('kworker/w');
    // with disable_work_sync in remove, it is stopped for good
    expect(run(src.replace('flush w', 'disable w')).faults).toEqual([]);
    expect(exploreSrc(src.replace('flush w', 'disable w')).faults).toEqual([]);
  });

  it('cancel w nosync takes a pending work off the queue without waiting', () => {
    const src = BASE + `
work w in drv { log "w" }
thread a { queue w after 1ms  cancel w nosync  sleep 2ms }`;
    const r = run(src);
    expect(eventsOf(r, 'log')).toHaveLength(0);
  });

  it('disable w sleeps: inside access it is sleep-in-atomic', () => {
    const src = BASE + `
revocable bar on d
work w in drv { log "w" }
thread a { access bar { disable w } }`;
    expect(kinds(run(src))).toEqual(['sleep-in-atomic']);
  });

  it('no queue has effect while a cancel waits: cancel returns with the work idle', () => {
    const src = BASE + `
work w in drv { sleep 1ms  queue w }
thread a { queue w  sleep 500us  cancel w  sleep 5ms }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'kworker')).toHaveLength(1);
  });
});
