// The Lifetimes view's data for one debug session, from the adapter's `lifetime/state`
// custom events (pure: no vscode import).
//
// When the event carries a whole `timeline` (every step of the history, see
// debug-adapter/debugger/timeline.ts) it is used as it is. Otherwise the timeline is built
// here from the states at the stops: each stop's objects become a sample, so stepping
// gives a column per step and a continue a column per stop.

import type { LifetimeStateJson } from '../../debug-adapter/debugger/model';
import { TimelineBuilder, type Action, type Lane, type ObjectSample, type Timeline } from '../../debug-adapter/timeline/model';

export type StateEventBody = Partial<LifetimeStateJson> & { timeline?: Timeline; step?: number };

interface HolderLike { kind?: string; thread?: string; file?: string; drm?: string; text?: string }
interface ReaderLike { thread?: string; text?: string }

function holderText(h: HolderLike): string {
  switch (h.kind) {
    case 'binding': return 'binding';
    case 'file': return `${h.thread}: file ${h.file}${h.drm ? '' : ''}`;
    case 'get': return `${h.thread}: drm_dev_get`;
    case 'try_module_get': return `${h.thread}: try_module_get`;
    case 'drm': return `${h.drm} (drm_holds_module)`;
    default: return h.text ?? String(h.kind ?? '?');
  }
}

function entries<T>(rec: Record<string, T> | undefined): [string, T][] {
  return rec ? Object.entries(rec) : [];
}

/** A thread lane's description: a callback thread (`kworker/w`, `timer/t`, `irq/i`) says what it runs. */
export function threadDetail(name: string): string {
  const prefix = /^(kworker|timer|irq)\//.exec(name)?.[1];
  return prefix === 'kworker' ? 'kworker' : prefix === 'timer' ? 'timer callback' : prefix === 'irq' ? 'irq handler' : 'thread';
}

/** The lanes and samples of one stop's state, in the order lanes are drawn. */
export function stateObjects(body: StateEventBody): { lane: Lane; obj: ObjectSample }[] {
  const o = body.objects;
  const out: { lane: Lane; obj: ObjectSample }[] = [];
  if (o) {
    for (const [name, m] of entries(o.modules)) {
      out.push({ lane: { kind: 'module', name, detail: 'module' }, obj: { state: m.state, count: m.refcount, holders: (m.holders ?? []).map(holderText), readers: [] } });
    }
    for (const [name, d] of entries(o.devices)) {
      let state = d.unbinding ? 'unbinding' : d.bound ? 'bound' : 'unbound';
      if (!d.present) state = d.bound || d.unbinding ? `removed, ${state}` : 'removed';
      out.push({
        lane: { kind: 'device', name, detail: 'device' },
        obj: { state, holders: d.bound ? [`driver ${d.bound}`] : [], readers: d.unbinding ? [`${d.unbinding}: unbinds`] : [] },
      });
    }
    for (const [name, d] of entries(o.drm)) {
      const state = d.freed ? 'freed' : d.releasing ? 'releasing' : d.unplugged ? 'unplugged' : 'live';
      out.push({
        lane: { kind: 'drm', name, detail: 'drm device' },
        obj: { state, count: d.refcount, holders: (d.holders ?? []).map(holderText), readers: (d.readers ?? []).map((r: ReaderLike) => `${r.thread}: drm_dev_enter`) },
      });
    }
    for (const [name, r] of entries(o.revocables)) {
      out.push({
        lane: { kind: 'revocable', name, detail: 'revocable' },
        obj: { state: r.revoked ? 'revoked' : 'live', holders: [], readers: (r.readers ?? []).map((x: ReaderLike) => `${x.thread}: access`) },
      });
    }
    for (const [name, d] of entries(o.data)) {
      out.push({ lane: { kind: 'data', name, detail: `${d.managed} data` }, obj: { state: d.freed ? 'freed' : 'live', holders: [], readers: [] } });
    }
    // `works` lists every callback; timers and irqs get their own lanes below (version 2)
    for (const [name, w] of entries(o.works)) {
      if (o.timers?.[name] || o.irqs?.[name]) continue;
      out.push({ lane: { kind: 'work', name, detail: 'work item' }, obj: { state: w.state, holders: [], readers: [] } });
    }
    for (const [name, t] of entries(o.timers)) {
      out.push({ lane: { kind: 'timer', name, detail: 'timer' }, obj: { state: t.state, holders: [], readers: [] } });
    }
    for (const [name, q] of entries(o.irqs)) {
      out.push({ lane: { kind: 'irq', name, detail: 'irq' }, obj: { state: q.state, holders: [], readers: [] } });
    }
    for (const [name, r] of entries(o.krefs)) {
      const state = r.freed ? 'freed' : r.releasing ? 'releasing' : 'live';
      out.push({ lane: { kind: 'kref', name, detail: 'kref' }, obj: { state, count: r.refcount, holders: (r.holders ?? []).map((h) => (h.kind === 'creator' ? 'initial (kref_init)' : `${h.thread}: kref_get`)), readers: [] } });
    }
    for (const [name, m] of entries(o.spinlocks)) {
      out.push({
        lane: { kind: 'spinlock', name, detail: 'spinlock' },
        obj: { state: m.holder ? 'held' : 'free', holders: m.holder ? [m.holder] : [], readers: (m.waiters ?? []).map((w) => `${w}: spins`) },
      });
    }
    for (const [name, c] of entries(o.completions)) {
      out.push({ lane: { kind: 'completion', name, detail: 'completion' }, obj: { state: c.done ? 'done' : 'not done', holders: [], readers: (c.waiters ?? []).map((w) => `${w}: waits`) } });
    }
    for (const [name, c] of entries(o.cdevs)) {
      out.push({ lane: { kind: 'cdev', name, detail: 'cdev' }, obj: { state: c.deleted ? 'deleted' : 'registered', holders: (c.files ?? []).map((f) => `${f.thread}: file ${f.file}`), readers: [] } });
    }
    for (const [name, a] of entries(o.attrs)) {
      const state = a.removed ? 'removed' : a.drainedBy ? 'draining' : 'present';
      out.push({ lane: { kind: 'attr', name, detail: 'attribute' }, obj: { state, holders: [], readers: (a.readers ?? []).map((x: ReaderLike) => `${x.thread}: in show`) } });
    }
    for (const [name, f] of entries(o.fences)) {
      out.push({ lane: { kind: 'fence', name, detail: 'fence' }, obj: { state: f.state, holders: [], readers: (f.waiters ?? []).map((w) => `${w}: waits`) } });
    }
    for (const [name, m] of entries(o.mutexes)) {
      out.push({
        lane: { kind: 'mutex', name, detail: 'mutex' },
        obj: { state: m.holder ? 'held' : 'free', holders: m.holder ? [m.holder] : [], readers: (m.waiters ?? []).map((w) => `${w}: waits`) },
      });
    }
  }
  for (const t of body.threads ?? []) {
    let state = t.status === 'ready' ? 'running' : t.status;
    if (t.status === 'blocked' && t.waitsFor && /^sleeping/.test(t.waitsFor)) state = 'sleeping';
    if (t.status === 'blocked' && t.waitsFor && /spins/.test(t.waitsFor)) state = 'spinning';
    const holders = [
      ...t.files.filter((f) => f.state === 'open').map((f) => `file ${f.name} on ${f.drm ?? f.cdev}`),
      ...t.refs.map((r) => (r.kind === 'drm' ? `${r.target} (get)` : `${r.target} (module ref)`)),
      ...t.locks.map((l) => `mutex ${l}`),
      ...(t.spinlocks ?? []).map((l) => `spinlock ${l}`),
    ];
    const readers = [
      ...(t.waitsFor ? [t.waitsFor] : []),
      ...t.srcu.map((d) => `in drm_dev_enter ${d}`),
      ...t.rcu.map((r) => `in access ${r}`),
    ];
    out.push({ lane: { kind: 'thread', name: t.name, detail: threadDetail(t.name) }, obj: { state, holders, readers } });
  }
  return out;
}

/** The Lifetimes view's state for one debug session. */
export class SessionTimeline {
  private builder: TimelineBuilder | null = null;
  private full: Timeline | null = null;
  private pendingActions: Action[] = [];
  last: StateEventBody | null = null;
  /** the stop reason of the last state (step, breakpoint, exception, entry…) */
  reason = '';
  terminated = false;

  constructor(readonly name: string, readonly file?: string) {}

  /** An output line of the session (a kernel event), attached to the next stop's sample. */
  addOutput(text: string, step?: number): void {
    if (this.pendingActions.length < 200) this.pendingActions.push({ step: step ?? Number.MAX_SAFE_INTEGER, time_ns: 0, thread: '', line: 0, kind: 'event', text });
  }

  update(body: StateEventBody): void {
    this.last = body;
    this.reason = body.reason ?? '';
    if (body.timeline && Array.isArray(body.timeline.samples)) {
      this.full = body.timeline;
      return;
    }
    this.full = null;
    const items = stateObjects(body);
    if (!this.builder) this.builder = new TimelineBuilder(this.name, [], this.file);
    const b = this.builder;
    const objects: ObjectSample[] = [];
    for (const { lane, obj } of items) objects[b.ensureLane(lane)] = obj;
    for (let i = 0; i < b.lanes.length; i++) if (!objects[i]) objects[i] = { state: '', holders: [], readers: [] };
    const step = body.step ?? body.position ?? 0;
    const actions = this.pendingActions.map((a) => ({ ...a, step, time_ns: body.time_ns ?? 0 }));
    this.pendingActions = [];
    b.addState({ step, time_ns: body.time_ns ?? 0, objects, faults: body.faults ?? [], ended: Boolean(body.ended) }, actions);
  }

  timeline(): Timeline | null {
    if (this.full) return this.full;
    if (!this.builder) return null;
    return this.builder.timeline(this.last?.step ?? this.builder.current);
  }
}
