// Run on Linux: the command, its code lens and the debugger's "send this witness to the
// kernel". It runs `lifetime kernel --json` (QEMU) and shows the kernel's log lines beside
// each fault of the model. Offered only where QEMU can run and in a trusted workspace
// (it builds and loads a kernel module and boots a VM).

import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { kernelNotes, kernelToolAvailable, kernelVerdict, type KernelReport } from './logic/kernel';
import { runNode } from './processes';
import { registerCommand } from './trust';

const LANGUAGE_ID = 'lifetime';

let tmpDir: string | undefined;
function tempFile(name: string, text: string): string {
  tmpDir ??= mkdtempSync(path.join(os.tmpdir(), 'driver-lifetime-kernel-'));
  const f = path.join(tmpDir, name);
  writeFileSync(f, text);
  return f;
}

export function registerKernel(context: vscode.ExtensionContext, out: vscode.OutputChannel): void {
  const cli = context.asAbsolutePath(path.join('bin', 'lifetime.js'));
  const available = kernelToolAvailable();
  void vscode.commands.executeCommand('setContext', 'lifetime.kernelAvailable', available);
  const notes = vscode.languages.createDiagnosticCollection('lifetime-kernel');
  context.subscriptions.push(notes);

  async function runOnLinux(arg?: unknown): Promise<void> {
    if (!available) {
      void vscode.window.showErrorMessage('Run on Linux needs qemu-system-x86_64 and gcc (or root with apt-get to install them).');
      return;
    }
    // a URI, { uri, schedule }, or nothing: the active debug session's scenario and witness, else the active editor
    let uri: vscode.Uri | undefined;
    let schedule: unknown;
    const a = arg as { uri?: unknown; schedule?: unknown } | undefined;
    if (arg instanceof vscode.Uri) uri = arg;
    else if (a && typeof a === 'object' && a.uri) {
      uri = a.uri instanceof vscode.Uri ? a.uri : vscode.Uri.parse(String(a.uri));
      schedule = a.schedule;
    } else {
      const s = vscode.debug.activeDebugSession;
      if (s?.type === LANGUAGE_ID && typeof s.configuration.program === 'string') {
        uri = vscode.Uri.file(s.configuration.program);
        schedule = s.configuration.schedule;
      } else if (vscode.window.activeTextEditor?.document.languageId === LANGUAGE_ID) {
        uri = vscode.window.activeTextEditor.document.uri;
      }
    }
    if (!uri) {
      void vscode.window.showErrorMessage('Open a .lifetime scenario (or debug one) to run it on Linux.');
      return;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.isDirty) await doc.save();
    const args = ['kernel', uri.fsPath, '--json'];
    if (Array.isArray(schedule)) args.push('--schedule', tempFile(`kernel-witness-${Date.now()}.json`, JSON.stringify(schedule)));
    else if (typeof schedule === 'string' && schedule) args.push('--schedule', schedule);
    const name = path.basename(uri.fsPath);
    out.appendLine('');
    out.appendLine(`$ lifetime ${args.join(' ')}`);
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Running ${name} on Linux (QEMU)`, cancellable: true },
      (progress, token) => runNode(cli, args, { token, onStderr: (d) => { out.append(d); progress.report({ message: d.trim().replace(/^lifetime kernel: /, '') }); } }),
    );
    if (r.cancelled) { out.appendLine('(cancelled)'); return; }
    let report: KernelReport | undefined;
    try { report = JSON.parse(r.stdout) as KernelReport; } catch { /* below */ }
    if (!report) {
      void vscode.window.showErrorMessage(`Run on Linux: ${r.stderr.trim().split('\n').pop() || `exit ${r.code}`}`, 'Show Output').then((x) => x && out.show());
      return;
    }
    const verdict = kernelVerdict(report, name);
    out.appendLine(verdict);
    for (const f of report.kernel?.faults ?? []) {
      out.appendLine(`kernel: ${f.kind}${f.thread ? ` in ${f.thread}` : ''}`);
      for (const l of f.log) out.appendLine(`  | ${l}`);
    }
    notes.set(uri, kernelNotes(report).map((n) => {
      const pos = new vscode.Position(Math.max(0, n.line - 1), Math.max(0, n.column - 1));
      const d = new vscode.Diagnostic(new vscode.Range(pos, pos.translate(0, 1)), n.message,
        n.agree ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning);
      d.source = 'Linux';
      return d;
    }));
    const show = report.agree ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    const answer = await show(verdict, 'Show Kernel Log');
    if (answer) out.show();
  }

  context.subscriptions.push(
    registerCommand('lifetime.runOnLinux', 'Run on Linux', runOnLinux),
    vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, {
      provideCodeLenses(doc) {
        if (!available || !vscode.workspace.isTrusted) return [];
        const first = doc.getText().search(/\S/);
        const at = doc.positionAt(Math.max(0, first));
        return [new vscode.CodeLens(new vscode.Range(at, at), { title: '$(vm) Run on Linux', command: 'lifetime.runOnLinux', arguments: [doc.uri] })];
      },
    }),
  );
}
