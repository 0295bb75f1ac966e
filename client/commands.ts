// The commands: Run Scenario, Explore Schedules, Debug Scenario, Replay Witness, Debug
// Witness (the server's code lenses and quick fixes call them with a document URI, or
// `{ uri, schedule }`), Show Lifetimes View. Runs use the bundled CLI, explorations the
// forked worker; both write to the "Driver Lifetime" output channel.

import { parseDurationText } from '../grammar/ast';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { baseName, LANGUAGE_ID, scenarioConfig, witnessConfig } from './logic/config';
import {
  EXPLORE_ACTION_ITEMS, EXPLORE_ACTIONS_BUTTON, exploreActions, exploreSummary, fmtCount, formatExploreReport, parseWitnessText,
  reportWitnesses, WitnessError, witnessFileName, witnessFileText, type ExploreAction, type ExploreReport, type WitnessItem,
} from './logic/witness';
import { exploreVerdict, runExitVerdict } from './logic/verdict';
import type { ExploreResults } from './exploreResults';
import type { LifetimesView } from './lifetimesView';
import { runNode, runWorker } from './processes';
import { registerCommand } from './trust';
import type { Timeline } from '../debug-adapter/timeline/model';
import type { WorkerMessage } from './exploreWorker';

interface Target {
  uri: vscode.Uri;
  path: string;
  text: string;
}

function durationNs(text: string | undefined): number | undefined {
  return (text ? parseDurationText(text) : null) ?? undefined;
}

function toUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return /^[a-z][a-z0-9+.-]*:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (arg && typeof arg === 'object') {
    const o = arg as { uri?: unknown; fsPath?: unknown; scheme?: unknown };
    if (o.uri !== undefined) return toUri(o.uri);
    if (typeof o.fsPath === 'string' && typeof o.scheme === 'string') return vscode.Uri.from(o as unknown as vscode.Uri);
  }
  return undefined;
}

/** The scenario a command is about: its argument, else the active (or a visible) .lifetime editor, else one picked. */
async function targetScenario(arg: unknown): Promise<Target | undefined> {
  let uri = toUri(arg);
  if (!uri) {
    const ed = vscode.window.activeTextEditor;
    if (ed?.document.languageId === LANGUAGE_ID) uri = ed.document.uri;
    else uri = vscode.window.visibleTextEditors.find((e) => e.document.languageId === LANGUAGE_ID)?.document.uri;
  }
  if (!uri) {
    const files = await vscode.workspace.findFiles('**/*.lifetime', '**/node_modules/**', 200);
    if (!files.length) {
      void vscode.window.showErrorMessage('No .lifetime scenario is open or in the workspace.');
      return undefined;
    }
    const pick = files.length === 1 ? { uri: files[0] } : await vscode.window.showQuickPick(
      files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
      { placeHolder: 'Which scenario?' },
    );
    if (!pick) return undefined;
    uri = pick.uri;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.isUntitled) {
    void vscode.window.showErrorMessage('Save the scenario to a .lifetime file first.');
    return undefined;
  }
  if (doc.isDirty) await doc.save();
  return { uri, path: uri.fsPath, text: doc.getText() };
}

function shown(p: string): string {
  return vscode.workspace.asRelativePath(p, false);
}

function quote(a: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function lastLine(s: string): string {
  const lines = s.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

let tmpDir: string | undefined;
function tempFile(name: string, text: string): string {
  tmpDir ??= mkdtempSync(path.join(os.tmpdir(), 'driver-lifetime-'));
  const f = path.join(tmpDir, name);
  writeFileSync(f, text);
  return f;
}

/** The last explore report of each scenario, for Replay Witness and Debug Witness. */
const reports = new Map<string, ExploreReport>();

export function registerCommands(context: vscode.ExtensionContext, out: vscode.OutputChannel, view: LifetimesView, results: ExploreResults): void {
  const cli = context.asAbsolutePath(path.join('bin', 'lifetime.js'));
  const worker = context.asAbsolutePath(path.join('dist', 'explore-worker.js'));
  const cwdOf = (t: Target) => vscode.workspace.getWorkspaceFolder(t.uri)?.uri.fsPath ?? path.dirname(t.path);

  async function showTimeline(t: Target, schedule?: string[]): Promise<void> {
    const horizonNs = durationNs(vscode.workspace.getConfiguration('lifetime', t.uri).get<string>('run.horizon'));
    let timeline: Timeline | undefined;
    let error = '';
    await runWorker<WorkerMessage>(worker, { type: 'timeline', file: t.path, text: t.text, horizonNs, schedule }, {
      onMessage: (m) => {
        if (m.type === 'timeline') timeline = m.timeline as Timeline;
        else if (m.type === 'error') error = m.message;
      },
    });
    if (!timeline) {
      void vscode.window.showErrorMessage(`No timeline: ${error || 'the worker ended without one'}`);
      return;
    }
    view.showRun(timeline, `${schedule ? 'Replay' : 'Run'} of ${baseName(t.path)}`);
  }

  async function run(arg: unknown, witness?: WitnessItem): Promise<void> {
    const t = await targetScenario(arg);
    if (!t) return;
    const horizon = vscode.workspace.getConfiguration('lifetime', t.uri).get<string>('run.horizon', '10s');
    const args = ['run', t.path, '--no-color'];
    if (horizon && parseDurationText(horizon)) args.push('--horizon', horizon.trim());
    if (witness) args.push('--schedule', tempFile(`witness-${Date.now()}.json`, JSON.stringify(witness.schedule)));
    out.show(true);
    out.appendLine('');
    out.appendLine(`$ lifetime ${args.map((a) => quote(a === t.path ? shown(a) : a)).join(' ')}`);
    const what = witness ? `Replaying ${witness.label} in ${baseName(t.path)}` : `Running ${baseName(t.path)}`;
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: what, cancellable: true },
      (_p, token) => runNode(cli, args, { cwd: cwdOf(t), token, onStdout: (d) => out.append(d), onStderr: (d) => out.append(d) }),
    );
    if (r.cancelled) {
      out.appendLine('(cancelled)');
      return;
    }
    const summary = lastLine(r.stdout);
    const actions = ['Show Timeline', 'Show Output'];
    // Exit 3 (a bound stopped the run) is inconclusive: a warning, never the green of 0.
    const verdict = runExitVerdict(r.code);
    const answer = verdict === 'met'
      ? await vscode.window.showInformationMessage(`${baseName(t.path)}: ${summary}`, ...actions)
      : verdict === 'not-met' || verdict === 'inconclusive'
        ? await vscode.window.showWarningMessage(`${baseName(t.path)}: ${summary}`, ...actions)
        : await vscode.window.showErrorMessage(`${baseName(t.path)}: ${lastLine(r.stderr) || summary || `the CLI exited with ${r.code}`}`, 'Show Output');
    if (answer === 'Show Output') out.show();
    else if (answer === 'Show Timeline') await showTimeline(t, witness?.schedule);
  }

  async function exploreCmd(arg: unknown): Promise<void> {
    const t = await targetScenario(arg);
    if (!t) return;
    const cfg = vscode.workspace.getConfiguration('lifetime', t.uri);
    const maxStates = cfg.get<number>('explore.maxStates', 1_000_000);
    const timeLimitSeconds = cfg.get<number>('explore.timeLimitSeconds', 60);
    const maxMemoryMb = cfg.get<number>('explore.maxMemoryMB', 2048);
    out.appendLine('');
    out.appendLine(`$ lifetime explore ${quote(shown(t.path))} --max-states ${maxStates} --max-memory ${maxMemoryMb}   (time limit ${timeLimitSeconds} s)`);
    const started = Date.now();
    let report: ExploreReport | undefined;
    let error = '';
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exploring ${baseName(t.path)}`, cancellable: true },
      (progress, token) => runWorker<WorkerMessage>(worker, {
        type: 'explore', file: t.path, text: t.text, maxStates, maxMemoryMb, timeLimitMs: timeLimitSeconds * 1000,
      }, {
        token,
        maxOldSpaceMb: maxMemoryMb,
        onMessage: (m) => {
          if (m.type === 'progress') {
            progress.report({ message: `${fmtCount(m.states)} states, ${fmtCount(Math.round(m.statesPerSecond))}/s, depth ${m.depth}` });
          } else if (m.type === 'result') report = m.report as ExploreReport;
          else if (m.type === 'error') error = m.message;
        },
      }),
    );
    const elapsed = Date.now() - started;
    if (r.cancelled) {
      out.appendLine(`explore: cancelled after ${(elapsed / 1000).toFixed(1)} s`);
      void vscode.window.showInformationMessage(`Exploration of ${baseName(t.path)} cancelled.`);
      return;
    }
    if (!report) {
      const why = error || lastLine(r.stderr) || `the explorer ended with code ${r.code}`;
      out.appendLine(`explore: failed: ${why}`);
      void vscode.window.showErrorMessage(`Exploring ${baseName(t.path)} failed: ${why}`, 'Show Output').then((a) => a && out.show());
      return;
    }
    for (const line of formatExploreReport(report, shown(t.path), elapsed)) out.appendLine(line);
    reports.set(t.path, report);
    results.set(t.uri, report);
    const summary = exploreSummary(report, baseName(t.path));
    const actions = exploreActions(report);
    // One button (four were cut to "Debug Wit… / Replay Wit…"); it opens the pick list.
    const button = actions.length > 1 ? EXPLORE_ACTIONS_BUTTON : 'Show Output';
    const show = exploreVerdict(report) === 'met' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    const answer = await show(summary, button);
    if (!answer) return;
    let action: ExploreAction | undefined = actions.length > 1 ? undefined : 'output';
    if (!action) {
      const pick = await vscode.window.showQuickPick(
        actions.map((a) => ({ ...EXPLORE_ACTION_ITEMS[a], action: a })),
        { placeHolder: `${baseName(t.path)}: ${report.faults.length} fault${report.faults.length === 1 ? '' : 's'}, each with a witness` },
      );
      action = pick?.action;
    }
    await exploreAction(t, report, action);
  }

  async function exploreAction(t: Target, report: ExploreReport, action: ExploreAction | undefined): Promise<void> {
    switch (action) {
      case undefined:
        return;
      case 'output':
        out.show();
        return;
      case 'debug': {
        const w = await pickWitness(t, false);
        if (w) await debugWitness({ uri: t.uri.toString(), schedule: w.schedule, label: w.label });
        return;
      }
      case 'replay': {
        const w = await pickWitness(t, false);
        if (w) await run(t.uri, w);
        return;
      }
      case 'save':
        saveWitnesses(t, report);
        return;
      default:
        return action satisfies never;
    }
  }

  function saveWitnesses(t: Target, report: ExploreReport): void {
    const dir = path.dirname(t.path);
    const saved: string[] = [];
    for (const f of report.faults) {
      const name = witnessFileName(t.path, f.kind, (n) => existsSync(path.join(dir, n)));
      writeFileSync(path.join(dir, name), witnessFileText(t.path, f));
      saved.push(name);
    }
    out.appendLine(`saved ${saved.length} witness file${saved.length === 1 ? '' : 's'} beside ${shown(t.path)}: ${saved.join(', ')}`);
    void vscode.window.showInformationMessage(`Saved ${saved.join(', ')}. Replay one with Replay Witness, or use it as "schedule" in launch.json.`);
  }

  /** A witness of the scenario: from its last exploration, or from a file. */
  async function pickWitness(t: Target, offerFile = true): Promise<WitnessItem | undefined> {
    const known = reports.has(t.path) ? reportWitnesses(reports.get(t.path)!) : [];
    type Item = vscode.QuickPickItem & { witness?: WitnessItem; file?: boolean };
    const items: Item[] = known.map((w) => ({ label: w.label, description: `${w.schedule.length} choices`, witness: w }));
    if (offerFile) items.push({ label: '$(file) Open a witness file…', file: true });
    if (items.length === 1 && items[0].witness) return items[0].witness;
    const pick = items.length === 1 && items[0].file ? items[0] : await vscode.window.showQuickPick(items, { placeHolder: 'Which witness?' });
    if (!pick) return undefined;
    if (pick.witness) return pick.witness;
    const files = await vscode.window.showOpenDialog({
      canSelectMany: false, openLabel: 'Replay', defaultUri: vscode.Uri.file(path.dirname(t.path)),
      filters: { 'Witness (JSON)': ['json'] },
    });
    if (!files?.length) return undefined;
    try {
      const text = Buffer.from(await vscode.workspace.fs.readFile(files[0])).toString('utf8');
      const list = parseWitnessText(text, baseName(files[0].fsPath));
      if (list.length === 1) return list[0];
      const p2 = await vscode.window.showQuickPick(list.map((w) => ({ label: w.label, description: `${w.schedule.length} choices`, w })), { placeHolder: 'Which witness of the file?' });
      return p2?.w;
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof WitnessError ? e.message : `Cannot read the witness: ${(e as Error).message}`);
      return undefined;
    }
  }

  async function replayWitness(arg: unknown): Promise<void> {
    const o = arg as { schedule?: unknown; label?: unknown } | undefined;
    if (o && typeof o === 'object' && Array.isArray(o.schedule)) {
      const schedule = o.schedule.filter((c): c is string => typeof c === 'string');
      await run(arg, { schedule, label: typeof o.label === 'string' ? o.label : 'witness' });
      return;
    }
    const t = await targetScenario(arg);
    if (!t) return;
    const w = await pickWitness(t);
    if (w) await run(t.uri, w);
  }

  async function debugScenario(arg: unknown): Promise<void> {
    const t = await targetScenario(arg);
    if (!t) return;
    await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(t.uri), scenarioConfig(t.path));
  }

  async function debugWitness(arg: unknown): Promise<void> {
    const o = (arg ?? {}) as { schedule?: unknown; label?: unknown };
    let schedule = Array.isArray(o.schedule) ? o.schedule.filter((c): c is string => typeof c === 'string') : undefined;
    let label = typeof o.label === 'string' ? o.label : undefined;
    const t = await targetScenario(arg);
    if (!t) return;
    if (!schedule) {
      const w = await pickWitness(t);
      if (!w) return;
      schedule = w.schedule;
      label = w.label;
    }
    await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(t.uri), witnessConfig(t.path, schedule, label));
  }

  context.subscriptions.push(
    registerCommand('lifetime.runScenario', 'Run Scenario', (arg?: unknown) => run(arg)),
    registerCommand('lifetime.exploreSchedules', 'Explore Schedules', (arg?: unknown) => exploreCmd(arg)),
    registerCommand('lifetime.debugScenario', 'Debug Scenario', (arg?: unknown) => debugScenario(arg)),
    registerCommand('lifetime.replayWitness', 'Replay Witness', (arg?: unknown) => replayWitness(arg)),
    registerCommand('lifetime.debugWitness', 'Debug Witness', (arg?: unknown) => debugWitness(arg)),
    registerCommand('lifetime.showLifetimes', 'Show Lifetimes View', () => view.reveal()),
  );
}

