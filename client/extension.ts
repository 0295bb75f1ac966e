// The VS Code extension (tools.md §5): only wiring. The language server (dist/server.js),
// the debug adapter (inline, loaded from dist/ when a session starts), the CLI (bin/) and
// the explorer (a forked worker) do the work; this file connects them to the editor.
//
// Activation must stay fast (< 100 ms): nothing heavy is loaded here. The language client
// (dist/language-client.js, most of the code) is loaded and started just after activate()
// returns, the debug adapter's bundle on the first debug session, and exploration runs in a
// child process. The time activate() took is written to the output channel ("Driver
// Lifetime"), where the end-to-end test reads it.

import { LOAD_START } from './loadStart';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDebugging } from './debug';
import { registerKernel } from './kernel';
import type * as LanguageClientModule from './languageClient';
import { LifetimesView } from './lifetimesView';
import { registerCommand } from './trust';
import { ExploreResults, SHOW_OUTPUT_COMMAND } from './exploreResults';

export interface LifetimeExtensionApi {
  /** milliseconds activate() took */
  activationMs: number;
  /** milliseconds the evaluation of the extension's bundle took (before activate() was called) */
  loadMs: number;
}

/** The bundle's evaluation ends here (its imports were evaluated before this line). */
const LOAD_END = performance.now();

let output: vscode.OutputChannel | undefined;
let languageClient: typeof LanguageClientModule | undefined;

/** The language client's bundle, required at run time (esbuild leaves a computed path alone). */
function loadLanguageClient(context: vscode.ExtensionContext): typeof LanguageClientModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  languageClient ??= require(context.asAbsolutePath(path.join('dist', 'language-client.js'))) as typeof LanguageClientModule;
  return languageClient;
}

export function activate(context: vscode.ExtensionContext): LifetimeExtensionApi {
  const t0 = performance.now();
  output = vscode.window.createOutputChannel('Driver Lifetime');
  context.subscriptions.push(output);

  const view = new LifetimesView(context);
  context.subscriptions.push(view);
  registerDebugging(context, output, view);
  const results = new ExploreResults();
  registerCommands(context, output, view, results);
  registerKernel(context, output);
  const out = output;
  context.subscriptions.push(
    results,
    vscode.languages.registerCodeLensProvider({ language: 'lifetime' }, results),
    vscode.commands.registerCommand(SHOW_OUTPUT_COMMAND, () => out.show()),
    registerCommand('lifetime.restartServer', 'Restart Language Server', () => loadLanguageClient(context).restartLanguageClient(out)),
  );
  // The language server starts right after activation.
  setTimeout(() => {
    const t = performance.now();
    try {
      loadLanguageClient(context).startLanguageClient(context, out);
      out.appendLine(`[server] language client loaded, server starting (${(performance.now() - t).toFixed(1)} ms, after activation)`);
    } catch (e) {
      out.appendLine(`[server] cannot load the language client: ${(e as Error)?.stack ?? e}`);
    }
  }, 0);

  const end = performance.now();
  const ms = end - t0;
  const loadMs = LOAD_END - LOAD_START;
  output.appendLine(
    `[activation] Driver Lifetime ${context.extension.packageJSON.version ?? ''} activated in ${ms.toFixed(1)} ms ` +
    `(its bundle was evaluated in ${loadMs.toFixed(1)} ms)`,
  );
  return { activationMs: ms, loadMs };
}

export function deactivate(): Thenable<void> | undefined {
  return languageClient?.stopLanguageClient();
}
