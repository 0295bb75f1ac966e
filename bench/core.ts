// Core figures (issue: the core): parse + check of a 10,000-line file, and run throughput.
import { performance } from 'node:perf_hooks';
import { compile } from '../grammar';
import { lower } from '../debug-adapter/runtime/program';
import { runDefault } from '../debug-adapter/runtime/schedule';
import { type BenchRow, mb, median } from './table';

/** A realistic scenario of about `lines` lines: many user threads, handlers, works. */
export function generateScenario(lines: number): string {
  const out = [
    'scenario "generated load"',
    'module nova',
    'device gpu0',
    'driver nova_drm in nova binds gpu0 {',
    '  fops_owner: yes',
    '}',
    'drm card0 on gpu0',
    'revocable bar0 on gpu0',
    'timer ptimer on bar0',
    'fence job on gpu0 takes 2ms',
    'data state drmm on card0',
    'mutex dev_lock',
    'work retire in nova_drm {',
    '  log "retire"',
    '}',
    'on remove nova_drm {',
    '  cancel retire',
    '  unplug card0',
    '}',
  ];
  let n = 0;
  while (out.length < lines - 20) {
    out.push(
      `thread user${n} "client ${n}" {`,
      '  open f on card0',
      '  ioctl f {',
      '    enter card0 {',
      '      submit job',
      '      wait job timeout 10ms',
      '      access bar0 {',
      '        read ptimer',
      '      } else {',
      '        log "revoked"',
      '      }',
      '      use state',
      '    }',
      '  }',
      '  lock dev_lock',
      '  unlock dev_lock',
      '  close f',
      '}',
    );
    n++;
  }
  out.push('thread hotplug {', '  sleep 1ms', '  hotunplug gpu0', '}', 'expect run clean');
  return out.join('\n') + '\n';
}

export function benchCore(): BenchRow[] {
  const rows: BenchRow[] = [];
  const text = generateScenario(10_000);
  const lineCount = text.split('\n').length - 1;
  for (let i = 0; i < 5; i++) compile(text); // warm up the parser and the JIT
  const times: number[] = [];
  let errors = 0;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const a = compile(text);
    times.push(performance.now() - t0);
    errors = a.diagnostics.length;
  }
  if (errors) throw new Error(`generated scenario has ${errors} static errors`);
  const parseMs = median(times);
  rows.push({ name: `parse + check, ${lineCount}-line file (median of 20)`, value: `${parseMs.toFixed(1)} ms`, target: '≤ 50 ms', ok: parseMs <= 50 });

  // Throughput: one thread, a repeat of 1,000,000 iterations of two statements.
  const src = [
    'module m', 'device d', 'driver drv in m binds d', 'drm card0 on d',
    'thread t {', '  repeat 1_000_000 {', '    get card0', '    put card0', '  }', '}',
  ].join('\n');
  const p = lower(compile(src).file);
  runDefault(p, { maxEvents: 10_000 }); // warm-up
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const t0 = performance.now();
  const k = runDefault(p, { maxEvents: 10_000 });
  const secs = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const rate = k.s.steps / secs;
  rows.push({
    name: `run throughput, repeat scenario (${k.s.steps.toLocaleString('en')} statements)`,
    value: `${(rate / 1e6).toFixed(2)} M statements/s (${secs.toFixed(2)} s)`,
    target: '≥ 1 M statements/s', ok: rate >= 1e6,
  });
  rows.push({ name: 'run: peak memory (process RSS)', value: mb(peak) });
  return rows;
}
