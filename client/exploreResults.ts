// The result of the last Explore Schedules of each scenario, kept as a code lens over its
// `scenario` line beside the server's Run | Explore | Debug, so the verdict stays in view
// (met, not met, or inconclusive when a bound stopped the search). An edit of the text
// makes the result stale, and removes it.

import * as vscode from 'vscode';
import { exploreLensTitle, exploreVerdict, scenarioLine } from './logic/verdict';
import type { ExploreReport } from './logic/witness';

export const SHOW_OUTPUT_COMMAND = 'lifetime.showOutput';

export class ExploreResults implements vscode.CodeLensProvider, vscode.Disposable {
  private results = new Map<string, ExploreReport>();
  private changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private disposables: vscode.Disposable[] = [this.changed];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && this.results.delete(e.document.uri.toString())) this.changed.fire();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.results.delete(d.uri.toString())) this.changed.fire();
      }),
    );
  }

  set(uri: vscode.Uri, report: ExploreReport): void {
    this.results.set(uri.toString(), report);
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const r = this.results.get(doc.uri.toString());
    if (!r) return [];
    const line = scenarioLine(doc.getText());
    const v = exploreVerdict(r);
    const tooltip = v === 'inconclusive'
      ? 'A bound stopped the search before every schedule was tried: raise lifetime.explore.maxStates / timeLimitSeconds / maxMemoryMB. Click for the output.'
      : 'The last Explore Schedules of this file. Click for the output.';
    return [new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: exploreLensTitle(r), command: SHOW_OUTPUT_COMMAND, tooltip })];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
