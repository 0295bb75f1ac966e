// Launch configurations of the `lifetime` debugger, as pure functions (no vscode import):
// what F5 does with no launch.json, what a configuration without `program` means, which
// configurations the dynamic provider offers, and how a witness becomes one.

import { parseDurationText } from '../../grammar/ast';

export const DEBUG_TYPE = 'lifetime';
export const LANGUAGE_ID = 'lifetime';

export interface LaunchConfig {
  type?: string;
  request?: string;
  name?: string;
  program?: unknown;
  stopOnEntry?: unknown;
  schedule?: unknown;
  horizon?: unknown;
  [key: string]: unknown;
}

/** What the editor knows when a configuration is resolved. */
export interface EditorContext {
  /** the active editor's file path, if it has one on disk */
  activeFile?: string;
  /** the active editor's language id */
  activeLanguage?: string;
}

/** A complete configuration (what the commands start). */
export interface ScenarioLaunch extends LaunchConfig {
  type: string;
  request: string;
  name: string;
  program: string;
}

export type Resolved = { ok: true; config: LaunchConfig } | { ok: false; error: string };

export function isScenarioPath(p: string): boolean {
  return /\.lifetime$/i.test(p);
}

export function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

function activeScenario(ctx: EditorContext): string | undefined {
  if (!ctx.activeFile) return undefined;
  if (ctx.activeLanguage === LANGUAGE_ID || isScenarioPath(ctx.activeFile)) return ctx.activeFile;
  return undefined;
}

/** The configuration that debugs one scenario file, stopping at its first step. */
export function scenarioConfig(program: string, extra: { name?: string; schedule?: unknown; horizon?: string; stopOnEntry?: boolean } = {}): ScenarioLaunch {
  return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${baseName(program)}`, program, stopOnEntry: true, ...extra } as ScenarioLaunch;
}

/**
 * Fills in and checks a launch configuration before the session starts (the provider's
 * resolveDebugConfiguration, before variable substitution):
 * - an empty one (F5 with no launch.json) debugs the active scenario, stopping on entry;
 * - a missing `program` is the active scenario;
 * - `horizon`, `stopOnEntry` and `schedule` must have the types the adapter takes.
 * `${file}` and other variables are left for the editor to substitute.
 */
export function resolveLaunchConfig(config: LaunchConfig, ctx: EditorContext): Resolved {
  const empty = !config.type && !config.request && !config.name;
  if (empty) {
    const file = activeScenario(ctx);
    if (!file) return { ok: false, error: 'Open a .lifetime scenario to debug it, or add a "lifetime" configuration to launch.json.' };
    return { ok: true, config: scenarioConfig(file) };
  }
  const out: LaunchConfig = { ...config };
  out.type = out.type || DEBUG_TYPE;
  out.request = out.request || 'launch';
  if (out.request !== 'launch') return { ok: false, error: `The lifetime debugger can only launch a scenario (request "${out.request}" is not supported).` };
  if (out.program === undefined || out.program === null || out.program === '') {
    const file = activeScenario(ctx);
    if (!file) return { ok: false, error: 'The launch configuration has no "program", and the active editor is not a .lifetime scenario.' };
    out.program = file;
  }
  if (typeof out.program !== 'string') return { ok: false, error: '"program" must be the path of a .lifetime file.' };
  out.name = out.name || `Debug ${baseName(out.program)}`;
  if (out.stopOnEntry !== undefined && typeof out.stopOnEntry !== 'boolean') return { ok: false, error: '"stopOnEntry" must be true or false.' };
  if (out.horizon !== undefined) {
    if (typeof out.horizon !== 'string' || !parseDurationText(out.horizon)) {
      return { ok: false, error: `"horizon" must be a duration such as 10s or 250ms, not ${JSON.stringify(out.horizon)}.` };
    }
    out.horizon = out.horizon.trim();
  }
  if (out.schedule !== undefined) {
    const s = out.schedule;
    const ok = typeof s === 'string' ? s.trim() !== '' : Array.isArray(s) && s.every((c) => typeof c === 'string');
    if (!ok) return { ok: false, error: '"schedule" must be a JSON array of choices (thread names, complete:<fence>, timeout:<thread>) or the path of a file holding one.' };
  }
  return { ok: true, config: out };
}

/**
 * The check after the editor substituted variables (`${file}` is now a path): the program
 * must be a .lifetime file, or F5 from a README would start a session that fails at once.
 */
export function checkProgram(config: LaunchConfig): string | null {
  const p = config.program;
  if (typeof p !== 'string' || p === '') return '"program" must be the path of a .lifetime file.';
  if (/\$\{[^}]*\}/.test(p)) return `"program" still holds a variable after substitution: ${p}`;
  if (!isScenarioPath(p)) return `${baseName(p)} is not a .lifetime scenario: open one (or set "program") and press F5 again.`;
  return null;
}

/** The configuration written into a new launch.json. */
export function initialConfigurations(): LaunchConfig[] {
  return [{ type: DEBUG_TYPE, request: 'launch', name: 'Debug scenario', program: '${file}', stopOnEntry: true }];
}

/**
 * The dynamic configurations (the Run and Debug view's "lifetime" list): the active
 * scenario first, then every other scenario given (open editors, workspace files), each once.
 */
export function dynamicConfigurations(files: readonly string[], ctx: EditorContext, rel: (p: string) => string = baseName): LaunchConfig[] {
  const out: LaunchConfig[] = [];
  const seen = new Set<string>();
  const active = activeScenario(ctx);
  const add = (f: string) => {
    if (seen.has(f) || !isScenarioPath(f)) return;
    seen.add(f);
    out.push({ ...scenarioConfig(f), name: `Debug ${rel(f)}` });
  };
  if (active) add(active);
  [...files].sort((a, b) => rel(a).localeCompare(rel(b))).forEach(add);
  return out;
}

/** The configuration that replays a witness (a schedule from Explore Schedules) in the debugger. */
export function witnessConfig(program: string, schedule: readonly string[], label?: string): ScenarioLaunch {
  return scenarioConfig(program, { name: `Replay ${label ?? 'witness'} (${baseName(program)})`, schedule: [...schedule] });
}
