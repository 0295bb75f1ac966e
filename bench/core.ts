// Core figures (issue: the core): parse + check of a 10,000-line file, and run throughput.
import { performance } from 'node:perf_hooks';
import { compile } from '../grammar';
import { lower } from '../debug-adapter/runtime/program';
import { runDefault } from '../debug-adapter/runtime/schedule';
import { type BenchRow, mb, median } from './table';
import { generateScenario } from './lsp';

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
