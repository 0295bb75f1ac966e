// Witnesses on the extension's side, as pure functions: reading a witness file (any of the
// shapes people keep them in), naming a saved one, and turning an explore report into the
// lines of the output channel and the items of the Replay Witness pick list.

import type { ExploreJson } from '../../debug-adapter/explorer/explore';
import type { ExpectationResult } from '../../debug-adapter/runtime/expectations';
import { baseName } from './config';
import { exploreVerdict, stopCause, STOP_CAUSE_TEXT, verdictWords } from './verdict';

export class WitnessError extends Error {}

/** One witness: the choices that lead to a fault, and what it is about. */
export interface WitnessItem {
  schedule: string[];
  /** e.g. `deadlock in app at line 18` */
  label: string;
  kind?: string;
  line?: number;
}

/** A fault of `lifetime explore --json` (the explorer's own type, so the two cannot drift). */
export type ExploreFaultJson = ExploreJson['faults'][number];

/** An expectation of the report (the thread may come as null from other producers). */
export type ExpectationJson = Pick<ExpectationResult, 'line' | 'expect' | 'met'> & { thread?: string | null };

/** `lifetime explore --json` as the extension gets it: the explorer's own type, plus what the worker adds. */
export type ExploreReport = Omit<ExploreJson, 'expectations'> & {
  expectations: ExpectationJson[];
  /** what stopped an incomplete search: max-states, max-memory, max-time, interrupted */
  stopped?: string;
  /** why it stopped early, in words (the extension's worker adds it) */
  stopReason?: string;
  /** set instead of the rest when the file has static errors */
  diagnostics?: { code: string; severity: string; line: number; column: number; message: string }[];
};

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((c) => typeof c === 'string');
}

export function faultLabel(f: { kind: string; thread?: string; line?: number }): string {
  return `${f.kind}${f.thread ? ` in ${f.thread}` : ''}${f.line ? ` at line ${f.line}` : ''}`;
}

/**
 * The witnesses a JSON text holds: a plain array of choices (what `lifetime explore`
 * prints in each fault and `lifetime run --schedule` takes), an object with a `schedule`
 * array (one fault, a saved witness), or a whole explore report (each of its faults).
 */
export function parseWitnessText(text: string, where = 'the witness'): WitnessItem[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new WitnessError(`${where} is not JSON (${(e as Error).message})`);
  }
  if (isStringArray(v)) {
    if (v.length === 0) throw new WitnessError(`${where} is an empty schedule`);
    return [{ schedule: v, label: `witness of ${v.length} choice${v.length === 1 ? '' : 's'}` }];
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (isStringArray(o.schedule)) {
      const kind = typeof o.kind === 'string' ? o.kind : undefined;
      const line = typeof o.line === 'number' ? o.line : undefined;
      const thread = typeof o.thread === 'string' ? o.thread : undefined;
      return [{ schedule: o.schedule, label: kind ? faultLabel({ kind, thread, line }) : `witness of ${o.schedule.length} choices`, kind, line }];
    }
    if (Array.isArray(o.faults)) {
      const items: WitnessItem[] = [];
      for (const f of o.faults as unknown[]) {
        const g = f as Partial<ExploreFaultJson>;
        if (g && isStringArray(g.schedule) && typeof g.kind === 'string') {
          items.push({ schedule: g.schedule, label: faultLabel(g as ExploreFaultJson), kind: g.kind, line: g.line });
        }
      }
      if (items.length) return items;
      throw new WitnessError(`${where} is an explore report without any fault, so it holds no witness`);
    }
  }
  throw new WitnessError(`${where} holds no schedule: expected a JSON array of choices (thread names, complete:<fence>, timeout:<thread>), or an object with a "schedule" array`);
}

/** The file a witness is saved to, beside its scenario: `scenario.deadlock.witness.json`. */
export function witnessFileName(scenarioPath: string, kind: string | undefined, taken: (name: string) => boolean = () => false): string {
  const base = baseName(scenarioPath).replace(/\.lifetime$/i, '');
  const stem = `${base}.${(kind ?? 'witness').replace(/[^A-Za-z0-9_-]/g, '_')}`;
  let name = `${stem}.witness.json`;
  for (let n = 2; taken(name); n++) name = `${stem}-${n}.witness.json`;
  return name;
}

/** The content of a saved witness file: the fault it leads to and its schedule (readable by `lifetime run --schedule`). */
export function witnessFileText(scenarioPath: string, f: ExploreFaultJson): string {
  return `${JSON.stringify({ scenario: baseName(scenarioPath), kind: f.kind, thread: f.thread, line: f.line, column: f.column, message: f.message, schedule: f.schedule }, null, 2)}\n`;
}

export function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** The output channel's lines for an explore report. */
export function formatExploreReport(r: ExploreReport, shownFile: string, elapsedMs?: number): string[] {
  const out: string[] = [];
  if (r.diagnostics) {
    for (const d of r.diagnostics) out.push(`${shownFile}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`);
    out.push(`${shownFile}: not explored: ${r.diagnostics.length} static error${r.diagnostics.length === 1 ? '' : 's'}`);
    return out;
  }
  r.faults.forEach((f, i) => {
    out.push(`${shownFile}:${f.line}:${f.column}: error: ${f.message} [${f.kind}] (thread ${f.thread})`);
    out.push(`  witness ${i + 1} (${f.schedule.length} choices): ${JSON.stringify(f.schedule)}`);
  });
  if (!r.complete) out.push(`exploration incomplete: ${r.stopReason || STOP_CAUSE_TEXT[stopCause(r) ?? 'interrupted']}; the result covers only the states visited`);
  const kinds = [...new Set(r.faults.map((f) => f.kind))];
  const time = elapsedMs !== undefined ? ` in ${(elapsedMs / 1000).toFixed(1)} s` : '';
  out.push(`explore: ${kinds.length ? kinds.join(', ') : r.complete ? 'clean' : 'no fault so far'} over ${fmtCount(r.states)} states, ${fmtCount(r.transitions)} transitions${r.complete ? '' : ' (incomplete)'}${time}; ${verdictWords(r)}`);
  // After an incomplete search an expectation not met yet may still be met by a schedule not tried.
  if (exploreVerdict(r) === 'not-met') {
    for (const e of r.expectations.filter((x) => !x.met)) out.push(`  expect ${e.expect}${e.thread ? ` in ${e.thread}` : ''} (line ${e.line}) not met`);
  }
  return out;
}

/** The one-line summary for a notification. */
export function exploreSummary(r: ExploreReport, shownFile: string): string {
  if (r.diagnostics) return `${shownFile}: not explored, the file has static errors.`;
  const kinds = [...new Set(r.faults.map((f) => f.kind))];
  const v = exploreVerdict(r);
  if (v === 'inconclusive') {
    const found = kinds.length ? `found ${kinds.join(', ')}` : 'no fault';
    return `${shownFile}: inconclusive: stopped at ${STOP_CAUSE_TEXT[stopCause(r) ?? 'interrupted']} after ${fmtCount(r.states)} states (${found} so far); not every schedule was tried.`;
  }
  const found = kinds.length ? `found ${kinds.join(', ')}` : r.complete ? 'no fault in any schedule' : 'no fault';
  return `${shownFile}: ${found} over ${fmtCount(r.states)} states${r.complete ? '' : ' (incomplete)'}; expectations ${v === 'met' ? 'met' : 'not met'}.`;
}

/** The witnesses of a report, as pick-list items. */
export function reportWitnesses(r: ExploreReport): WitnessItem[] {
  return (r.faults ?? []).map((f) => ({ schedule: f.schedule, label: faultLabel(f), kind: f.kind, line: f.line }));
}

/** What the user can do with an exploration's witnesses (one notification button opens them as a pick list). */
export type ExploreAction = 'debug' | 'replay' | 'save' | 'output';

export const EXPLORE_ACTIONS_BUTTON = 'Witnesses…';

export const EXPLORE_ACTION_ITEMS = {
  debug: { label: '$(debug-alt) Debug a witness', detail: 'step through the schedule that reaches the fault, with step back' },
  replay: { label: '$(history) Replay a witness', detail: 'run the schedule with the CLI and show its timeline' },
  save: { label: '$(save) Save the witnesses', detail: 'one SCENARIO.KIND.witness.json per fault beside the scenario, for `lifetime run --schedule` or launch.json' },
  output: { label: '$(output) Show the output', detail: 'every fault with its witness, and the summary' },
} as const satisfies Record<ExploreAction, { label: string; detail: string }>;

/** The actions a report offers: its witnesses' when it has faults, else only the output. */
export function exploreActions(r: ExploreReport): ExploreAction[] {
  return r.faults?.length ? ['debug', 'replay', 'save', 'output'] : ['output'];
}
