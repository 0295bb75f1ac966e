// What a thread does on its own, touching no kernel object: `sleep`, `repeat`, `log`.

import { formatDuration } from '../../../grammar/ast';
import type { CBlock, With } from '../program';
import { DONE, PUSHED, codeFrame } from '../step';
import { noObject, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type ThreadOperands =
  | With<'sleep', { ns: number }>
  | With<'repeat', { count: number; body: CBlock }>
  | With<'log', { text: string }>;

export const THREAD_STMTS = {
  sleep: {
    lower: (s) => ({ kind: s.kind, ns: s.duration.ns }),
    exec(k, i, t, _f, st) {
      if (k.mode === 'explore') return DONE;
      if (k.recording) k.note(i, st.line, st.kind, `sleeps until ${formatDuration(k.s.clock + st.ns)}`);
      return k.block(t, 'sleep', 0, st, k.s.clock + st.ns);
    },
    footprint() {},
    stops: () => false,
    object: noObject,
  },
  repeat: {
    lower: (s, cx) => ({ kind: s.kind, count: s.count.value, body: cx.block(s.body) }),
    exec(_k, _i, t, f, st) {
      if (st.body!.stmts.length === 0) return DONE;
      t.frames.push({ ...codeFrame(st.body!, 'repeat', f.mod, null, null), repeatLeft: st.count });
      return PUSHED;
    },
    footprint() {},
    stops: (_s, _t, _i, st) => st.body!.stmts.length > 0,
    object: noObject,
  },
  log: {
    lower: (s) => ({ kind: s.kind, text: s.text.value }),
    exec(k, i, _t, _f, st) {
      k.note(i, st.line, st.kind, st.text);
      return DONE;
    },
    footprint() {},
    stops: () => false,
    object: noObject,
  },
} satisfies StmtGroup<'sleep' | 'repeat' | 'log'>;
