// Inlay hints: the drm and module counts that each statement changed, the first time it
// ran in the default schedule, shown at the end of its line (`open f on card0  card0=2 nova=1`).
//
// Design (docs/language-server.md):
// - only what the statement changed, not every count: a scenario has a few objects but
//   many statements, and a hint on every line would hide the ones that matter;
// - a statement's changes include the steps with no source of their own that it started
//   (the devres release after `hotunplug`, the release after the last `put`) and the step
//   that completes it after it blocked: the kernel attributes those to the statement too
//   (`Kernel.position`); changes made by other threads meanwhile are not counted;
// - its first execution only: later iterations of a `repeat` add nothing;
// - flags that changed are shown too: `card0=1 (unplugged)`, `card0=0 (freed)`, `nova=0 (gone)`;
// - bounded: the run stops recording after MAX_STEPS steps or MAX_MS of work, and runs in
//   slices of SLICE_MS with the event loop free in between, abandoned as soon as the
//   document changes, so a 1,000,000-iteration `repeat` never stalls the server;
// - nothing when the file has static errors (it would not run).

import type { InlayHint } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Kernel } from '../debug-adapter/runtime/kernel';
import { lower } from '../debug-adapter/runtime/program';
import { advanceClock, pickDefault, stepRun } from '../debug-adapter/runtime/schedule';
import type { Compiled } from './compiled';

export const INLAY_LIMITS = { MAX_STEPS: 100_000, MAX_MS: 3_000, SLICE_MS: 8 };

const MODULE_STATES = ['live', 'going', 'gone'];

interface StmtRecord {
  line: number;
  starts: number;
  step: number;
  /** drm index → flags changed */
  drms: Map<number, Set<string>>;
  modules: Map<number, Set<string>>;
  /** counts after the statement's last attributed step */
  drmRefs: Map<number, number>;
  moduleRefs: Map<number, number>;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The hints of one version, or undefined when `stillCurrent` turned false (a newer version
 * superseded it) before the run was done.
 */
export async function countHints(c: Compiled, doc: TextDocument, stillCurrent: () => boolean): Promise<InlayHint[] | undefined> {
  const a = c.analysis;
  if (!a || c.errors.length > 0) return [];
  const p = lower(a.file);
  const recs = new Map<string, StmtRecord>();
  // The record of the statement each thread last started on each line (`thread:line`): a
  // change reported by an event at that line belongs to it. The devres release that follows
  // an `unbind` runs in the step of remove()'s last statement, but its events carry the
  // `unbind`'s line, as the CLI timeline shows.
  const started = new Map<string, StmtRecord>();
  let stepThread = -1;
  let stepRec: StmtRecord | undefined;
  let drmBefore: (readonly [number, boolean, boolean])[] = [];
  let modBefore: (readonly [number, number])[] = [];
  const snapshot = () => {
    drmBefore = s().drms.map((d) => [d.refs, d.unplugged, d.freed] as const);
    modBefore = s().modules.map((m) => [m.refs, m.state] as const);
  };
  /** Gives the changes since the last snapshot to the statement at `line` (or the step's own). */
  const attribute = (line: number) => {
    const r = (line > 0 ? started.get(`${stepThread}:${line}`) : undefined) ?? stepRec;
    if (r && r.starts <= 1) {
      s().drms.forEach((d, j) => {
        const [refs, unplugged, freed] = drmBefore[j]!;
        if (d.refs === refs && d.unplugged === unplugged && d.freed === freed) return;
        const flags = r.drms.get(j) ?? new Set<string>();
        if (d.unplugged && !unplugged) flags.add('unplugged');
        if (d.freed && !freed) flags.add('freed');
        r.drms.set(j, flags);
        r.drmRefs.set(j, d.refs);
      });
      s().modules.forEach((m, j) => {
        const [refs, state] = modBefore[j]!;
        if (m.refs === refs && m.state === state) return;
        const flags = r.modules.get(j) ?? new Set<string>();
        if (m.state !== state) flags.add(MODULE_STATES[m.state]!);
        r.modules.set(j, flags);
        r.moduleRefs.set(j, m.refs);
      });
    }
    snapshot();
  };
  // Events come right after the change they report (kernel.ts `note`).
  const k = new Kernel(p, { mode: 'run', maxEvents: 0, onEvent: (e) => stepThread >= 0 && attribute(e.line) });
  const began = Date.now();
  const s = () => k.s;

  let running = true;
  while (running) {
    const sliceEnd = Date.now() + INLAY_LIMITS.SLICE_MS;
    while (Date.now() < sliceEnd) {
      if (k.s.ended || k.s.steps >= INLAY_LIMITS.MAX_STEPS) {
        running = false;
        break;
      }
      const i = pickDefault(k);
      if (i < 0) {
        if (!advanceClock(k)) running = false;
        if (!running) break;
        continue;
      }
      const t = s().threads[i]!;
      // Which statement this step belongs to: the one it starts, or the one the thread is in.
      let key: string | undefined;
      let line = 0;
      let start = false;
      const top = t.frames[t.frames.length - 1];
      if (t.status === 'ready' && !t.wait && top && top.t === 0 && top.block.stmts[top.pc]) {
        const st = top.block.stmts[top.pc]!;
        key = `${st.line}:${st.column}`;
        line = st.line;
        start = true;
      } else {
        const pos = k.position(t);
        if (pos) {
          key = `${pos.line}:${pos.column}`;
          line = pos.line;
        }
      }
      let r = key ? recs.get(key) : undefined;
      if (key && !r && start) {
        r = { line, starts: 0, step: s().steps + 1, drms: new Map(), modules: new Map(), drmRefs: new Map(), moduleRefs: new Map() };
        recs.set(key, r);
      }
      if (r && start) {
        r.starts++;
        started.set(`${i}:${line}`, r);
      }
      stepThread = i;
      stepRec = r;
      snapshot();
      stepRun(k, i);
      // What no event reported belongs to the step's statement.
      attribute(0);
      stepThread = -1;
    }
    if (!running) break;
    if (Date.now() - began > INLAY_LIMITS.MAX_MS) break;
    await yieldToLoop();
    if (!stillCurrent()) return undefined;
  }

  // The document object is live: positions below are only right for this version.
  if (!stillCurrent()) return undefined;
  const hints: InlayHint[] = [];
  for (const r of recs.values()) {
    const parts: string[] = [];
    for (const [j, flags] of r.drms) {
      const extra = [...flags].join(', ');
      parts.push(`${p.drms[j]!.name}=${r.drmRefs.get(j)}${extra ? ` (${extra})` : ''}`);
    }
    for (const [j, flags] of r.modules) {
      const extra = [...flags].join(', ');
      parts.push(`${p.modules[j]!.name}=${r.moduleRefs.get(j)}${extra ? ` (${extra})` : ''}`);
    }
    if (!parts.length) continue;
    const lineIdx = r.line - 1;
    const lineEnd = doc.offsetAt({ line: lineIdx + 1, character: 0 });
    let endOffset = lineEnd;
    // Before the line break, not after it.
    const text = c.text;
    while (endOffset > 0 && (text[endOffset - 1] === '\n' || text[endOffset - 1] === '\r') && doc.positionAt(endOffset - 1).line === lineIdx) endOffset--;
    const position = doc.positionAt(endOffset);
    hints.push({
      position,
      label: parts.join(' '),
      paddingLeft: true,
      tooltip: `Counts after this statement first ran in the default schedule (step ${r.step}): drm_device and module refcounts it changed.`,
    });
  }
  hints.sort((x, y) => x.position.line - y.position.line || x.position.character - y.position.character);
  return hints;
}
